/**
 * Signed approvals and revocations, Proofdesk's addition to nexus-attest. nexus-attest counts an
 * approval for whoever's id is in the actor column; nothing proves that person approved. Here the
 * approver's Ed25519 key signs the digest of everything the event means, and the signature travels
 * in the payload as two extra fields, which nexus-attest's replay ignores (it reads fields by name).
 *
 * Signed message: the raw 32 bytes of H({decision_id, seq, event_type, payload, actor, ts}) with
 * nexus-attest's canonical JSON, where `payload` is the stored payload without the two signature
 * fields. A signer's key id is the approver's actor id: one key per officer, so a valid signature
 * by another officer's key does not make an approval count.
 */
import type { CryptoProvider } from '../crypto/crypto-provider';
import { hexToBytes, isLowerHex } from '../crypto/hex';
import type { Keyring } from '../keyring';
import { PyNumber, type PyJsonObject, type PyJsonValue } from '../canonical-json/python-json';
import type { Finding } from '../verification-report';
import { attestDigest, type DecisionActor, type StoredDecisionEvent } from './decision-event';

export const SIGNATURE_FIELD = 'signature';
export const SIGNER_KEY_ID_FIELD = 'signer_key_id';
export const SIGNED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'APPROVAL_GRANTED',
  'APPROVAL_REVOKED',
]);

export interface SignableEvent {
  readonly decisionId: string;
  readonly seq: number;
  readonly eventType: string;
  /** The payload as it will be stored, without the signature fields. */
  readonly payload: PyJsonObject;
  readonly actor: DecisionActor;
  readonly ts: string;
}

/** The 32 bytes an approver signs. */
export function approvalSigningDigest(event: SignableEvent, crypto: CryptoProvider): Uint8Array {
  const actor: PyJsonObject = new Map<string, PyJsonValue>([
    ['type', event.actor.type],
    ['id', event.actor.id],
  ]);
  const message: PyJsonObject = new Map<string, PyJsonValue>([
    ['decision_id', event.decisionId],
    ['seq', new PyNumber(String(event.seq))],
    ['event_type', event.eventType],
    ['payload', event.payload],
    ['actor', actor],
    ['ts', event.ts],
  ]);
  return hexToBytes(attestDigest(message, crypto));
}

/** The payload with the signature fields added after the fields nexus-attest writes. */
export function withSignature(
  payload: PyJsonObject,
  signerKeyId: string,
  signatureHex: string,
): PyJsonObject {
  return new Map<string, PyJsonValue>([
    ...payload,
    [SIGNER_KEY_ID_FIELD, signerKeyId],
    [SIGNATURE_FIELD, signatureHex],
  ]);
}

export type ApprovalSignatureStatus =
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'valid'; readonly signerKeyId: string }
  | { readonly kind: 'invalid'; readonly finding: Finding };

/**
 * Checks one approval or revocation event's signature against trusted signers. `valid` proves the
 * holder of the approver's registered key signed this exact event (decision, position, payload,
 * actor and time); it does not prove the keyring itself is right, which is trust material the
 * caller supplies.
 */
export function checkApprovalSignature(
  event: StoredDecisionEvent,
  trustedSigners: Keyring | null,
  crypto: CryptoProvider,
): ApprovalSignatureStatus {
  if (!SIGNED_EVENT_TYPES.has(event.eventType) || !(event.payload instanceof Map))
    return { kind: 'unsigned' };
  const signature = event.payload.get(SIGNATURE_FIELD);
  const keyId = event.payload.get(SIGNER_KEY_ID_FIELD);
  if (signature === undefined && keyId === undefined) return { kind: 'unsigned' };
  const where = `decision ${event.decisionId} event ${event.seq} (${event.eventType} by ${event.actor.id})`;
  if (typeof keyId !== 'string' || !isLowerHex(signature, 128)) {
    return {
      kind: 'invalid',
      finding: {
        code: 'APPROVAL_SIGNATURE_INVALID',
        message: `${where}: the signature fields are malformed`,
        expected: '128 lowercase hex characters and a signer key id',
        actual: `${JSON.stringify(keyId ?? null)} / ${typeof signature === 'string' ? signature.slice(0, 140) : JSON.stringify(signature ?? null)}`,
      },
    };
  }
  const publicKey = keyId === event.actor.id ? trustedSigners?.get(keyId) : undefined;
  if (publicKey === undefined) {
    return {
      kind: 'invalid',
      finding: {
        code: 'APPROVAL_SIGNER_UNKNOWN',
        message:
          keyId !== event.actor.id
            ? `${where}: signed with ${keyId}'s key, not the approver's`
            : `${where}: ${keyId} is not a trusted signer`,
        expected: `a trusted key for ${event.actor.id}`,
        actual: keyId,
      },
    };
  }
  const unsigned = new Map(event.payload);
  unsigned.delete(SIGNATURE_FIELD);
  unsigned.delete(SIGNER_KEY_ID_FIELD);
  const digest = approvalSigningDigest({ ...event, payload: unsigned }, crypto);
  if (!crypto.verifyEd25519(publicKey, digest, hexToBytes(signature))) {
    return {
      kind: 'invalid',
      finding: {
        code: 'APPROVAL_SIGNATURE_INVALID',
        message: `${where}: the signature does not verify with ${keyId}'s key`,
        expected: `a valid Ed25519 signature by ${keyId}`,
        actual: signature,
      },
    };
  }
  return { kind: 'valid', signerKeyId: keyId };
}
