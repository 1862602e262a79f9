/**
 * Opens a nexuscone ledger strictly read-only and treats its schema as untrusted input: no
 * migration, nothing left beside the file (see evidence-database.ts).
 */
import type Database from 'better-sqlite3';
import { ProofdeskError } from '../../src-shared/check-code';
import { LEDGER_ROW_COLUMNS } from '../../src-shared/ledger/range-verifier';
import {
  describeOpenFailure,
  openEvidenceDatabase,
  type EvidenceLocation,
} from '../sqlite/evidence-database';

const REQUIRED_COLUMNS = [
  'entry_id',
  'timestamp',
  'actor',
  'action',
  'payload',
  'previous_hash',
  'entry_hash',
  'signature',
  'signing_key_id',
] as const;

export interface LedgerSchema {
  /** event_type and format_version exist. */
  readonly hasFormatColumns: boolean;
  readonly hasAnchors: boolean;
  readonly hasWitnesses: boolean;
  readonly hasSequence: boolean;
}

export type LedgerLocation = EvidenceLocation;

export interface OpenedLedger {
  readonly location: LedgerLocation;
  readonly db: Database.Database;
  readonly schema: LedgerSchema;
  close(): void;
}

interface SchemaObject {
  type: string;
  name: string;
  sql: string | null;
}

function schemaObject(db: Database.Database, name: string): SchemaObject | undefined {
  return db
    .prepare<[string], SchemaObject>(
      "SELECT type, name, sql FROM sqlite_schema WHERE lower(name) = lower(?) AND type IN ('table', 'view')",
    )
    .get(name);
}

function isPlainTable(object: SchemaObject): boolean {
  return object.type === 'table' && !/^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(object.sql ?? '');
}

/** Inspects the schema, refusing anything where `entries` is not a plain table. */
export function inspectLedgerSchema(db: Database.Database, path: string): LedgerSchema {
  let entries: SchemaObject | undefined;
  try {
    entries = schemaObject(db, 'entries');
  } catch (error) {
    throw describeOpenFailure(error, path);
  }
  if (entries === undefined) {
    throw new ProofdeskError(
      'NOT_A_LEDGER',
      `${path} has no entries table, so it is not a nexuscone ledger.`,
    );
  }
  if (!isPlainTable(entries)) {
    throw new ProofdeskError(
      'LEDGER_ENTRIES_NOT_TABLE',
      `${path} defines entries as a ${entries.type === 'view' ? 'view' : 'virtual table'}, which could hide or invent rows, so it is refused.`,
    );
  }
  const columns = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('entries')")
      .all()
      .map((column) => column.name.toLowerCase()),
  );
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new ProofdeskError(
      'LEDGER_SCHEMA_UNSUPPORTED',
      `${path} has an entries table without the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} that nexuscone writes.`,
    );
  }
  const hasEventType = columns.has('event_type');
  const hasFormatVersion = columns.has('format_version');
  if (hasEventType !== hasFormatVersion) {
    throw new ProofdeskError(
      'LEDGER_SCHEMA_UNSUPPORTED',
      `${path} has ${hasEventType ? 'event_type without format_version' : 'format_version without event_type'}; nexuscone always adds both.`,
    );
  }
  const tableOrRefuse = (name: string): boolean => {
    const object = schemaObject(db, name);
    if (object === undefined) return false;
    if (!isPlainTable(object)) {
      throw new ProofdeskError(
        'LEDGER_SCHEMA_UNSUPPORTED',
        `${path} defines ${name} as a ${object.type}, not a plain table, so it is refused.`,
      );
    }
    return true;
  };
  const hasAnchors = tableOrRefuse('anchors');
  const hasWitnesses = tableOrRefuse('witnesses') && tableOrRefuse('witness_attestations');
  const hasSequence = schemaObject(db, 'sqlite_sequence') !== undefined;
  return { hasFormatColumns: hasEventType, hasAnchors, hasWitnesses, hasSequence };
}

/** The SELECT list for raw ledger rows, in LEDGER_ROW_COLUMNS order. */
export function ledgerRowSelectList(schema: LedgerSchema): string {
  return LEDGER_ROW_COLUMNS.map((column) =>
    !schema.hasFormatColumns && (column === 'event_type' || column === 'format_version')
      ? 'NULL'
      : `"${column}"`,
  ).join(', ');
}

export function openLedger(userPath: string): OpenedLedger {
  const evidence = openEvidenceDatabase(userPath);
  try {
    const schema = inspectLedgerSchema(evidence.db, evidence.location.path);
    return { location: evidence.location, db: evidence.db, schema, close: () => evidence.close() };
  } catch (error) {
    evidence.close();
    throw describeOpenFailure(error, evidence.location.path);
  }
}
