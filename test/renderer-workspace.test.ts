/**
 * Opening files in real Chromium through the twin: Open… shows main's in-app chooser (handles,
 * never paths), a chosen file replaces every view, recent files come back in the chooser, a
 * decision store opens on its decisions, and a file dropped on the window is sent as bytes and
 * opened as a read-only copy. Screenshots go to test-results/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
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
import { sharedFixturesAvailable, itWithFixtures } from './support/shared-fixtures';
import {
  copyTo,
  nexusconeFixture,
  sha256OfFile,
  temporaryDirectory,
} from './support/ledger-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));

const openFileTitle = (page: Page) => page.getByLabel('Open file').locator('.workspace-title');

async function chooseInApp(page: Page, fileName: string, section: 'Recent' | 'Folder') {
  await page.getByRole('button', { name: 'Open…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Open an audit database' });
  await expect.poll(() => dialog.isVisible()).toBe(true);
  const list =
    section === 'Recent'
      ? dialog.locator('.recent-list')
      : dialog.getByRole('list', { name: /^Contents of/ });
  const file = list.getByRole('button').filter({ hasText: fileName });
  await expect.poll(() => file.count()).toBe(1);
  return { dialog, file };
}

describeWithChromium('opening files in Chromium', () => {
  let browser: Browser;
  let server: ServeProcess;
  const folder = temporaryDirectory();
  const stateDir = temporaryDirectory();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    copyTo(folder, join(demoDir, 'demo-decisions.db'));
    copyTo(folder, join(demoDir, 'demo-decisions.ledger.db'));
    const ledger = copyTo(folder, join(demoDir, 'demo-ledger.db'));
    if (sharedFixturesAvailable)
      copyTo(folder, nexusconeFixture('tampered_payload_edit_middle.db'));
    browser = await launchChromium();
    server = await startServe({ db: ledger, stateDir });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  itWithFixtures('Open… lists the folder by handle and opens a tampered ledger', async () => {
    const page = await openRenderer(browser, server.url);
    await expect.poll(() => openFileTitle(page).textContent()).toBe('demo-ledger.db');
    const { dialog, file } = await chooseInApp(page, 'tampered_payload_edit_middle.db', 'Folder');
    expect(await dialog.locator('.file-folder-path').textContent()).toBe(folder);
    await page.screenshot({ path: join(screenshotDir, 'open-in-app-chooser.png') });
    await file.click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect
      .poll(() => openFileTitle(page).textContent())
      .toBe('tampered_payload_edit_middle.db');
    await page.getByRole('button', { name: 'Verify' }).click();
    const failure = page.getByRole('listitem').filter({ hasText: /^FAIL/ });
    await expect.poll(() => failure.count(), { timeout: 20_000 }).toBe(1);
    expect(await failure.textContent()).toContain('entry 25');
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });

  it('opens a decision store on its decisions, with approving off and the reason shown', async () => {
    const page = await openRenderer(browser, server.url);
    const { file } = await chooseInApp(page, 'demo-decisions.db', 'Folder');
    await file.click();
    await expect.poll(() => openFileTitle(page).textContent()).toBe('demo-decisions.db');
    expect(await page.getByRole('tab', { name: 'Decisions' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    await page
      .getByRole('button', { name: /pending approval/i })
      .first()
      .click();
    const approve = page.getByRole('button', { name: 'Approve' });
    await expect.poll(() => approve.count()).toBe(1);
    expect(await approve.isDisabled()).toBe(true);
    expect(await page.getByText(/No officer key is set up/).count()).toBeGreaterThan(0);
    // Its bound ledger is the one the Ledger and Verification views show.
    await page.getByRole('tab', { name: 'Verification' }).click();
    await expect
      .poll(() => page.locator('.ledger-identity').textContent())
      .toContain('demo-decisions.ledger.db');
    await page.close();
  });

  it('offers recently opened files again in the chooser', async () => {
    const page = await openRenderer(browser, server.url);
    const { file } = await chooseInApp(page, 'demo-ledger.db', 'Recent');
    await file.click();
    await expect.poll(() => openFileTitle(page).textContent()).toBe('demo-ledger.db');
    // Escape closes the chooser without opening anything.
    await page.getByRole('button', { name: 'Open…' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await openFileTitle(page).textContent()).toBe('demo-ledger.db');
    await page.close();
  });

  it('opens a dropped file as a read-only copy, sent as bytes', async () => {
    const page = await openRenderer(browser, server.url, 'dark');
    await expect.poll(() => openFileTitle(page).count()).toBe(1);
    const ledger = join(demoDir, 'demo-ledger.db');
    const dataTransfer = await page.evaluateHandle((base64) => {
      const binary = atob(base64);
      const bytes = Uint8Array.from(binary, (character) => character.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped-ledger.db'));
      return transfer;
    }, readFileSync(ledger).toString('base64'));
    await page.dispatchEvent('main', 'dragover', { dataTransfer });
    await expect
      .poll(() => page.getByText('Drop an audit database to open a read-only copy of it').count())
      .toBe(1);
    await page.screenshot({ path: join(screenshotDir, 'open-drop-overlay-dark.png') });
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    await expect.poll(() => openFileTitle(page).textContent()).toBe('dropped-ledger.db');
    expect(await page.getByLabel('Open file').textContent()).toContain(
      'read-only copy of a dropped file',
    );
    await page.getByRole('button', { name: 'Verify' }).click();
    const items = page.getByRole('listitem');
    await expect.poll(() => items.count(), { timeout: 20_000 }).toBeGreaterThan(5);
    // The copy's digest is the dropped file's.
    expect(await page.locator('.ledger-sha').textContent()).toContain(sha256OfFile(ledger));
    const texts = await items.allTextContents();
    // No trusted head is kept for a copy, and no keyring was given to `serve`: both say so.
    expect(texts.filter((text) => !text.startsWith('PASS'))).toEqual([
      expect.stringMatching(/^SKIPledger\.signaturesLEDGER_SIGNATURES_NOT_CHECKED/),
      expect.stringMatching(/^SKIPtrusted_headTRUSTED_HEAD_NOT_RECORDED/),
    ]);
    await page.screenshot({
      path: join(screenshotDir, 'open-dropped-copy-dark.png'),
      fullPage: true,
    });
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });
});
