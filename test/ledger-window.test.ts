/** The ledger grid's windowing arithmetic: plain and compressed scroll ranges, and page cursors. */
import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../src-shared/ipc/ledger-browse-contract';
import {
  cursorForPage,
  firstRowAt,
  geometry,
  MAX_SCROLL_HEIGHT,
  PAGE_SIZE,
  pagesFor,
  ROW_HEIGHT,
  rowTop,
  scrollTopFor,
  scrollTopToReveal,
  visibleRange,
} from '../src-renderer/ledger-window';

const row = (entryId: number): LedgerRow => ({
  entryId,
  timestamp: '',
  actor: '',
  action: '',
  eventType: null,
  formatVersion: null,
  signed: false,
  signingKeyId: null,
});

describe('ledger window', () => {
  it('below the height cap, row i sits at i × ROW_HEIGHT', () => {
    const g = geometry(3000, 640);
    expect(g.contentHeight).toBe(3000 * ROW_HEIGHT);
    expect(firstRowAt(g, 320)).toBeCloseTo(10);
    expect(rowTop(g, 320, 25)).toBeCloseTo(25 * ROW_HEIGHT);
    expect(visibleRange(g, 320, 5)).toEqual({ start: 5, end: 35 });
    expect(visibleRange(g, g.maxScrollTop, 5).end).toBe(3000);
  });

  it('above it, the scroll range is compressed and still reaches the first and last rows', () => {
    const g = geometry(1_000_000, 640);
    expect(g.contentHeight).toBe(MAX_SCROLL_HEIGHT);
    expect(visibleRange(g, 0, 0)).toEqual({ start: 0, end: 20 });
    const end = visibleRange(g, g.maxScrollTop, 0);
    expect(end.end).toBe(1_000_000);
    // The last row's bottom is the viewport's bottom.
    expect(rowTop(g, g.maxScrollTop, 999_999) + ROW_HEIGHT).toBeCloseTo(g.contentHeight);
    expect(firstRowAt(g, scrollTopFor(g, 123_456))).toBeCloseTo(123_456);
    // Revealing a row far below moves so that it is the last one in view.
    const top = scrollTopToReveal(g, 0, 500_000, false);
    const first = firstRowAt(g, top);
    expect(first + 640 / ROW_HEIGHT).toBeCloseTo(500_001);
    expect(firstRowAt(g, scrollTopToReveal(g, 0, 500_000, true))).toBeCloseTo(499_990.5);
  });

  it('pages are fetched after a loaded full predecessor, before a loaded successor, else by position', () => {
    const full = Array.from({ length: PAGE_SIZE }, (_, index) => row(1000 + index));
    expect(cursorForPage(0, new Map())).toEqual({});
    expect(cursorForPage(5, new Map([[4, full]]))).toEqual({ afterEntryId: 1099 });
    expect(cursorForPage(5, new Map([[6, full]]))).toEqual({ beforeEntryId: 1000 });
    expect(cursorForPage(5, new Map([[4, full.slice(0, 10)]]))).toEqual({ atIndex: 500 });
    expect(cursorForPage(7, new Map())).toEqual({ atIndex: 7 * PAGE_SIZE });
    expect(pagesFor(95, 205)).toEqual([0, 1, 2]);
    expect(pagesFor(10, 10)).toEqual([]);
  });
});
