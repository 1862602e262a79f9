/** Signed approvals and the decision-store ↔ ledger binding: every failure mode has its code. */
import { describe, expect, it } from 'vitest';
import {
  fromJsValue,
  PyNumber,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { bytesToHex } from '../src-shared/crypto/hex';
import {
  portableCryptoProvider,
  publicKeyFromSeed,
  signEd25519,
} from '../src-shared/crypto/ed25519-portable';
import {
  approvalSigningDigest,
  checkApprovalSignature,
  withSignature,
} from '../src-shared/decisions/approval-signature';
import {
  computeEventDigest,
  type StoredDecisionEvent,
} from '../src-shared/decisions/decision-event';
import {
  crossCheckDecisionLedger,
  decisionLedgerEntry,
  parseRecordedDecisionEvent,
  type RecordedDecisionEvent,
} from '../src-shared/decisions/decision-ledger-binding';
import { replayDecision } from '../src-shared/decisions/decision-replay';
import { createNodeCryptoProvider } from '../src-main/crypto/node-crypto-provider';

const seedOf = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
const ALICE = { type: 'human', id: 'alice@example.com' };
const BOB = { type: 'human', id: 'bob@example.com' };
const trustedSigners = new Map([
  [ALICE.id, publicKeyFromSeed(seedOf(1))],
  [BOB.id, publicKeyFromSeed(seedOf(2))],
]);

function event(
  seq: number,
  eventType: string,
  actor: typeof ALICE,
  payload: PyJsonObject,
  ts: string,
): StoredDecisionEvent {
  return {
    decisionId: 'd-1',
    seq,
    eventType,
    ts,
    actor,
    payload,
    digest: computeEventDigest(eventType, payload, portableCryptoProvider),
  };
}

function signedApproval(
  seq: number,
  actor: typeof ALICE,
  seed: Uint8Array,
  keyId = actor.id,
): StoredDecisionEvent {
  const ts = `2026-11-22T10:0${seq}:00.000001+00:00`;
  const payload = fromJsValue({ expires_at: null, comment: 'Reviewed' }) as PyJsonObject;
  const digest = approvalSigningDigest(
    { decisionId: 'd-1', seq, eventType: 'APPROVAL_GRANTED', payload, actor, ts },
    portableCryptoProvider,
  );
  return event(
    seq,
    'APPROVAL_GRANTED',
    actor,
    withSignature(payload, keyId, bytesToHex(signEd25519(seed, digest))),
    ts,
  );
}

describe.each([
  ['node:crypto', createNodeCryptoProvider()],
  ['noble', portableCryptoProvider],
])('signed approvals (%s)', (_name, crypto) => {
  it('a signature by the approver’s trusted key is valid', () => {
    expect(
      checkApprovalSignature(signedApproval(2, ALICE, seedOf(1)), trustedSigners, crypto),
    ).toEqual({ kind: 'valid', signerKeyId: ALICE.id });
  });

  it('an unsigned approval is reported as unsigned, not invalid', () => {
    const plain = event(
      2,
      'APPROVAL_GRANTED',
      ALICE,
      fromJsValue({ expires_at: null }) as PyJsonObject,
      '2026-11-22T10:00:00+00:00',
    );
    expect(checkApprovalSignature(plain, trustedSigners, crypto)).toEqual({ kind: 'unsigned' });
  });

  it.each([
    [
      'the comment',
      (e: StoredDecisionEvent) => ({
        ...e,
        payload: new Map(e.payload as PyJsonObject).set('comment', 'Rubber stamp'),
      }),
    ],
    ['the time', (e: StoredDecisionEvent) => ({ ...e, ts: '2026-11-22T11:00:00+00:00' })],
    ['the position', (e: StoredDecisionEvent) => ({ ...e, seq: 7 })],
    ['the decision', (e: StoredDecisionEvent) => ({ ...e, decisionId: 'd-2' })],
    [
      'the expiry',
      (e: StoredDecisionEvent) => ({
        ...e,
        payload: new Map(e.payload as PyJsonObject).set('expires_at', '2099-01-01T00:00:00+00:00'),
      }),
    ],
  ])('editing %s after signing is APPROVAL_SIGNATURE_INVALID', (_what, edit) => {
    const result = checkApprovalSignature(
      edit(signedApproval(2, ALICE, seedOf(1))),
      trustedSigners,
      crypto,
    );
    expect(result).toMatchObject({
      kind: 'invalid',
      finding: { code: 'APPROVAL_SIGNATURE_INVALID' },
    });
  });

  it('another officer’s key, an untrusted key, or no keyring: APPROVAL_SIGNER_UNKNOWN', () => {
    const bobSignsForAlice = signedApproval(2, ALICE, seedOf(2), BOB.id);
    expect(checkApprovalSignature(bobSignsForAlice, trustedSigners, crypto)).toMatchObject({
      finding: { code: 'APPROVAL_SIGNER_UNKNOWN' },
    });
    const mallory = { type: 'human', id: 'mallory@example.com' };
    expect(
      checkApprovalSignature(signedApproval(2, mallory, seedOf(9)), trustedSigners, crypto),
    ).toMatchObject({ finding: { code: 'APPROVAL_SIGNER_UNKNOWN' } });
    expect(checkApprovalSignature(signedApproval(2, ALICE, seedOf(1)), null, crypto)).toMatchObject(
      { finding: { code: 'APPROVAL_SIGNER_UNKNOWN' } },
    );
  });

  it('malformed signature fields are APPROVAL_SIGNATURE_INVALID', () => {
    const signed = signedApproval(2, ALICE, seedOf(1));
    const broken = {
      ...signed,
      payload: new Map(signed.payload as PyJsonObject).set('signature', 'zz'),
    };
    expect(checkApprovalSignature(broken, trustedSigners, crypto)).toMatchObject({
      finding: { code: 'APPROVAL_SIGNATURE_INVALID' },
    });
  });
});

describe('decision store ↔ ledger binding', () => {
  const crypto = portableCryptoProvider;
  const history = (): StoredDecisionEvent[] => [
    event(
      0,
      'DECISION_CREATED',
      ALICE,
      fromJsValue({
        goal: 'Rotate keys',
        plan: null,
        requested_mode: 'apply',
        labels: [],
      }) as PyJsonObject,
      '2026-11-22T10:00:00.100000+00:00',
    ),
    event(
      1,
      'POLICY_ATTACHED',
      ALICE,
      new Map<string, PyJsonValue>([
        ['min_approvals', new PyNumber('2')],
        ['max_steps', new PyNumber('10.0')],
      ]),
      '2026-11-22T10:00:00.200000+00:00',
    ),
    signedApproval(2, ALICE, seedOf(1)),
    signedApproval(3, BOB, seedOf(2)),
  ];
  const record = (events: readonly StoredDecisionEvent[]): RecordedDecisionEvent[] =>
    events.map((stored, index) => {
      const entry = decisionLedgerEntry(stored);
      expect(entry.eventType).toBe('decision');
      return parseRecordedDecisionEvent(index + 1, entry.payload) as RecordedDecisionEvent;
    });
  const check = (
    events: readonly StoredDecisionEvent[],
    recorded: readonly RecordedDecisionEvent[],
  ) => crossCheckDecisionLedger([{ decisionId: 'd-1', events }], recorded, crypto);
  const codes = (findings: readonly { code: string; seq?: number }[]) =>
    findings.map((finding) => `${finding.code}@${finding.seq}`);

  it('a recorded history checks clean, and the entry payload round-trips', () => {
    const events = history();
    const recorded = record(events);
    expect(recorded[1]).toMatchObject({
      decisionId: 'd-1',
      seq: 1,
      eventType: 'POLICY_ATTACHED',
      actorId: ALICE.id,
    });
    expect(check(events, recorded)).toEqual({
      failures: [],
      unrecordedOutside: [],
      recordedEvents: 4,
    });
  });

  it('a deleted event is DECISION_EVENT_MISSING', () => {
    const events = history();
    const recorded = record(events);
    expect(
      codes(
        check(
          events.filter((stored) => stored.seq !== 3),
          recorded,
        ).failures,
      ),
    ).toEqual(['DECISION_EVENT_MISSING@3']);
  });

  it.each([
    [
      'actor',
      (e: StoredDecisionEvent) => ({ ...e, actor: { type: 'human', id: 'mallory@example.com' } }),
    ],
    ['ts', (e: StoredDecisionEvent) => ({ ...e, ts: '2026-01-01T00:00:00+00:00' })],
    [
      'payload, digest recomputed',
      (e: StoredDecisionEvent) => {
        const payload = new Map(e.payload as PyJsonObject).set('comment', 'changed');
        return { ...e, payload, digest: computeEventDigest(e.eventType, payload, crypto) };
      },
    ],
    [
      'payload, digest left',
      (e: StoredDecisionEvent) => ({
        ...e,
        payload: new Map(e.payload as PyJsonObject).set('comment', 'changed'),
      }),
    ],
  ])('an edited %s is DECISION_EVENT_ALTERED', (_what, edit) => {
    const events = history();
    const recorded = record(events);
    const edited = events.map((stored) => (stored.seq === 2 ? edit(stored) : stored));
    expect(codes(check(edited, recorded).failures)).toEqual(['DECISION_EVENT_ALTERED@2']);
  });

  it('an event slipped in between recorded ones fails; one outside the recorded stretch is reported apart', () => {
    const events = history();
    const recorded = record(events).filter((entry) => entry.seq !== 2);
    expect(codes(check(events, recorded).failures)).toEqual(['DECISION_EVENT_UNRECORDED@2']);
    const trailing = check(
      events,
      record(events).filter((entry) => entry.seq !== 3),
    );
    expect(trailing.failures).toEqual([]);
    expect(codes(trailing.unrecordedOutside)).toEqual(['DECISION_EVENT_UNRECORDED@3']);
  });

  it('an event recorded twice means it was rewritten: DECISION_EVENT_ALTERED', () => {
    const events = history();
    const recorded = record(events);
    const rewritten = {
      ...(recorded[2] as RecordedDecisionEvent),
      entryId: 99,
      eventDigest: 'f'.repeat(64),
    };
    expect(codes(check(events, [...recorded, rewritten]).failures)).toEqual([
      'DECISION_EVENT_ALTERED@2',
    ]);
  });

  it('ledger payloads that Proofdesk did not write are ignored, not misread', () => {
    expect(parseRecordedDecisionEvent(1, '{"decision_id":"x"}')).toBeNull();
    expect(parseRecordedDecisionEvent(1, 'not json')).toBeNull();
    expect(
      parseRecordedDecisionEvent(
        1,
        '{"actor":{"id":"a","type":"human"},"decision_id":"d","event_digest":"e","event_type":"T","seq":1.0,"ts":"t"}',
      ),
    ).toBeNull();
  });
});

describe('require_signed_approvals: only trusted signed approvals count', () => {
  const policy = (requireSigned: boolean): StoredDecisionEvent =>
    event(
      1,
      'POLICY_ATTACHED',
      ALICE,
      fromJsValue({
        min_approvals: 2,
        allowed_modes: ['dry_run'],
        require_adapter_capabilities: [],
        max_steps: null,
        labels: [],
        ...(requireSigned ? { require_signed_approvals: true } : {}),
      }) as PyJsonObject,
      '2026-11-22T10:00:00.200000+00:00',
    );
  const created = event(
    0,
    'DECISION_CREATED',
    ALICE,
    fromJsValue({ goal: 'g', plan: null, requested_mode: 'dry_run', labels: [] }) as PyJsonObject,
    '2026-11-22T10:00:00.100000+00:00',
  );
  const unsignedBob = event(
    3,
    'APPROVAL_GRANTED',
    BOB,
    fromJsValue({ expires_at: null }) as PyJsonObject,
    '2026-11-22T10:03:00+00:00',
  );
  const trusted = (stored: StoredDecisionEvent): boolean =>
    checkApprovalSignature(stored, trustedSigners, portableCryptoProvider).kind === 'valid';
  const asOf = new Date('2026-11-23T00:00:00Z');

  it('an unsigned approval does not count under the policy, and does without it', () => {
    const signedAlice = signedApproval(2, ALICE, seedOf(1));
    const strict = replayDecision('d-1', [created, policy(true), signedAlice, unsignedBob], asOf, {
      isTrustedApproval: trusted,
    });
    expect(strict.ok && [strict.decision.state, strict.decision.activeApprovalCount]).toEqual([
      'pending_approval',
      1,
    ]);
    const lenient = replayDecision(
      'd-1',
      [created, policy(false), signedAlice, unsignedBob],
      asOf,
      { isTrustedApproval: trusted },
    );
    expect(lenient.ok && [lenient.decision.state, lenient.decision.activeApprovalCount]).toEqual([
      'approved',
      2,
    ]);
  });

  it('two trusted signed approvals meet the threshold; without trust material none count', () => {
    const events = [
      created,
      policy(true),
      signedApproval(2, ALICE, seedOf(1)),
      signedApproval(3, BOB, seedOf(2)),
    ];
    const withSigners = replayDecision('d-1', events, asOf, { isTrustedApproval: trusted });
    expect(withSigners.ok && withSigners.decision.state).toBe('approved');
    const withoutSigners = replayDecision('d-1', events, asOf);
    expect(withoutSigners.ok && withoutSigners.decision.activeApprovalCount).toBe(0);
  });
});
