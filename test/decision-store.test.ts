/** The nexus-attest decision store: read without side effects, written exactly as nexus-attest. */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProofdeskError } from '../src-shared/check-code';
import { fromJsValue, PyNumber, type PyJsonValue } from '../src-shared/canonical-json/python-json';
import { computeEventDigest } from '../src-shared/decisions/decision-event';
import { formatPythonIsoformatUtc } from '../src-shared/decisions/isoformat-clock';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import { DecisionStoreReader, DecisionStoreWriter } from '../src-main/decisions/decision-store';
import { describeWithFixtures, sharedFixturePath } from './support/shared-fixtures';
import {
  nexusconeFixture,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';

const decisionsDb = (): string => sharedFixturePath('nexus-attest', 'decisions.db');

describe('Python isoformat timestamps', () => {
  it('writes six fraction digits, or none when the microseconds are 0', () => {
    expect(formatPythonIsoformatUtc(1_795_383_462_108_328n)).toBe(
      '2026-11-22T21:37:42.108328+00:00',
    );
    expect(formatPythonIsoformatUtc(1_795_383_462_000_000n)).toBe('2026-11-22T21:37:42+00:00');
    expect(formatPythonIsoformatUtc(1_795_383_462_000_001n)).toBe(
      '2026-11-22T21:37:42.000001+00:00',
    );
  });
});

describeWithFixtures('reading nexus-attest decision databases', () => {
  it('lists and loads every decision of the WAL-mode fixture without touching it', () => {
    const before = sha256OfFile(decisionsDb());
    const store = DecisionStoreReader.open(decisionsDb());
    const decisions = store.loadAll();
    store.close();
    expect(decisions).toHaveLength(14);
    expect(sha256OfFile(decisionsDb())).toBe(before);
    expect(sideFilesOf(decisionsDb())).toEqual([]);
    for (const decision of decisions) {
      expect(decision.ok).toBe(true);
      if (!decision.ok) continue;
      expect(decision.events.map((event) => event.seq)).toEqual(
        decision.events.map((_, index) => index),
      );
      for (const event of decision.events) {
        expect(computeEventDigest(event.eventType, event.payload, portableCryptoProvider)).toBe(
          event.digest,
        );
      }
    }
  });

  it('orders decisions newest first and refuses unknown ids and non-decision files with a code', () => {
    const store = DecisionStoreReader.open(decisionsDb());
    const listed = store.listDecisions();
    expect([...listed].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))).toEqual(listed);
    expect(() => store.loadDecision('00000000-0000-0000-0000-000000000000')).toThrow(
      ProofdeskError,
    );
    store.close();
    expect(() => DecisionStoreReader.open(nexusconeFixture('valid_empty.db'))).toThrow(
      expect.objectContaining({ code: 'NOT_A_DECISION_STORE' }),
    );
  });

  it('a row whose payload is not JSON makes only that decision unreadable', () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'broken.db');
    const writer = DecisionStoreWriter.open(path, { create: true });
    const actor = { type: 'human', id: 'alice@example.com' };
    writer.append(
      'good',
      [
        {
          eventType: 'DECISION_CREATED',
          actor,
          ts: '2026-11-22T10:00:00+00:00',
          payload: fromJsValue({ goal: 'g' }),
        },
      ],
      { createdAt: '2026-11-22T10:00:00+00:00' },
    );
    writer.append(
      'bad',
      [
        {
          eventType: 'DECISION_CREATED',
          actor,
          ts: '2026-11-22T11:00:00+00:00',
          payload: fromJsValue({ goal: 'g' }),
        },
      ],
      { createdAt: '2026-11-22T11:00:00+00:00' },
    );
    writer.close();
    const raw = new Database(path);
    raw.prepare("UPDATE decision_events SET payload = '{not json' WHERE decision_id = 'bad'").run();
    raw.close();
    const store = DecisionStoreReader.open(path);
    const loaded = store.loadAll();
    store.close();
    expect(loaded.find((decision) => decision.decisionId === 'good')?.ok).toBe(true);
    expect(loaded.find((decision) => decision.decisionId === 'bad')).toMatchObject({
      ok: false,
      seq: 0,
    });
  });
});

describe('writing decision events', () => {
  const directory = temporaryDirectory();

  it('writes rows nexus-attest would: json.dumps payloads, seq from 0, digest over {event_type, payload}, WAL', () => {
    const path = join(directory, 'written.db');
    const writer = DecisionStoreWriter.open(path, { create: true });
    const actor = { type: 'human', id: 'zoë@example.com' };
    const created: PyJsonValue = new Map<string, PyJsonValue>([
      ['goal', 'Rotate clés — 東京 🚀'],
      ['plan', null],
      ['requested_mode', 'apply'],
      ['labels', ['prod']],
    ]);
    const policy: PyJsonValue = new Map<string, PyJsonValue>([
      ['min_approvals', new PyNumber('2')],
      ['allowed_modes', ['dry_run', 'apply']],
      ['require_adapter_capabilities', []],
      ['max_steps', new PyNumber('10.0')],
      ['labels', ['prod']],
    ]);
    const stored = writer.append(
      'd-1',
      [
        {
          eventType: 'DECISION_CREATED',
          actor,
          ts: '2026-11-22T21:22:53.371155+00:00',
          payload: created,
        },
        {
          eventType: 'POLICY_ATTACHED',
          actor,
          ts: '2026-11-22T21:22:53.371669+00:00',
          payload: policy,
        },
      ],
      { createdAt: '2026-11-22T21:22:53.370900+00:00' },
    );
    expect(stored.map((event) => event.seq)).toEqual([0, 1]);
    expect(
      writer.append('d-1', [
        {
          eventType: 'APPROVAL_GRANTED',
          actor,
          ts: '2026-11-22T21:22:54+00:00',
          payload: fromJsValue({ expires_at: null }),
        },
      ])[0]?.seq,
    ).toBe(2);
    writer.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const rows = raw
      .prepare('SELECT event_type, payload, digest FROM decision_events ORDER BY seq')
      .all() as { event_type: string; payload: string; digest: string }[];
    raw.close();
    expect(rows[0]?.payload).toBe(
      '{"goal": "Rotate cl\\u00e9s \\u2014 \\u6771\\u4eac \\ud83d\\ude80", "plan": null, "requested_mode": "apply", "labels": ["prod"]}',
    );
    expect(rows[1]?.payload).toBe(
      '{"min_approvals": 2, "allowed_modes": ["dry_run", "apply"], "require_adapter_capabilities": [], "max_steps": 10.0, "labels": ["prod"]}',
    );

    // Python recomputes each digest the way nexus-attest does, from the stored payload text.
    const python = spawnSync(
      'python3',
      [
        '-c',
        `import json,hashlib,sys
for r in json.load(sys.stdin):
    c = json.dumps({"event_type": r["event_type"], "payload": json.loads(r["payload"])}, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    print(hashlib.sha256(c.encode("utf-8")).hexdigest() == r["digest"] and json.dumps(json.loads(r["payload"])) == r["payload"])`,
      ],
      { input: JSON.stringify(rows), encoding: 'utf8' },
    );
    if (python.error !== undefined && process.env.CI !== 'true') {
      console.warn('python3 is not installed; skipping the Python cross-check of written rows');
      return;
    }
    expect(python.stderr).toBe('');
    expect(python.stdout.trim().split('\n')).toEqual(['True', 'True', 'True']);
  });

  it('refuses to create a decision twice or to append to one that does not exist', () => {
    const path = join(directory, 'conflict.db');
    const writer = DecisionStoreWriter.open(path, { create: true });
    const event = {
      eventType: 'DECISION_CREATED',
      actor: { type: 'human', id: 'a' },
      ts: '2026-11-22T10:00:00+00:00',
      payload: fromJsValue({ goal: 'g' }),
    };
    writer.append('x', [event], { createdAt: event.ts });
    expect(() => writer.append('x', [event], { createdAt: event.ts })).toThrow(ProofdeskError);
    expect(() => writer.append('missing', [event])).toThrow(
      expect.objectContaining({ code: 'DECISION_NOT_FOUND' }),
    );
    writer.close();
  });
});
