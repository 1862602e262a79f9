/**
 * Reads what verification needs from an opened ledger, streaming entries in pages so memory stays
 * constant however long the ledger is.
 */
import type Database from 'better-sqlite3';
import type {
  AnchorRecord,
  AttestationRecord,
  WitnessRecord,
} from '../../src-shared/ledger/anchor-witness-checks';
import type { SqlValue } from '../../src-shared/ledger/entry-hash';
import type { RawLedgerRow } from '../../src-shared/ledger/range-verifier';
import { ledgerRowSelectList, type LedgerSchema } from './ledger-database';

const PAGE_SIZE = 1024;

export interface LedgerExtent {
  readonly count: number;
  /** Integer bounds of entry_id, or null when the table is empty or its ids are not integers. */
  readonly minId: number | null;
  readonly maxId: number | null;
}

export interface EntryIdRange {
  readonly from: number;
  readonly to: number;
}

export function readLedgerExtent(db: Database.Database): LedgerExtent {
  const row = db
    .prepare<[], { count: number; minId: SqlValue; maxId: SqlValue }>(
      'SELECT COUNT(*) AS count, MIN(entry_id) AS minId, MAX(entry_id) AS maxId FROM entries',
    )
    .get();
  const isId = (value: SqlValue | undefined): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value);
  if (row === undefined || !isId(row.minId) || !isId(row.maxId)) {
    return { count: row?.count ?? 0, minId: null, maxId: null };
  }
  return { count: row.count, minId: row.minId, maxId: row.maxId };
}

/**
 * Streams raw rows in ascending entry_id order, a page at a time (keyset paging on the rowid
 * alias), so memory stays constant. Without a range (ids that are not integers) it falls back to
 * one ordered scan, still handed out in pages. Pages rather than rows, because resuming a
 * generator per row costs a visible share of a million-row verification.
 */
export function* readLedgerPages(
  db: Database.Database,
  schema: LedgerSchema,
  range: EntryIdRange | null,
): Generator<RawLedgerRow[]> {
  const select = ledgerRowSelectList(schema);
  if (range === null) {
    let page: RawLedgerRow[] = [];
    const statement = db.prepare(`SELECT ${select} FROM entries ORDER BY entry_id`).raw(true);
    for (const row of statement.iterate() as IterableIterator<RawLedgerRow>) {
      page.push(row);
      if (page.length === PAGE_SIZE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
    return;
  }
  const statement = db
    .prepare<[number, number]>(
      `SELECT ${select} FROM entries WHERE entry_id >= ? AND entry_id <= ? ORDER BY entry_id LIMIT ${PAGE_SIZE}`,
    )
    .raw(true);
  let next = range.from;
  for (;;) {
    const rows = statement.all(next, range.to) as RawLedgerRow[];
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE_SIZE) return;
    const lastId = rows[rows.length - 1]?.[0];
    if (typeof lastId !== 'number') return;
    next = lastId + 1;
  }
}

export function readSequence(db: Database.Database, schema: LedgerSchema): number | null {
  if (!schema.hasSequence) return null;
  const row = db
    .prepare<[], { seq: SqlValue }>("SELECT seq FROM sqlite_sequence WHERE name = 'entries'")
    .get();
  return typeof row?.seq === 'number' ? row.seq : null;
}

export function readEntryHashes(
  db: Database.Database,
  entryIds: readonly number[],
): Map<number, string | null> {
  const statement = db.prepare<[number], { entry_hash: SqlValue }>(
    'SELECT entry_hash FROM entries WHERE entry_id = ?',
  );
  const hashes = new Map<number, string | null>();
  for (const entryId of entryIds) {
    const value = statement.get(entryId)?.entry_hash;
    hashes.set(entryId, typeof value === 'string' ? value : null);
  }
  return hashes;
}

/** SQL for an anchors column, or NULL where an older schema lacks it. */
export function optionalAnchorColumn(db: Database.Database): (name: string) => string {
  const columns = new Set(
    db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('anchors')")
      .all()
      .map((column) => column.name),
  );
  return (name) => (columns.has(name) ? `"${name}"` : 'NULL');
}

export function readAnchors(db: Database.Database, schema: LedgerSchema): AnchorRecord[] {
  if (!schema.hasAnchors) return [];
  const optional = optionalAnchorColumn(db);
  const rows = db
    .prepare<[], Record<string, SqlValue>>(
      `SELECT anchor_id, chain_head_entry_id, chain_head_hash,
              ${optional('ots_proof_blob')} IS NOT NULL AS has_ots, ${optional('confirmed_at')} AS confirmed_at,
              ${optional('bitcoin_block_height')} AS bitcoin_block_height,
              ${optional('tst_blob')} IS NOT NULL AS has_tst, ${optional('tsa_url')} AS tsa_url
       FROM anchors ORDER BY anchor_id`,
    )
    .all();
  return rows.map((row) => ({
    anchorId: Number(row.anchor_id),
    chainHeadEntryId: row.chain_head_entry_id ?? null,
    chainHeadHash: row.chain_head_hash ?? null,
    hasOtsProof: row.has_ots === 1,
    confirmedAt: typeof row.confirmed_at === 'string' ? row.confirmed_at : null,
    bitcoinBlockHeight:
      typeof row.bitcoin_block_height === 'number' ? row.bitcoin_block_height : null,
    hasTst: row.has_tst === 1,
    tsaUrl: typeof row.tsa_url === 'string' ? row.tsa_url : null,
  }));
}

/** What an anchor's proofs need: its blobs and the columns they are checked against. */
export interface AnchorProofRecord {
  readonly anchorId: number;
  readonly chainHeadHash: SqlValue;
  readonly otsProofBlob: Uint8Array | null;
  readonly confirmedAt: string | null;
  readonly bitcoinBlockHeight: number | null;
  readonly tstBlob: Uint8Array | null;
}

/** The proof blobs of every anchor; a column an older schema lacks reads as NULL. */
export function readAnchorProofs(db: Database.Database, schema: LedgerSchema): AnchorProofRecord[] {
  if (!schema.hasAnchors) return [];
  const optional = optionalAnchorColumn(db);
  const blob = (value: SqlValue): Uint8Array | null =>
    value instanceof Uint8Array ? new Uint8Array(value) : null;
  return db
    .prepare<[], Record<string, SqlValue>>(
      `SELECT anchor_id, chain_head_hash, ${optional('ots_proof_blob')} AS ots_proof_blob,
              ${optional('confirmed_at')} AS confirmed_at,
              ${optional('bitcoin_block_height')} AS bitcoin_block_height,
              ${optional('tst_blob')} AS tst_blob
       FROM anchors ORDER BY anchor_id`,
    )
    .all()
    .map((row) => ({
      anchorId: Number(row.anchor_id),
      chainHeadHash: row.chain_head_hash ?? null,
      otsProofBlob: blob(row.ots_proof_blob ?? null),
      confirmedAt: typeof row.confirmed_at === 'string' ? row.confirmed_at : null,
      bitcoinBlockHeight:
        typeof row.bitcoin_block_height === 'number' ? row.bitcoin_block_height : null,
      tstBlob: blob(row.tst_blob ?? null),
    }));
}

export function readWitnesses(db: Database.Database, schema: LedgerSchema): WitnessRecord[] {
  if (!schema.hasWitnesses) return [];
  return db
    .prepare<[], Record<string, SqlValue>>(
      'SELECT witness_id, label, public_key_hex, retired_at FROM witnesses ORDER BY witness_id',
    )
    .all()
    .map((row) => ({
      witnessId: Number(row.witness_id),
      label: String(row.label),
      publicKeyHex: row.public_key_hex ?? null,
      retiredAt: typeof row.retired_at === 'string' ? row.retired_at : null,
    }));
}

export function readAttestations(db: Database.Database, schema: LedgerSchema): AttestationRecord[] {
  if (!schema.hasWitnesses) return [];
  return db
    .prepare<[], Record<string, SqlValue>>(
      `SELECT attestation_id, witness_id, chain_head_entry_id, chain_head_hash, signed_at,
              prev_attestation_hash, attestation_hash, signature_hex
       FROM witness_attestations ORDER BY witness_id, attestation_id`,
    )
    .all()
    .map((row) => ({
      attestationId: Number(row.attestation_id),
      witnessId: row.witness_id ?? null,
      chainHeadEntryId: row.chain_head_entry_id ?? null,
      chainHeadHash: row.chain_head_hash ?? null,
      signedAt: row.signed_at ?? null,
      prevAttestationHash: row.prev_attestation_hash ?? null,
      attestationHash: row.attestation_hash ?? null,
      signatureHex: row.signature_hex ?? null,
    }));
}
