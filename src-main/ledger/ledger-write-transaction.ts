/**
 * One write to a nexuscone ledger, safely alongside writers in other processes: the work runs
 * inside BEGIN IMMEDIATE, which takes SQLite's write lock before anything is read, and a busy
 * lock is retried with jittered backoff until a deadline. Entries, anchors and witnesses all
 * write through here, so none of them can build on a state another writer is changing.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { checkSqliteFile, describeOpenFailure } from '../sqlite/evidence-database';
import { sqliteNativeBinding } from '../sqlite/native-binding';

export interface LedgerWriteOptions {
  /** Create the file when it does not exist (appending only). */
  readonly createIfMissing?: boolean;
  /** How long to keep retrying while another writer holds the lock. */
  readonly busyTimeoutMs?: number;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** Runs `work` in one immediate transaction on the ledger at `path`; its answer is returned. */
export function writeLedger<T>(
  path: string,
  work: (db: Database.Database, resolvedPath: string) => T,
  options: LedgerWriteOptions = {},
): T {
  const resolved = resolve(path);
  const exists = existsSync(resolved);
  if (!exists && !options.createIfMissing) {
    throw new ProofdeskError('FILE_NOT_FOUND', `There is no file at ${resolved}.`);
  }
  // An empty file is a database another writer has just created and not yet initialised.
  if (exists && statSync(resolved).size > 0) checkSqliteFile(resolved);
  let db: Database.Database;
  try {
    db = new Database(resolved, {
      timeout: 1000,
      fileMustExist: !options.createIfMissing,
      nativeBinding: sqliteNativeBinding(),
    });
  } catch (error) {
    throw describeOpenFailure(error, resolved);
  }
  try {
    db.pragma('synchronous = FULL');
    db.pragma('trusted_schema = OFF');
    const transaction = db.transaction(() => work(db, resolved));
    const deadline = Date.now() + (options.busyTimeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return transaction.immediate();
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
        // Jittered backoff so competing writers stop colliding in lockstep.
        sleepSync(Math.min(200, 5 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
      }
    }
  } catch (error) {
    if (error instanceof ProofdeskError) throw error;
    throw describeOpenFailure(error, resolved);
  } finally {
    db.close();
  }
}
