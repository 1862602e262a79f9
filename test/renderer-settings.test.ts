/** Settings in Chromium through `proofdesk serve`: switching to dark mode, keeping it, and System. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeWithChromium,
  launchChromium,
  openRenderer,
  screenshotDir,
  startServe,
  type ServeProcess,
} from './support/renderer-harness';
import { temporaryDirectory } from './support/ledger-fixtures';

const background = (page: Page): Promise<string> =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

describeWithChromium('theme setting in Chromium', () => {
  let browser: Browser;
  let server: ServeProcess;
  const stateDir = temporaryDirectory();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    browser = await launchChromium();
    server = await startServe({ stateDir: join(stateDir, 'demo') });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('switches to dark mode, keeps it across a reload, and System follows the OS', async () => {
    const page = await openRenderer(browser, server.url, 'light');
    const light = await background(page);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset['theme']))
      .toBe('dark');
    const dark = await background(page);
    expect(dark).not.toBe(light);
    await page.getByRole('tab', { name: 'Verification' }).click();
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => page.getByRole('listitem').count(), { timeout: 20_000 })
      .toBeGreaterThan(5);
    await page.screenshot({
      path: join(screenshotDir, 'verification-dark-setting.png'),
      fullPage: true,
    });

    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('dark');

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('radio', { name: 'System' }).check();
    expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe('light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.dataset['theme']))
      .toBe('dark');
    await page.close();
  });
});
