/**
 * Registers, retires and attests with witnesses in nexuscone's own format (spec §4), so
 * nexuscone's verify_witness_attestations and Proofdesk's checks both accept what is written:
 * each witness keeps its own sub-chain of attestations, each attestation_hash is the SHA-256 of
 * five fields in canonical JSON, and the witness signs its raw 32 bytes. Every write runs under
 * the ledger's write lock (ledger-write-transaction.ts), so the head read is the head cosigned.
 */
import type Database from 'better-sqlite3';
import { ProofdeskError } from '../../src-shared/check-code';
import { ed25519PublicKeyProblem } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex, hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';
import {
  buildAttestationHashInput,
  WITNESS_GENESIS_PREVIOUS_HASH,
} from '../../src-shared/ledger/anchor-witness-checks';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { formatNexusconeTimestamp } from '../ledger/ledger-writer';
import { writeLedger } from '../ledger/ledger-write-transaction';
import { NEXUSCONE_SCHEMA_STATEMENTS } from '../ledger/nexuscone-schema';
import { nowEpochMicros } from '../wall-clock';

/** nexuscone's roles (witnesses.py), checked in Python only; checked here before writing. */
export const WITNESS_ROLES = ['consortium', 'regulator', 'self'] as const;
export type WitnessRole = (typeof WITNESS_ROLES)[number];

export interface WitnessSigner {
  /** The witness's public key as 64 lowercase hex: nexuscone's signer.key_id for witnesses. */
  readonly publicKeyHex: string;
  sign(message: Uint8Array): Uint8Array;
}

export interface WitnessAttestation {
  readonly attestationId: number;
  readonly witnessId: number;
  readonly chainHeadEntryId: number;
  readonly chainHeadHash: string;
  readonly attestationHash: string;
}

const crypto = createNodeCryptoProvider();

/** nexuscone's witness tables, created the way its init() adds them to an older v0.2 file. */
function ensureWitnessTables(db: Database.Database): void {
  for (const statement of NEXUSCONE_SCHEMA_STATEMENTS.filter((sql) => /witness/i.test(sql)))
    db.exec(statement);
}

function requireEntriesTable(db: Database.Database, path: string): void {
  const found = db
    .prepare<[], { found: number }>(
      "SELECT COUNT(*) AS found FROM sqlite_schema WHERE type = 'table' AND name = 'entries'",
    )
    .get();
  if (found?.found !== 1) {
    throw new ProofdeskError(
      'NOT_A_LEDGER',
      `${path} has no entries table, so it is not a nexuscone ledger.`,
    );
  }
}

interface WitnessRow {
  witness_id: number;
  label: string;
  public_key_hex: string;
  retired_at: string | null;
}

function findWitness(db: Database.Database, path: string, witness: string | number): WitnessRow {
  const row =
    typeof witness === 'number'
      ? db
          .prepare<[number], WitnessRow>(
            'SELECT witness_id, label, public_key_hex, retired_at FROM witnesses WHERE witness_id = ?',
          )
          .get(witness)
      : db
          .prepare<[string], WitnessRow>(
            'SELECT witness_id, label, public_key_hex, retired_at FROM witnesses WHERE label = ?',
          )
          .get(witness);
  if (row === undefined) {
    throw new ProofdeskError(
      'USAGE',
      `${path} has no witness ${typeof witness === 'number' ? witness : JSON.stringify(witness)}.`,
    );
  }
  return row;
}

export function registerWitness(
  ledgerPath: string,
  witness: { label: string; publicKeyHex: string; role: WitnessRole },
  clock: () => string = () => formatNexusconeTimestamp(nowEpochMicros()),
): { witnessId: number } {
  if (witness.label.trim() === '')
    throw new ProofdeskError('USAGE', 'A witness needs a non-empty label.');
  if (!(WITNESS_ROLES as readonly string[]).includes(witness.role)) {
    throw new ProofdeskError(
      'USAGE',
      `A witness role is one of ${WITNESS_ROLES.join(', ')}, not ${JSON.stringify(witness.role)}.`,
    );
  }
  if (!isLowerHex(witness.publicKeyHex, 64)) {
    throw new ProofdeskError(
      'USAGE',
      'A witness public key is 64 lowercase hex characters (a raw Ed25519 public key).',
    );
  }
  const problem = ed25519PublicKeyProblem(hexToBytes(witness.publicKeyHex));
  if (problem !== undefined) {
    throw new ProofdeskError('USAGE', `That witness public key ${problem}.`);
  }
  return writeLedger(ledgerPath, (db, path) => {
    requireEntriesTable(db, path);
    ensureWitnessTables(db);
    const clash = db
      .prepare<[string, string], { label: string }>(
        'SELECT label FROM witnesses WHERE label = ? OR public_key_hex = ?',
      )
      .get(witness.label, witness.publicKeyHex);
    if (clash !== undefined) {
      throw new ProofdeskError(
        'USAGE',
        clash.label === witness.label
          ? `${path} already has a witness labelled ${JSON.stringify(witness.label)}.`
          : `That public key is already registered as witness ${JSON.stringify(clash.label)}.`,
      );
    }
    const result = db
      .prepare(
        'INSERT INTO witnesses (label, public_key_hex, role, created_at) VALUES (?, ?, ?, ?)',
      )
      .run(witness.label, witness.publicKeyHex, witness.role, clock());
    return { witnessId: Number(result.lastInsertRowid) };
  });
}

/** Retires a witness once; retiring it again changes nothing, as in nexuscone. */
export function retireWitness(
  ledgerPath: string,
  witness: string | number,
  clock: () => string = () => formatNexusconeTimestamp(nowEpochMicros()),
): { witnessId: number; retiredAt: string; alreadyRetired: boolean } {
  return writeLedger(ledgerPath, (db, path) => {
    requireEntriesTable(db, path);
    ensureWitnessTables(db);
    const row = findWitness(db, path, witness);
    if (row.retired_at !== null)
      return { witnessId: row.witness_id, retiredAt: row.retired_at, alreadyRetired: true };
    const retiredAt = clock();
    db.prepare('UPDATE witnesses SET retired_at = ? WHERE witness_id = ?').run(
      retiredAt,
      row.witness_id,
    );
    return { witnessId: row.witness_id, retiredAt, alreadyRetired: false };
  });
}

/** The witness cosigns the current head: the next link of its own attestation chain. */
export function attestWithWitness(
  ledgerPath: string,
  witness: string | number,
  signer: WitnessSigner,
  clock: () => string = () => formatNexusconeTimestamp(nowEpochMicros()),
): WitnessAttestation {
  return writeLedger(ledgerPath, (db, path) => {
    requireEntriesTable(db, path);
    ensureWitnessTables(db);
    const row = findWitness(db, path, witness);
    if (row.retired_at !== null) {
      throw new ProofdeskError(
        'USAGE',
        `Witness ${JSON.stringify(row.label)} was retired at ${row.retired_at} and can no longer attest.`,
      );
    }
    if (signer.publicKeyHex !== row.public_key_hex) {
      throw new ProofdeskError(
        'USAGE',
        `That key is not witness ${JSON.stringify(row.label)}'s registered key, so it cannot attest for it.`,
      );
    }
    const head = db
      .prepare<[], { entry_id: number; entry_hash: string }>(
        'SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1',
      )
      .get();
    if (head === undefined)
      throw new ProofdeskError('USAGE', `${path} has no entries, so there is no head to attest.`);
    const previous = db
      .prepare<[number], { attestation_hash: string }>(
        'SELECT attestation_hash FROM witness_attestations WHERE witness_id = ? ORDER BY attestation_id DESC LIMIT 1',
      )
      .get(row.witness_id);
    const record = {
      chainHeadEntryId: head.entry_id,
      chainHeadHash: head.entry_hash,
      prevAttestationHash: previous?.attestation_hash ?? WITNESS_GENESIS_PREVIOUS_HASH,
      signedAt: clock(),
      witnessId: row.witness_id,
    };
    const input = buildAttestationHashInput({
      ...record,
      attestationId: 0,
      attestationHash: null,
      signatureHex: null,
    });
    if (input === undefined)
      throw new ProofdeskError('INTERNAL', 'The attestation could not be hashed.');
    const attestationHash = crypto.sha256HexOfUtf8(input);
    const signatureHex = bytesToHex(signer.sign(hexToBytes(attestationHash)));
    const result = db
      .prepare(
        `INSERT INTO witness_attestations (witness_id, chain_head_entry_id, chain_head_hash, signed_at,
           prev_attestation_hash, attestation_hash, signature_hex) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.witnessId,
        record.chainHeadEntryId,
        record.chainHeadHash,
        record.signedAt,
        record.prevAttestationHash,
        attestationHash,
        signatureHex,
      );
    return {
      attestationId: Number(result.lastInsertRowid),
      witnessId: row.witness_id,
      chainHeadEntryId: head.entry_id,
      chainHeadHash: head.entry_hash,
      attestationHash,
    };
  });
}
