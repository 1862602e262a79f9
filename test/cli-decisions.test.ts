/**
 * `proofdesk decisions list|show|timeline` run as a real subprocess against the nexus-attest
 * fixtures, as of the instant the fixtures were generated: states and blocking codes match the
 * manifest (except d09, which the Proofdesk flavour blocks with EXECUTION_STALLED), inspect and
 * timeline JSON match what nexus-attest returned, a corrupt decision is listed without breaking
 * the list, and bad input is one sentence with exit 2. The fixture database is never changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parsePythonJson,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { canonicalAttestJson } from '../src-shared/decisions/decision-event';
import { describeWithFixtures } from './support/shared-fixtures';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';
import { manifestEntry, nexusAttestPath } from './support/nexus-attest-fixtures';
import {
  describeRun,
  EXIT,
  expectOneSentenceError,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

interface ManifestDecision {
  readonly decision_id: string;
  readonly state: string;
  readonly blocking_codes: string[];
  readonly bundle_digest: string;
}

interface ListedJson {
  decision_id: string;
  created_at: string;
  state: string;
  status: string;
  corrupt: boolean;
  goal: string | null;
  approvals: string | null;
  is_approved: boolean;
  is_blocked: boolean;
  blocking_reasons: { code: string; message: string; details: Record<string, unknown> }[];
  error?: string;
}

interface ListJson {
  schema_version: number;
  store: string;
  as_of: string;
  count: number;
  decisions: ListedJson[];
}

function parseStdoutJson<T>(result: CliResult): T {
  const context = describeRun(result);
  expect(result.status, context).toBe(EXIT.pass);
  expect(result.stderr, context).toBe('');
  return JSON.parse(result.stdout) as T;
}

/** Canonical nexus-attest JSON of a document, so key order and spacing do not matter. */
function canonical(value: PyJsonValue): string {
  return canonicalAttestJson(value);
}

function withoutKey(object: PyJsonValue | undefined, key: string): PyJsonObject {
  if (!(object instanceof Map)) throw new Error('not an object');
  const copy = new Map(object);
  copy.delete(key);
  return copy;
}

describeWithFixtures('proofdesk decisions (CLI)', () => {
  const configHome = temporaryConfigHome();
  const directory = temporaryDirectory();
  const cli = (...args: string[]): CliResult => runCli(args, { configHome });

  const db = nexusAttestPath('decisions.db');
  const poisonedDb = nexusAttestPath('poisoned', 'decisions-poisoned.db');
  const manifest = JSON.parse(readFileSync(nexusAttestPath('manifest.json'), 'utf8')) as {
    generator: { finished_at: string };
  };
  const at = manifest.generator.finished_at;
  const expected = (
    manifestEntry('decisions.db') as unknown as {
      decisions: Record<string, ManifestDecision>;
    }
  ).decisions;
  const slugs = Object.keys(expected).sort();
  const idOf = (slug: string): string => {
    const entry = expected[slug];
    if (entry === undefined) throw new Error(`no decision ${slug}`);
    return entry.decision_id;
  };
  const fixtureView = (slug: string): PyJsonObject => {
    const value = parsePythonJson(
      readFileSync(nexusAttestPath('decisions', `${slug}.json`), 'utf8'),
    );
    if (!(value instanceof Map)) throw new Error(`${slug}.json is not an object`);
    return value;
  };

  const fixtureFolder = dirname(db);
  const folderBefore = readdirSync(fixtureFolder).sort();
  const dbSha = sha256OfFile(db);
  const poisonedSha = sha256OfFile(poisonedDb);

  it('covers the 14 decisions the manifest describes', () => {
    expect(slugs).toHaveLength(14);
  });

  describe('list', () => {
    it('lists every decision newest first with the manifest states and blocking codes', () => {
      const document = parseStdoutJson<ListJson>(
        cli('decisions', 'list', db, '--at', at, '--json'),
      );
      expect(document.schema_version).toBe(1);
      expect(document.count).toBe(14);
      expect(document.as_of).toBe(at);
      const created = document.decisions.map((d) => d.created_at);
      expect(created).toEqual([...created].sort().reverse());
      for (const slug of slugs) {
        const want = expected[slug];
        const listed = document.decisions.find((d) => d.decision_id === idOf(slug));
        expect(listed, slug).toBeDefined();
        if (want === undefined || listed === undefined) continue;
        expect(listed.state, slug).toBe(want.state);
        expect(listed.corrupt, slug).toBe(false);
        // nexus-attest leaves a crashed run unblocked; the Proofdesk flavour does not.
        const codes =
          slug === 'd09-executing-crashed' ? ['EXECUTION_STALLED'] : want.blocking_codes;
        expect(
          listed.blocking_reasons.map((r) => r.code),
          slug,
        ).toEqual(codes);
        expect(listed.is_blocked, slug).toBe(codes.length > 0);
        for (const reason of listed.blocking_reasons)
          expect(reason.message.length).toBeGreaterThan(0);
        expect(listed.approvals, slug).toMatch(/^\d+\/\d+$/);
      }
    });

    it('shows the same in text: one row per decision, with the blocking message under it', () => {
      const result = cli('decisions', 'list', db, '--at', at);
      expect(result.status, describeRun(result)).toBe(EXIT.pass);
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain(`as of    ${at}`);
      for (const slug of slugs) {
        const want = expected[slug];
        const row = result.stdout.split('\n').find((line) => line.startsWith(idOf(slug)));
        expect(row, slug).toBeDefined();
        expect(row).toContain(` ${want?.state ?? ''} `);
      }
      expect(result.stdout).toContain('EXECUTION_STALLED');
      expect(result.stdout).toContain('Approvals expired: 1 approval(s) have expired');
      expect(result.stdout).toContain('Rotate clés — 東京 region 😀');
    });

    it('judges expiry at --at: before the d04 approval expired, it was not blocked by expiry', () => {
      const early = parseStdoutJson<ListJson>(
        cli('decisions', 'list', db, '--at', '2026-11-22T21:22:54+00:00', '--json'),
      );
      const d04 = early.decisions.find((d) => d.decision_id === idOf('d04-approval-expired'));
      expect(d04?.state).toBe('approved');
      expect(d04?.blocking_reasons).toEqual([]);
      // Without --at the instant is now, which is after the generation.
      const now = parseStdoutJson<ListJson>(cli('decisions', 'list', db, '--json'));
      expect(now.as_of > at).toBe(true);
      expect(
        now.decisions.find((d) => d.decision_id === idOf('d04-approval-expired'))
          ?.blocking_reasons[0]?.code,
      ).toBe('APPROVAL_EXPIRED');
    });

    it('lists a decision that cannot be replayed as corrupt, with its reason, without failing', () => {
      const document = parseStdoutJson<ListJson>(
        cli('decisions', 'list', poisonedDb, '--at', at, '--json'),
      );
      expect(document.count).toBe(1);
      const corrupt = document.decisions[0];
      expect(corrupt?.state).toBe('unreplayable');
      expect(corrupt?.status).toBe('UNREPLAYABLE');
      expect(corrupt?.corrupt).toBe(true);
      expect(corrupt?.blocking_reasons.map((r) => r.code)).toEqual(['UNREPLAYABLE']);
      expect(corrupt?.error).toContain('has no UTC offset');
      expect(corrupt?.blocking_reasons[0]?.details['python_error']).toBe(
        "TypeError: can't compare offset-naive and offset-aware datetimes",
      );

      const text = cli('decisions', 'list', poisonedDb, '--at', at);
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stdout).toContain('1 corrupt');
      expect(text.stdout).toContain('CORRUPT (unreplayable)');
      expect(text.stdout).toContain('UNREPLAYABLE');
      expect(text.stdout).toContain('Decision cannot be replayed: Event 2');
    });
  });

  describe('show', () => {
    it.each(slugs.filter((slug) => slug !== 'd09-executing-crashed'))(
      '--json is the inspect view nexus-attest returned: %s',
      (slug) => {
        const result = cli('decisions', 'show', db, idOf(slug), '--at', at, '--json');
        expect(result.status, describeRun(result)).toBe(EXIT.pass);
        const shown = parsePythonJson(result.stdout);
        expect(canonical(shown)).toBe(
          canonical(withoutKey(fixtureView(slug).get('inspect_tool'), 'rendered')),
        );
      },
    );

    it('d09 (crashed mid-run) is EXECUTION_STALLED and not ready, where nexus-attest says ready', () => {
      const id = idOf('d09-executing-crashed');
      const json = parseStdoutJson<{
        decision: { status: string };
        lifecycle: {
          is_blocked: boolean;
          blocking_reasons: { code: string }[];
          progress: { ready_to_execute: boolean };
        };
      }>(cli('decisions', 'show', db, id, '--at', at, '--json'));
      expect(json.decision.status).toBe('EXECUTING');
      expect(json.lifecycle.is_blocked).toBe(true);
      expect(json.lifecycle.blocking_reasons.map((r) => r.code)).toEqual(['EXECUTION_STALLED']);
      expect(json.lifecycle.progress.ready_to_execute).toBe(false);

      const text = cli('decisions', 'show', db, id, '--at', at);
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stdout).toContain('status     EXECUTING');
      expect(text.stdout).toContain(
        'verdict    ✗ Execution stalled (started, no outcome recorded)',
      );
      expect(text.stdout).toContain('blocking   EXECUTION_STALLED: Execution started at');
      expect(text.stdout).toContain('no outcome recorded');
    });

    it('the text inspect shows status, verdict, policy, template, approvals N-of-M with expiry, executions and timeline', () => {
      const d04 = cli('decisions', 'show', db, idOf('d04-approval-expired'), '--at', at);
      expect(d04.status, describeRun(d04)).toBe(EXIT.pass);
      expect(d04.stdout).toContain('status     PENDING_APPROVAL');
      expect(d04.stdout).toContain('verdict    ✗ Decision not executable (missing 1 approval)');
      expect(d04.stdout).toContain('approvals  1 of 2 required (missing 1)');
      expect(d04.stdout).toMatch(/alice@example\.com \(human\), granted .*, expires .*: EXPIRED/);
      expect(d04.stdout).toContain('blocking   APPROVAL_EXPIRED: Approvals expired');

      const d07 = cli('decisions', 'show', db, idOf('d07-template-override-pending'), '--at', at);
      expect(d07.stdout).toMatch(/template {3}prod-deploy sha256:[0-9a-f]{64}/);
      expect(d07.stdout).toContain('policy     min_approvals 3');

      const d12 = cli('decisions', 'show', db, idOf('d12-executed-twice'), '--at', at);
      expect(d12.stdout).toContain('status     EXECUTED');
      expect(d12.stdout).toContain('verdict    ✓ Executed (router run completed)');
      expect(d12.stdout).toContain('executions 2');
      expect(d12.stdout).toContain('blocking   ALREADY_EXECUTED');

      const d10 = cli(
        'decisions',
        'show',
        db,
        idOf('d10-approval-churn-truncated-timeline'),
        '--at',
        at,
      );
      expect(d10.stdout).toContain('showing the last 20 of 24 entries');
    });

    it('shows a corrupt decision as UNREPLAYABLE with the events it can still describe', () => {
      const id = readPoisonedId();
      const text = cli('decisions', 'show', poisonedDb, id, '--at', at);
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stdout).toContain('status     CORRUPT (UNREPLAYABLE)');
      expect(text.stdout).toContain('blocking   UNREPLAYABLE');
      expect(text.stdout).toContain('Approval granted by alice@example.com');
      const json = parseStdoutJson<{ ok: boolean; decision: { status: string }; error: string }>(
        cli('decisions', 'show', poisonedDb, id, '--json'),
      );
      expect(json.ok).toBe(false);
      expect(json.decision.status).toBe('UNREPLAYABLE');
      expect(json.error).toContain('no UTC offset');
    });
  });

  describe('timeline', () => {
    const d10 = (): string => idOf('d10-approval-churn-truncated-timeline');
    const fullTimeline = (): PyJsonValue => {
      const lifecycle = fixtureView('d10-approval-churn-truncated-timeline').get(
        'lifecycle_full_timeline',
      );
      if (!(lifecycle instanceof Map)) throw new Error('no lifecycle_full_timeline');
      return lifecycle.get('timeline') ?? null;
    };

    it('keeps the last 20 entries by default and says so', () => {
      const text = cli('decisions', 'timeline', db, d10(), '--at', at);
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stdout).toContain('showing the last 20 of 24 entries; --all shows every entry');
      const json = parsePythonJson(
        cli('decisions', 'timeline', db, d10(), '--at', at, '--json').stdout,
      );
      if (!(json instanceof Map)) throw new Error('not an object');
      const timeline = json.get('timeline');
      expect(Array.isArray(timeline) && timeline.length).toBe(20);
      expect(json.get('timeline_truncated')).toBe(true);
      expect(canonical(timeline ?? null)).toBe(
        canonical((fullTimeline() as PyJsonValue[]).slice(-20)),
      );
    });

    it('--all gives every entry, exactly as nexus-attest computes them', () => {
      const json = parsePythonJson(
        cli('decisions', 'timeline', db, d10(), '--at', at, '--all', '--json').stdout,
      );
      if (!(json instanceof Map)) throw new Error('not an object');
      expect(json.get('timeline_truncated')).toBe(false);
      expect(canonical(json.get('timeline') ?? null)).toBe(canonical(fullTimeline()));
      const text = cli('decisions', 'timeline', db, d10(), '--all');
      expect(text.stdout).not.toContain('showing the last');
      expect(text.stdout).toContain('Approval granted by dave@example.com: "approve #1"');
    });

    it('describes what it can of a corrupt decision', () => {
      const text = cli('decisions', 'timeline', poisonedDb, readPoisonedId());
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stdout).toContain('CORRUPT (unreplayable)');
      expect(text.stdout).toContain('Policy attached');
    });
  });

  describe('bad input is one sentence and exit 2', () => {
    const id = (): string => idOf('d05-executed-success');
    it.each([
      ['a missing database', () => ['decisions', 'list', join(directory, 'missing.db')], /no file/],
      [
        'a file that is not a database',
        () => ['decisions', 'list', nexusAttestPath('manifest.json')],
        /SQLite/,
      ],
      [
        'an unknown decision id',
        () => ['decisions', 'show', db, 'no-such-decision'],
        /no decision no-such-decision/,
      ],
      [
        'an unknown decision id (timeline)',
        () => ['decisions', 'timeline', db, 'nope'],
        /no decision nope/,
      ],
      [
        'an --at that is not a timestamp',
        () => ['decisions', 'list', db, '--at', 'yesterday'],
        /--at needs an ISO 8601/,
      ],
      [
        'an --at without an offset',
        () => ['decisions', 'show', db, id(), '--at', '2026-11-22T21:22:57'],
        /no offset/,
      ],
      ['an --at without a value', () => ['decisions', 'list', db, '--at'], /--at needs a value/],
      ['an unknown flag', () => ['decisions', 'list', db, '--limit', '3'], /no option --limit/],
      ['no subcommand', () => ['decisions'], /list, show, timeline or verify/],
      ['an unknown subcommand', () => ['decisions', 'inspect', db], /no subcommand "inspect"/],
      ['no database', () => ['decisions', 'list'], /needs a decision database/],
      [
        'a missing decision id',
        () => ['decisions', 'show', db],
        /a decision database and a decision id/,
      ],
      [
        'an extra argument',
        () => ['decisions', 'show', db, id(), 'extra'],
        /a decision database and a decision id/,
      ],
    ])('%s', (_name, args, mentions) => {
      expectOneSentenceError(cli(...args()), mentions);
    });
  });

  it('never changes the fixture databases or leaves files beside them', () => {
    expect(sha256OfFile(db)).toBe(dbSha);
    expect(sha256OfFile(poisonedDb)).toBe(poisonedSha);
    expect(readdirSync(fixtureFolder).sort()).toEqual(folderBefore);
  });

  function readPoisonedId(): string {
    const results = JSON.parse(
      readFileSync(nexusAttestPath('poisoned', 'poisoned-naive-expiry.results.json'), 'utf8'),
    ) as { decision_id: string };
    return results.decision_id;
  }
});
