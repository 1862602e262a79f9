/**
 * Verifies one contiguous entry_id range of a nexuscone ledger, row by row, in constant memory.
 * Ranges are verified independently (in parallel workers) and joined by `assembleLedgerChecks`,
 * which checks the seams; so everything that depends on rows before the range is reported here as
 * a summary, not decided here.
 */
import type { CryptoProvider } from '../crypto/crypto-provider';
import { asciiToBytes, hexToBytes, isLowerHex } from '../crypto/hex';
import type { FindingCode } from '../check-code';
import type { Finding } from '../verification-report';
import { buildEntryHashInput, type SqlValue } from './entry-hash';
import { FindingCollector } from './finding-collector';

/**
 * Column order of a raw ledger row. Readers select missing optional columns (event_type and
 * format_version on v0.1 files) as NULL.
 */
export const LEDGER_ROW_COLUMNS = [
  'entry_id',
  'timestamp',
  'actor',
  'action',
  'event_type',
  'format_version',
  'payload',
  'previous_hash',
  'entry_hash',
  'signature',
  'signing_key_id',
] as const;
export type RawLedgerRow = readonly SqlValue[];

const ENTRY_ID = 0;
const TIMESTAMP = 1;
const ACTOR = 2;
const ACTION = 3;
const EVENT_TYPE = 4;
const FORMAT_VERSION = 5;
const PAYLOAD = 6;
const PREVIOUS_HASH = 7;
const ENTRY_HASH = 8;
const SIGNATURE = 9;
const SIGNING_KEY_ID = 10;

const TEXT_COLUMNS: readonly [number, string][] = [
  [TIMESTAMP, 'timestamp'],
  [ACTOR, 'actor'],
  [ACTION, 'action'],
  [PAYLOAD, 'payload'],
  [PREVIOUS_HASH, 'previous_hash'],
  [ENTRY_HASH, 'entry_hash'],
];

/** The event_type that the v0.1 → v0.2 migration gives every v1 row. */
export const V1_DEFAULT_EVENT_TYPE = 'request';

export interface LedgerSchemaFlags {
  /** event_type and format_version exist (v0.2 or migrated v0.1). */
  readonly hasFormatColumns: boolean;
}

export interface RangeVerifierOptions {
  readonly crypto: CryptoProvider;
  /** Entry-signing keys by key id; null means signatures are not checked. */
  readonly keyring: ReadonlyMap<string, Uint8Array> | null;
  readonly requireSignatures: boolean;
  readonly schema: LedgerSchemaFlags;
  readonly findingCapPerCode: number;
}

/** What the seam check needs from the first and last row of a range. */
export interface RowEdge {
  readonly entryId: number;
  readonly previousHash: string;
  readonly entryHash: string;
  readonly formatVersion: number;
}

/** Evidence about the range that only becomes a finding once earlier ranges are known. */
export interface RangeSummary {
  readonly rows: number;
  readonly first: RowEdge | null;
  readonly last: RowEdge | null;
  readonly findings: readonly Finding[];
  readonly findingCounts: Readonly<Partial<Record<FindingCode, number>>>;
  readonly signedRows: number;
  readonly signaturesVerified: number;
  readonly firstSignedEntryId: number | null;
  /** Unsigned rows after the range's first signed row. */
  readonly unsignedAfterFirstSigned: number;
  readonly firstUnsignedAfterSigned: number | null;
  /** Unsigned rows before the range's first signed row (all of them if none is signed). */
  readonly unsignedBeforeFirstSigned: number;
  readonly firstUnsignedBeforeSigned: number | null;
  readonly firstV2EntryId: number | null;
  /** Format 1 rows before the range's first format 2 row: downgrades if an earlier range had v2. */
  readonly v1BeforeFirstV2: number;
  readonly v1BeforeFirstV2Sample: readonly number[];
  readonly v1Rows: number;
}

function describeSqlValue(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `BLOB (${value.length} bytes)`;
  if (typeof value === 'string') return JSON.stringify(value);
  return `${typeof value === 'bigint' ? 'integer' : Number.isInteger(value) ? 'integer' : 'real'} ${String(value)}`;
}

function asText(value: SqlValue): string {
  return typeof value === 'string' ? value : describeSqlValue(value);
}

/**
 * Gap and link findings between two consecutive rows; used inside a range and at the seams
 * between ranges, so both report identically.
 */
export function successionFindings(previous: RowEdge, current: RowEdge): Finding[] {
  const findings: Finding[] = [];
  const idsKnown = !Number.isNaN(previous.entryId) && !Number.isNaN(current.entryId);
  if (idsKnown && current.entryId !== previous.entryId + 1) {
    const missing = current.entryId - previous.entryId - 1;
    findings.push({
      code: 'LEDGER_ID_GAP',
      entryId: current.entryId,
      message:
        missing > 0
          ? `entry_id jumps from ${previous.entryId} to ${current.entryId}: ${missing} ${missing === 1 ? 'entry is' : 'entries are'} missing`
          : `entry_id ${current.entryId} does not follow ${previous.entryId}`,
      expected: String(previous.entryId + 1),
      actual: String(current.entryId),
    });
  }
  if (current.previousHash !== previous.entryHash) {
    findings.push({
      code: 'LEDGER_LINK_BROKEN',
      entryId: Number.isNaN(current.entryId) ? undefined : current.entryId,
      message: `entry ${current.entryId}: previous_hash is not the entry_hash of entry ${previous.entryId}`,
      expected: previous.entryHash,
      actual: current.previousHash,
    });
  }
  return findings;
}

export class RangeVerifier {
  private readonly collector: FindingCollector;
  private rows = 0;
  private first: RowEdge | null = null;
  private previous: RowEdge | null = null;
  private signedRows = 0;
  private signaturesVerified = 0;
  private firstSignedEntryId: number | null = null;
  private unsignedAfterFirstSigned = 0;
  private firstUnsignedAfterSigned: number | null = null;
  private unsignedBeforeFirstSigned = 0;
  private firstUnsignedBeforeSigned: number | null = null;
  private firstV2EntryId: number | null = null;
  private v1BeforeFirstV2 = 0;
  private readonly v1BeforeFirstV2Sample: number[] = [];
  private v1Rows = 0;

  constructor(private readonly options: RangeVerifierOptions) {
    this.collector = new FindingCollector(options.findingCapPerCode);
  }

  /** Rows must arrive in ascending entry_id order. */
  accept(row: RawLedgerRow): void {
    this.rows++;
    const rawId = row[ENTRY_ID] ?? null;
    const entryId = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : NaN;
    const idForFindings = Number.isNaN(entryId) ? undefined : entryId;
    if (Number.isNaN(entryId)) {
      this.report({
        code: 'LEDGER_ROW_MALFORMED',
        message: `entry_id ${describeSqlValue(rawId)} is not a safe integer`,
        expected: 'integer',
        actual: describeSqlValue(rawId),
      });
    }
    for (const [index, column] of TEXT_COLUMNS) {
      const value = row[index] ?? null;
      if (typeof value !== 'string') {
        this.report({
          code: 'LEDGER_ROW_MALFORMED',
          entryId: idForFindings,
          message: `entry ${idForFindings ?? '?'}: ${column} is ${describeSqlValue(value)}, not text`,
          expected: 'text',
          actual: describeSqlValue(value),
        });
      }
    }

    const formatVersion = this.readFormatVersion(row, idForFindings);
    const previousHash = asText(row[PREVIOUS_HASH] ?? null);
    const entryHash = asText(row[ENTRY_HASH] ?? null);
    const edge: RowEdge = { entryId, previousHash, entryHash, formatVersion };

    if (this.previous !== null) {
      this.checkSuccession(this.previous, edge);
    } else {
      this.first = edge;
    }
    this.checkFormat(row, edge);
    this.checkHash(row, edge);
    this.checkSignature(row, edge);
    this.previous = edge;
  }

  finish(): RangeSummary {
    return {
      rows: this.rows,
      first: this.first,
      last: this.previous,
      findings: this.collector.findings,
      findingCounts: this.collector.countsRecord(),
      signedRows: this.signedRows,
      signaturesVerified: this.signaturesVerified,
      firstSignedEntryId: this.firstSignedEntryId,
      unsignedAfterFirstSigned: this.unsignedAfterFirstSigned,
      firstUnsignedAfterSigned: this.firstUnsignedAfterSigned,
      unsignedBeforeFirstSigned: this.unsignedBeforeFirstSigned,
      firstUnsignedBeforeSigned: this.firstUnsignedBeforeSigned,
      firstV2EntryId: this.firstV2EntryId,
      v1BeforeFirstV2: this.v1BeforeFirstV2,
      v1BeforeFirstV2Sample: this.v1BeforeFirstV2Sample,
      v1Rows: this.v1Rows,
    };
  }

  private report(finding: Finding): void {
    this.collector.add(finding);
  }

  private readFormatVersion(row: RawLedgerRow, entryId: number | undefined): number {
    if (!this.options.schema.hasFormatColumns) return 1;
    const value = row[FORMAT_VERSION] ?? null;
    if (value === 1 || value === 2) return value;
    // nexuscone picks v2 for anything >= 2 and v1 otherwise; we hash the same way but flag the
    // value, because its own writer and migration only ever produce 1 or 2.
    this.report({
      code: 'LEDGER_ROW_MALFORMED',
      entryId,
      message: `entry ${entryId ?? '?'}: format_version ${describeSqlValue(value)} is not 1 or 2`,
      expected: '1 or 2',
      actual: describeSqlValue(value),
    });
    const numeric = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : 1;
    return numeric >= 2 ? 2 : 1;
  }

  private checkSuccession(previous: RowEdge, current: RowEdge): void {
    for (const finding of successionFindings(previous, current)) this.report(finding);
  }

  private checkFormat(row: RawLedgerRow, edge: RowEdge): void {
    const entryId = Number.isNaN(edge.entryId) ? undefined : edge.entryId;
    if (edge.formatVersion >= 2) {
      this.firstV2EntryId ??= edge.entryId;
      return;
    }
    this.v1Rows++;
    if (this.firstV2EntryId !== null) {
      this.report({
        code: 'LEDGER_FORMAT_DOWNGRADE',
        entryId,
        message: `entry ${edge.entryId} is format 1 but follows format 2 entry ${this.firstV2EntryId}`,
        expected: '2',
        actual: '1',
      });
    } else {
      this.v1BeforeFirstV2++;
      if (this.v1BeforeFirstV2Sample.length < this.options.findingCapPerCode) {
        this.v1BeforeFirstV2Sample.push(edge.entryId);
      }
    }
    if (this.options.schema.hasFormatColumns) {
      const eventType = row[EVENT_TYPE] ?? null;
      if (eventType !== V1_DEFAULT_EVENT_TYPE) {
        this.report({
          code: 'LEDGER_V1_FIELD_UNPROTECTED',
          entryId,
          message: `entry ${edge.entryId} is format 1, whose hash does not cover event_type, yet its event_type is not the migration default`,
          expected: V1_DEFAULT_EVENT_TYPE,
          actual: asText(eventType),
        });
      }
    }
  }

  private checkHash(row: RawLedgerRow, edge: RowEdge): void {
    const input = buildEntryHashInput(
      {
        entryId: row[ENTRY_ID] ?? null,
        timestamp: row[TIMESTAMP] ?? null,
        actor: row[ACTOR] ?? null,
        action: row[ACTION] ?? null,
        eventType: row[EVENT_TYPE] ?? null,
        payload: row[PAYLOAD] ?? null,
        previousHash: row[PREVIOUS_HASH] ?? null,
      },
      edge.formatVersion,
    );
    const entryId = Number.isNaN(edge.entryId) ? undefined : edge.entryId;
    if (input === undefined) {
      this.report({
        code: 'LEDGER_HASH_MISMATCH',
        entryId,
        message: `entry ${edge.entryId}: a hashed field is a BLOB, so no hash can match`,
        expected: '(no hash: a BLOB field has no JSON form)',
        actual: edge.entryHash,
      });
      return;
    }
    const recomputed = this.options.crypto.sha256HexOfUtf8(input);
    if (recomputed !== edge.entryHash) {
      this.report({
        code: 'LEDGER_HASH_MISMATCH',
        entryId,
        message: `entry ${edge.entryId}: stored entry_hash is not the hash of its fields`,
        expected: recomputed,
        actual: edge.entryHash,
      });
    }
  }

  private checkSignature(row: RawLedgerRow, edge: RowEdge): void {
    const signature = row[SIGNATURE] ?? null;
    const keyId = row[SIGNING_KEY_ID] ?? null;
    const entryId = Number.isNaN(edge.entryId) ? undefined : edge.entryId;
    if (signature === null && keyId === null) {
      this.countUnsigned(edge.entryId);
      if (this.options.requireSignatures) {
        this.report({
          code: 'LEDGER_SIGNATURE_MISSING',
          entryId,
          message: `entry ${edge.entryId} is not signed`,
          expected: 'a signature',
          actual: 'NULL',
        });
      }
      return;
    }
    this.signedRows++;
    this.firstSignedEntryId ??= edge.entryId;
    if (signature === null || keyId === null) {
      this.report({
        code: 'LEDGER_SIGNATURE_MALFORMED',
        entryId,
        message:
          signature === null
            ? `entry ${edge.entryId} names signing key ${asText(keyId)} but its signature is NULL (stripped?)`
            : `entry ${edge.entryId} has a signature but no signing_key_id`,
        expected: 'both signature and signing_key_id',
        actual: signature === null ? 'signature NULL' : 'signing_key_id NULL',
      });
      return;
    }
    if (!isLowerHex(signature, 128) || typeof keyId !== 'string') {
      this.report({
        code: 'LEDGER_SIGNATURE_MALFORMED',
        entryId,
        message: `entry ${edge.entryId}: the signature is not 128 lowercase hex characters`,
        expected: '128 lowercase hex characters (64-byte Ed25519 signature)',
        actual: describeSqlValue(signature).slice(0, 140),
      });
      return;
    }
    const keyring = this.options.keyring;
    if (keyring === null) return;
    const publicKey = keyring.get(keyId);
    if (publicKey === undefined) {
      this.report({
        code: 'LEDGER_KEY_UNKNOWN',
        entryId,
        message: `entry ${edge.entryId} is signed with key ${JSON.stringify(keyId)}, which is not in the keyring`,
        expected: 'a key id in the keyring',
        actual: keyId,
      });
      return;
    }
    this.signaturesVerified++;
    const valid = this.options.crypto.verifyEd25519(
      publicKey,
      asciiToBytes(edge.entryHash),
      hexToBytes(signature),
    );
    if (!valid) {
      this.report({
        code: 'LEDGER_SIGNATURE_INVALID',
        entryId,
        message: `entry ${edge.entryId}: the signature does not verify with key ${JSON.stringify(keyId)}`,
        expected: `a valid Ed25519 signature by ${keyId} over the entry_hash`,
        actual: signature,
      });
    }
  }

  private countUnsigned(entryId: number): void {
    if (this.firstSignedEntryId === null) {
      this.unsignedBeforeFirstSigned++;
      this.firstUnsignedBeforeSigned ??= entryId;
    } else {
      this.unsignedAfterFirstSigned++;
      this.firstUnsignedAfterSigned ??= entryId;
    }
  }
}
