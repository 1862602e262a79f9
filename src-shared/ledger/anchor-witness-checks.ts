/**
 * Cross-checks of nexuscone's anchors and witness attestations against the entries table, and the
 * witnesses' own hash chains and signatures (../shared/specs/nexuscone.md §4, §5, §9).
 */
import type { CryptoProvider } from '../crypto/crypto-provider';
import { hexToBytes, isLowerHex } from '../crypto/hex';
import type { Finding } from '../verification-report';
import { pythonJsonOfSqlValue, type SqlValue } from './entry-hash';

export const WITNESS_GENESIS_PREVIOUS_HASH = '0'.repeat(64);

export interface AnchorRecord {
  readonly anchorId: number;
  readonly chainHeadEntryId: SqlValue;
  readonly chainHeadHash: SqlValue;
  readonly hasOtsProof: boolean;
  readonly confirmedAt: string | null;
  readonly bitcoinBlockHeight: number | null;
  readonly hasTst: boolean;
  readonly tsaUrl: string | null;
}

export interface WitnessRecord {
  readonly witnessId: number;
  readonly label: string;
  readonly publicKeyHex: SqlValue;
  readonly retiredAt: string | null;
}

export interface AttestationRecord {
  readonly attestationId: number;
  readonly witnessId: SqlValue;
  readonly chainHeadEntryId: SqlValue;
  readonly chainHeadHash: SqlValue;
  readonly signedAt: SqlValue;
  readonly prevAttestationHash: SqlValue;
  readonly attestationHash: SqlValue;
  readonly signatureHex: SqlValue;
}

/** entry_hash by entry_id for the ids anchors and attestations name; null when the row is gone. */
export type EntryHashLookup = ReadonlyMap<number, string | null>;

export function headEntryIdsOf(
  anchors: readonly AnchorRecord[],
  attestations: readonly AttestationRecord[],
): number[] {
  const ids = new Set<number>();
  for (const record of [...anchors, ...attestations]) {
    if (typeof record.chainHeadEntryId === 'number') ids.add(record.chainHeadEntryId);
  }
  return [...ids];
}

function headMismatch(
  entryHashAt: EntryHashLookup,
  entryId: SqlValue,
  claimedHash: SqlValue,
): { expected: string; actual: string; reason: string } | null {
  const stored = typeof entryId === 'number' ? entryHashAt.get(entryId) : undefined;
  if (stored === undefined || stored === null) {
    return {
      expected: String(claimedHash),
      actual: '(no entry)',
      reason: `entry ${String(entryId)} no longer exists`,
    };
  }
  if (stored !== claimedHash) {
    return {
      expected: String(claimedHash),
      actual: stored,
      reason: `entry ${String(entryId)} now has a different entry_hash`,
    };
  }
  return null;
}

/**
 * An anchor commits to the chain head it was made for. PASS proves that head is still in the
 * file unchanged; it does not prove the anchor's OTS or RFC 3161 proof is genuine.
 */
export function checkAnchorHeads(
  anchors: readonly AnchorRecord[],
  entryHashAt: EntryHashLookup,
): Finding[] {
  const findings: Finding[] = [];
  for (const anchor of anchors) {
    const mismatch = headMismatch(entryHashAt, anchor.chainHeadEntryId, anchor.chainHeadHash);
    if (mismatch) {
      findings.push({
        code: 'ANCHOR_HEAD_MISMATCH',
        anchorId: anchor.anchorId,
        entryId: typeof anchor.chainHeadEntryId === 'number' ? anchor.chainHeadEntryId : undefined,
        message: `anchor ${anchor.anchorId} committed to entry ${String(anchor.chainHeadEntryId)}, but ${mismatch.reason}`,
        expected: mismatch.expected,
        actual: mismatch.actual,
      });
    }
  }
  return findings;
}

/** nexuscone's attestation_hash input: five fields, canonical JSON, ensure_ascii. */
export function buildAttestationHashInput(attestation: AttestationRecord): string | undefined {
  const parts = [
    pythonJsonOfSqlValue(attestation.chainHeadEntryId),
    pythonJsonOfSqlValue(attestation.chainHeadHash),
    pythonJsonOfSqlValue(attestation.prevAttestationHash),
    pythonJsonOfSqlValue(attestation.signedAt),
    pythonJsonOfSqlValue(attestation.witnessId),
  ];
  if (parts.some((part) => part === undefined)) return undefined;
  const [entryId, headHash, prevHash, signedAt, witnessId] = parts as string[];
  return `{"chain_head_entry_id":${entryId},"chain_head_hash":${headHash},"prev_attestation_hash":${prevHash},"signed_at":${signedAt},"witness_id":${witnessId}}`;
}

/**
 * Verifies every witness's attestation sub-chain: links, hashes, Ed25519 signatures (over the raw
 * 32 bytes of attestation_hash, with the key stored in the witnesses table) and that each cosigned
 * head is still in the file. PASS proves the registered witness keys signed these heads; it does
 * not prove who holds those keys, since they come from the same file.
 */
export function checkWitnessAttestations(
  witnesses: readonly WitnessRecord[],
  attestations: readonly AttestationRecord[],
  entryHashAt: EntryHashLookup,
  crypto: CryptoProvider,
): Finding[] {
  const findings: Finding[] = [];
  const witnessById = new Map(witnesses.map((witness) => [witness.witnessId, witness]));
  const lastHashByWitness = new Map<SqlValue, string>();
  const ordered = [...attestations].sort((a, b) =>
    a.witnessId === b.witnessId
      ? a.attestationId - b.attestationId
      : Number(a.witnessId) - Number(b.witnessId),
  );
  for (const attestation of ordered) {
    const id = attestation.attestationId;
    const witness =
      typeof attestation.witnessId === 'number'
        ? witnessById.get(attestation.witnessId)
        : undefined;
    const stored = String(attestation.attestationHash);
    const expectedPrev =
      lastHashByWitness.get(attestation.witnessId) ?? WITNESS_GENESIS_PREVIOUS_HASH;
    lastHashByWitness.set(attestation.witnessId, stored);
    const witnessId = typeof attestation.witnessId === 'number' ? attestation.witnessId : undefined;
    const base = { attestationId: id, witnessId } as const;

    if (attestation.prevAttestationHash !== expectedPrev) {
      findings.push({
        ...base,
        code: 'WITNESS_LINK_BROKEN',
        message: `attestation ${id}: prev_attestation_hash is not the previous attestation_hash of witness ${String(attestation.witnessId)}`,
        expected: expectedPrev,
        actual: String(attestation.prevAttestationHash),
      });
    }
    const input = buildAttestationHashInput(attestation);
    const recomputed = input === undefined ? undefined : crypto.sha256HexOfUtf8(input);
    if (recomputed !== stored) {
      findings.push({
        ...base,
        code: 'WITNESS_HASH_MISMATCH',
        message: `attestation ${id}: stored attestation_hash is not the hash of its fields`,
        expected: recomputed ?? '(no hash: a field is a BLOB)',
        actual: stored,
      });
    }
    if (witness === undefined) {
      findings.push({
        ...base,
        code: 'WITNESS_UNKNOWN',
        message: `attestation ${id} names witness ${String(attestation.witnessId)}, which is not registered`,
        expected: 'a registered witness',
        actual: String(attestation.witnessId),
      });
    } else if (!signatureVerifies(witness, attestation, crypto)) {
      findings.push({
        ...base,
        code: 'WITNESS_SIGNATURE_INVALID',
        message: `attestation ${id}: the signature does not verify with the key of witness ${JSON.stringify(witness.label)}`,
        expected: `a valid Ed25519 signature by ${String(witness.publicKeyHex)}`,
        actual: String(attestation.signatureHex),
      });
    }
    const mismatch = headMismatch(
      entryHashAt,
      attestation.chainHeadEntryId,
      attestation.chainHeadHash,
    );
    if (mismatch) {
      findings.push({
        ...base,
        code: 'WITNESS_HEAD_MISMATCH',
        entryId:
          typeof attestation.chainHeadEntryId === 'number'
            ? attestation.chainHeadEntryId
            : undefined,
        message: `attestation ${id} cosigned entry ${String(attestation.chainHeadEntryId)}, but ${mismatch.reason}`,
        expected: mismatch.expected,
        actual: mismatch.actual,
      });
    }
  }
  return findings;
}

function signatureVerifies(
  witness: WitnessRecord,
  attestation: AttestationRecord,
  crypto: CryptoProvider,
): boolean {
  if (
    !isLowerHex(witness.publicKeyHex, 64) ||
    !isLowerHex(attestation.attestationHash, 64) ||
    !isLowerHex(attestation.signatureHex, 128)
  ) {
    return false;
  }
  return crypto.verifyEd25519(
    hexToBytes(witness.publicKeyHex),
    hexToBytes(attestation.attestationHash),
    hexToBytes(attestation.signatureHex),
  );
}
