/**
 * Decision replay, lifecycle and views against what nexus-attest v0.7.1 itself produced
 * (../shared/fixtures/nexus-attest): every decision in decisions.db replayed as of the fixture
 * generation instant must give byte-identical (canonical JSON) status, inspect and lifecycle
 * bodies; the poisoned DB must come back UNREPLAYABLE without breaking its neighbours.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NEXUS_ATTEST_DIALECT,
  PyNumber,
  parsePythonJson,
  serializePythonJson,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import type { CryptoProvider } from '../src-shared/crypto/crypto-provider';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import {
  canonicalAttestJson,
  computeEventDigest,
  eventFromRow,
  type DecisionEventRow,
  type StoredDecisionEvent,
} from '../src-shared/decisions/decision-event';
import {
  computeBlockingReasons,
  computeLifecycle,
  computeProgress,
  inspectVerdict,
  lifecycleOfReplay,
} from '../src-shared/decisions/decision-lifecycle';
import {
  compileToRouterRequest,
  routerRequestDigest,
  validateExecutionRequest,
} from '../src-shared/decisions/decision-policy';
import {
  replayDecision,
  type DecisionState,
  type ReplayResult,
} from '../src-shared/decisions/decision-replay';
import {
  inspectToolView,
  lifecycleView,
  listRequestsView,
  statusToolView,
  viewToPyJson,
  type DecisionListEntry,
  type ViewValue,
} from '../src-shared/decisions/decision-views';
import { parsePythonIsoformat } from '../src-shared/decisions/python-datetime';
import { createNodeCryptoProvider } from '../src-main/crypto/node-crypto-provider';
import { openEvidenceDatabase } from '../src-main/sqlite/evidence-database';
import { describeWithFixtures, sharedFixturePath } from './support/shared-fixtures';

const FIXTURES = ['nexus-attest'];

interface Header {
  readonly decisionId: string;
  readonly createdAt: string;
}

interface LoadedDb {
  readonly headers: Header[];
  readonly events: Map<string, StoredDecisionEvent[]>;
  readonly rows: DecisionEventRow[];
}

/** Reads a decision DB through the snapshotting opener (nothing is written beside the fixture). */
function loadDecisionDb(path: string): LoadedDb {
  const evidence = openEvidenceDatabase(path);
  try {
    const headers = evidence.db
      .prepare<[], { decision_id: string; created_at: string }>(
        'SELECT decision_id, created_at FROM decisions ORDER BY created_at DESC',
      )
      .all()
      .map((row) => ({ decisionId: row.decision_id, createdAt: row.created_at }));
    const rows = evidence.db
      .prepare<[], DecisionEventRow>(
        `SELECT decision_id, seq, event_type, ts, actor_type, actor_id, payload, digest
         FROM decision_events ORDER BY decision_id, seq`,
      )
      .all();
    const events = new Map<string, StoredDecisionEvent[]>();
    for (const header of headers) events.set(header.decisionId, []);
    for (const row of rows) events.get(row.decision_id)?.push(eventFromRow(row));
    return { headers, events, rows };
  } finally {
    evidence.close();
  }
}

function fixtureJson(...segments: string[]): PyJsonValue {
  return parsePythonJson(readFileSync(sharedFixturePath(...FIXTURES, ...segments), 'utf8'));
}

function field(value: PyJsonValue | undefined, ...path: string[]): PyJsonValue {
  let current = value;
  for (const key of path) {
    if (!(current instanceof Map)) throw new Error(`no object at ${path.join('.')}`);
    current = current.get(key);
  }
  if (current === undefined) throw new Error(`missing ${path.join('.')}`);
  return current;
}

function canonical(value: PyJsonValue): string {
  return canonicalAttestJson(value);
}

function canonicalView(view: ViewValue): string {
  return canonical(viewToPyJson(view));
}

/** Pretty canonical form for readable diffs when a comparison fails. */
function pretty(value: PyJsonValue): unknown {
  return JSON.parse(serializePythonJson(value, NEXUS_ATTEST_DIALECT)) as unknown;
}

function expectSameJson(actual: ViewValue, expected: PyJsonValue): void {
  const mine = canonicalView(actual);
  const theirs = canonical(expected);
  if (mine !== theirs) expect(pretty(viewToPyJson(actual))).toEqual(pretty(expected));
  expect(mine).toBe(theirs);
}

function without(object: PyJsonValue, ...keys: string[]): PyJsonObject {
  if (!(object instanceof Map)) throw new Error('not an object');
  const copy = new Map(object);
  for (const key of keys) copy.delete(key);
  return copy;
}

function replayed(result: ReplayResult): DecisionState {
  if (!result.ok) throw new Error(`unexpected UNREPLAYABLE: ${result.message}`);
  return result.decision;
}

describeWithFixtures(
  'nexus-attest decisions.db replayed as of the fixture generation instant',
  () => {
    const manifest = fixtureJson('manifest.json');
    const asOf = parsePythonIsoformat(
      field(manifest, 'generator', 'finished_at') as string,
    ).epochMicros;
    const files = field(manifest, 'files') as PyJsonValue[];
    const dbEntry = files.find((f) => f instanceof Map && f.get('path') === 'decisions.db');
    const expectedDecisions = field(dbEntry, 'decisions') as PyJsonObject;
    const slugs = [...expectedDecisions.keys()];
    const db = loadDecisionDb(sharedFixturePath(...FIXTURES, 'decisions.db'));
    const nodeCrypto = createNodeCryptoProvider();

    function decisionIdOf(slug: string): string {
      return field(expectedDecisions, slug, 'decision_id') as string;
    }
    function eventsOf(slug: string): StoredDecisionEvent[] {
      return db.events.get(decisionIdOf(slug)) ?? [];
    }
    function replaySlug(slug: string, at: bigint = asOf): DecisionState {
      return replayed(replayDecision(decisionIdOf(slug), eventsOf(slug), at));
    }
    const views = new Map(slugs.map((slug) => [slug, fixtureJson('decisions', `${slug}.json`)]));
    function view(slug: string, ...path: string[]): PyJsonValue {
      return field(views.get(slug), ...path);
    }

    it('covers the 14 decisions of the DB', () => {
      expect(slugs).toHaveLength(14);
      expect(new Set(db.headers.map((h) => h.decisionId))).toEqual(
        new Set(slugs.map(decisionIdOf)),
      );
    });

    describe.each(slugs)('%s', (slug) => {
      it('has the state and blocking reason codes nexus-attest reported', () => {
        const decision = replaySlug(slug);
        expect(decision.state).toBe(field(expectedDecisions, slug, 'state'));
        expect(computeBlockingReasons(decision, 'nexus-attest').map((r) => r.code)).toEqual(
          field(expectedDecisions, slug, 'blocking_codes'),
        );
      });

      it('reproduces the full lifecycle (blocking reasons, progress, whole timeline)', () => {
        const lifecycle = computeLifecycle(replaySlug(slug), {
          timelineLimit: null,
          flavor: 'nexus-attest',
        });
        expectSameJson(lifecycleView(lifecycle), view(slug, 'lifecycle_full_timeline'));
      });

      it('reproduces the status tool body, events included', () => {
        expectSameJson(
          statusToolView(replaySlug(slug), { includeEvents: true }),
          view(slug, 'status_tool'),
        );
      });

      it('reproduces the inspect tool body (all but rendered), with both crypto providers', () => {
        const expected = without(view(slug, 'inspect_tool'), 'rendered');
        for (const crypto of [nodeCrypto, portableCryptoProvider]) {
          expectSameJson(
            inspectToolView(replaySlug(slug), crypto, { flavor: 'nexus-attest' }),
            expected,
          );
        }
      });

      it('matches the expected summary of the manifest (messages, progress, verdict status)', () => {
        const entry = files.find(
          (f) => f instanceof Map && f.get('path') === `decisions/${slug}.json`,
        );
        const expected = field(entry, 'expected');
        const decision = replaySlug(slug);
        const lifecycle = computeLifecycle(decision, { flavor: 'nexus-attest' });
        expect(lifecycle.blockingReasons.map((r) => r.message)).toEqual(
          field(expected, 'blocking_messages'),
        );
        expect(lifecycle.isBlocked).toBe(field(expected, 'is_blocked'));
        expect(lifecycle.progress.readyToExecute).toBe(field(expected, 'ready_to_execute'));
        expect(
          `${lifecycle.progress.approvalsCurrent}/${lifecycle.progress.approvalsRequired}`,
        ).toBe(field(expected, 'approvals'));
        expect(lifecycle.timelineTruncated).toBe(field(expected, 'timeline_truncated_default'));
        expect(lifecycle.timelineTotal).toBe(
          Number((field(expected, 'timeline_total') as PyNumber).lexeme),
        );
      });
    });

    it('recomputes every stored event digest with both crypto providers', () => {
      expect(db.rows).toHaveLength(82);
      for (const crypto of [nodeCrypto, portableCryptoProvider] as CryptoProvider[]) {
        for (const row of db.rows) {
          const event = eventFromRow(row);
          expect(
            computeEventDigest(event.eventType, event.payload, crypto),
            `${row.decision_id}/${row.seq}`,
          ).toBe(row.digest);
        }
      }
    });

    it('recomputes every EXECUTION_STARTED router_request_digest from the policy', () => {
      let checked = 0;
      for (const slug of slugs) {
        const decision = replaySlug(slug);
        for (const execution of decision.executions) {
          const policy = decision.policy;
          if (policy === null || execution.requestDigest === null) continue;
          const request = compileToRouterRequest(
            decision.goal ?? '',
            decision.plan,
            execution.adapterId,
            execution.dryRun,
            policy,
          );
          for (const crypto of [nodeCrypto, portableCryptoProvider]) {
            expect(routerRequestDigest(request, crypto)).toBe(execution.requestDigest);
          }
          checked++;
        }
      }
      expect(checked).toBe(6);
    });

    it('gives the execute() pre-check errors nexus-attest returned', () => {
      const d01 = replaySlug('d01-pending-0-of-2');
      const d01Result = validateExecutionRequest(
        d01.policy ?? assertNever(),
        d01.requestedMode ?? 'dry_run',
        d01.activeApprovalCount,
        null,
      );
      expect(`Policy validation failed: ${d01Result.errors.join('; ')}`).toBe(
        view('d01-pending-0-of-2', 'extra', 'execute_attempt_result', 'error'),
      );
      const d04 = replaySlug('d04-approval-expired');
      const d04Result = validateExecutionRequest(
        d04.policy ?? assertNever(),
        'apply',
        d04.activeApprovalCount,
      );
      expect(`Policy validation failed: ${d04Result.errors.join('; ')}`).toBe(
        view('d04-approval-expired', 'extra', 'execute_attempt_result', 'error'),
      );
      // d08's template requires timeout and external; the router offered only timeout.
      const d08 = replaySlug('d08-template-executed-dry-run');
      const d08Result = validateExecutionRequest(
        d08.policy ?? assertNever(),
        'dry_run',
        1,
        new Set(['timeout']),
      );
      expect(`Policy validation failed: ${d08Result.errors.join('; ')}`).toBe(
        view(
          'd08-template-executed-dry-run',
          'extra',
          'execute_missing_capability_result',
          'error',
        ),
      );
    });

    it('reproduces d04 as it was before its approval expired (time is an input)', () => {
      const expiresAt = parsePythonIsoformat(
        view('d04-approval-expired', 'extra', 'expires_at') as string,
      ).epochMicros;
      const before = replaySlug('d04-approval-expired', expiresAt - 1n);
      const expected = view('d04-approval-expired', 'extra', 'lifecycle_before_expiry');
      const lifecycle = computeLifecycle(before, { flavor: 'nexus-attest' });
      expect(lifecycle.state).toBe(field(expected, 'state'));
      expect(lifecycle.blockingReasons).toEqual([]);
      expectSameJson(lifecycleView(lifecycle).progress ?? null, field(expected, 'progress'));
      expect(before.events.map((e) => e.eventType)).toEqual(field(expected, 'event_types'));
      // At the expiry instant itself the approval no longer counts (expires_at > now is required).
      const at = computeLifecycle(replaySlug('d04-approval-expired', expiresAt), {
        flavor: 'nexus-attest',
      });
      expect(at.state).toBe('pending_approval');
      expect(at.blockingReasons.map((r) => r.code)).toEqual(['APPROVAL_EXPIRED']);
    });

    it('reproduces list_requests.json (created_at descending)', () => {
      const entries: DecisionListEntry[] = db.headers.map((header) => ({
        ...header,
        result: replayDecision(header.decisionId, db.events.get(header.decisionId) ?? [], asOf),
      }));
      entries.reverse(); // the view must do the ordering itself
      expectSameJson(
        listRequestsView(entries, { flavor: 'nexus-attest' }),
        new Map([
          ['success', true],
          ...(fixtureJson('decisions', 'list_requests.json') as PyJsonObject),
        ]),
      );
    });

    it('reports EXECUTION_STALLED for d09 in the Proofdesk flavour only', () => {
      const d09 = replaySlug('d09-executing-crashed');
      const compatible = computeLifecycle(d09, { flavor: 'nexus-attest' });
      expect(compatible.blockingReasons).toEqual([]);
      expect(compatible.progress.readyToExecute).toBe(true);
      expect(inspectVerdict(d09, 'nexus-attest')).toEqual({
        ok: true,
        message: 'Execution in progress',
      });

      const proofdesk = computeLifecycle(d09);
      expect(proofdesk.blockingReasons).toHaveLength(1);
      const [stalled] = proofdesk.blockingReasons;
      expect(stalled?.code).toBe('EXECUTION_STALLED');
      expect(stalled?.details).toEqual({
        adapter_id: 'subprocess:mcpt:search',
        started_at: '2026-11-22T21:22:56.607969+00:00',
        router_request_digest: d09.latestExecution?.requestDigest,
      });
      expect(stalled?.message).toContain('no outcome was recorded');
      expect(proofdesk.isBlocked).toBe(true);
      expect(computeProgress(d09).readyToExecute).toBe(false);
      expect(computeProgress(d09).executionOutcome).toBe('pending');
      expect(inspectVerdict(d09).ok).toBe(false);
      const inspect = inspectToolView(d09, nodeCrypto);
      expect(canonicalView(inspect)).toContain('"code":"EXECUTION_STALLED"');
      expect(canonicalView(inspect)).toContain('"ready_to_execute":false');

      // Every other decision looks the same in both flavours.
      for (const slug of slugs.filter((s) => s !== 'd09-executing-crashed')) {
        const decision = replaySlug(slug);
        expect(canonicalView(inspectToolView(decision, nodeCrypto))).toBe(
          canonicalView(inspectToolView(decision, nodeCrypto, { flavor: 'nexus-attest' })),
        );
      }
    });

    it('keeps the float 10.0 of d11 a float in the policy and router request', () => {
      const d11 = replaySlug('d11-unicode-and-float');
      expect(d11.policy?.maxSteps?.lexeme).toBe('10.0');
      expect(canonicalView(statusToolView(d11))).toContain('"max_steps":10.0');
    });

    it('truncates d10 to the last 20 of its 24 timeline entries', () => {
      const lifecycle = computeLifecycle(replaySlug('d10-approval-churn-truncated-timeline'));
      expect(lifecycle.timeline).toHaveLength(20);
      expect(lifecycle.timelineTotal).toBe(24);
      expect(lifecycle.timelineTruncated).toBe(true);
      const full = computeLifecycle(replaySlug('d10-approval-churn-truncated-timeline'), {
        timelineLimit: null,
      });
      expect(lifecycle.timeline).toEqual(full.timeline.slice(-20));
    });
  },
);

function assertNever(): never {
  throw new Error('expected a policy');
}

// ---------------------------------------------------------------------------------------------
// Poisoned decisions

const DECISION_DDL = [
  'CREATE TABLE decisions (decision_id TEXT PRIMARY KEY, created_at TEXT NOT NULL)',
  `CREATE TABLE decision_events (decision_id TEXT NOT NULL, seq INTEGER NOT NULL,
     event_type TEXT NOT NULL, ts TEXT NOT NULL, actor_type TEXT NOT NULL, actor_id TEXT NOT NULL,
     payload TEXT NOT NULL, digest TEXT NOT NULL, PRIMARY KEY (decision_id, seq),
     FOREIGN KEY (decision_id) REFERENCES decisions(decision_id))`,
];

describeWithFixtures('poisoned decisions', () => {
  const results = fixtureJson('poisoned', 'poisoned-naive-expiry.results.json');
  const poisonedId = field(results, 'decision_id') as string;
  const manifest = fixtureJson('manifest.json');
  const asOf = parsePythonIsoformat(
    field(manifest, 'generator', 'finished_at') as string,
  ).epochMicros;
  const poisoned = loadDecisionDb(
    sharedFixturePath(...FIXTURES, 'poisoned', 'decisions-poisoned.db'),
  );
  const main = loadDecisionDb(sharedFixturePath(...FIXTURES, 'decisions.db'));

  it('stores the events nexus-attest wrote before every replay started failing', () => {
    const stored = field(results, 'stored_events') as PyJsonValue[];
    expect(poisoned.rows.map((r) => [r.seq, r.event_type, r.payload])).toEqual(
      stored.map((s) =>
        (s as PyJsonValue[]).map((v) => (v instanceof PyNumber ? Number(v.lexeme) : v)),
      ),
    );
  });

  it('replays the naive-expiry decision as UNREPLAYABLE at the approval, as nexus-attest raises', () => {
    const result = replayDecision(poisonedId, poisoned.events.get(poisonedId) ?? [], asOf);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('UNREPLAYABLE');
    expect(result.seq).toBe(2);
    expect(result.message).toContain('"2099-01-01T00:00:00" has no UTC offset');
    // status, inspect and export all raise this TypeError in nexus-attest.
    const raised = field(results, 'status') as string;
    expect(raised).toBe(`raises ${result.pythonError ?? ''}`);
    expect(field(results, 'inspect')).toBe(raised);
    expect(field(results, 'export_bundle')).toBe(raised);
    expect(result.message).toContain(String(result.pythonError));
  });

  it('fails the whole list only in the nexus-attest flavour', () => {
    const entries: DecisionListEntry[] = poisoned.headers.map((header) => ({
      ...header,
      result: replayDecision(header.decisionId, poisoned.events.get(header.decisionId) ?? [], asOf),
    }));
    expectSameJson(
      listRequestsView(entries, { flavor: 'nexus-attest' }),
      field(results, 'list_requests'),
    );
    const proofdesk = viewToPyJson(listRequestsView(entries));
    expect(field(proofdesk, 'success')).toBe(true);
    const [row] = field(proofdesk, 'requests') as PyJsonValue[];
    expect(field(row, 'state')).toBe('unreplayable');
    expect(field(row, 'error')).toContain('no UTC offset');
  });

  describe('in one DB with healthy decisions', () => {
    let dir = '';
    let merged: LoadedDb;
    const crypto = createNodeCryptoProvider();
    const extraPoison: { id: string; seq: number; contains: string; python?: string }[] = [];

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'proofdesk-poisoned-'));
      const path = join(dir, 'mixed.db');
      const db = new Database(path);
      try {
        DECISION_DDL.forEach((sql) => db.exec(sql));
        const insertHeader = db.prepare('INSERT INTO decisions VALUES (?, ?)');
        const insertEvent = db.prepare(
          'INSERT INTO decision_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        );
        const copy = (source: LoadedDb) => {
          for (const header of source.headers)
            insertHeader.run(header.decisionId, header.createdAt);
          for (const row of source.rows) {
            insertEvent.run(
              row.decision_id,
              row.seq,
              row.event_type,
              row.ts,
              row.actor_type,
              row.actor_id,
              row.payload,
              row.digest,
            );
          }
        };
        copy(main);
        copy(poisoned);
        // What request(min_approvals=0) and request(max_steps=0) write, an event type nexus-attest
        // does not know, and a sequence gap.
        const synth = (
          id: string,
          policyPayload: string,
          extra: [string, string][] = [],
          seqs?: number[],
        ) => {
          insertHeader.run(id, '2026-11-22T21:22:57.000000+00:00');
          const events: [string, string][] = [
            [
              'DECISION_CREATED',
              '{"goal": "synthetic", "plan": null, "requested_mode": "dry_run", "labels": []}',
            ],
            ['POLICY_ATTACHED', policyPayload],
            ...extra,
          ];
          events.forEach(([type, payload], index) => {
            const digest = computeEventDigest(type, parsePythonJson(payload), crypto);
            insertEvent.run(
              id,
              seqs?.[index] ?? index,
              type,
              `2026-11-22T21:22:57.00000${index}+00:00`,
              'human',
              'mallory',
              payload,
              digest,
            );
          });
        };
        const policy = (min: string, maxSteps: string) =>
          `{"min_approvals": ${min}, "allowed_modes": ["dry_run"], "require_adapter_capabilities": [], "max_steps": ${maxSteps}, "labels": []}`;
        synth('poison-min-approvals-0', policy('0', 'null'));
        extraPoison.push({
          id: 'poison-min-approvals-0',
          seq: 1,
          contains: 'min_approvals must be at least 1',
          python: 'ValueError: min_approvals must be at least 1',
        });
        synth('poison-max-steps-0', policy('1', '0'));
        extraPoison.push({
          id: 'poison-max-steps-0',
          seq: 1,
          contains: 'max_steps must be at least 1 if specified',
          python: 'ValueError: max_steps must be at least 1 if specified',
        });
        synth('poison-forged-type', policy('1', 'null'), [['APPROVAL_FORGED', '{}']]);
        extraPoison.push({
          id: 'poison-forged-type',
          seq: 2,
          contains: "'APPROVAL_FORGED' is not a valid EventType",
          python: "ValueError: 'APPROVAL_FORGED' is not a valid EventType",
        });
        synth(
          'poison-seq-gap',
          policy('1', 'null'),
          [['APPROVAL_GRANTED', '{"expires_at": null}']],
          [0, 1, 3],
        );
        extraPoison.push({
          id: 'poison-seq-gap',
          seq: 3,
          contains: 'Event sequence gap: expected 2, got 3',
        });
        synth('poison-missing-goal', policy('1', 'null'));
        db.prepare(
          'UPDATE decision_events SET payload = \'{"requested_mode": "dry_run"}\' WHERE decision_id = \'poison-missing-goal\' AND seq = 0',
        ).run();
        extraPoison.push({
          id: 'poison-missing-goal',
          seq: 0,
          contains: 'goal is missing',
          python: "KeyError: 'goal'",
        });
        db.pragma('journal_mode = WAL');
      } finally {
        db.close();
      }
      merged = loadDecisionDb(path);
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    it('replays every healthy decision and names the event of every poisoned one', () => {
      const expected = field(
        (field(manifest, 'files') as PyJsonValue[]).find(
          (f) => f instanceof Map && f.get('path') === 'decisions.db',
        ),
        'decisions',
      ) as PyJsonObject;
      const states = new Map(
        [...expected.values()].map((d) => [field(d, 'decision_id') as string, field(d, 'state')]),
      );
      const poisonIds = new Set([poisonedId, ...extraPoison.map((p) => p.id)]);
      expect(merged.headers).toHaveLength(14 + poisonIds.size);
      for (const header of merged.headers) {
        const result = replayDecision(
          header.decisionId,
          merged.events.get(header.decisionId) ?? [],
          asOf,
        );
        if (!poisonIds.has(header.decisionId)) {
          expect(result.ok, header.decisionId).toBe(true);
          if (result.ok) expect(result.decision.state).toBe(states.get(header.decisionId));
          continue;
        }
        expect(result.ok, header.decisionId).toBe(false);
        if (result.ok) continue;
        const poison = extraPoison.find((p) => p.id === header.decisionId);
        if (poison === undefined) {
          expect(result.seq).toBe(2);
          continue;
        }
        expect(result.seq, poison.id).toBe(poison.seq);
        expect(result.message, poison.id).toContain(poison.contains);
        expect(result.pythonError, poison.id).toBe(poison.python);
        const lifecycle = lifecycleOfReplay(result, merged.events.get(header.decisionId) ?? []);
        expect(lifecycle.state).toBe('unreplayable');
        expect(lifecycle.blockingReasons.map((r) => r.code)).toEqual(['UNREPLAYABLE']);
        expect(lifecycle.blockingReasons[0]?.details.seq).toBe(poison.seq);
      }
      const list = viewToPyJson(
        listRequestsView(
          merged.headers.map((header) => ({
            ...header,
            result: replayDecision(
              header.decisionId,
              merged.events.get(header.decisionId) ?? [],
              asOf,
            ),
          })),
        ),
      );
      const requests = field(list, 'requests') as PyJsonValue[];
      expect(requests).toHaveLength(merged.headers.length);
      expect(requests.filter((r) => field(r, 'state') === 'unreplayable')).toHaveLength(
        poisonIds.size,
      );
    });
  });
});
