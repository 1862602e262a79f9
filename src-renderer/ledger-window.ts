/**
 * Windowing arithmetic for the ledger grid: fixed-height rows, only the visible ones rendered,
 * and pages of rows fetched by position. Pure functions, so they are easy to reason about.
 *
 * Browsers cap an element's height (Chromium near 33.5 million px, Firefox near 17.9 million), so
 * a million 32 px rows cannot each get their own 32 px of scroll. Above MAX_SCROLL_HEIGHT the
 * scroll range is compressed: the scrollbar position maps linearly onto the first visible row,
 * and rows are laid out relative to the viewport. Below it the mapping is the ordinary one
 * (row i at i × ROW_HEIGHT), because the same formula reduces to it.
 */
import type { LedgerRow } from '../src-shared/ipc/ledger-browse-contract';

export const ROW_HEIGHT = 32;
export const MAX_SCROLL_HEIGHT = 15_000_000;
export const PAGE_SIZE = 100;

export interface Geometry {
  readonly total: number;
  readonly viewportHeight: number;
  /** Height of the scrolled content. */
  readonly contentHeight: number;
  readonly maxScrollTop: number;
  /** The largest (fractional) first visible row. */
  readonly maxFirst: number;
}

export function geometry(total: number, viewportHeight: number): Geometry {
  const contentHeight = Math.min(total * ROW_HEIGHT, MAX_SCROLL_HEIGHT);
  const maxScrollTop = Math.max(contentHeight - viewportHeight, 0);
  const maxFirst = Math.max(total - viewportHeight / ROW_HEIGHT, 0);
  return { total, viewportHeight, contentHeight, maxScrollTop, maxFirst };
}

/** The (fractional) row at the top of the viewport. */
export function firstRowAt(g: Geometry, scrollTop: number): number {
  if (g.maxScrollTop <= 0) return 0;
  return (Math.min(Math.max(scrollTop, 0), g.maxScrollTop) / g.maxScrollTop) * g.maxFirst;
}

/** The scrollTop that puts (fractional) row `first` at the top of the viewport. */
export function scrollTopFor(g: Geometry, first: number): number {
  if (g.maxFirst <= 0) return 0;
  return (Math.min(Math.max(first, 0), g.maxFirst) / g.maxFirst) * g.maxScrollTop;
}

/** Where row `index` is drawn, in content coordinates. */
export function rowTop(g: Geometry, scrollTop: number, index: number): number {
  const clamped = Math.min(Math.max(scrollTop, 0), g.maxScrollTop);
  return clamped + (index - firstRowAt(g, clamped)) * ROW_HEIGHT;
}

/** Rows to render: [start, end), the visible ones plus `overscan` on each side. */
export function visibleRange(
  g: Geometry,
  scrollTop: number,
  overscan: number,
): { start: number; end: number } {
  const first = firstRowAt(g, scrollTop);
  const start = Math.max(Math.floor(first) - overscan, 0);
  const end = Math.min(Math.ceil(first + g.viewportHeight / ROW_HEIGHT) + overscan, g.total);
  return { start, end: Math.max(end, start) };
}

/** The scrollTop that keeps `index` visible, moving as little as possible (or centring it). */
export function scrollTopToReveal(
  g: Geometry,
  scrollTop: number,
  index: number,
  centre: boolean,
): number {
  const rowsInView = g.viewportHeight / ROW_HEIGHT;
  if (centre) return scrollTopFor(g, index - rowsInView / 2 + 0.5);
  const first = firstRowAt(g, scrollTop);
  if (index < first) return scrollTopFor(g, index);
  if (index + 1 > first + rowsInView) return scrollTopFor(g, index + 1 - rowsInView);
  return scrollTop;
}

export type PageCursor =
  | { readonly afterEntryId: number }
  | { readonly beforeEntryId: number }
  | { readonly atIndex: number }
  | Record<string, never>;

/**
 * How to fetch page `page` (rows [page × PAGE_SIZE, …)): a keyset page after its loaded
 * predecessor or before its loaded successor when there is one, else a seek by position.
 */
export function cursorForPage(
  page: number,
  pages: ReadonlyMap<number, readonly LedgerRow[]>,
): PageCursor {
  if (page === 0) return {};
  const previous = pages.get(page - 1);
  const last = previous?.[previous.length - 1];
  if (previous !== undefined && previous.length === PAGE_SIZE && last !== undefined) {
    return { afterEntryId: last.entryId };
  }
  const next = pages.get(page + 1)?.[0];
  if (next !== undefined) return { beforeEntryId: next.entryId };
  return { atIndex: page * PAGE_SIZE };
}

/** Pages [first, last] that cover rows [start, end). */
export function pagesFor(start: number, end: number): number[] {
  if (end <= start) return [];
  const pages: number[] = [];
  for (let page = Math.floor(start / PAGE_SIZE); page <= Math.floor((end - 1) / PAGE_SIZE); page++)
    pages.push(page);
  return pages;
}
