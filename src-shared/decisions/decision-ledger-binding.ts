/**
 * Binding a nexus-attest decision store to a nexuscone ledger. nexus-attest's rows are not
 * tamper-evident: an event digest covers neither actor, ts nor seq, and nothing chains the rows.
 * So each decision event Proofdesk writes is also appended to a ledger, and the ledger's own
 * checks (hash chain, signatures, anchors, trusted head) then protect the decision history.
 */
import {
  NEXUSCONE_DIALECT,
  parsePythonJson,
  PyNumber,
  serializePythonJson,
  type PyJsonObject,
  type PyJsonValue,
} from '../canonical-json/python-json';
import type { CryptoProvider } from '../crypto/crypto-provider';
import type { Finding } from '../verification-report';
import { computeEventDigest, type StoredDecisionEvent } from './decision-event';

/** nexuscone event_type of the entries that record decision events. */
export const DECISION_LEDGER_EVENT_TYPE = 'decision';

/** What a ledger entry records about one decision event. */
export interface RecordedDecisionEvent {
  readonly entryId: number;
  readonly decisionId: string;
  readonly seq: number;
  readonly eventType: string;
  readonly eventDigest: string;
  readonly actorType: string;
  readonly actorId: string;
  readonly ts: string;
}

/** The ledger entry (actor, action, event_type, canonical payload) for a stored decision event. */
export function decisionLedgerEntry(event: StoredDecisionEvent): {
  actor: string;
  action: string;
  eventType: string;
  payload: string;
} {
  const payload: PyJsonObject = new Map<string, PyJsonValue>([
    ['decision_id', event.decisionId],
    ['seq', new PyNumber(String(event.seq))],
    ['event_type', event.eventType],
    ['event_digest', event.digest],
    [
      'actor',
      new Map<string, PyJsonValue>([
        ['type', event.actor.type],
        ['id', event.actor.id],
      ]),
    ],
    ['ts', event.ts],
  ]);
  return {
    actor: event.actor.id,
    action: event.eventType,
    eventType: DECISION_LEDGER_EVENT_TYPE,
    payload: serializePythonJson(payload, NEXUSCONE_DIALECT),
  };
}

/** Reads a `decision` ledger entry's payload; null when it is not one Proofdesk wrote. */
export function parseRecordedDecisionEvent(
  entryId: number,
  payloadText: string,
): RecordedDecisionEvent | null {
  let value: PyJsonValue;
  try {
    value = parsePythonJson(payloadText);
  } catch {
    return null;
  }
  if (!(value instanceof Map)) return null;
  const actor = value.get('actor');
  const seq = value.get('seq');
  const text = (key: string): string | null => {
    const field = value.get(key);
    return typeof field === 'string' ? field : null;
  };
  const decisionId = text('decision_id');
  const eventType = text('event_type');
  const eventDigest = text('event_digest');
  const ts = text('ts');
  if (
    decisionId === null ||
    eventType === null ||
    eventDigest === null ||
    ts === null ||
    !(seq instanceof PyNumber) ||
    !seq.isInteger ||
    !(actor instanceof Map) ||
    typeof actor.get('type') !== 'string' ||
    typeof actor.get('id') !== 'string'
  ) {
    return null;
  }
  return {
    entryId,
    decisionId,
    seq: Number(seq.lexeme),
    eventType,
    eventDigest,
    actorType: actor.get('type') as string,
    actorId: actor.get('id') as string,
    ts,
  };
}

export interface DecisionEvents {
  readonly decisionId: string;
  readonly events: readonly StoredDecisionEvent[];
}

export interface BindingCheck {
  readonly failures: Finding[];
  /** Events no ledger entry covers, outside any recorded stretch: written by a tool that does not record. */
  readonly unrecordedOutside: Finding[];
  readonly recordedEvents: number;
}

/**
 * Cross-checks decision events against their ledger entries. A clean result proves every recorded
 * event is still in the store with the digest, actor and time the ledger holds, and that no event
 * was slipped in between recorded ones. It does not prove anything about events outside the
 * recorded stretch of a decision (reported separately), nor about the ledger itself, which its own
 * verification covers.
 */
export function crossCheckDecisionLedger(
  decisions: readonly DecisionEvents[],
  recorded: readonly RecordedDecisionEvent[],
  crypto: CryptoProvider,
): BindingCheck {
  const failures: Finding[] = [];
  const unrecordedOutside: Finding[] = [];
  const storeByKey = new Map<string, StoredDecisionEvent>();
  for (const decision of decisions) {
    for (const event of decision.events)
      storeByKey.set(`${decision.decisionId}\u0000${event.seq}`, event);
  }
  const recordedByKey = new Map<string, RecordedDecisionEvent>();
  for (const record of recorded) {
    const key = `${record.decisionId}\u0000${record.seq}`;
    const earlier = recordedByKey.get(key);
    if (earlier !== undefined) {
      failures.push({
        code: 'DECISION_EVENT_ALTERED',
        decisionId: record.decisionId,
        seq: record.seq,
        entryId: record.entryId,
        message: `decision ${record.decisionId} event ${record.seq} was recorded twice (entries ${earlier.entryId} and ${record.entryId}): it was rewritten after it was first recorded`,
        expected: earlier.eventDigest,
        actual: record.eventDigest,
      });
      continue;
    }
    recordedByKey.set(key, record);
    const event = storeByKey.get(key);
    const where = `decision ${record.decisionId} event ${record.seq}`;
    if (event === undefined) {
      failures.push({
        code: 'DECISION_EVENT_MISSING',
        decisionId: record.decisionId,
        seq: record.seq,
        entryId: record.entryId,
        message: `${where} (${record.eventType} by ${record.actorId}) is recorded in ledger entry ${record.entryId} but is gone from the decision store`,
        expected: record.eventDigest,
        actual: '(no event)',
      });
      continue;
    }
    const differences: string[] = [];
    if (event.eventType !== record.eventType)
      differences.push(`event_type ${event.eventType} ≠ ${record.eventType}`);
    if (event.digest !== record.eventDigest) differences.push('stored digest differs');
    if (computeEventDigest(event.eventType, event.payload, crypto) !== record.eventDigest) {
      differences.push('payload no longer hashes to the recorded digest');
    }
    if (event.actor.type !== record.actorType || event.actor.id !== record.actorId) {
      differences.push(
        `actor ${event.actor.type}:${event.actor.id} ≠ ${record.actorType}:${record.actorId}`,
      );
    }
    if (event.ts !== record.ts) differences.push(`ts ${event.ts} ≠ ${record.ts}`);
    if (differences.length > 0) {
      failures.push({
        code: 'DECISION_EVENT_ALTERED',
        decisionId: record.decisionId,
        seq: record.seq,
        entryId: record.entryId,
        message: `${where} differs from ledger entry ${record.entryId}: ${differences.join('; ')}`,
        expected: `${record.eventType} ${record.eventDigest} by ${record.actorType}:${record.actorId} at ${record.ts}`,
        actual: `${event.eventType} ${event.digest} by ${event.actor.type}:${event.actor.id} at ${event.ts}`,
      });
    }
  }
  for (const decision of decisions) {
    const recordedSeqs = decision.events
      .map((event) => event.seq)
      .filter((seq) => recordedByKey.has(`${decision.decisionId}\u0000${seq}`));
    const first = Math.min(...recordedSeqs);
    const last = Math.max(...recordedSeqs);
    for (const event of decision.events) {
      if (recordedByKey.has(`${decision.decisionId}\u0000${event.seq}`)) continue;
      const inside = recordedSeqs.length > 0 && event.seq > first && event.seq < last;
      const finding: Finding = {
        code: 'DECISION_EVENT_UNRECORDED',
        decisionId: decision.decisionId,
        seq: event.seq,
        message: inside
          ? `decision ${decision.decisionId} event ${event.seq} (${event.eventType} by ${event.actor.id}) has no ledger entry although the events around it do: it was inserted afterwards`
          : `decision ${decision.decisionId} event ${event.seq} (${event.eventType} by ${event.actor.id}) has no ledger entry, so nothing protects it from later edits`,
        expected: 'a ledger entry',
        actual: '(none)',
      };
      (inside ? failures : unrecordedOutside).push(finding);
    }
  }
  return { failures, unrecordedOutside, recordedEvents: recordedByKey.size };
}
