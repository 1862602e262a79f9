/**
 * The Ledger view in real Chromium through `proofdesk serve`: rows of the demo ledger, sorting by
 * a header, filtering by actor, the keyboard (arrows, Enter opens the drawer, Escape closes it and
 * focus returns), a 100,000-row ledger scrolled without loading it whole, and a tampered
 * fixture's FAIL line leading to its row with the drawer open. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendEntries, formatNexusconeTimestamp } from '../src-main/ledger/ledger-writer';
import {
  describeWithChromium,
  launchChromium,
  openRenderer,
  screenshotDir,
  startServe,
  type ServeProcess,
} from './support/renderer-harness';
import { itWithFixtures } from './support/shared-fixtures';
import { copyTo, nexusconeFixture, temporaryDirectory } from './support/ledger-fixtures';

/** The data rows currently rendered: [aria-rowindex, cell texts]. */
async function renderedRows(page: Page): Promise<[number, string[]][]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('.ledger-body [role="row"]'), (row) => [
      Number(row.getAttribute('aria-rowindex')),
      Array.from(row.querySelectorAll('[role="gridcell"]'), (cell) => cell.textContent ?? ''),
    ]),
  );
}

/** Waits until every rendered row has its data (no "Loading…" placeholder). */
async function settled(page: Page): Promise<[number, string[]][]> {
  await expect
    .poll(async () => {
      const rows = await renderedRows(page);
      return rows.length > 0 && rows.every(([, cells]) => cells.length === 6);
    })
    .toBe(true);
  return renderedRows(page);
}

const focusedRowIndex = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex') ?? null);

async function openLedgerTab(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Ledger' }).click();
  await expect.poll(() => page.getByRole('grid', { name: 'Ledger entries' }).count()).toBe(1);
}

describeWithChromium('ledger view in Chromium', () => {
  let browser: Browser;
  /** The bundled demo with its keyring; these tests only read it, so they share one. */
  let demo: ServeProcess;
  const servers: ServeProcess[] = [];
  const stateDir = temporaryDirectory();

  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    browser = await launchChromium();
    demo = await startServe({ stateDir: join(stateDir, 'demo') });
    servers.push(demo);
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('shows the demo ledger; sorts by a header; filters by actor', async () => {
    const page = await openRenderer(browser, demo.url);
    await openLedgerTab(page);
    const grid = page.getByRole('grid', { name: 'Ledger entries' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe('3001');
    let rows = await settled(page);
    expect(rows[0]).toEqual([
      2,
      [
        '1',
        '2026-10-01T07:31:27.013148Z',
        'agent:claims-triage',
        'chat.completion',
        'request',
        'Yes · acme-audit-2026q3',
      ],
    ]);
    // Windowed: a screenful plus overscan, not 3000 rows.
    expect(rows.length).toBeLessThan(60);
    await page.screenshot({ path: join(screenshotDir, 'ledger-view.png') });

    const entryHeader = page.getByRole('columnheader', { name: /Entry/ });
    const timeHeader = page.getByRole('columnheader', { name: /Time/ });
    expect(await entryHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await timeHeader.getAttribute('aria-sort')).toBe('none');
    expect(await page.getByRole('columnheader', { name: 'Actor' }).getAttribute('aria-sort')).toBe(
      null,
    );
    await entryHeader.getByRole('button').click();
    await expect.poll(() => entryHeader.getAttribute('aria-sort')).toBe('descending');
    await expect.poll(async () => (await settled(page))[0]?.[1][0]).toBe('3000');
    await timeHeader.getByRole('button').click();
    await expect.poll(() => timeHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await entryHeader.getAttribute('aria-sort')).toBe('none');
    await expect
      .poll(async () => (await settled(page))[0]?.[1][1])
      .toBe('2026-10-01T07:31:27.013148Z');

    await page.getByLabel('Actor').fill('agent:kyc-screening');
    await page.getByLabel('Actor').press('Enter');
    await expect.poll(() => page.getByText('431 entries match the filter').count()).toBe(1);
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe('432');
    rows = await settled(page);
    expect(rows.every(([, cells]) => cells[2] === 'agent:kyc-screening')).toBe(true);
    expect(rows.map(([index]) => index)).toEqual(rows.map((_, offset) => offset + 2));
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => page.getByText('3,000 entries').count()).toBe(1);
    await page.close();
  });

  it('keyboard: arrows move between rows, Enter opens the drawer, Escape closes it', async () => {
    const page = await openRenderer(browser, demo.url);
    await openLedgerTab(page);
    await settled(page);
    // Tab from the last sortable header reaches the grid's single row tab stop: the first row.
    await page.getByRole('columnheader', { name: /Time/ }).getByRole('button').focus();
    await page.keyboard.press('Tab');
    expect(await focusedRowIndex(page)).toBe('2');
    await page.keyboard.press('Tab');
    expect(await focusedRowIndex(page)).toBe(null);
    await page.keyboard.press('Shift+Tab');
    expect(await focusedRowIndex(page)).toBe('2');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focusedRowIndex(page)).toBe('4');
    await page.keyboard.press('ArrowUp');
    expect(await focusedRowIndex(page)).toBe('3');
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: 'Entry 2' });
    await expect.poll(() => dialog.count()).toBe(1);
    await expect.poll(() => dialog.getByText('Hash matches').count()).toBe(1);
    const text = (await dialog.textContent()) ?? '';
    expect(text).toContain('Signature valid');
    expect(text).toContain('acme-audit-2026q3');
    expect(text).toContain(
      '{"action":"chat.completion","actor":"agent:kyc-screening","entry_id":2',
    );
    // Focus moved into the dialog; the grid behind it is inert.
    expect(
      await page.evaluate(() => document.activeElement?.closest('[role="dialog"]') !== null),
    ).toBe(true);
    await page.screenshot({ path: join(screenshotDir, 'ledger-drawer.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focusedRowIndex(page)).toBe('3');

    // End jumps to the last row, Home back to the first.
    await page.keyboard.press('End');
    await expect.poll(() => focusedRowIndex(page)).toBe('3001');
    await expect
      .poll(async () => (await settled(page)).find(([index]) => index === 3001)?.[1][0])
      .toBe('3000');
    await page.keyboard.press('Home');
    await expect.poll(() => focusedRowIndex(page)).toBe('2');
    await page.close();
  });

  it('scrolls a 100,000-row ledger: deep rows arrive with their aria-rowindex', async () => {
    const directory = temporaryDirectory();
    const ledgerPath = join(directory, 'big.db');
    let n = 0;
    appendEntries(
      ledgerPath,
      Array.from({ length: 100_000 }, (_, index) => ({
        actor: `agent:${index % 7}`,
        action: 'chat.completion',
        eventType: 'request',
        payload: `{"i":${index}}`,
      })),
      {
        createIfMissing: true,
        clock: () => formatNexusconeTimestamp(BigInt(Date.UTC(2026, 0, 1) + n++) * 1000n),
      },
    );
    const server = await startServe({ db: ledgerPath, stateDir: join(directory, 'state') });
    servers.push(server);
    const page = await openRenderer(browser, server.url);
    await openLedgerTab(page);
    const grid = page.getByRole('grid', { name: 'Ledger entries' });
    await expect.poll(() => grid.getAttribute('aria-rowcount')).toBe('100001');
    await settled(page);

    // Wheel down past the first page: the next pages come by keyset, in order.
    const scroller = page.locator('.ledger-scroller');
    await scroller.hover();
    for (let step = 0; step < 6; step++) await page.mouse.wheel(0, 1200);
    await expect
      .poll(() => scroller.evaluate((element) => element.scrollTop))
      .toBeGreaterThan(4000);
    await expect.poll(async () => (await renderedRows(page))[0]?.[0] ?? 0).toBeGreaterThan(110);
    let rows = await settled(page);
    expect(rows[0]?.[0]).toBeGreaterThan(110);
    for (const [index, cells] of rows) expect(cells[0]).toBe(String(index - 1));

    // Drag-like jumps to the middle and near the end: pages are fetched by position.
    for (const fraction of [0.5, 0.9731]) {
      await scroller.evaluate((element, f) => {
        element.scrollTop = (element.scrollHeight - element.clientHeight) * f;
      }, fraction);
      // The scroll event reaches React on the next frame; then the window moves.
      await expect
        .poll(async () => Math.abs(((await renderedRows(page))[0]?.[0] ?? 0) - 100_000 * fraction))
        .toBeLessThan(100);
      rows = await settled(page);
      for (const [index, cells] of rows) expect(cells[0]).toBe(String(index - 1));
      expect(rows.length).toBeLessThan(60);
    }
    await page.screenshot({ path: join(screenshotDir, 'ledger-view-100k.png') });
    await page.close();
  });

  itWithFixtures(
    'a FAIL line names its entry; clicking it opens that row and its drawer',
    async () => {
      const ledgerPath = copyTo(stateDir, nexusconeFixture('tampered_payload_edit_middle.db'));
      const server = await startServe({ db: ledgerPath, stateDir: join(stateDir, 'fail') });
      servers.push(server);
      const page = await openRenderer(browser, server.url, 'dark');
      await page.getByRole('button', { name: 'Verify' }).click();
      const failure = page.getByRole('listitem').filter({ hasText: /^FAIL/ });
      await expect.poll(() => failure.count(), { timeout: 20_000 }).toBe(1);
      expect(await failure.textContent()).toMatch(/^FAIL.*entry 25/);
      await failure.getByRole('button', { name: 'Show entry 25 in the ledger' }).click();

      await expect
        .poll(() => page.getByRole('tab', { name: 'Ledger' }).getAttribute('aria-selected'))
        .toBe('true');
      const dialog = page.getByRole('dialog', { name: 'Entry 25' });
      await expect.poll(() => dialog.getByText('Hash MISMATCH').count()).toBe(1);
      const row = page.locator('.ledger-body [role="row"][aria-rowindex="26"]');
      await expect.poll(() => row.getAttribute('class')).toContain('is-highlighted');
      expect(await row.getAttribute('aria-selected')).toBe('true');
      expect((await row.textContent()) ?? '').toMatch(/^25/);
      await page.screenshot({ path: join(screenshotDir, 'ledger-drawer-mismatch-dark.png') });
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
      expect(await focusedRowIndex(page)).toBe('26');
      // Going back, the verification results are still there: views stay mounted.
      await page.getByRole('tab', { name: 'Verification' }).click();
      const stillListed = page.getByRole('listitem').filter({ hasText: /^FAIL/ });
      await expect.poll(() => stillListed.count()).toBe(1);
      expect(await stillListed.textContent()).toContain('LEDGER_HASH_MISMATCH');
      await page.close();
    },
  );
});
