/**
 * The renderer in real Chromium against the real handlers, through the browser twin (`proofdesk
 * serve` as a subprocess): verifying the demo ledger shows every check PASS, a tampered fixture
 * shows a FAIL naming its entry, and screenshots are kept.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  consoleErrorsOf,
  describeWithChromium,
  launchChromium,
  openRenderer,
  screenshotDir,
  startServe,
  type ServeProcess,
} from './support/renderer-harness';
import { itWithFixtures } from './support/shared-fixtures';
import { copyTo, nexusconeFixture, temporaryDirectory } from './support/ledger-fixtures';

describeWithChromium('renderer in Chromium', () => {
  let browser: Browser;
  const servers: ServeProcess[] = [];
  const stateDir = temporaryDirectory();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('verifies the demo ledger: every check line is a PASS', async () => {
    // No ledger named: serve opens the bundled demo with its keyring.
    const server = await startServe({ stateDir: join(stateDir, 'demo') });
    servers.push(server);
    const page = await openRenderer(browser, server.url);
    // The token was exchanged for a cookie and dropped from the address bar.
    expect(page.url()).toBe(`${server.origin}/`);
    await expect
      .poll(() => page.getByLabel('Open file').getByText('demo-ledger.db').count())
      .toBe(1);
    await page.getByRole('button', { name: 'Verify' }).click();
    const items = page.getByRole('listitem');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThan(5);
    // First verification: the trusted head is recorded (WARN); the second shows it extended.
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect
      .poll(() => page.getByText(/extends the head verified/).count(), { timeout: 20_000 })
      .toBe(1);
    const texts = await items.allTextContents();
    expect(texts.every((text) => text.startsWith('PASS'))).toBe(true);
    expect(await page.getByRole('status').textContent()).toContain('Evidence intact');
    // fetch and EventSource stayed inside connect-src 'self': no CSP report, no error.
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.screenshot({
      path: join(screenshotDir, 'verification-demo-pass.png'),
      fullPage: true,
    });
    await page.close();
  });

  itWithFixtures('shows a FAIL that names the tampered entry', async () => {
    const ledgerPath = copyTo(stateDir, nexusconeFixture('tampered_payload_edit_middle.db'));
    const server = await startServe({ db: ledgerPath, stateDir: join(stateDir, 'fail') });
    servers.push(server);
    const page = await openRenderer(browser, server.url, 'dark');
    await expect
      .poll(() => page.getByLabel('Open file').getByText('tampered_payload_edit_middle.db').count())
      .toBe(1);
    await page.getByRole('button', { name: 'Verify' }).click();
    const failure = page.getByRole('listitem').filter({ hasText: /^FAIL/ });
    await expect.poll(() => failure.count(), { timeout: 20_000 }).toBe(1);
    const text = await failure.textContent();
    expect(text).toContain('LEDGER_HASH_MISMATCH');
    expect(text).toContain('entry 25');
    expect(text).toContain('66e506338fdcdf89c636ba0f3a577c343c88ef8d557677a39d5e8c42a492cfd9');
    expect(await page.getByRole('status').textContent()).toContain('Evidence failed verification');
    await page.screenshot({
      path: join(screenshotDir, 'verification-tampered-fail-dark.png'),
      fullPage: true,
    });
    await page.close();
  });
});
