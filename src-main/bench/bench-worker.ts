/**
 * The floor the benchmark compares against: a bare read of every row plus SHA-256 of its hash
 * input, nothing else. Runs in one worker per core over an entry_id range, with the same reader
 * and the same SHA-256 primitive as verification.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildEntryHashInput } from '../../src-shared/ledger/entry-hash';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import type { LedgerLocation, LedgerSchema } from '../ledger/ledger-database';
import { openReadOnlyConnection } from '../sqlite/evidence-database';
import { readLedgerPages, type EntryIdRange } from '../ledger/ledger-reader';

interface FloorJob {
  readonly location: LedgerLocation;
  readonly schema: LedgerSchema;
  readonly range: EntryIdRange;
}

const job = workerData as FloorJob;
const crypto = createNodeCryptoProvider();
const db = openReadOnlyConnection(job.location);
let rows = 0;
let checksum = 0;
for (const page of readLedgerPages(db, job.schema, job.range)) {
  for (const row of page) {
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
    checksum ^= crypto.sha256HexOfUtf8(input ?? '').charCodeAt(0);
    rows++;
  }
}
db.close();
parentPort?.postMessage({ rows, checksum });
