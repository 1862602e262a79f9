/**
 * Replay rules on hand-built event logs (spec §5, §7, §8): time as an input, the Python quirks
 * that must be reproduced, every way a log can be unreplayable, and a property test that no
 * sequence of events makes replay, lifecycle or views throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NEXUSCONE_DIALECT,
  PyNumber,
  parsePythonJson,
  serializePythonJson,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import {
  DECISION_EVENT_TYPES,
  canonicalAttestJson,
  type StoredDecisionEvent,
} from '../src-shared/decisions/decision-event';
import {
  computeBlockingReasons,
  computeLifecycle,
  computeTimeline,
  inspectVerdict,
  lifecycleOfReplay,
  unreplayableVerdict,
} from '../src-shared/decisions/decision-lifecycle';
import { replayDecision, type DecisionState } from '../src-shared/decisions/decision-replay';
import {
  inspectToolView,
  lifecycleView,
  listRequestsView,
  statusToolView,
  viewToPyJson,
} from '../src-shared/decisions/decision-views';
import { parsePythonIsoformat } from '../src-shared/decisions/python-datetime';

const ID = 'dec-1';
const T0 = parsePythonIsoformat('2026-11-22T21:00:00+00:00').epochMicros;
const MINUTE = 60_000_000n;

interface Spec {
  readonly type: string;
  readonly payload: string | PyJsonValue;
  readonly actor?: string;
  readonly system?: boolean;
  readonly ts?: string;
}

function ts(index: number): string {
  return `2026-11-22T21:${String(index).padStart(2, '0')}:00.000001+00:00`;
}

function log(specs: readonly Spec[], decisionId = ID): StoredDecisionEvent[] {
  return specs.map((spec, seq) => ({
    decisionId,
    seq,
    eventType: spec.type,
    ts: spec.ts ?? ts(seq),
    actor: { type: spec.system === true ? 'system' : 'human', id: spec.actor ?? 'alice' },
    payload: typeof spec.payload === 'string' ? parsePythonJson(spec.payload) : spec.payload,
    digest: '0'.repeat(64),
  }));
}

const created: Spec = {
  type: 'DECISION_CREATED',
  payload: '{"goal": "g", "plan": null, "requested_mode": "apply", "labels": []}',
};
const policy = (min: number, extra = ''): Spec => ({
  type: 'POLICY_ATTACHED',
  payload: `{"min_approvals": ${min}, "allowed_modes": ["dry_run", "apply"], "require_adapter_capabilities": [], "max_steps": null, "labels": []${extra}}`,
});
const grant = (actor: string, expiresAt: string | null = null, comment?: string): Spec => ({
  type: 'APPROVAL_GRANTED',
  actor,
  payload: new Map<string, PyJsonValue>([
    ['expires_at', expiresAt],
    ...(comment === undefined ? [] : ([['comment', comment]] as [string, PyJsonValue][])),
  ]),
});
const revoke = (actor: string, reason = ''): Spec => ({
  type: 'APPROVAL_REVOKED',
  actor,
  payload: new Map<string, PyJsonValue>([['reason', reason]]),
});
const requested: Spec = {
  type: 'EXECUTION_REQUESTED',
  actor: 'scheduler',
  system: true,
  payload: '{"adapter_id": "subprocess:x", "dry_run": false}',
};
const started: Spec = {
  type: 'EXECUTION_STARTED',
  actor: 'nexus-control',
  system: true,
  payload: `{"router_request_digest": "${'a'.repeat(64)}"}`,
};

function ok(specs: readonly Spec[], asOf: bigint = T0 + 100n * MINUTE): DecisionState {
  const result = replayDecision(ID, log(specs), asOf);
  if (!result.ok) throw new Error(result.message);
  return result.decision;
}

function failure(specs: readonly Spec[] | StoredDecisionEvent[], asOf: bigint = T0) {
  const events =
    specs.length > 0 && 'seq' in (specs[0] as object)
      ? (specs as StoredDecisionEvent[])
      : log(specs as Spec[]);
  const result = replayDecision(ID, events, asOf);
  if (result.ok) throw new Error('expected UNREPLAYABLE');
  return result;
}

describe('time is an input', () => {
  const expiry = '2026-11-22T22:00:00+00:00';
  const expiryMicros = parsePythonIsoformat(expiry).epochMicros;
  const events = [created, policy(1), grant('alice', expiry)];

  it('is APPROVED before the approval expires and APPROVAL_EXPIRED from that instant on', () => {
    const before = ok(events, expiryMicros - 1n);
    expect(before.state).toBe('approved');
    expect(before.isApproved).toBe(true);
    expect(computeBlockingReasons(before)).toEqual([]);
    expect(inspectVerdict(before)).toEqual({
      ok: true,
      message: 'Decision approved (ready to execute)',
    });

    for (const asOf of [expiryMicros, expiryMicros + MINUTE]) {
      const after = ok(events, asOf);
      expect(after.state).toBe('pending_approval');
      expect(after.activeApprovalCount).toBe(0);
      expect(computeBlockingReasons(after)).toEqual([
        {
          code: 'APPROVAL_EXPIRED',
          message: 'Approvals expired: 1 approval(s) have expired',
          details: { expired_count: 1, current_valid: 0, required: 1 },
        },
      ]);
      expect(inspectVerdict(after).message).toBe('Decision not executable (missing 1 approval)');
    }
  });

  it('accepts a Date as well as microseconds and is reproducible', () => {
    const asDate = replayDecision(ID, log(events), new Date('2026-11-22T21:59:59.999Z'));
    expect(asDate.ok && asDate.decision.state).toBe('approved');
    const afterDate = replayDecision(ID, log(events), new Date('2026-11-22T22:00:00.000Z'));
    expect(afterDate.ok && afterDate.decision.state).toBe('pending_approval');
    const a = statusToolView(ok(events, expiryMicros + 5n));
    const b = statusToolView(ok(events, expiryMicros + 5n));
    expect(canonicalAttestJson(viewToPyJson(a))).toBe(canonicalAttestJson(viewToPyJson(b)));
  });

  it('does not revisit a decision that already executed (expiry only moves approval states)', () => {
    const executed = ok(
      [created, policy(1), grant('alice', expiry), requested, started],
      expiryMicros + 1n,
    );
    expect(executed.state).toBe('executing');
    expect(executed.activeApprovalCount).toBe(0);
  });

  it('reports MISSING_APPROVALS, not APPROVAL_EXPIRED, when too few approvals were ever left', () => {
    const d = ok([created, policy(2), grant('alice', expiry)], expiryMicros);
    expect(computeBlockingReasons(d).map((r) => r.code)).toEqual(['MISSING_APPROVALS']);
    expect(computeBlockingReasons(d)[0]?.message).toBe('Missing 2 approvals');
  });
});

describe('nexus-attest rules reproduced', () => {
  it('counts distinct actor ids, lets a revoked approver approve again in the same slot', () => {
    const d = ok([
      created,
      policy(2),
      grant('bob'),
      grant('alice'),
      revoke('bob', 'oops'),
      grant('bob'),
    ]);
    expect([...d.approvals.keys()]).toEqual(['bob', 'alice']);
    expect(d.approvals.get('bob')?.revoked).toBe(false);
    expect(d.state).toBe('approved');
  });

  it('ignores a revocation by someone who never approved', () => {
    const d = ok([created, policy(1), grant('alice'), revoke('mallory')]);
    expect(d.state).toBe('approved');
    expect(d.approvals.has('mallory')).toBe(false);
  });

  it('puts an executing or completed decision back to pending_approval on a new POLICY_ATTACHED', () => {
    const d = ok([created, policy(1), grant('alice'), requested, started, policy(1)]);
    expect(d.state).toBe('pending_approval');
    expect(d.isApproved).toBe(true);
    expect(inspectVerdict(d).message).toBe('Decision not executable (missing 0 approvals)');
  });

  it('keeps the naive THRESHOLD_MET counter (one entry, ignores expiry and repeats)', () => {
    const d = ok([
      created,
      policy(2),
      grant('alice'),
      revoke('alice'),
      grant('alice'),
      grant('bob'),
      grant('carol'),
    ]);
    const thresholds = computeTimeline(d).filter((e) => e.eventType === 'THRESHOLD_MET');
    expect(thresholds).toEqual([
      {
        ts: ts(5),
        category: 'decision',
        label: 'approved',
        summary: 'Approval threshold met (2/2)',
        actor: null,
        eventType: 'THRESHOLD_MET',
        seq: 5,
      },
    ]);
    const timeline = computeTimeline(d);
    expect(timeline.findIndex((e) => e.eventType === 'THRESHOLD_MET')).toBe(
      timeline.findIndex((e) => e.seq === 5) + 1,
    );
  });

  it('writes timeline summaries as nexus-attest does', () => {
    const failed: Spec = {
      type: 'EXECUTION_FAILED',
      actor: 'nexus-control',
      system: true,
      payload: new Map<string, PyJsonValue>([
        ['error_code', 'ROUTER_ERROR'],
        ['error_message', '😀'.repeat(60)],
        ['run_id', null],
      ]),
    };
    const d = ok([
      created,
      policy(1, ', "template_name": "t", "template_digest": "ab"'),
      grant('alice', null, 'ok "then"'),
      revoke('alice', 'why'),
      requested,
      started,
      failed,
    ]);
    const summaries = computeTimeline(d).map((e) => [e.summary, e.actor]);
    expect(summaries).toEqual([
      ['Decision created', 'alice'],
      ['Policy attached from template "t"', 'alice'],
      ['Approval granted by alice: "ok "then""', 'alice'],
      ['Approval threshold met (1/1)', null],
      ['Approval revoked by alice: "why"', 'alice'],
      ['Execution requested (apply) via subprocess:x', 'system:scheduler'],
      ['Execution started', 'system:nexus-control'],
      // 47 code points (not UTF-16 units) and "...".
      [`Execution failed: ${'😀'.repeat(47)}...`, 'system:nexus-control'],
    ]);
    expect(d.templateRef).toMatchObject({ name: 't', digest: 'ab' });
    expect(computeBlockingReasons(d)[0]?.message).toBe(
      `Previous execution failed: ${'😀'.repeat(60)}`,
    );
  });

  it('turns steps_executed 0 into null and shows a float count as Python prints it', () => {
    const completed = (steps: string): Spec => ({
      type: 'EXECUTION_COMPLETED',
      system: true,
      actor: 'nexus-control',
      payload: `{"run_id": "r", "response_digest": "${'b'.repeat(64)}", "steps_executed": ${steps}}`,
    });
    const zero = ok([created, policy(1), grant('alice'), requested, started, completed('0')]);
    expect(zero.latestExecution?.stepsExecuted).toBeNull();
    expect(computeTimeline(zero).at(-1)?.summary).toBe('Execution completed');
    const float = ok([created, policy(1), grant('alice'), requested, started, completed('4.0')]);
    expect(float.latestExecution?.stepsExecuted?.lexeme).toBe('4');
    expect(computeTimeline(float).at(-1)?.summary).toBe('Execution completed (4.0 steps)');
    expect(computeBlockingReasons(float)).toEqual([
      {
        code: 'ALREADY_EXECUTED',
        message: 'Decision has already been executed successfully',
        details: { run_id: 'r' },
      },
    ]);
  });

  it('marks a decision left executing as stalled only in the Proofdesk flavour', () => {
    const d = ok([created, policy(1), grant('alice'), requested, started]);
    expect(computeBlockingReasons(d, 'nexus-attest')).toEqual([]);
    expect(computeBlockingReasons(d).map((r) => r.code)).toEqual(['EXECUTION_STALLED']);
    expect(computeLifecycle(d).progress.readyToExecute).toBe(false);
    expect(computeLifecycle(d, { flavor: 'nexus-attest' }).progress.readyToExecute).toBe(true);
  });

  it('accepts an empty log as a draft with nothing in it', () => {
    const result = replayDecision(ID, [], T0);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.decision.state).toBe('draft');
    expect(result.decision.createdAt).toBeNull();
    expect(computeBlockingReasons(result.decision).map((r) => r.code)).toEqual(['NO_POLICY']);
  });

  it('keeps the timeline limit semantics of Python slicing', () => {
    const d = ok([created, policy(1), grant('alice')]);
    expect(computeLifecycle(d, { timelineLimit: 2 }).timeline.map((e) => e.seq)).toEqual([2, 2]);
    // full[-0:] is the whole list in Python, yet it still counts as truncated.
    const zero = computeLifecycle(d, { timelineLimit: 0 });
    expect(zero.timeline).toHaveLength(4);
    expect(zero.timelineTruncated).toBe(true);
  });
});

describe('naive expires_at', () => {
  const naive = '2099-01-01T00:00:00';

  it('is UNREPLAYABLE when it is ever compared with the clock', () => {
    const result = failure([created, policy(1), grant('alice', naive)]);
    expect(result.seq).toBe(2);
    expect(result.pythonError).toBe(
      "TypeError: can't compare offset-naive and offset-aware datetimes",
    );
  });

  it('is UNREPLAYABLE even when granted before any policy, because every view counts approvals', () => {
    expect(failure([created, grant('alice', naive)]).seq).toBe(1);
  });

  it('is harmless once revoked before anything compared it, exactly as in Python', () => {
    const d = ok([created, grant('alice', naive), revoke('alice'), policy(1)]);
    expect(d.state).toBe('pending_approval');
    expect(d.approvals.get('alice')?.revoked).toBe(true);
  });

  it('is caught at the next comparison after a policy is attached', () => {
    const result = failure([created, grant('alice', naive), policy(1), grant('bob')]);
    expect(result.seq).toBe(1);
    expect(result.message).toContain('APPROVAL_GRANTED by alice');
  });
});

describe('unreplayable logs', () => {
  it.each([
    [
      'a seq that does not start at 0',
      () => log([created]).map((e) => ({ ...e, seq: 1 })),
      1,
      'Event sequence must start at 0, got 1',
    ],
    [
      'a gap',
      () => log([created, policy(1), grant('a')]).filter((e) => e.seq !== 1),
      2,
      'Event sequence gap: expected 1, got 2',
    ],
    [
      'events out of order',
      () => log([created, policy(1), grant('a')]).reverse(),
      2,
      'Event sequence must start at 0, got 2',
    ],
    [
      'a duplicate seq',
      () => {
        const e = log([created, policy(1)]);
        return [e[0], e[0], e[1]] as StoredDecisionEvent[];
      },
      0,
      'out of sequence order',
    ],
    ['another decision’s event', () => log([created], 'other'), 0, 'belongs to decision other'],
    [
      'an unknown event type',
      () => log([created, { type: 'APPROVAL_FORGED', payload: '{}' }]),
      1,
      "'APPROVAL_FORGED' is not a valid EventType",
    ],
    [
      'a template event',
      () => log([created, { type: 'TEMPLATE_CREATED', payload: '{}' }]),
      1,
      'belongs in template_events',
    ],
    [
      'an unparseable ts',
      () => log([created, { ...policy(1), ts: '2026-11-22 21:00:00.5 UTC' }]),
      1,
      'ts is not a Python isoformat timestamp',
    ],
    ['min_approvals=0', () => log([created, policy(0)]), 1, 'min_approvals must be at least 1'],
    [
      'a payload that is a list',
      () => log([{ type: 'DECISION_CREATED', payload: '[]' }]),
      0,
      'the payload is a list',
    ],
    [
      'a missing goal',
      () => log([{ type: 'DECISION_CREATED', payload: '{"requested_mode": "apply"}' }]),
      0,
      'goal is missing',
    ],
    [
      'a non-string goal',
      () => log([{ type: 'DECISION_CREATED', payload: '{"goal": 5, "requested_mode": "apply"}' }]),
      0,
      'goal must be a string',
    ],
    [
      'a bad mode',
      () => log([{ type: 'DECISION_CREATED', payload: '{"goal": "g", "requested_mode": "yolo"}' }]),
      0,
      'requested_mode must be',
    ],
    [
      'an expiry that is not a timestamp',
      () => log([created, policy(1), grant('a', 'tomorrow')]),
      2,
      "Invalid isoformat string: 'tomorrow'",
    ],
    [
      'an expiry that is a number',
      () => log([created, policy(1), { type: 'APPROVAL_GRANTED', payload: '{"expires_at": 5}' }]),
      2,
      'expires_at must be a timestamp string',
    ],
    [
      'dry_run not a boolean',
      () =>
        log([
          created,
          policy(1),
          grant('a'),
          { type: 'EXECUTION_REQUESTED', payload: '{"adapter_id": "x", "dry_run": "yes"}' },
        ]),
      3,
      'dry_run must be a boolean',
    ],
    [
      'a completion without run_id',
      () =>
        log([
          created,
          policy(1),
          grant('a'),
          requested,
          started,
          { type: 'EXECUTION_COMPLETED', payload: '{"response_digest": "x"}' },
        ]),
      5,
      'run_id is missing',
    ],
  ])('%s', (_name, build, seq, message) => {
    const result = failure(build());
    expect(result.code).toBe('UNREPLAYABLE');
    expect(result.seq).toBe(seq);
    expect(result.message).toContain(message);
    const lifecycle = lifecycleOfReplay(result, build());
    expect(lifecycle.state).toBe('unreplayable');
    expect(lifecycle.isBlocked).toBe(true);
    expect(lifecycle.blockingReasons[0]?.code).toBe('UNREPLAYABLE');
    expect(unreplayableVerdict(result).ok).toBe(false);
    const view = viewToPyJson(lifecycleView(lifecycle));
    expect(canonicalAttestJson(view)).toContain('"state":"unreplayable"');
    expect(canonicalAttestJson(view)).toContain('"progress":null');
  });
});

// ---------------------------------------------------------------------------------------------
// Property: nothing throws

const jsonLeaf: fc.Arbitrary<PyJsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('dry_run', 'apply', '', '2026-11-22T21:30:00+00:00', '2099-01-01T00:00:00', 'T'),
  fc.integer({ min: -3, max: 5 }).map((n) => new PyNumber(String(n))),
  fc
    .constantFrom(
      '0.0',
      '2.5',
      '10.0',
      '1e400',
      '-0',
      'NaN',
      'Infinity',
      '123456789012345678901234567890',
    )
    .map((lexeme) => new PyNumber(lexeme)),
);
const jsonValue: fc.Arbitrary<PyJsonValue> = fc.letrec<{ value: PyJsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonLeaf,
    fc.array(tie('value'), { maxLength: 3 }),
  ),
})).value;
const KEYS = [
  'goal',
  'plan',
  'requested_mode',
  'labels',
  'min_approvals',
  'allowed_modes',
  'require_adapter_capabilities',
  'max_steps',
  'template_name',
  'template_digest',
  'template_snapshot',
  'overrides_applied',
  'expires_at',
  'comment',
  'reason',
  'adapter_id',
  'dry_run',
  'router_request_digest',
  'run_id',
  'response_digest',
  'steps_executed',
  'error_code',
  'error_message',
];
const payloadArb: fc.Arbitrary<PyJsonValue> = fc.oneof(
  fc
    .dictionary(fc.constantFrom(...KEYS), jsonValue, { maxKeys: 8 })
    .map((record) => new Map(Object.entries(record))),
  jsonValue,
);
const goodPayloads: Record<string, fc.Arbitrary<PyJsonValue>> = {
  DECISION_CREATED: fc.constant(parsePythonJson(created.payload as string)),
  POLICY_ATTACHED: fc
    .integer({ min: 0, max: 3 })
    .map((n) => parsePythonJson(policy(n).payload as string)),
  APPROVAL_GRANTED: fc
    .constantFrom(null, '2026-11-22T21:30:00+00:00', '2026-11-22T23:00:00Z', '2099-01-01T00:00:00')
    .map((expiry) => new Map<string, PyJsonValue>([['expires_at', expiry]])),
  APPROVAL_REVOKED: fc.constant(new Map<string, PyJsonValue>([['reason', '']])),
  EXECUTION_REQUESTED: fc.constant(parsePythonJson(requested.payload as string)),
  EXECUTION_STARTED: fc.constant(parsePythonJson(started.payload as string)),
  EXECUTION_COMPLETED: fc.constant(
    parsePythonJson('{"run_id": "r", "response_digest": "d", "steps_executed": 2}'),
  ),
  EXECUTION_FAILED: fc.constant(
    parsePythonJson('{"error_code": "ROUTER_ERROR", "error_message": "boom", "run_id": null}'),
  ),
};
const eventArb = fc
  .tuple(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...DECISION_EVENT_TYPES) },
      { weight: 1, arbitrary: fc.constantFrom('TEMPLATE_CREATED', 'APPROVAL_FORGED', '') },
    ),
    fc.boolean(),
    payloadArb,
    fc.constantFrom('alice', 'bob', 'nexus-control', ''),
    fc.constantFrom('human', 'system', 'robot'),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant<string | undefined>(undefined) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '2026-11-22',
          '2026-11-22T21:00:00',
          'nope',
          '2026-11-22T21:00:00Z',
        ),
      },
    ),
  )
  .chain(([type, useGood, randomPayload, actor, actorType, tsOverride]) => {
    const good = goodPayloads[type];
    return (useGood && good !== undefined ? good : fc.constant(randomPayload)).map((payload) => ({
      type,
      payload,
      actor,
      actorType,
      tsOverride,
    }));
  });

describe('property: replay never throws', () => {
  it('returns ok or UNREPLAYABLE for any event sequence, and ok results render in every view', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 14 }),
        fc.constantFrom(0, 0, 0, 1, 2),
        fc.bigInt({ min: T0 - 10n * MINUTE, max: T0 + 200n * MINUTE }),
        (specs, seqNoise, asOf) => {
          const events: StoredDecisionEvent[] = specs.map((spec, index) => ({
            decisionId: ID,
            seq:
              seqNoise === 1 && index === specs.length - 1
                ? index + 1
                : seqNoise === 2
                  ? specs.length - index - 1
                  : index,
            eventType: spec.type,
            ts: spec.tsOverride ?? ts(index % 60),
            actor: { type: spec.actorType, id: spec.actor },
            payload: spec.payload,
            digest: '',
          }));
          const result = replayDecision(ID, events, asOf);
          if (!result.ok) {
            expect(result.code).toBe('UNREPLAYABLE');
            expect(result.message.length).toBeGreaterThan(0);
            expect(lifecycleOfReplay(result, events).state).toBe('unreplayable');
            return;
          }
          // Payloads are copied into views as stored, NaN included, so serialise as plain
          // json.dumps would (allow_nan) rather than canonically.
          const render = (view: Parameters<typeof viewToPyJson>[0]) =>
            serializePythonJson(viewToPyJson(view), NEXUSCONE_DIALECT);
          for (const flavor of ['proofdesk', 'nexus-attest'] as const) {
            const lifecycle = computeLifecycle(result.decision, { flavor });
            expect(lifecycle.blockingReasons.length).toBeLessThanOrEqual(1);
            canonicalAttestJson(viewToPyJson(lifecycleView(lifecycle)));
            render(
              inspectToolView(result.decision, portableCryptoProvider, {
                flavor,
                includeEvents: true,
              }),
            );
            inspectVerdict(result.decision, flavor);
          }
          render(statusToolView(result.decision, { includeEvents: true }));
          render(listRequestsView([{ decisionId: ID, createdAt: ts(0), result }]));
        },
      ),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('replays a good share of the generated logs (the generator is not all noise)', () => {
    const samples = fc.sample(fc.array(eventArb, { minLength: 1, maxLength: 8 }), {
      numRuns: 400,
      seed: 3,
    });
    const replayedCount = samples.filter(
      (specs) =>
        replayDecision(
          ID,
          specs.map((spec, index) => ({
            decisionId: ID,
            seq: index,
            eventType: spec.type,
            ts: ts(index),
            actor: { type: spec.actorType, id: spec.actor },
            payload: spec.payload,
            digest: '',
          })),
          T0,
        ).ok,
    ).length;
    expect(replayedCount).toBeGreaterThan(40);
  });
});
