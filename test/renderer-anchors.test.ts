/**
 * The Anchors view in Chromium through `proofdesk serve`: the demo has no anchors and cannot be
 * anchored, and says why; nexuscone's anchored fixture shows its four anchors with their states,
 * each linking to its head entry in the Ledger; and a fresh ledger is anchored end to end against a
 * loopback RFC 3161 TSA and OpenTimestamps calendar started here, cancelled once, then anchored
 * and upgraded after the calendar has confirmed. Screenshots go to test-results/anchors-view*.png.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  consoleErrorsOf,
  describeWithChromium,
  openRenderer,
  screenshotDir,
  startServe,
  useDemoTwin,
} from './support/renderer-harness';
import { copyTo, newLedger, nexusconeFixture, temporaryDirectory } from './support/ledger-fixtures';
import { itWithFixtures } from './support/shared-fixtures';
import { startTestOtsCalendar } from './support/test-ots-calendar';
import {
  createTestTsaPki,
  startTestTsa,
  withoutProxyEnvironment,
  itWithOpenssl,
} from './support/test-tsa';

async function showAnchors(page: Page): Promise<Locator> {
  await page.getByRole('tab', { name: 'Anchors' }).click();
  await expect
    .poll(() => page.getByRole('tab', { name: 'Anchors' }).getAttribute('aria-selected'))
    .toBe('true');
  return page.getByRole('tabpanel', { name: 'Anchors' });
}

/** The text the button's aria-describedby points at: why it is disabled. */
async function describedReason(page: Page, button: Locator): Promise<string | null> {
  const ids = await button.getAttribute('aria-describedby');
  if (ids === null) return null;
  const texts = await Promise.all(
    ids.split(' ').map((id) => page.locator(`[id="${id}"]`).textContent()),
  );
  return texts.join(' ');
}

/** Anchor id → the state badge's text, read from the table's rows. */
async function anchorStates(panel: Locator): Promise<Record<string, string>> {
  const rows = panel.getByRole('table').locator('tbody tr');
  const states: Record<string, string> = {};
  for (const row of await rows.all()) {
    const id = (await row.getByRole('rowheader').textContent()) ?? '';
    states[id] = (await row.getByRole('cell').first().textContent()) ?? '';
  }
  return states;
}

describeWithChromium('anchors view in Chromium', () => {
  // The serve subprocesses inherit this environment and must reach the loopback servers directly.
  withoutProxyEnvironment();
  const twin = useDemoTwin();

  it('demo: no anchors, and Anchor now and Upgrade are off with main’s reason', async () => {
    const page = await openRenderer(twin.browser, twin.server.url);
    const panel = await showAnchors(page);
    await expect.poll(() => panel.getByText(/has no anchors yet/).count()).toBe(1);
    expect(await panel.getByRole('table').count()).toBe(0);
    const anchorNow = panel.getByRole('button', { name: 'Anchor now' });
    const upgrade = panel.getByRole('button', { name: 'Upgrade' });
    // Main's reason: the demo's ledger ships with Proofdesk and is never changed.
    await expect.poll(() => describedReason(page, anchorNow)).toMatch(/demo's ledger/i);
    expect(await anchorNow.isDisabled()).toBe(true);
    expect(await upgrade.isDisabled()).toBe(true);
    expect(await describedReason(page, upgrade)).toBe(await describedReason(page, anchorNow));
    // Nothing can be anchored here, so the schedule cannot be changed either.
    expect(await panel.getByRole('button', { name: 'Save schedule' }).isDisabled()).toBe(true);
    expect(await panel.getByText(/network is used only when/).count()).toBe(1);
    await page.screenshot({ path: join(screenshotDir, 'anchors-view-demo.png'), fullPage: true });
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });

  itWithFixtures(
    'anchored fixture: four anchors with their states, and entry 10 opens in the Ledger',
    async () => {
      const ledger = copyTo(temporaryDirectory(), nexusconeFixture('anchored_witnessed.db'));
      const served = await startServe({ db: ledger, stateDir: join(twin.stateDir, 'fixture') });
      try {
        const page = await openRenderer(twin.browser, served.url);
        const panel = await showAnchors(page);
        const table = panel.getByRole('table', { name: '4 anchors of the open ledger' });
        await expect.poll(() => table.locator('tbody tr').count()).toBe(4);
        expect(await anchorStates(panel)).toEqual({
          '1': 'CONFIRMED',
          '2': 'PENDING',
          '3': 'TSA ONLY',
          '4': 'PENDING',
        });
        const confirmed = table
          .getByRole('row')
          .filter({ has: page.getByRole('rowheader', { name: '1', exact: true }) });
        expect(await confirmed.textContent()).toContain('Bitcoin block 900,001');
        expect(await confirmed.textContent()).toContain('http://127.0.0.1:39165/tsr');
        const columns = await table.getByRole('columnheader').allTextContents();
        expect(columns).toEqual([
          'Anchor',
          'State',
          'Head entry',
          'Submitted',
          'Confirmed',
          'Calendars',
          'Timestamping authority',
        ]);
        await page.screenshot({
          path: join(screenshotDir, 'anchors-view-fixture.png'),
          fullPage: true,
        });

        await table
          .getByRole('button', { name: 'Show entry 10 in the ledger', exact: true })
          .click();
        await expect
          .poll(() => page.getByRole('tab', { name: 'Ledger' }).getAttribute('aria-selected'))
          .toBe('true');
        const drawer = page.getByRole('dialog', { name: 'Entry 10' });
        await expect.poll(() => drawer.count(), { timeout: 20_000 }).toBe(1);
        expect(consoleErrorsOf(page)).toEqual([]);
        await page.close();
      } finally {
        await served.stop();
      }
    },
    120_000,
  );

  // The loopback TSA is openssl's; without it this skips, and fails under CI=true.
  itWithOpenssl(
    'anchors a fresh ledger against loopback servers, then upgrades it once confirmed',
    async () => {
      const pki = await createTestTsaPki();
      const tsa = await startTestTsa(pki, 'good');
      const calendar = await startTestOtsCalendar({ firstHeight: 1000 });
      const served = await startServe({ db: newLedger(3), stateDir: join(twin.stateDir, 'e2e') });
      try {
        const page = await openRenderer(twin.browser, served.url);
        const panel = await showAnchors(page);
        const anchorNow = panel.getByRole('button', { name: 'Anchor now' });
        const upgrade = panel.getByRole('button', { name: 'Upgrade' });
        await expect
          .poll(() => describedReason(page, anchorNow))
          .toBe('Add a calendar or TSA URL below first.');
        expect(await anchorNow.isDisabled()).toBe(true);
        expect(await upgrade.isDisabled()).toBe(true);

        // The renderer refuses what main would, next to the field, and says so to screen readers.
        const entries = panel.getByLabel('every N entries');
        const calendars = panel.getByLabel('Calendar URLs');
        const tsas = panel.getByLabel('TSA URLs');
        const save = panel.getByRole('button', { name: 'Save schedule' });
        await entries.fill('0');
        await calendars.fill(`${calendar.url}\nftp://calendar.example`);
        await save.click();
        expect(await entries.getAttribute('aria-invalid')).toBe('true');
        expect(await describedReason(page, entries)).toBe(
          'Enter a whole number of entries from 1 to 100,000,000.',
        );
        expect(await describedReason(page, calendars)).toContain(
          'Line 2, “ftp://calendar.example”, is not an http:// or https:// URL.',
        );
        expect(await page.evaluate(() => document.activeElement?.id)).toBe(
          'anchor-schedule-entries',
        );
        await page.screenshot({
          path: join(screenshotDir, 'anchors-view-invalid.png'),
          fullPage: true,
        });

        await entries.fill('100');
        await calendars.fill(calendar.url);
        await tsas.fill(tsa.url);
        expect(await panel.getByLabel('Anchor automatically').isChecked()).toBe(false);
        await save.click();
        await expect
          .poll(() => panel.getByRole('status').filter({ hasText: 'Schedule saved.' }).count())
          .toBe(1);
        expect(await entries.getAttribute('aria-invalid')).toBe('false');
        await expect.poll(() => anchorNow.isEnabled()).toBe(true);

        // A TSA that takes its time leaves room for Cancel, which writes nothing.
        tsa.behaviour = 'slow';
        tsa.delayMs = 10_000;
        await anchorNow.click();
        const cancel = panel.getByRole('button', { name: 'Cancel' });
        await expect.poll(() => cancel.count()).toBe(1);
        expect(await panel.getByRole('progressbar', { name: 'Anchoring progress' }).count()).toBe(
          1,
        );
        // The worker's step arrives over the event stream, in the polite live region.
        await expect
          .poll(() => panel.locator('.anchors-status').textContent())
          .toBe('Asking the calendars and TSAs (0 of 2)');
        await cancel.click();
        await expect
          .poll(() => panel.locator('.anchors-status').textContent(), { timeout: 20_000 })
          .toBe('Cancelled; nothing was written.');
        expect(await panel.getByRole('alert').count()).toBe(0);
        expect(await panel.getByRole('table').count()).toBe(0);

        tsa.behaviour = 'good';
        tsa.delayMs = 0;
        // The cancelled run may or may not have reached the calendar, depending on timing.
        const digestsSent = () =>
          calendar.requests.filter((request) => request.startsWith('POST /digest ')).length;
        const digestsBefore = digestsSent();
        await anchorNow.click();
        await expect
          .poll(() => anchorStates(panel), { timeout: 30_000 })
          .toEqual({ '1': 'PENDING' });
        expect(await panel.locator('.anchors-status').textContent()).toContain(
          'Anchor 1 written for entry 3',
        );
        expect(digestsSent()).toBe(digestsBefore + 1);
        const row = panel.getByRole('table').locator('tbody tr');
        expect(await row.textContent()).toContain(calendar.url);
        expect(await row.textContent()).toContain(tsa.url);
        const attempts = panel.getByRole('list', { name: 'Recent attempts' });
        expect(await attempts.getByRole('listitem').first().textContent()).toMatch(/^OK/);

        calendar.confirm();
        await expect.poll(() => upgrade.isEnabled()).toBe(true);
        await upgrade.click();
        await expect
          .poll(() => anchorStates(panel), { timeout: 30_000 })
          .toEqual({ '1': 'CONFIRMED' });
        expect(await row.textContent()).toContain('Bitcoin block 1,000');
        expect(await panel.locator('.anchors-status').textContent()).toBe(
          'Anchor 1 is now CONFIRMED.',
        );
        expect(await panel.getByRole('alert').count()).toBe(0);
        await page.screenshot({
          path: join(screenshotDir, 'anchors-view-light.png'),
          fullPage: true,
        });
        expect(consoleErrorsOf(page)).toEqual([]);
        await page.close();

        const dark = await openRenderer(twin.browser, served.url, 'dark');
        const darkPanel = await showAnchors(dark);
        await expect.poll(() => anchorStates(darkPanel)).toEqual({ '1': 'CONFIRMED' });
        await dark.screenshot({
          path: join(screenshotDir, 'anchors-view-dark.png'),
          fullPage: true,
        });
        expect(consoleErrorsOf(dark)).toEqual([]);
        await dark.close();
      } finally {
        await served.stop();
        await tsa.close();
        await calendar.close();
        await pki.dispose();
      }
    },
    // A throwaway PKI, two servers, a cancelled run, an anchoring and an upgrade.
    180_000,
  );
});
