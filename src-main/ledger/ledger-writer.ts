/**
 * Appends entries that nexuscone's verifier accepts (format_version 2, Python-canonical ASCII
 * payload, entry_id = MAX+1, the right previous_hash, optional Ed25519 signature over the hex
 * entry_hash), safely alongside writers in other processes.
 *
 * nexuscone serialises writers only inside one process; across processes its inserts race and the
 * loser gets a UNIQUE error (spec §7). Here every batch runs inside BEGIN IMMEDIATE, which takes
 * the write lock before the tip is read, so no two writers can build on the same tip.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { asciiToBytes, bytesToHex, isLowerHex } from '../../src-shared/crypto/hex';
import { buildEntryHashInput, GENESIS_PREVIOUS_HASH } from '../../src-shared/ledger/entry-hash';
import type { CryptoProvider } from '../../src-shared/crypto/crypto-provider';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { nowEpochMicros } from '../wall-clock';
import { inspectLedgerSchema } from './ledger-database';
import { writeLedger } from './ledger-write-transaction';
import { NEXUSCONE_SCHEMA_STATEMENTS } from './nexuscone-schema';

export interface NewEntry {
  readonly actor: string;
  readonly action: string;
  readonly eventType: string;
  /** Canonical JSON text (nexuscone dialect), stored and hashed exactly as given. */
  readonly payload: string;
}

export interface EntrySigner {
  readonly keyId: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface AppendOptions {
  readonly signer?: EntrySigner;
  /** nexuscone timestamp text for the next entry; default: the wall clock, in microseconds. */
  readonly clock?: () => string;
  /** Create a new nexuscone ledger when the file does not exist. */
  readonly createIfMissing?: boolean;
  /** How long to keep retrying while other writers hold the lock. */
  readonly busyTimeoutMs?: number;
  readonly crypto?: CryptoProvider;
}

export interface AppendResult {
  readonly created: boolean;
  readonly firstEntryId: number;
  readonly lastEntryId: number;
  readonly headHash: string;
}

/** `%Y-%m-%dT%H:%M:%S.%fZ` in UTC, as nexuscone writes it. */
export function formatNexusconeTimestamp(epochMicros: bigint): string {
  const millis = Number(epochMicros / 1000n);
  const micros = Number(epochMicros % 1_000_000n);
  const iso = new Date(millis).toISOString();
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

function wallClockTimestamp(): string {
  return formatNexusconeTimestamp(nowEpochMicros());
}

export function appendEntries(
  path: string,
  entries: readonly NewEntry[],
  options: AppendOptions = {},
): AppendResult {
  if (entries.length === 0) throw new ProofdeskError('USAGE', 'There are no entries to append.');
  const crypto = options.crypto ?? createNodeCryptoProvider();
  const clock = options.clock ?? wallClockTimestamp;
  return writeLedger(
    path,
    (db, resolved) => {
      const hasEntries = db.prepare<[], { found: number }>(
        "SELECT COUNT(*) AS found FROM sqlite_schema WHERE lower(name) = 'entries'",
      );
      /**
       * Creating the schema happens under the same write lock as the insert, so writers racing to
       * create one new ledger all end up appending to the same one.
       */
      const prepareSchema = (): { created: boolean } => {
        const created = hasEntries.get()?.found === 0;
        if (created) {
          if (!options.createIfMissing) {
            throw new ProofdeskError(
              'NOT_A_LEDGER',
              `${resolved} has no entries table, so it is not a nexuscone ledger.`,
            );
          }
          for (const statement of NEXUSCONE_SCHEMA_STATEMENTS) db.exec(statement);
        }
        const schema = inspectLedgerSchema(db, resolved);
        if (!schema.hasFormatColumns) {
          throw new ProofdeskError(
            'LEDGER_SCHEMA_UNSUPPORTED',
            `${resolved} uses nexuscone v0.1's schema without event_type and format_version; open it once with nexuscone v0.2 to migrate it before appending.`,
          );
        }
        return { created };
      };
      const tip = (): { entry_id: number; entry_hash: unknown } | undefined =>
        db
          .prepare<[], { entry_id: number; entry_hash: unknown }>(
            'SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1',
          )
          .get();
      const insertSql = `INSERT INTO entries (entry_id, timestamp, actor, action, event_type, format_version, payload,
                            previous_hash, entry_hash, signature, signing_key_id)
       VALUES (?, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?)`;
      const appendBatch = (): AppendResult => {
        const { created } = prepareSchema();
        const insert = db.prepare(insertSql);
        const last = tip();
        if (
          last !== undefined &&
          (!Number.isSafeInteger(last.entry_id) || !isLowerHex(last.entry_hash, 64))
        ) {
          throw new ProofdeskError(
            'LEDGER_SCHEMA_UNSUPPORTED',
            `The last entry of ${resolved} has a malformed entry_id or entry_hash; verify the ledger before appending to it.`,
          );
        }
        let entryId = last === undefined ? 1 : last.entry_id + 1;
        let previousHash = last === undefined ? GENESIS_PREVIOUS_HASH : (last.entry_hash as string);
        const firstEntryId = entryId;
        for (const entry of entries) {
          const timestamp = clock();
          const input = buildEntryHashInput({ ...entry, entryId, timestamp, previousHash }, 2);
          if (input === undefined)
            throw new ProofdeskError('INTERNAL', 'An entry could not be hashed.');
          const entryHash = crypto.sha256HexOfUtf8(input);
          const signature = options.signer
            ? bytesToHex(options.signer.sign(asciiToBytes(entryHash)))
            : null;
          insert.run(
            entryId,
            timestamp,
            entry.actor,
            entry.action,
            entry.eventType,
            entry.payload,
            previousHash,
            entryHash,
            signature,
            options.signer?.keyId ?? null,
          );
          previousHash = entryHash;
          entryId++;
        }
        return { created, firstEntryId, lastEntryId: entryId - 1, headHash: previousHash };
      };
      return appendBatch();
    },
    { createIfMissing: options.createIfMissing, busyTimeoutMs: options.busyTimeoutMs },
  );
}
