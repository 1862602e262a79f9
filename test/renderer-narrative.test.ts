/**
 * The narrative report in real Chromium through `proofdesk serve`: the Narrative view builds the
 * demo's report with its verdict in words, what it does NOT prove and the Article 12 facts; Export
 * PDF saves through the twin's in-app chooser (a folder handle and a plain file name, never a
 * path), refuses to overwrite unless asked, and writes a PDF that `proofdesk verify-report`
 * accepts; a decision's PDF carries its bundle. Screenshots go to test-results/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readPdfAttachments } from '../src-main/report/pdf-evidence';
import { describeRun, runCli, temporaryConfigHome } from './support/cli';
import { copyTo, temporaryDirectory } from './support/ledger-fixtures';
import {
  consoleErrorsOf,
  describeWithChromium,
  openRenderer,
  screenshotDir,
  startServe,
  useDemoTwin,
  type ServeProcess,
} from './support/renderer-harness';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const SAVED = /^Saved (\S+) \(sha256:[0-9a-f]{64}\)$/;

/** Export PDF, then Save here in the chooser, which opens on the open file's folder. */
async function exportPdfInApp(page: Page, options: { replace?: boolean } = {}) {
  await page.getByRole('button', { name: 'Export PDF', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Save the PDF report' });
  await expect.poll(() => dialog.isVisible()).toBe(true);
  await expect.poll(() => dialog.getByRole('button', { name: 'Save here' }).isEnabled()).toBe(true);
  if (options.replace === true) await dialog.getByLabel('Replace a file of that name').check();
  await dialog.getByRole('button', { name: 'Save here' }).click();
  return dialog;
}

describeWithChromium('the narrative report in Chromium', () => {
  const twin = useDemoTwin();
  const folder = temporaryDirectory();
  const configHome = temporaryConfigHome();
  let ledger: string;
  let ledgerServer: ServeProcess;
  let storeServer: ServeProcess;

  beforeAll(async () => {
    ledger = copyTo(folder, join(demoDir, 'demo-ledger.db'));
    const store = copyTo(folder, join(demoDir, 'demo-decisions.db'));
    copyTo(folder, join(demoDir, 'demo-decisions.ledger.db'));
    // Serving files that live in the temporary folder starts the chooser there.
    [ledgerServer, storeServer] = await Promise.all([
      startServe({ db: ledger, stateDir: join(twin.stateDir, 'ledger') }),
      startServe({ db: store, stateDir: join(twin.stateDir, 'store') }),
    ]);
  });
  afterAll(async () => {
    await ledgerServer?.stop();
    await storeServer?.stop();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme}: the demo's Narrative shows the verdict, its limits and Article 12`, async () => {
      const page = await openRenderer(twin.browser, twin.server.url, theme);
      await page.getByRole('tab', { name: 'Narrative' }).click();
      const panel = page.getByRole('tabpanel', { name: 'Narrative' });
      await panel.getByRole('button', { name: 'Build report' }).click();
      const headline = panel.locator('.narrative-headline');
      await expect
        .poll(() => headline.textContent(), { timeout: 30_000 })
        .toMatch(/^(Evidence intact|Evidence failed verification|Inconclusive: )/);
      expect(await headline.isVisible()).toBe(true);
      const limits = panel.getByRole('heading', { name: 'What this result does NOT prove' });
      expect(await limits.isVisible()).toBe(true);
      const article12 = panel.getByRole('heading', {
        name: 'Record-keeping (EU AI Act Article 12)',
      });
      expect(await article12.isVisible()).toBe(true);
      expect(
        await panel.getByText('this is not a statement of conformity', { exact: false }).count(),
      ).toBe(1);
      // The report digest is shown with the evidence, as the PDF prints it on every page.
      expect(await panel.getByText(/^sha256:[0-9a-f]{64}$/).count()).toBe(1);
      await page.screenshot({
        path: join(screenshotDir, `narrative-${theme}.png`),
        fullPage: true,
      });
      expect(consoleErrorsOf(page)).toEqual([]);
      await page.close();
    });
  }

  it('Export PDF from Verification saves through the chooser and refuses to overwrite', async () => {
    const page = await openRenderer(twin.browser, ledgerServer.url);
    const status = page.locator('#panel-verification .report-export-status');
    const dialog = await exportPdfInApp(page);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(SAVED);
    expect(await dialog.count()).toBe(0);
    const fileName = SAVED.exec((await status.textContent()) ?? '')?.[1] ?? '';
    expect(fileName).toBe('demo-ledger-report.pdf');
    const file = join(folder, fileName);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const verified = runCli(['verify-report', file], { configHome });
    expect(verified.status, describeRun(verified)).toBe(0);

    // The same name again, without Replace: main refuses, and the chooser stays open to say so.
    const again = await exportPdfInApp(page);
    const alert = again.getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toMatch(/already exists/);
    await page.screenshot({ path: join(screenshotDir, 'narrative-export-exists.png') });
    await again.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => again.count()).toBe(0);
    // The button comes back once the view has taken in that the chooser closed.
    await expect
      .poll(() => page.getByRole('button', { name: 'Export PDF', exact: true }).isEnabled())
      .toBe(true);

    // With Replace ticked it is saved over the old one.
    await exportPdfInApp(page, { replace: true });
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(SAVED);
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });

  it("a decision's Export PDF carries the decision's evidence as attachments", async () => {
    const page = await openRenderer(twin.browser, storeServer.url);
    await page.getByRole('tab', { name: 'Decisions' }).click();
    await page.getByRole('button', { name: /Rotate production database credentials/ }).click();
    const detail = page.getByRole('region', { name: 'Decision detail' });
    await expect.poll(() => detail.getByRole('button', { name: 'Export PDF' }).count()).toBe(1);
    await exportPdfInApp(page);
    const status = detail.locator('.report-export-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toMatch(SAVED);
    const fileName = SAVED.exec((await status.textContent()) ?? '')?.[1] ?? '';
    expect(fileName).toMatch(/-report\.pdf$/);
    const pdf = readFileSync(join(folder, fileName));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const attachments = [...(await readPdfAttachments(new Uint8Array(pdf))).keys()];
    expect(
      attachments.some((name) => name === 'audit-package.json' || name === 'decision-bundle.json'),
      attachments.join(', '),
    ).toBe(true);
    await page.screenshot({
      path: join(screenshotDir, 'narrative-decision-exported.png'),
      fullPage: true,
    });
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });
});
