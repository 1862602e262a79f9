/**
 * The floor the benchmark compares against: a bare read of every row plus SHA-256 of its hash
 * input, nothing else. Runs in one worker per core over an entry_id range.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { buildEntryHashInput } from '../../src-shared/ledger/entry-hash';
import {
  openReadOnlyConnection,
  type LedgerLocation,
  type LedgerSchema,
} from '../ledger/ledger-database';
import { iterateLedgerRows, type EntryIdRange } from '../ledger/ledger-reader';

interface FloorJob {
  readonly location: LedgerLocation;
  readonly schema: LedgerSchema;
  readonly range: EntryIdRange;
}

const job = workerData as FloorJob;
const db = openReadOnlyConnection(job.location);
let rows = 0;
let checksum = 0;
for (const row of iterateLedgerRows(db, job.schema, job.range)) {
  const input = buildEntryHashInput(
    {
      entryId: row[0] ?? null,
      timestamp: row[1] ?? null,
      actor: row[2] ?? null,
      action: row[3] ?? null,
      eventType: row[4] ?? null,
      payload: row[6] ?? null,
      previousHash: row[7] ?? null,
    },
    2,
  );
  // Folding the digest into a checksum keeps the hashing from being optimised away.
  checksum ^=
    createHash('sha256')
      .update(input ?? '', 'latin1')
      .digest()[0] ?? 0;
  rows++;
}
db.close();
parentPort?.postMessage({ rows, checksum });
