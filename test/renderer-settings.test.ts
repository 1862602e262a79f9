/**
 * Settings in Chromium through `proofdesk serve`: switching to dark mode, keeping it, and System;
 * the officer named by `serve --key`; and a keyring of trusted signers added through the in-app
 * chooser, after which verification checks the ledger's signatures.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  describeWithChromium,
  openRenderer,
  screenshotDir,
  startServe,
  useDemoTwin,
} from './support/renderer-harness';
import { copyTo, nexusconeFixture, temporaryDirectory } from './support/ledger-fixtures';
import { itWithFixtures } from './support/shared-fixtures';
import { writeNewKeyFile } from '../src-main/crypto/key-file';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));

const background = (page: Page): Promise<string> =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

describeWithChromium('theme setting in Chromium', () => {
  const twin = useDemoTwin();

  it('switches to dark mode, keeps it across a reload, and System follows the OS', async () => {
    const page = await openRenderer(twin.browser, twin.server.url, 'light');
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

  it('shows the officer from serve --key, and trusts a keyring chosen in the app', async () => {
    const folder = temporaryDirectory();
    const ledger = copyTo(folder, join(demoDir, 'demo-ledger.db'));
    copyTo(folder, join(demoDir, 'demo-keyring.json'));
    const key = join(folder, 'officer.key');
    writeNewKeyFile(key, 'jane@example.com', new Uint8Array(32).fill(3));
    const keyed = await startServe({
      db: ledger,
      stateDir: join(twin.stateDir, 'keys'),
      extraArgs: ['--key', key],
    });
    try {
      const page = await openRenderer(twin.browser, keyed.url, 'dark');
      await page.getByRole('tab', { name: 'Settings' }).click();
      const officer = page.getByRole('region', { name: 'Officer identity and key' });
      await expect.poll(() => officer.textContent()).toContain('jane@example.com');
      expect(await officer.textContent()).toContain('The browser twin keeps no keys');

      await page.getByRole('button', { name: 'Add keyring…' }).click();
      const chooser = page.getByRole('dialog', { name: 'Trust the signers in a keyring' });
      await chooser.getByRole('button').filter({ hasText: 'demo-keyring.json' }).click();
      await expect.poll(() => chooser.count()).toBe(0);
      const keyrings = page.getByRole('list', { name: 'Trusted keyrings' });
      await expect.poll(() => keyrings.textContent()).toContain('demo-keyring.json');
      expect(await page.getByRole('status').filter({ hasText: 'Keyring added.' }).count()).toBe(1);
      await page.screenshot({
        path: join(screenshotDir, 'settings-keys-dark.png'),
        fullPage: true,
      });

      await page.getByRole('tab', { name: 'Verification' }).click();
      await page.getByRole('button', { name: 'Verify' }).click();
      const signatures = page.getByRole('listitem').filter({ hasText: 'ledger.signatures' });
      await expect.poll(() => signatures.textContent(), { timeout: 20_000 }).toMatch(/^PASS/);
      await page.close();
    } finally {
      await keyed.stop();
    }
  });

  itWithFixtures(
    'anchor checks in the checklist: SKIP until TSA roots are trusted, then PASS',
    async () => {
      const folder = temporaryDirectory();
      const ledger = copyTo(folder, nexusconeFixture('anchored_witnessed.db'));
      copyTo(folder, nexusconeFixture('tsa_test_root_ca.pem'));
      const anchored = await startServe({ db: ledger, stateDir: join(twin.stateDir, 'anchors') });
      try {
        const page = await openRenderer(twin.browser, anchored.url);
        const tsaLines = page.getByRole('listitem').filter({ hasText: /^\w+anchors\.tsa/ });
        await page.getByRole('button', { name: 'Verify' }).click();
        await expect.poll(() => tsaLines.count(), { timeout: 20_000 }).toBe(3);
        expect((await tsaLines.allTextContents()).every((text) => text.startsWith('SKIP'))).toBe(
          true,
        );
        expect(
          await page
            .getByRole('listitem')
            .filter({ hasText: /^PENDING/ })
            .count(),
        ).toBe(2);

        await page.getByRole('tab', { name: 'Settings' }).click();
        await page.getByRole('button', { name: 'Add TSA roots…' }).click();
        const chooser = page.getByRole('dialog', { name: 'Trust the TSA roots in a PEM file' });
        await chooser.getByRole('button').filter({ hasText: 'tsa_test_root_ca.pem' }).click();
        await expect
          .poll(() => page.getByRole('list', { name: 'Trusted TSA roots' }).textContent())
          .toContain('1 certificate');
        await page.screenshot({
          path: join(screenshotDir, 'settings-anchor-evidence.png'),
          fullPage: true,
        });

        await page.getByRole('tab', { name: 'Verification' }).click();
        await page.getByRole('button', { name: 'Verify' }).click();
        await expect.poll(() => tsaLines.count(), { timeout: 20_000 }).toBe(1);
        expect(await tsaLines.textContent()).toMatch(/^PASSanchors\.tsa3 RFC 3161 timestamps/);
        await page.screenshot({
          path: join(screenshotDir, 'verification-anchors.png'),
          fullPage: true,
        });
        await page.close();
      } finally {
        await anchored.stop();
      }
    },
  );
});
