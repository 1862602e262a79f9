/**
 * Accessibility of every view in real Chromium through `proofdesk serve` on the bundled demo:
 * axe-core (WCAG 2.x A and AA, plus its best practices) finds nothing in Verification with
 * results, Decisions with a decision open, Anchors, the Narrative report, Ledger with the entry
 * drawer open, or Settings, in the light and the dark theme. The keyboard alone reaches the tabs,
 * Verify, a finding's "show entry" link and a ledger row, every stop showing a focus ring, with
 * Escape handing focus back; focus survives controls that are disabled or replaced (Verify while
 * it runs, Approve once pressed).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import {
  consoleErrorsOf,
  describeWithChromium,
  openRenderer,
  screenshotDir,
  startServe,
  useDemoTwin,
} from './support/renderer-harness';

type Theme = 'light' | 'dark';

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { target: string; summary: string }[];
}

const AXE_OPTIONS: RunOptions = {
  runOnly: {
    type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
  },
  resultTypes: ['violations'],
};

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Runs axe over the whole document as it is now; hidden tab panels are skipped by axe itself. */
async function axeViolations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window)))
    await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (options) => {
    const { axe } = window as unknown as {
      axe: { run: (...args: unknown[]) => Promise<AxeResults> };
    };
    const results = await axe.run(document, options);
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.join(' '),
        summary: node.failureSummary ?? '',
      })),
    }));
  }, AXE_OPTIONS);
}

function describeViolations(view: string, violations: readonly Violation[]): string {
  const lines = violations.flatMap((violation) => [
    `${view}: ${violation.id} (${violation.impact ?? 'no impact'}): ${violation.help}`,
    ...violation.nodes.map(
      (node) => `    ${node.target}\n      ${node.summary.replace(/\n/g, '\n      ')}`,
    ),
  ]);
  return lines.join('\n');
}

async function expectNoViolations(page: Page, view: string): Promise<void> {
  const violations = await axeViolations(page);
  expect(violations, describeViolations(view, violations)).toEqual([]);
}

async function showTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tab', { name }).click();
  await expect
    .poll(() => page.getByRole('tab', { name }).getAttribute('aria-selected'))
    .toBe('true');
}

async function chooseTheme(page: Page, theme: Theme): Promise<void> {
  // Settings is there before the file is described, and describing it opens the file's first view.
  await page.getByRole('tab', { name: 'Verification' }).waitFor();
  await showTab(page, 'Settings');
  await page.getByRole('radio', { name: theme === 'dark' ? 'Dark' : 'Light' }).check();
  await expect
    .poll(() => page.evaluate(() => document.documentElement.dataset['theme']))
    .toBe(theme);
}

const verdictOf = (page: Page): Promise<string | null> =>
  page.getByRole('tabpanel', { name: 'Verification' }).getByRole('status').textContent();

async function verify(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect.poll(() => verdictOf(page), { timeout: 20_000 }).toMatch(/^(Evidence|Inconclusive)/);
  await expect
    .poll(() =>
      page
        .getByRole('listitem')
        .filter({ hasText: /^(PASS|FAIL|SKIP|PENDING|WARN)/ })
        .count(),
    )
    .toBeGreaterThan(5);
}

interface FocusStop {
  readonly tag: string;
  readonly role: string | null;
  readonly name: string;
  readonly rowIndex: string | null;
  readonly inDialog: boolean;
  /** A 2px-or-wider outline is drawn: the app's ring, which :focus-visible puts on every control. */
  readonly ring: boolean;
}

async function focusStop(page: Page): Promise<FocusStop | null> {
  return page.evaluate(() => {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || active === document.body) return null;
    const style = getComputedStyle(active);
    // What a screen reader would read: decorative marks (▲, ↕) are aria-hidden.
    const readable = active.cloneNode(true) as HTMLElement;
    readable.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
    return {
      tag: active.tagName.toLowerCase(),
      role: active.getAttribute('role'),
      name: (
        active.getAttribute('aria-label') ??
        (active instanceof HTMLInputElement ? active.labels?.[0]?.textContent : null) ??
        readable.textContent ??
        ''
      )
        .trim()
        .slice(0, 60),
      rowIndex: active.getAttribute('aria-rowindex'),
      inDialog: active.closest('[role="dialog"]') !== null,
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    };
  });
}

const describeStop = (stop: FocusStop | null): string =>
  stop === null ? '(page)' : `${stop.tag}[role=${stop.role ?? ''}] "${stop.name}"`;

/**
 * Presses Tab until the focused element satisfies `reached`, and returns every stop on the way;
 * fails if it takes more than `limit` presses.
 */
async function tabUntil(
  page: Page,
  reached: (stop: FocusStop) => boolean,
  limit = 40,
): Promise<(FocusStop | null)[]> {
  const stops: (FocusStop | null)[] = [];
  for (let press = 0; press < limit; press++) {
    await page.keyboard.press('Tab');
    const stop = await focusStop(page);
    stops.push(stop);
    if (stop !== null && reached(stop)) return stops;
  }
  throw new Error(`Tab never got there; it visited:\n${stops.map(describeStop).join('\n')}`);
}

/**
 * From a focused tab to the named one, the way the tab bar allows: arrow keys where it moves focus
 * between tabs, Tab where every tab is its own stop. Returns the stops on the way.
 */
async function moveAlongTabs(page: Page, name: string): Promise<(FocusStop | null)[]> {
  const stops: (FocusStop | null)[] = [];
  for (let press = 0; press < 8; press++) {
    const before = await focusStop(page);
    if (before?.role === 'tab' && before.name === name) return stops;
    await page.keyboard.press('ArrowRight');
    if ((await focusStop(page))?.name === before?.name) await page.keyboard.press('Tab');
    stops.push(await focusStop(page));
  }
  throw new Error(`The tab bar never reached ${name}.`);
}

/** Every control the keyboard stopped at drew a focus ring. */
function expectRings(stops: readonly (FocusStop | null)[]): void {
  const ringless = stops.filter((stop) => stop !== null && !stop.ring).map(describeStop);
  expect(ringless, 'focused without a visible focus ring').toEqual([]);
}

describeWithChromium('accessibility in Chromium', () => {
  const twin = useDemoTwin();

  for (const theme of ['light', 'dark'] as const) {
    it(`${theme} theme: axe finds no violations in any view`, async () => {
      const page = await openRenderer(twin.browser, twin.server.url, theme, { bypassCSP: true });
      await chooseTheme(page, theme);
      await expectNoViolations(page, `Settings (${theme})`);

      await showTab(page, 'Verification');
      await verify(page);
      await expectNoViolations(page, `Verification (${theme})`);

      await showTab(page, 'Decisions');
      await page.getByRole('button', { name: /Rotate production database credentials/ }).click();
      const detail = page.getByRole('region', { name: 'Decision detail' });
      await expect.poll(() => detail.getByRole('button', { name: 'Approve' }).count()).toBe(1);
      await expectNoViolations(page, `Decisions (${theme})`);

      await showTab(page, 'Anchors');
      const anchors = page.getByRole('tabpanel', { name: 'Anchors' });
      await expect.poll(() => anchors.getByText(/has no anchors yet/).count()).toBe(1);
      await expectNoViolations(page, `Anchors (${theme})`);

      await showTab(page, 'Narrative');
      const narrative = page.getByRole('tabpanel', { name: 'Narrative' });
      await narrative.getByRole('button', { name: 'Build report' }).click();
      await expect
        .poll(() => narrative.locator('.narrative-headline').count(), { timeout: 30_000 })
        .toBe(1);
      await expectNoViolations(page, `Narrative (${theme})`);

      await showTab(page, 'Ledger');
      const firstRow = page.locator('.ledger-body [role="row"][aria-rowindex="2"]');
      await expect.poll(() => firstRow.locator('[role="gridcell"]').count()).toBe(6);
      await expectNoViolations(page, `Ledger (${theme})`);
      await firstRow.click();
      const dialog = page.getByRole('dialog', { name: 'Entry 1' });
      await expect.poll(() => dialog.getByText('Hash matches').count()).toBe(1);
      await expectNoViolations(page, `Ledger with the entry drawer (${theme})`);
      expect(consoleErrorsOf(page)).toEqual([]);
      await page.close();
    });
  }

  it('keyboard: Tab reaches the tabs, Verify, a finding and a row; Escape returns focus', async () => {
    // System theme with a dark OS: the dark palette, with no pointer interaction beforehand.
    const page = await openRenderer(twin.browser, twin.server.url, 'dark');
    await expect.poll(() => page.getByRole('button', { name: 'Verify' }).isEnabled()).toBe(true);
    const isTab = (stop: FocusStop): boolean => stop.role === 'tab';

    let stops = await tabUntil(page, isTab);
    expect(stops.at(-1)?.name).toBe('Verification');
    stops.push(...(await tabUntil(page, (stop) => stop.name === 'Verify')));
    expectRings(stops);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => verdictOf(page), { timeout: 20_000 })
      .toMatch(/^(Evidence|Inconclusive)/);
    // Verify was disabled while it ran; focus came back to it rather than to the top of the page.
    await expect.poll(async () => (await focusStop(page))?.name).toBe('Verify');

    stops = await tabUntil(page, (stop) => /^Show entry \d+ in the ledger$/.test(stop.name));
    expectRings(stops);
    const entryId = Number(/\d+/.exec(stops.at(-1)?.name ?? '')?.[0]);
    await page.screenshot({ path: join(screenshotDir, 'accessibility-focus-dark.png') });
    await page.keyboard.press('Enter');

    const dialog = page.getByRole('dialog', { name: `Entry ${entryId}` });
    await expect.poll(() => dialog.getByText('Hash matches').count()).toBe(1);
    expect((await focusStop(page))?.inDialog).toBe(true);
    // The drawer is modal: Tab goes round inside it, past every control, and never leaves.
    stops = [];
    for (let press = 0; press < 12; press++) {
      await page.keyboard.press('Tab');
      stops.push(await focusStop(page));
    }
    expect(stops.every((stop) => stop?.inDialog === true)).toBe(true);
    expect(stops.map((stop) => stop?.name)).toEqual(
      expect.arrayContaining(['Close', 'Canonical hash input', 'Payload']),
    );
    expectRings(stops);
    await page.screenshot({ path: join(screenshotDir, 'accessibility-drawer-focus-dark.png') });
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    // Rows are numbered from 2 (the header row is 1) and the demo's entries from 1.
    expect(await focusStop(page)).toMatchObject({
      role: 'row',
      rowIndex: String(entryId + 1),
      ring: true,
    });

    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await focusStop(page))?.rowIndex).toBe(String(entryId));
    await page.keyboard.press('Enter');
    const previous = page.getByRole('dialog', { name: `Entry ${entryId - 1}` });
    await expect.poll(() => previous.count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await focusStop(page))?.rowIndex).toBe(String(entryId));

    // No trap in the page: Tab runs off the end and comes round to the tabs again, and from there
    // through the Ledger's filters and sort buttons to its row.
    stops = await tabUntil(page, isTab);
    stops.push(...(await moveAlongTabs(page, 'Ledger')));
    await page.keyboard.press('Enter');
    stops.push(...(await tabUntil(page, (stop) => stop.role === 'row')));
    expectRings(stops);
    const names = stops.map((stop) => stop?.name);
    expect(names).toEqual(
      expect.arrayContaining(['Actor', 'Apply', 'Clear', 'Entry', 'Time (UTC)']),
    );
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });

  it('Approve by keyboard: focus lands on the decision and the new count is announced', async () => {
    const approving = await startServe({ stateDir: join(twin.stateDir, 'approve') });
    try {
      const page = await openRenderer(twin.browser, approving.url, 'dark');
      await showTab(page, 'Decisions');
      const rotate = page.getByRole('button', { name: /Rotate production database credentials/ });
      await rotate.focus();
      await page.keyboard.press('Enter');
      const approve = page.getByRole('button', { name: 'Approve', exact: true });
      await expect.poll(() => approve.isEnabled()).toBe(true);
      const stops = await tabUntil(page, (stop) => stop.name === 'Approve');
      expectRings(stops);
      await page.keyboard.press('Enter');
      await expect
        .poll(() =>
          page.getByRole('region', { name: 'Decision detail' }).getByRole('status').textContent(),
        )
        .toBe('Approval recorded. 2 of 2 approvals counted.');
      expect(await focusStop(page)).toMatchObject({ tag: 'h2', ring: true });
      expect((await focusStop(page))?.name).toContain('Rotate production database credentials');
      await page.close();
    } finally {
      await approving.stop();
    }
  });
});
