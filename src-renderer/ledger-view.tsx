/**
 * The ledger as a table: every entry of the open ledger, however many, in a windowed grid.
 *
 * Only the rows in view (plus a few) are rendered, at a fixed height; their pages are fetched from
 * main on demand (keyset pages next to loaded ones, a seek by position after a jump), so a
 * million-row ledger shows its first page at once and never loads everything. Sorting and
 * filtering happen in main (@tanstack/react-table runs in manual sorting mode and only models the
 * columns and the sort state). Keyboard: Tab reaches one row, Up/Down/Page Up/Page Down/Home/End
 * move, Enter opens the entry drawer, Escape closes it and focus returns to the row.
 */
import {
  createColumnHelper,
  functionalUpdate,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import type { IpcError } from '../src-shared/ipc/ipc-contract';
import {
  UTC_TIME_PATTERN,
  type LedgerFilter,
  type LedgerRow,
  type LedgerSort,
} from '../src-shared/ipc/ledger-browse-contract';
import { EntryDrawer } from './entry-drawer';
import {
  onShowLedgerEntry,
  pendingLedgerEntry,
  settlePendingLedgerEntry,
} from './ledger-navigation';
import {
  cursorForPage,
  firstRowAt,
  geometry,
  PAGE_SIZE,
  pagesFor,
  ROW_HEIGHT,
  rowTop,
  scrollTopFor,
  scrollTopToReveal,
  visibleRange,
} from './ledger-window';
import { proofdeskApi } from './proofdesk-api';

interface GridRow extends LedgerRow {
  /** 0-based position in the current sort and filter. */
  readonly position: number;
}

interface Query {
  readonly sort: LedgerSort;
  readonly filter: LedgerFilter;
}

const OVERSCAN = 8;
/** Pages kept in memory; the farthest from the view are dropped first. */
const PAGE_CACHE_LIMIT = 40;
/** Wait this long after the last scroll before fetching pages that are not next to loaded ones. */
const FETCH_DELAY_MS = 40;
const FILTER_FIELDS = [
  { key: 'actor', label: 'Actor', hint: 'exact' },
  { key: 'action', label: 'Action', hint: 'exact' },
  { key: 'eventType', label: 'Event type', hint: 'exact' },
  { key: 'from', label: 'From (UTC)', hint: '2026-10-01T07:30' },
  { key: 'to', label: 'To (UTC)', hint: '2026-10-01' },
] as const;
type FilterKey = (typeof FILTER_FIELDS)[number]['key'];

const features = tableFeatures({ rowSortingFeature });
const helper = createColumnHelper<typeof features, GridRow>();
const columns = helper.columns([
  helper.accessor('entryId', { header: 'Entry', enableSorting: true }),
  helper.accessor('timestamp', { header: 'Time (UTC)', enableSorting: true }),
  helper.accessor('actor', { header: 'Actor', enableSorting: false }),
  helper.accessor('action', { header: 'Action', enableSorting: false }),
  helper.accessor('eventType', {
    header: 'Event type',
    enableSorting: false,
    cell: (context) => context.getValue() ?? '—',
  }),
  helper.accessor('signed', {
    header: 'Signed',
    enableSorting: false,
    cell: (context) =>
      context.getValue() ? `Yes · ${context.row.original.signingKeyId ?? 'no key id'}` : 'No',
  }),
]);

function sortingOf(sort: LedgerSort): SortingState {
  return [
    { id: sort.startsWith('entry_id') ? 'entryId' : 'timestamp', desc: sort.endsWith('desc') },
  ];
}

function sortOf(sorting: SortingState): LedgerSort {
  const first = sorting[0];
  if (first === undefined) return 'entry_id_asc';
  const column = first.id === 'timestamp' ? 'timestamp' : 'entry_id';
  return `${column}_${first.desc ? 'desc' : 'asc'}`;
}

function filterParam(filter: LedgerFilter): LedgerFilter | undefined {
  return Object.keys(filter).length === 0 ? undefined : filter;
}

interface DraftError {
  readonly field: FilterKey;
  readonly message: string;
}

const FILTER_HELP_ID = 'ledger-filter-help';
const FILTER_ERROR_ID = 'ledger-filter-error';

function filterFromDraft(draft: Record<FilterKey, string>): LedgerFilter | DraftError {
  const filter: Record<string, string> = {};
  for (const { key, label } of FILTER_FIELDS) {
    const value = draft[key].trim();
    if (value === '') continue;
    if ((key === 'from' || key === 'to') && !UTC_TIME_PATTERN.test(value)) {
      return {
        field: key,
        message: `${label} must be a UTC time such as 2026-10-01T07:30:00Z (date, optional time, optional Z).`,
      };
    }
    filter[key] = value;
  }
  return filter;
}

const EMPTY_DRAFT: Record<FilterKey, string> = {
  actor: '',
  action: '',
  eventType: '',
  from: '',
  to: '',
};

export function LedgerView() {
  const [query, setQuery] = useState<Query>({ sort: 'entry_id_asc', filter: {} });
  const [draft, setDraft] = useState(EMPTY_DRAFT);
  const [draftError, setDraftError] = useState<DraftError | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pagesVersion, setPagesVersion] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(ROW_HEIGHT * 16);
  const [activeIndex, setActiveIndex] = useState(0);
  const [highlightId, setHighlightId] = useState<number | null>(null);
  const [drawerEntryId, setDrawerEntryId] = useState<number | null>(null);
  const [reveal, setReveal] = useState<{ index: number; centre: boolean } | null>(null);

  const pagesRef = useRef(new Map<number, LedgerRow[]>());
  const inFlightRef = useRef(new Set<number>());
  const generationRef = useRef(0);
  const queryRef = useRef(query);
  const showTokenRef = useRef(0);
  const focusRowRef = useRef<number | null>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);

  const g = useMemo(() => geometry(total ?? 0, viewportHeight), [total, viewportHeight]);
  const range = useMemo(() => visibleRange(g, scrollTop, OVERSCAN), [g, scrollTop]);

  /** Starts over with a new sort or filter: nothing cached survives, late replies are ignored. */
  const applyQuery = useCallback((next: Query) => {
    generationRef.current++;
    queryRef.current = next;
    pagesRef.current = new Map();
    inFlightRef.current = new Set();
    setQuery(next);
    setTotal(null);
    setError(null);
    setScrollTop(0);
    setActiveIndex(0);
    setPagesVersion((version) => version + 1);
    if (scrollerRef.current !== null) scrollerRef.current.scrollTop = 0;
  }, []);

  const fetchPage = useCallback(async (page: number) => {
    const generation = generationRef.current;
    const { sort, filter } = queryRef.current;
    inFlightRef.current.add(page);
    const reply = await proofdeskApi().readLedgerPage({
      ...cursorForPage(page, pagesRef.current),
      limit: PAGE_SIZE,
      sort,
      filter: filterParam(filter),
    });
    if (generation !== generationRef.current) return;
    inFlightRef.current.delete(page);
    if (!reply.ok) {
      setError(reply.error);
      return;
    }
    const pages = pagesRef.current;
    pages.set(page, reply.data.rows);
    if (pages.size > PAGE_CACHE_LIMIT) {
      const distance = (candidate: number): number => Math.abs(candidate - page);
      const farthest = [...pages.keys()].sort((a, b) => distance(b) - distance(a));
      for (const drop of farthest.slice(0, pages.size - PAGE_CACHE_LIMIT)) pages.delete(drop);
    }
    setTotal(reply.data.total);
    setPagesVersion((version) => version + 1);
  }, []);

  // Fetch what the window needs: at once when next to loaded rows, after a pause otherwise (so a
  // scrollbar drag does not request every page it passes).
  useEffect(() => {
    const wanted = total === null ? [0] : pagesFor(range.start, range.end);
    const missing = wanted.filter(
      (page) => !pagesRef.current.has(page) && !inFlightRef.current.has(page),
    );
    if (missing.length === 0) return;
    const adjacent = missing.filter(
      (page) => page === 0 || pagesRef.current.has(page - 1) || pagesRef.current.has(page + 1),
    );
    for (const page of adjacent) void fetchPage(page);
    const rest = missing.filter((page) => !adjacent.includes(page));
    if (rest.length === 0) return;
    const timer = window.setTimeout(() => {
      for (const page of rest) {
        if (!pagesRef.current.has(page) && !inFlightRef.current.has(page)) void fetchPage(page);
      }
    }, FETCH_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [range.start, range.end, total, pagesVersion, query, fetchPage]);

  // Track the viewport's height.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null) return;
    const measure = (): void => setViewportHeight(Math.max(scroller.clientHeight, ROW_HEIGHT));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    return () => observer.disconnect();
  }, []);

  // In a compressed scroll range a wheel notch would skip several rows; scroll by rows instead.
  const geometryRef = useRef(g);
  useLayoutEffect(() => {
    geometryRef.current = g;
  }, [g]);
  useEffect(() => {
    const scroller = scrollerRef.current;
    if (scroller === null) return;
    const onWheel = (event: WheelEvent): void => {
      const current = geometryRef.current;
      if (current.contentHeight >= current.total * ROW_HEIGHT || event.deltaY === 0) return;
      event.preventDefault();
      const pixels =
        event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * ROW_HEIGHT : event.deltaY;
      const first = firstRowAt(current, scroller.scrollTop) + pixels / ROW_HEIGHT;
      scroller.scrollTop = scrollTopFor(current, first);
    };
    scroller.addEventListener('wheel', onWheel, { passive: false });
    return () => scroller.removeEventListener('wheel', onWheel);
  }, []);

  // Scroll a requested row into view once the geometry knows the total.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (reveal === null || total === null || scroller === null) return;
    const target = scrollTopToReveal(g, scroller.scrollTop, reveal.index, reveal.centre);
    scroller.scrollTop = target;
    setScrollTop(scroller.scrollTop);
    setReveal(null);
  }, [reveal, total, g]);

  // Move focus to a row after a keyboard move or when the drawer closes.
  useLayoutEffect(() => {
    const index = focusRowRef.current;
    if (index === null || drawerEntryId !== null) return;
    const row = scrollerRef.current?.querySelector<HTMLElement>(`[data-index="${index}"]`);
    if (row !== null && row !== undefined) {
      row.focus({ preventScroll: true });
      focusRowRef.current = null;
    }
  });

  const showEntry = useCallback(
    async (entryId: number) => {
      const token = ++showTokenRef.current;
      setNotice(null);
      let current = queryRef.current;
      let reply = await proofdeskApi().locateLedgerEntry({
        entryId,
        sort: current.sort,
        filter: filterParam(current.filter),
      });
      if (token !== showTokenRef.current) return;
      if (reply.ok && reply.data.index === null && filterParam(current.filter) !== undefined) {
        // Filtered out: clear the filter and look again.
        current = { sort: current.sort, filter: {} };
        setDraft(EMPTY_DRAFT);
        applyQuery(current);
        reply = await proofdeskApi().locateLedgerEntry({ entryId, sort: current.sort });
        if (token !== showTokenRef.current) return;
      }
      settlePendingLedgerEntry(entryId);
      if (!reply.ok) {
        setNotice(reply.error.message);
        return;
      }
      const { index } = reply.data;
      if (index === null) {
        setNotice(`Entry ${entryId} is not in this ledger.`);
        return;
      }
      setTotal(reply.data.total);
      setActiveIndex(index);
      setHighlightId(entryId);
      setReveal({ index, centre: true });
      focusRowRef.current = index;
      setDrawerEntryId(entryId);
    },
    [applyQuery],
  );

  // Requests from other views: one that arrived before this view mounted, and later ones.
  useEffect(() => {
    const pending = pendingLedgerEntry();
    if (pending !== null) void showEntry(pending);
    return onShowLedgerEntry((entryId) => void showEntry(entryId));
  }, [showEntry]);

  const sorting = useMemo(() => sortingOf(query.sort), [query.sort]);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const current = queryRef.current;
      const next = sortOf(functionalUpdate(updater, sortingOf(current.sort)));
      if (next !== current.sort) applyQuery({ sort: next, filter: current.filter });
    },
    [applyQuery],
  );

  const data = useMemo(() => {
    const rows: GridRow[] = [];
    for (let position = range.start; position < range.end; position++) {
      const row = pagesRef.current.get(Math.floor(position / PAGE_SIZE))?.[position % PAGE_SIZE];
      if (row !== undefined) rows.push({ ...row, position });
    }
    return rows;
    // pagesVersion stands for the contents of pagesRef.
  }, [range.start, range.end, pagesVersion]);

  const table = useTable({
    features,
    columns,
    data,
    getRowId: (row) => String(row.position),
    state: { sorting },
    onSortingChange,
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    sortDescFirst: false,
  });

  const loadedByPosition = new Map(
    table.getRowModel().rows.map((row) => [row.original.position, row] as const),
  );

  const moveTo = (index: number): void => {
    if (total === null || total === 0) return;
    const clamped = Math.min(Math.max(index, 0), total - 1);
    setActiveIndex(clamped);
    focusRowRef.current = clamped;
    setReveal({ index: clamped, centre: false });
  };

  const openRow = (position: number): void => {
    const row = loadedByPosition.get(position);
    if (row === undefined) return;
    setActiveIndex(position);
    setHighlightId(null);
    setDrawerEntryId(row.original.entryId);
  };

  const onRowKeyDown = (event: KeyboardEvent<HTMLDivElement>, position: number): void => {
    const rowsInView = Math.max(Math.floor(viewportHeight / ROW_HEIGHT) - 1, 1);
    const moves: Record<string, number | undefined> = {
      ArrowDown: position + 1,
      ArrowUp: position - 1,
      PageDown: position + rowsInView,
      PageUp: position - rowsInView,
      Home: 0,
      End: (total ?? 1) - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      moveTo(target);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      openRow(position);
    }
  };

  const closeDrawer = (): void => {
    setDrawerEntryId(null);
    focusRowRef.current = activeIndex;
  };

  const submitFilter = (event: FormEvent): void => {
    event.preventDefault();
    const filter = filterFromDraft(draft);
    if ('field' in filter) {
      setDraftError(filter);
      return;
    }
    setDraftError(null);
    applyQuery({ sort: queryRef.current.sort, filter });
  };

  const clearFilter = (): void => {
    setDraft(EMPTY_DRAFT);
    setDraftError(null);
    if (filterParam(queryRef.current.filter) !== undefined) {
      applyQuery({ sort: queryRef.current.sort, filter: {} });
    }
  };

  // One row is the grid's tab stop: the active one if rendered, else the first in view.
  const tabStop = activeIndex >= range.start && activeIndex < range.end ? activeIndex : range.start;
  const filtered = filterParam(query.filter) !== undefined;
  const positions: number[] = [];
  for (let position = range.start; position < range.end; position++) positions.push(position);

  return (
    <div className="ledger-view">
      <div className="ledger-content" inert={drawerEntryId !== null}>
        <form className="ledger-filters" aria-label="Filter entries" onSubmit={submitFilter}>
          {FILTER_FIELDS.map((field) => {
            const invalid = draftError?.field === field.key;
            return (
              <label key={field.key}>
                <span>{field.label}</span>
                <input
                  type="text"
                  name={field.key}
                  value={draft[field.key]}
                  placeholder={field.hint}
                  spellCheck={false}
                  aria-invalid={invalid || undefined}
                  aria-describedby={
                    invalid ? `${FILTER_ERROR_ID} ${FILTER_HELP_ID}` : FILTER_HELP_ID
                  }
                  onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value })}
                />
              </label>
            );
          })}
          <button type="submit">Apply</button>
          <button type="button" onClick={clearFilter}>
            Clear
          </button>
          <p id={FILTER_HELP_ID} className="filter-help muted">
            Actor, action and event type match exactly. Times are UTC; “to” includes everything it
            is a prefix of (2026-10-01 is the whole day).
          </p>
        </form>
        {draftError !== null && (
          <p id={FILTER_ERROR_ID} role="alert" className="error">
            {draftError.message}
          </p>
        )}
        {error !== null && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        {notice !== null && (
          <p role="alert" className="error">
            {notice}
          </p>
        )}
        <p className="ledger-count" aria-live="polite">
          {total === null
            ? 'Loading entries…'
            : `${total.toLocaleString('en-US')} ${total === 1 ? 'entry' : 'entries'}${filtered ? ' match the filter' : ''}`}
        </p>

        <div
          className="ledger-grid"
          role="grid"
          aria-label="Ledger entries"
          aria-rowcount={(total ?? 0) + 1}
          aria-colcount={columns.length}
          aria-busy={total === null}
        >
          <div role="rowgroup" className="ledger-head">
            {table.getHeaderGroups().map((group) => (
              <div role="row" aria-rowindex={1} className="ledger-row" key={group.id}>
                {group.headers.map((header, column) => {
                  const sorted = header.column.getIsSorted();
                  const canSort = header.column.getCanSort();
                  return (
                    <div
                      role="columnheader"
                      key={header.id}
                      aria-colindex={column + 1}
                      aria-sort={
                        !canSort
                          ? undefined
                          : sorted === 'asc'
                            ? 'ascending'
                            : sorted === 'desc'
                              ? 'descending'
                              : 'none'
                      }
                      className="ledger-cell"
                    >
                      {canSort ? (
                        <button
                          type="button"
                          className="sort-button"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          <table.FlexRender header={header} />
                          <span aria-hidden="true" className="sort-mark">
                            {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}
                          </span>
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </div>
                  );
                })}
              </div>
            ))}
          </div>
          <div
            className="ledger-scroller"
            ref={scrollerRef}
            onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
          >
            <div role="rowgroup" className="ledger-body" style={{ height: g.contentHeight }}>
              {positions.map((position) => {
                const row = loadedByPosition.get(position);
                const active = position === activeIndex;
                const className = [
                  'ledger-row',
                  active ? 'is-active' : '',
                  row !== undefined && row.original.entryId === highlightId ? 'is-highlighted' : '',
                ].join(' ');
                return (
                  <div
                    role="row"
                    key={position}
                    data-index={position}
                    aria-rowindex={position + 2}
                    aria-selected={active}
                    tabIndex={position === tabStop ? 0 : -1}
                    className={className}
                    style={{ transform: `translateY(${rowTop(g, scrollTop, position)}px)` }}
                    onFocus={() => setActiveIndex(position)}
                    onClick={() => openRow(position)}
                    onKeyDown={(event) => onRowKeyDown(event, position)}
                  >
                    {row === undefined ? (
                      <div role="gridcell" aria-colindex={1} className="ledger-cell muted">
                        Loading…
                      </div>
                    ) : (
                      row.getAllCells().map((cell, column) => (
                        <div
                          role="gridcell"
                          key={cell.id}
                          aria-colindex={column + 1}
                          className="ledger-cell"
                          title={
                            typeof cell.getValue() === 'string'
                              ? String(cell.getValue())
                              : undefined
                          }
                        >
                          <table.FlexRender cell={cell} />
                        </div>
                      ))
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      </div>
      {drawerEntryId !== null && <EntryDrawer entryId={drawerEntryId} onClose={closeDrawer} />}
    </div>
  );
}
