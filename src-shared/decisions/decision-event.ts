/**
 * nexus-attest's decision events as stored in `decision_events` (../shared/specs/nexus-attest.md
 * §2.1, §3, §11). Payloads are parsed losslessly, so `10.0` stays a float and digests recompute
 * byte for byte.
 */
import type { CryptoProvider } from '../crypto/crypto-provider';
import {
  NEXUS_ATTEST_DIALECT,
  parsePythonJson,
  serializePythonJson,
  type PyJsonObject,
  type PyJsonValue,
} from '../canonical-json/python-json';

export const DECISION_EVENT_TYPES = [
  'DECISION_CREATED',
  'POLICY_ATTACHED',
  'APPROVAL_GRANTED',
  'APPROVAL_REVOKED',
  'EXECUTION_REQUESTED',
  'EXECUTION_STARTED',
  'EXECUTION_COMPLETED',
  'EXECUTION_FAILED',
] as const;
export type DecisionEventType = (typeof DECISION_EVENT_TYPES)[number];

export interface DecisionActor {
  readonly type: string;
  readonly id: string;
}

/** One row of decision_events, with its payload parsed. */
export interface StoredDecisionEvent {
  readonly decisionId: string;
  readonly seq: number;
  /** As stored; replay rejects anything outside DECISION_EVENT_TYPES. */
  readonly eventType: string;
  /** Python isoformat text, covered verbatim by nothing but kept verbatim everywhere. */
  readonly ts: string;
  readonly actor: DecisionActor;
  readonly payload: PyJsonValue;
  /** The digest column as stored (raw hex). */
  readonly digest: string;
}

/** Raw SQLite row of decision_events. */
export interface DecisionEventRow {
  readonly decision_id: string;
  readonly seq: number;
  readonly event_type: string;
  readonly ts: string;
  readonly actor_type: string;
  readonly actor_id: string;
  readonly payload: string;
  readonly digest: string;
}

export function eventFromRow(row: DecisionEventRow): StoredDecisionEvent {
  return {
    decisionId: row.decision_id,
    seq: row.seq,
    eventType: row.event_type,
    ts: row.ts,
    actor: { type: row.actor_type, id: row.actor_id },
    payload: parsePythonJson(row.payload),
    digest: row.digest,
  };
}

/** nexus-attest's canonical JSON: sorted keys, no spaces, UTF-8 raw, no NaN. */
export function canonicalAttestJson(value: PyJsonValue): string {
  return serializePythonJson(value, NEXUS_ATTEST_DIALECT);
}

/** H(x) = lowercase hex SHA-256 of the UTF-8 canonical JSON. */
export function attestDigest(value: PyJsonValue, crypto: CryptoProvider): string {
  return crypto.sha256HexOfUtf8(canonicalAttestJson(value));
}

/**
 * The event digest: H({"event_type", "payload"}). It covers neither ts, actor, seq nor
 * decision_id, which is why Proofdesk also records each event in a ledger.
 */
export function computeEventDigest(
  eventType: string,
  payload: PyJsonValue,
  crypto: CryptoProvider,
): string {
  const object: PyJsonObject = new Map<string, PyJsonValue>([
    ['event_type', eventType],
    ['payload', payload],
  ]);
  return attestDigest(object, crypto);
}
