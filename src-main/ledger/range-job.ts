/**
 * One unit of parallel verification: an entry_id range checked on its own read-only connection.
 * Runs inside a worker thread, or inline for small ledgers where starting workers costs more than
 * it saves.
 */
import type Database from 'better-sqlite3';
import type { CryptoProvider } from '../../src-shared/crypto/crypto-provider';
import { hexToBytes } from '../../src-shared/crypto/hex';
import { RangeVerifier, type RangeSummary } from '../../src-shared/ledger/range-verifier';
import type { LedgerLocation, LedgerSchema } from './ledger-database';
import { readLedgerPages, type EntryIdRange } from './ledger-reader';

/** Everything a worker needs, in structured-clone form. */
export interface RangeJob {
  readonly location: LedgerLocation;
  readonly schema: LedgerSchema;
  /** null: the whole table in one ordered scan (ids that are not integers). */
  readonly range: EntryIdRange | null;
  /** [key id, public key hex] pairs; null when signatures are not checked. */
  readonly keyring: readonly (readonly [string, string])[] | null;
  readonly requireSignatures: boolean;
  readonly findingCapPerCode: number;
}

export const PROGRESS_EVERY_ROWS = 16_384;

export function runRangeJob(
  db: Database.Database,
  job: RangeJob,
  crypto: CryptoProvider,
  onProgress: (rowsDone: number) => void,
): RangeSummary {
  const verifier = new RangeVerifier({
    crypto,
    keyring:
      job.keyring === null ? null : new Map(job.keyring.map(([id, hex]) => [id, hexToBytes(hex)])),
    requireSignatures: job.requireSignatures,
    schema: job.schema,
    findingCapPerCode: job.findingCapPerCode,
  });
  let rows = 0;
  let reported = 0;
  for (const page of readLedgerPages(db, job.schema, job.range)) {
    for (const row of page) verifier.accept(row);
    rows += page.length;
    if (rows - reported >= PROGRESS_EVERY_ROWS) {
      onProgress(rows);
      reported = rows;
    }
  }
  onProgress(rows);
  return verifier.finish();
}
