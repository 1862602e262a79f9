/**
 * nexuscone's entry hash input, rebuilt exactly as `_compute_entry_hash` builds it
 * (../shared/specs/nexuscone.md §2.2): Python canonical JSON, ensure_ascii, keys in code-point
 * order, with `payload` hashed as the stored text (never re-serialised).
 */
import { escapePythonJsonString, pythonFloatRepr } from '../canonical-json/python-json';

/** A value as better-sqlite3 returns it. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** All-zero previous_hash of the first entry (`GENESIS_PREVIOUS_HASH`). */
export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

/**
 * How Python's json.dumps renders what sqlite3 hands back for a column: TEXT as a string, INTEGER
 * as an int, REAL as a float repr, NULL as null. BLOB has no JSON form (nexuscone would crash with
 * a TypeError), so it returns undefined and the caller reports the row as malformed. ±inf and NaN
 * (a REAL column can hold them) render as json.dumps's allow_nan tokens.
 *
 * better-sqlite3 returns REAL 5.0 and INTEGER 5 as the same JS number; integral numbers are taken
 * as ints. That only matters for hostile raw-SQL rows, which ledger.rows already flags.
 */
export function pythonJsonOfSqlValue(value: SqlValue): string | undefined {
  if (typeof value === 'string') return escapePythonJsonString(value, true);
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return String(value);
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return pythonFloatRepr(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === null) return 'null';
  return undefined;
}

export interface EntryHashFields {
  readonly entryId: SqlValue;
  readonly timestamp: SqlValue;
  readonly actor: SqlValue;
  readonly action: SqlValue;
  /** Only read for format 2 and later. */
  readonly eventType: SqlValue;
  readonly payload: SqlValue;
  readonly previousHash: SqlValue;
}

/**
 * The exact ASCII string nexuscone hashes for an entry: format_version >= 2 uses the v2 key set
 * (with event_type); anything else, including a missing column, uses v1.
 * Returns undefined when a field has no JSON form (a BLOB).
 */
export function buildEntryHashInput(
  fields: EntryHashFields,
  formatVersion: number,
): string | undefined {
  const action = pythonJsonOfSqlValue(fields.action);
  const actor = pythonJsonOfSqlValue(fields.actor);
  const entryId = pythonJsonOfSqlValue(fields.entryId);
  const payload = pythonJsonOfSqlValue(fields.payload);
  const previousHash = pythonJsonOfSqlValue(fields.previousHash);
  const timestamp = pythonJsonOfSqlValue(fields.timestamp);
  if (
    action === undefined ||
    actor === undefined ||
    entryId === undefined ||
    payload === undefined ||
    previousHash === undefined ||
    timestamp === undefined
  ) {
    return undefined;
  }
  if (formatVersion >= 2) {
    const eventType = pythonJsonOfSqlValue(fields.eventType);
    if (eventType === undefined) return undefined;
    return `{"action":${action},"actor":${actor},"entry_id":${entryId},"event_type":${eventType},"payload":${payload},"previous_hash":${previousHash},"timestamp":${timestamp}}`;
  }
  return `{"action":${action},"actor":${actor},"entry_id":${entryId},"payload":${payload},"previous_hash":${previousHash},"timestamp":${timestamp}}`;
}
