/**
 * Pages, locates and details entries of the open ledger for the table view, on one long-lived
 * read-only connection (opened on first use, closed with closeAllLedgerBrowsers or at exit).
 *
 * Nothing here reads the whole ledger to answer a page:
 *  - sequential pages are keyset pages: `entry_id > ?`, or `(timestamp, entry_id) > (?, ?)` on
 *    idx_entries_ts (whose entries end with the rowid, so ties are ordered by entry_id for free);
 *  - a jump to an arbitrary position (a scrollbar drag) seeks through a sparse table of every
 *    256th key of that sort and filter, built by one scan the first time it is needed, and then
 *    skips at most 255 rows; entry_id order without a filter on a gap-free ledger is arithmetic;
 *  - totals are COUNTs, cached until the file changes (PRAGMA data_version, or the snapshot's
 *    source for WAL files).
 *
 * Filters are exact matches (actor, action, event type) and a UTC time range, see
 * src-shared/ipc/ledger-browse-contract.ts. Which index serves a filtered page depends on how many
 * rows match: a large result walks the sort order and drops rows that do not match (a few rows per
 * kept row); a small one lets SQLite seek the filter's index and sort just the matches.
 */
import type Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { ProofdeskError } from '../../src-shared/check-code';
import type {
  LedgerEntryDetail,
  LedgerFilter,
  LedgerRow,
  LedgerSort,
} from '../../src-shared/ipc/ledger-browse-contract';
import type { Keyring } from '../../src-shared/keyring';
import type { SqlValue } from '../../src-shared/ledger/entry-hash';
import { describeLedgerEntry } from './ledger-entry-detail';
import { openLedger, type LedgerSchema, type OpenedLedger } from './ledger-database';
import { readLedgerExtent, type LedgerExtent } from './ledger-reader';

/** One key of every STRIDE rows is kept for random access; a seek skips fewer than STRIDE rows. */
export const POSITION_STRIDE = 256;
/** Above this many cached position tables (sort × filter), the oldest is dropped. */
const POSITION_CACHE_LIMIT = 8;
const TOTAL_CACHE_LIMIT = 64;
/** Sorts just below every UTF-8 string that starts with a given prefix. */
const PREFIX_CEILING = '\u{10FFFF}';

export interface LedgerPageRequest {
  readonly afterEntryId?: number;
  readonly beforeEntryId?: number;
  readonly atIndex?: number;
  readonly limit: number;
  readonly sort: LedgerSort;
  readonly filter?: LedgerFilter;
}

export interface LedgerPage {
  readonly rows: LedgerRow[];
  readonly total: number;
  readonly hasMore: boolean;
  readonly startIndex: number | null;
}

type KeyColumn = 'entry_id' | 'timestamp';

interface SortSpec {
  readonly keys: readonly KeyColumn[];
  readonly descending: boolean;
}

const SORTS: Readonly<Record<LedgerSort, SortSpec>> = {
  entry_id_asc: { keys: ['entry_id'], descending: false },
  entry_id_desc: { keys: ['entry_id'], descending: true },
  timestamp_asc: { keys: ['timestamp', 'entry_id'], descending: false },
  timestamp_desc: { keys: ['timestamp', 'entry_id'], descending: true },
};

/** A filter with the time bounds rewritten for text comparison, and empty fields dropped. */
interface NormalFilter {
  readonly actor?: string;
  readonly action?: string;
  readonly eventType?: string;
  readonly from?: string;
  readonly to?: string;
}

interface Sql {
  readonly clauses: string[];
  readonly params: SqlValue[];
}

type PositionIndex =
  | { readonly kind: 'dense'; readonly minId: number; readonly maxId: number }
  | { readonly kind: 'sampled'; readonly keys: readonly (readonly SqlValue[])[] };

/** `2026-10-01T07:30Z` → `2026-10-01T07:30`: the stored text ends in Z, so compare without it. */
function normalizeTime(value: string): string {
  return value.replace(/(?:Z|\+00:00)$/, '').replace(' ', 'T');
}

function normalizeFilter(filter: LedgerFilter | undefined): NormalFilter {
  const result: Record<string, string> = {};
  if (filter === undefined) return result;
  for (const key of ['actor', 'action', 'eventType'] as const) {
    const value = filter[key];
    if (value !== undefined && value !== '') result[key] = value;
  }
  if (filter.from !== undefined) result.from = normalizeTime(filter.from);
  if (filter.to !== undefined) result.to = normalizeTime(filter.to);
  return result;
}

function filterKey(filter: NormalFilter): string {
  return JSON.stringify([filter.actor, filter.action, filter.eventType, filter.from, filter.to]);
}

function isEmptyFilter(filter: NormalFilter): boolean {
  return Object.keys(filter).length === 0;
}

/**
 * WHERE clauses for a filter. `bypassIndexes` wraps a column in unary + so SQLite cannot seek its
 * index, which makes it walk the sort order's index instead (see the file comment).
 */
function filterSql(
  filter: NormalFilter,
  schema: LedgerSchema,
  bypassIndexes: { equality: boolean; time: boolean },
): Sql {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const eq = bypassIndexes.equality ? '+' : '';
  const time = bypassIndexes.time ? '+' : '';
  if (filter.actor !== undefined) {
    clauses.push(`${eq}"actor" = ?`);
    params.push(filter.actor);
  }
  if (filter.action !== undefined) {
    clauses.push(`"action" = ?`);
    params.push(filter.action);
  }
  if (filter.eventType !== undefined) {
    // A v0.1 ledger has no event_type column, so no row has the asked-for type.
    if (schema.hasFormatColumns) {
      clauses.push(`${eq}"event_type" = ?`);
      params.push(filter.eventType);
    } else {
      clauses.push('0');
    }
  }
  if (filter.from !== undefined) {
    clauses.push(`${time}"timestamp" >= ?`);
    params.push(filter.from);
  }
  if (filter.to !== undefined) {
    clauses.push(`${time}"timestamp" < ?`);
    params.push(filter.to + PREFIX_CEILING);
  }
  return { clauses, params };
}

function keysetSql(keys: readonly KeyColumn[], op: string, values: readonly SqlValue[]): Sql {
  const columns = keys.map((key) => `"${key}"`);
  const clause =
    columns.length === 1
      ? `${columns[0]} ${op} ?`
      : `(${columns.join(', ')}) ${op} (${columns.map(() => '?').join(', ')})`;
  return { clauses: [clause], params: [...values] };
}

function whereOf(...parts: Sql[]): Sql {
  const clauses = parts.flatMap((part) => part.clauses);
  return {
    clauses: clauses.length === 0 ? [] : [`WHERE ${clauses.join(' AND ')}`],
    params: parts.flatMap((part) => part.params),
  };
}

function orderBy(keys: readonly KeyColumn[], ascending: boolean): string {
  return `ORDER BY ${keys.map((key) => `"${key}" ${ascending ? 'ASC' : 'DESC'}`).join(', ')}`;
}

function describeValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `BLOB (${value.length} bytes)`;
  return String(value);
}

function textOrNull(value: SqlValue): string | null {
  return value === null ? null : describeValue(value);
}

function entryIdOf(value: SqlValue): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new ProofdeskError(
    'LEDGER_SCHEMA_UNSUPPORTED',
    `The ledger has an entry_id of ${describeValue(value)}, which is not an integer, so it cannot be paged; verify it to see every finding.`,
  );
}

/** What makes a snapshot (WAL) ledger stale, or a replaced file: cheap stat calls. */
function fileStamp(opened: OpenedLedger): string {
  const { path, openPath } = opened.location;
  const stat = (file: string): string => {
    try {
      const stats = statSync(file);
      return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    } catch {
      return 'missing';
    }
  };
  if (openPath === path) {
    try {
      return String(statSync(path).ino);
    } catch {
      return 'missing';
    }
  }
  return `${stat(path)}|${stat(`${path}-wal`)}`;
}

const live = new Set<LedgerBrowser>();
let exitHookInstalled = false;

/** Closes every open browser connection (app quit; tests). */
export function closeAllLedgerBrowsers(): void {
  for (const browser of [...live]) browser.close();
}

export class LedgerBrowser {
  private opened: OpenedLedger | null = null;
  private stamp = '';
  private dataVersion: number | null = null;
  private extentCache: LedgerExtent | null = null;
  private readonly totals = new Map<string, number>();
  private readonly positions = new Map<string, PositionIndex>();

  constructor(private readonly ledgerPath: string) {}

  close(): void {
    live.delete(this);
    const opened = this.opened;
    this.opened = null;
    this.clearCaches();
    opened?.close();
  }

  page(request: LedgerPageRequest): LedgerPage {
    const { db, schema } = this.connection();
    const filter = normalizeFilter(request.filter);
    const total = this.total(filter);
    const spec = SORTS[request.sort];
    const limit = request.limit;
    const backward = request.beforeEntryId !== undefined;

    let cursor: readonly SqlValue[] | null = null;
    let inclusive = false;
    let offset = 0;
    let startIndex: number | null = null;
    if (request.afterEntryId !== undefined) {
      cursor = this.cursorKey(spec, request.afterEntryId);
    } else if (request.beforeEntryId !== undefined) {
      cursor = this.cursorKey(spec, request.beforeEntryId);
    } else if (request.atIndex !== undefined) {
      startIndex = request.atIndex;
      if (request.atIndex >= total) return { rows: [], total, hasMore: false, startIndex };
      const seek = this.seek(request.sort, filter, request.atIndex);
      cursor = seek.key;
      offset = seek.skip;
      inclusive = true;
    } else {
      startIndex = 0;
    }

    // Walking backward through a descending sort is walking forward through an ascending one.
    const ascending = spec.descending === backward;
    const op = ascending ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
    const where = whereOf(
      filterSql(filter, schema, this.bypassFor(request.sort, filter, total, limit)),
      cursor === null ? { clauses: [], params: [] } : keysetSql(spec.keys, op, cursor),
    );
    const sql = [
      `SELECT "entry_id", "timestamp", "actor", "action",`,
      schema.hasFormatColumns ? `"event_type", "format_version",` : 'NULL, NULL,',
      `"signature" IS NOT NULL, "signing_key_id" FROM entries`,
      ...where.clauses,
      orderBy(spec.keys, ascending),
      `LIMIT ? OFFSET ?`,
    ].join(' ');
    const raw = db
      .prepare(sql)
      .raw(true)
      .all(...where.params, limit + 1, offset) as SqlValue[][];
    const hasMore = raw.length > limit;
    const rows = raw.slice(0, limit).map((row): LedgerRow => ({
      entryId: entryIdOf(row[0] ?? null),
      timestamp: describeValue(row[1] ?? null),
      actor: describeValue(row[2] ?? null),
      action: describeValue(row[3] ?? null),
      eventType: textOrNull(row[4] ?? null),
      formatVersion: typeof row[5] === 'number' ? row[5] : null,
      signed: row[6] === 1,
      signingKeyId: textOrNull(row[7] ?? null),
    }));
    if (backward) rows.reverse();
    return { rows, total, hasMore, startIndex };
  }

  /** The 0-based position of an entry in a sort and filter; null when absent or filtered out. */
  locate(
    entryId: number,
    sort: LedgerSort,
    filterInput: LedgerFilter | undefined,
  ): { index: number | null; total: number } {
    const { db, schema } = this.connection();
    const filter = normalizeFilter(filterInput);
    const total = this.total(filter);
    const spec = SORTS[sort];
    const match = whereOf(
      { clauses: ['"entry_id" = ?'], params: [entryId] },
      filterSql(filter, schema, { equality: false, time: false }),
    );
    const found = db
      .prepare(`SELECT "timestamp" FROM entries ${match.clauses.join(' ')}`)
      .raw(true)
      .get(...match.params) as SqlValue[] | undefined;
    if (found === undefined) return { index: null, total };

    if (sort.startsWith('entry_id') && isEmptyFilter(filter)) {
      const extent = this.extent();
      if (this.isDense(extent) && extent.minId !== null && extent.maxId !== null) {
        return { index: spec.descending ? extent.maxId - entryId : entryId - extent.minId, total };
      }
    }
    // Rows before it in the sort order: a COUNT over an index range, never a row scan in JS.
    const key = spec.keys.length === 1 ? [entryId] : [found[0] ?? null, entryId];
    const before = whereOf(
      filterSql(filter, schema, { equality: false, time: false }),
      keysetSql(spec.keys, spec.descending ? '>' : '<', key),
    );
    const count = db
      .prepare(`SELECT COUNT(*) FROM entries ${before.clauses.join(' ')}`)
      .pluck(true)
      .get(...before.params) as number;
    return { index: count, total };
  }

  entry(entryId: number, keyring: Keyring | null): LedgerEntryDetail {
    const { db, schema } = this.connection();
    const statement = db.prepare('SELECT * FROM entries WHERE "entry_id" = ?').raw(true);
    const values = statement.get(entryId) as SqlValue[] | undefined;
    if (values === undefined) {
      throw new ProofdeskError('USAGE', `There is no entry ${entryId} in the open ledger.`);
    }
    const names = statement.columns().map((column) => column.name);
    return describeLedgerEntry(names, values, schema, keyring);
  }

  private connection(): OpenedLedger {
    if (this.opened !== null) {
      if (fileStamp(this.opened) !== this.stamp) {
        this.close();
      } else {
        const version = this.opened.db.pragma('data_version', { simple: true }) as number;
        if (version !== this.dataVersion) {
          this.clearCaches();
          this.dataVersion = version;
        }
        return this.opened;
      }
    }
    const opened = openLedger(this.ledgerPath);
    this.opened = opened;
    this.stamp = fileStamp(opened);
    this.dataVersion = opened.db.pragma('data_version', { simple: true }) as number;
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once('exit', closeAllLedgerBrowsers);
    }
    return opened;
  }

  private clearCaches(): void {
    this.extentCache = null;
    this.totals.clear();
    this.positions.clear();
  }

  /** The connection a public method opened or checked at its start. */
  private db(): Database.Database {
    if (this.opened === null) throw new Error('LedgerBrowser used before connection()');
    return this.opened.db;
  }

  private schema(): LedgerSchema {
    if (this.opened === null) throw new Error('LedgerBrowser used before connection()');
    return this.opened.schema;
  }

  private extent(): LedgerExtent {
    this.extentCache ??= readLedgerExtent(this.db());
    return this.extentCache;
  }

  private isDense(extent: LedgerExtent): boolean {
    return (
      extent.minId !== null &&
      extent.maxId !== null &&
      extent.maxId - extent.minId + 1 === extent.count
    );
  }

  private total(filter: NormalFilter): number {
    if (isEmptyFilter(filter)) return this.extent().count;
    const key = filterKey(filter);
    const cached = this.totals.get(key);
    if (cached !== undefined) return cached;
    const db = this.db();
    const where = whereOf(filterSql(filter, this.schema(), { equality: false, time: false }));
    const count = db
      .prepare(`SELECT COUNT(*) FROM entries ${where.clauses.join(' ')}`)
      .pluck(true)
      .get(...where.params) as number;
    if (this.totals.size >= TOTAL_CACHE_LIMIT) this.totals.clear();
    this.totals.set(key, count);
    return count;
  }

  /**
   * Whether to keep SQLite off the filter's indexes. Walking the sort order costs about
   * limit × table ÷ matches rows per page; seeking the filter's index costs a sort of all matches.
   * The first wins once matches² ≥ limit × table rows. Equality filters in entry_id order never
   * need it: their index entries already come in entry_id order.
   */
  private bypassFor(
    sort: LedgerSort,
    filter: NormalFilter,
    total: number,
    limit: number,
  ): { equality: boolean; time: boolean } {
    const walkOrder = total * total >= limit * Math.max(this.extent().count, 1);
    if (sort.startsWith('entry_id')) return { equality: false, time: walkOrder };
    return { equality: walkOrder, time: false };
  }

  /** The sort key of an entry, for a keyset cursor. */
  private cursorKey(spec: SortSpec, entryId: number): SqlValue[] {
    if (spec.keys.length === 1) return [entryId];
    const row = this.db()
      .prepare('SELECT "timestamp" FROM entries WHERE "entry_id" = ?')
      .raw(true)
      .get(entryId) as SqlValue[] | undefined;
    if (row === undefined) {
      throw new ProofdeskError(
        'USAGE',
        `There is no entry ${entryId} in the open ledger to page from; it may have changed, so reload the view.`,
      );
    }
    return [row[0] ?? null, entryId];
  }

  /** Where the row at `index` starts: a key to seek to inclusively, and fewer than STRIDE rows to skip. */
  private seek(
    sort: LedgerSort,
    filter: NormalFilter,
    index: number,
  ): { key: SqlValue[]; skip: number } {
    const positions = this.positionIndex(sort, filter);
    if (positions.kind === 'dense') {
      return {
        key: [SORTS[sort].descending ? positions.maxId - index : positions.minId + index],
        skip: 0,
      };
    }
    const slot = Math.min(Math.floor(index / POSITION_STRIDE), positions.keys.length - 1);
    return { key: [...(positions.keys[slot] ?? [])], skip: index - slot * POSITION_STRIDE };
  }

  private positionIndex(sort: LedgerSort, filter: NormalFilter): PositionIndex {
    if (sort.startsWith('entry_id') && isEmptyFilter(filter)) {
      const extent = this.extent();
      if (this.isDense(extent) && extent.minId !== null && extent.maxId !== null) {
        return { kind: 'dense', minId: extent.minId, maxId: extent.maxId };
      }
    }
    const cacheKey = `${sort}|${filterKey(filter)}`;
    const cached = this.positions.get(cacheKey);
    if (cached !== undefined) return cached;

    const spec = SORTS[sort];
    const total = this.total(filter);
    // One pass over every match: walking the sort order only pays when most rows match.
    const walkOrder = total * 2 >= this.extent().count;
    const bypass = sort.startsWith('entry_id')
      ? { equality: false, time: walkOrder }
      : { equality: walkOrder, time: false };
    const where = whereOf(filterSql(filter, this.schema(), bypass));
    const columns = spec.keys.map((key) => `"${key}"`).join(', ');
    // row_number() keeps the sampling inside SQLite: a third faster than stepping every row in JS.
    const keys = this.db()
      .prepare(
        `SELECT ${columns} FROM (SELECT ${columns}, row_number() OVER (${orderBy(spec.keys, !spec.descending)}) - 1 AS position
         FROM entries ${where.clauses.join(' ')}) WHERE position % ${POSITION_STRIDE} = 0 ORDER BY position`,
      )
      .raw(true)
      .all(...where.params) as SqlValue[][];
    const index: PositionIndex = { kind: 'sampled', keys };
    if (this.positions.size >= POSITION_CACHE_LIMIT) {
      const oldest = this.positions.keys().next().value;
      if (oldest !== undefined) this.positions.delete(oldest);
    }
    this.positions.set(cacheKey, index);
    return index;
  }
}
