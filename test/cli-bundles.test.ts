/**
 * `proofdesk bundle export|verify` and `proofdesk package export|verify` run as a real subprocess
 * against the nexus-attest fixtures: exports are byte-identical to nexus-attest's (a bundle
 * exported as of its meta.exported_at is the fixture file's canonical bytes), every fixture bundle
 * and package gets the verdict and codes the library gives, nexus-attest's own checks appear under
 * their own names, the JSON document has the documented shape, --out is atomic and never replaces
 * a file without --force, and bad input is one sentence with exit 2 and nothing written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePythonJson, type PyJsonObject } from '../src-shared/canonical-json/python-json';
import { CHECK_NAMES, CHECK_STATUSES, FINDING_CODES } from '../src-shared/check-code';
import {
  NEXUS_PACKAGE_CHECK_NAMES,
  verifyAuditPackage,
} from '../src-shared/decisions/audit-package';
import {
  pyObject,
  replayedHeaderOf,
  verifyDecisionBundle,
  type DecisionCheckResult,
} from '../src-shared/decisions/decision-bundle';
import { replayDecision } from '../src-shared/decisions/decision-replay';
import { parsePythonIsoformat } from '../src-shared/decisions/python-datetime';
import { describeWithFixtures } from './support/shared-fixtures';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';
import {
  canonicalOf,
  clonePy,
  fixtureFilesIn,
  manifestEntry,
  manifestFiles,
  nexusAttestPath,
  objectAt,
  readFixtureDecisionEvents,
  readFixtureObject,
  sha256Hex,
  stringAt,
} from './support/nexus-attest-fixtures';
import {
  describeRun,
  EXIT,
  EXIT_OF_VERDICT,
  expectOneSentenceError,
  isRecord,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

interface JsonCheck {
  check: string;
  status: string;
  code?: string;
  compat_name?: string;
  message: string;
  expected?: string;
  actual?: string;
  required?: boolean;
}

interface EvidenceJson {
  schema_version: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  file: { path: string; sha256: string; bytes: number };
  subject: 'decision-bundle' | 'audit-package';
  decision_id?: string;
  checks: JsonCheck[];
}

const TOP_LEVEL_KEYS = ['schema_version', 'verdict', 'file', 'subject', 'decision_id', 'checks'];
const CHECK_KEYS = new Set([
  'check',
  'status',
  'code',
  'compat_name',
  'decision_id',
  'seq',
  'message',
  'expected',
  'actual',
  'required',
]);

/** Parses stdout as one JSON document, checks the documented shape and the exit code. */
function parseEvidenceJson(result: CliResult, subject: EvidenceJson['subject']): EvidenceJson {
  const context = describeRun(result);
  expect(result.stderr, context).toBe('');
  const parsed = JSON.parse(result.stdout) as unknown;
  if (!isRecord(parsed)) throw new Error(`stdout is not a JSON object:\n${context}`);
  for (const key of ['schema_version', 'verdict', 'file', 'subject', 'checks']) {
    expect(Object.keys(parsed), `missing ${key}`).toContain(key);
  }
  for (const key of Object.keys(parsed)) expect(TOP_LEVEL_KEYS, context).toContain(key);
  expect(parsed['schema_version']).toBe(1);
  expect(parsed['subject']).toBe(subject);
  expect(['pass', 'fail', 'inconclusive']).toContain(parsed['verdict']);
  const file = parsed['file'];
  if (!isRecord(file)) throw new Error('file is not an object');
  expect(Object.keys(file).sort()).toEqual(['bytes', 'path', 'sha256']);
  expect(file['sha256']).toMatch(/^[0-9a-f]{64}$/);
  expect(Number.isSafeInteger(file['bytes'])).toBe(true);
  if ('decision_id' in parsed) expect(typeof parsed['decision_id']).toBe('string');
  const checks = parsed['checks'];
  if (!Array.isArray(checks)) throw new Error('checks is not an array');
  expect(checks.length).toBeGreaterThan(0);
  for (const check of checks as unknown[]) {
    if (!isRecord(check)) throw new Error('a check is not an object');
    for (const key of Object.keys(check)) expect(CHECK_KEYS, `check key ${key}`).toContain(key);
    expect(CHECK_NAMES as readonly unknown[]).toContain(check['check']);
    expect(CHECK_STATUSES as readonly unknown[]).toContain(check['status']);
    expect(typeof check['message']).toBe('string');
    if (check['status'] !== 'PASS')
      expect(FINDING_CODES as readonly unknown[]).toContain(check['code']);
    if ('compat_name' in check) expect(typeof check['compat_name']).toBe('string');
    for (const key of ['expected', 'actual']) {
      if (key in check) expect(typeof check[key]).toBe('string');
    }
  }
  const document = parsed as unknown as EvidenceJson;
  expect(result.status, context).toBe(EXIT_OF_VERDICT[document.verdict]);
  const statuses = document.checks.map((check) => check.status);
  if (statuses.includes('FAIL')) expect(document.verdict).toBe('fail');
  else expect(document.verdict).not.toBe('fail');
  return document;
}

/** What a check line reduces to for comparing the CLI with the library. */
function summary(check: JsonCheck | DecisionCheckResult): string {
  const compat = 'compatName' in check ? check.compatName : (check as JsonCheck).compat_name;
  return `${check.status} ${check.check} ${check.code ?? '-'} ${compat ?? '-'}`;
}

describeWithFixtures('proofdesk bundle and package (CLI)', () => {
  const configHome = temporaryConfigHome();
  const directory = temporaryDirectory();
  const cli = (...args: string[]): CliResult => runCli(args, { configHome });
  const freshDirectory = (): string => mkdtempSync(join(directory, 'case-'));

  const db = nexusAttestPath('decisions.db');
  const dbSha = sha256OfFile(db);
  const eventsByDecision = readFixtureDecisionEvents();
  const exported = manifestFiles('decision-bundle');
  const variants = manifestFiles('decision-bundle-variant');
  const bundleFiles = [
    ...fixtureFilesIn('bundles', '.bundle.json'),
    ...fixtureFilesIn('bundles/variants', '.bundle.json'),
    ...fixtureFilesIn('bundles/tampered', '.bundle.json'),
  ];
  const packageFiles = [
    ...fixtureFilesIn('packages', '.audit.json'),
    ...fixtureFilesIn('packages/tampered', '.audit.json'),
  ];

  it('finds every fixture', () => {
    expect(exported).toHaveLength(14);
    expect(variants).toHaveLength(3);
    expect(bundleFiles).toHaveLength(24);
    expect(packageFiles).toHaveLength(18);
  });

  describe('bundle export', () => {
    it.each(exported.map((f) => [f.path, f] as const))(
      'exported as of meta.exported_at, it is the fixture byte for byte: %s',
      (path, file) => {
        const fixture = readFixtureObject(path);
        const result = cli(
          'bundle',
          'export',
          db,
          stringAt(fixture, 'decision', 'decision_id'),
          '--at',
          stringAt(fixture, 'meta', 'exported_at'),
        );
        expect(result.status, describeRun(result)).toBe(EXIT.pass);
        expect(result.stderr).toBe('');
        // The files on disk are pretty-printed; the manifest's sha256 is over the canonical bytes.
        expect(result.stdout).toBe(canonicalOf(fixture));
        expect(sha256Hex(result.stdout)).toBe(file.sha256);
      },
    );

    it.each(variants.map((f) => [f.path] as const))('honours the export flags: %s', (path) => {
      const fixture = readFixtureObject(path);
      const flags = [
        ...(path.includes('.no-router-link.') ? ['--no-router-link'] : []),
        ...(path.includes('.no-template-snapshot.') ? ['--no-template-snapshot'] : []),
      ];
      const result = cli(
        'bundle',
        'export',
        db,
        stringAt(fixture, 'decision', 'decision_id'),
        '--at',
        stringAt(fixture, 'meta', 'exported_at'),
        ...flags,
      );
      expect(result.status, describeRun(result)).toBe(EXIT.pass);
      expect(result.stdout).toBe(canonicalOf(fixture));
    });

    it('without --at, replays now and records now as exported_at', () => {
      const slug = 'd05-executed-success';
      const fixture = readFixtureObject(`bundles/${slug}.bundle.json`);
      const before = Date.now();
      const result = cli('bundle', 'export', db, stringAt(fixture, 'decision', 'decision_id'));
      expect(result.status, describeRun(result)).toBe(EXIT.pass);
      const bundle = parsePythonJson(result.stdout);
      const exportedAt = stringAt(bundle, 'meta', 'exported_at');
      expect(exportedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/);
      const micros = parsePythonIsoformat(exportedAt).epochMicros;
      expect(micros >= BigInt(before - 1000) * 1000n).toBe(true);
      // meta is outside the digest: everything else is the fixture's.
      objectAt(bundle, 'meta').set('exported_at', stringAt(fixture, 'meta', 'exported_at'));
      expect(canonicalOf(bundle)).toBe(canonicalOf(fixture));
    });

    it('--out writes the same bytes atomically and never replaces a file without --force', () => {
      const folder = freshDirectory();
      const out = join(folder, 'd05.bundle.json');
      const fixture = readFixtureObject('bundles/d05-executed-success.bundle.json');
      const args = [
        'bundle',
        'export',
        db,
        stringAt(fixture, 'decision', 'decision_id'),
        '--at',
        stringAt(fixture, 'meta', 'exported_at'),
        '--out',
        out,
      ];
      const first = cli(...args);
      expect(first.status, describeRun(first)).toBe(EXIT.pass);
      expect(first.stdout).toBe('');
      expect(first.stderr).toMatch(/written to .*d05\.bundle\.json/);
      expect(readFileSync(out, 'utf8')).toBe(canonicalOf(fixture));

      writeFileSync(out, 'precious');
      expectOneSentenceError(cli(...args), /already exists.*--force/);
      expect(readFileSync(out, 'utf8')).toBe('precious');

      const forced = cli(...args, '--force');
      expect(forced.status, describeRun(forced)).toBe(EXIT.pass);
      expect(readFileSync(out, 'utf8')).toBe(canonicalOf(fixture));
      expect(readdirSync(folder)).toEqual(['d05.bundle.json']);
    });

    it('refuses a decision that cannot be replayed, and writes nothing', () => {
      const poisoned = nexusAttestPath('poisoned', 'decisions-poisoned.db');
      const id = (
        JSON.parse(
          readFileSync(nexusAttestPath('poisoned', 'poisoned-naive-expiry.results.json'), 'utf8'),
        ) as { decision_id: string }
      ).decision_id;
      const folder = freshDirectory();
      const out = join(folder, 'poisoned.bundle.json');
      expectOneSentenceError(
        cli('bundle', 'export', poisoned, id, '--out', out),
        /is corrupt.*cannot be replayed/,
      );
      expectOneSentenceError(cli('bundle', 'export', poisoned, id), /is corrupt/);
      expect(readdirSync(folder)).toEqual([]);
    });

    it.each([
      [
        'an unknown decision id',
        ['bundle', 'export', '__DB__', 'no-such-id', '--out', '__OUT__'],
        /no decision no-such-id/,
      ],
      [
        'a bad --at',
        ['bundle', 'export', '__DB__', '__ID__', '--at', 'soon', '--out', '__OUT__'],
        /--at needs an ISO 8601/,
      ],
      [
        'an unknown flag',
        ['bundle', 'export', '__DB__', '__ID__', '--pretty', '--out', '__OUT__'],
        /no option --pretty/,
      ],
      [
        '--force without --out',
        ['bundle', 'export', '__DB__', '__ID__', '--force'],
        /--force only applies with --out/,
      ],
      [
        '--out over the database',
        ['bundle', 'export', '__DB__', '__ID__', '--out', '__DB__', '--force'],
        /would overwrite the database/,
      ],
      [
        '--out in a missing folder',
        ['bundle', 'export', '__DB__', '__ID__', '--out', '__NOFOLDER__'],
        /does not exist/,
      ],
      [
        'a missing database',
        ['bundle', 'export', '__MISSING__', '__ID__', '--out', '__OUT__'],
        /no file/,
      ],
      [
        'a missing decision id',
        ['bundle', 'export', '__DB__'],
        /a decision database and a decision id/,
      ],
      ['no subcommand', ['bundle'], /export, verify or import/],
      ['an unknown subcommand', ['bundle', 'sign'], /no subcommand "sign"/],
    ])('bad input, nothing written: %s', (_name, template, mentions) => {
      const folder = freshDirectory();
      const id = stringAt(
        readFixtureObject('bundles/d05-executed-success.bundle.json'),
        'decision',
        'decision_id',
      );
      const out = join(folder, 'out.json');
      const replace: Record<string, string> = {
        __DB__: db,
        __ID__: id,
        __OUT__: out,
        __MISSING__: join(folder, 'none.db'),
        __NOFOLDER__: join(folder, 'no-such-folder', 'out.json'),
      };
      expectOneSentenceError(cli(...template.map((arg) => replace[arg] ?? arg)), mentions);
      expect(readdirSync(folder)).toEqual([]);
      expect(sha256OfFile(db)).toBe(dbSha);
    });
  });

  describe('bundle verify', () => {
    it.each(bundleFiles.map((path) => [path] as const))(
      'gives the library verdict and codes: %s',
      (path) => {
        const value = readFixtureObject(path);
        const library = verifyDecisionBundle(value);
        const document = parseEvidenceJson(
          cli('bundle', 'verify', nexusAttestPath(path), '--json'),
          'decision-bundle',
        );
        expect(document.verdict).toBe(library.verdict);
        expect(document.checks.map(summary)).toEqual(library.checks.map(summary));
        expect(document.file.sha256).toBe(sha256OfFile(nexusAttestPath(path)));
        const decision = value.get('decision');
        const id = decision instanceof Map ? decision.get('decision_id') : undefined;
        if (typeof id === 'string') expect(document.decision_id).toBe(id);
        // Without --db, decision.status is skipped and says how to check it.
        const skipped = document.checks.find((c) => c.code === 'BUNDLE_STATUS_NOT_REPLAYED');
        if (skipped !== undefined) {
          expect(skipped.message).toContain('give --db DB');
          expect(skipped.required).toBeUndefined();
        }
        // nexus-attest's import-time checks are there under their own names.
        const compat = document.checks.map((c) => c.compat_name).filter(Boolean);
        expect(compat).toContain('import_bundle.schema');

        const expected = manifestEntry(path).expected ?? {};
        const code = expected['import_error_code'];
        const kwargs = expected['import_kwargs'] as Record<string, unknown> | undefined;
        if (typeof code === 'string' && Object.keys(kwargs ?? {}).length === 0) {
          const failing = document.checks.filter(
            (c) => c.status === 'FAIL' && c.compat_name?.startsWith('import_bundle.'),
          );
          expect(failing.map((c) => c.message)).toContainEqual(
            expect.stringContaining(`${code}: ${String(expected['import_error'])}`),
          );
        }
      },
    );

    it.each(bundleFiles.map((path) => [path] as const))(
      'with --db, replays the decision at meta.exported_at for the status check: %s',
      (path) => {
        const value = readFixtureObject(path);
        const decisionId = stringAt(value, 'decision', 'decision_id');
        const events = eventsByDecision.get(decisionId) ?? [];
        const replay = replayDecision(
          decisionId,
          events,
          parsePythonIsoformat(stringAt(value, 'meta', 'exported_at')).epochMicros,
        );
        if (!replay.ok) throw new Error(replay.message);
        const library = verifyDecisionBundle(value, {
          replayedHeader: replayedHeaderOf(replay.decision),
        });
        const document = parseEvidenceJson(
          cli('bundle', 'verify', nexusAttestPath(path), '--db', db, '--json'),
          'decision-bundle',
        );
        expect(document.checks.map(summary)).toEqual(library.checks.map(summary));
        expect(document.verdict).toBe(library.verdict);
        const status = document.checks.find((c) => c.check === 'bundle.status');
        if (status?.status === 'PASS') {
          expect(status.message).toContain('replayed from');
          expect(status.message).toContain('meta.exported_at');
        }
      },
    );

    it('an untampered export passes outright with --db, and is a plain pass with one SKIP without', () => {
      for (const file of exported) {
        const withDb = parseEvidenceJson(
          cli('bundle', 'verify', nexusAttestPath(file.path), '--db', db, '--json'),
          'decision-bundle',
        );
        expect(withDb.verdict, file.path).toBe('pass');
        expect(
          withDb.checks.every((c) => c.status === 'PASS'),
          file.path,
        ).toBe(true);
      }
    });

    it('catches a header edit that nexus-attest imports when verify_digest is off', () => {
      const path = 'bundles/tampered/d05.goal-changed-verify-off.bundle.json';
      const document = parseEvidenceJson(
        cli('bundle', 'verify', nexusAttestPath(path), '--db', db, '--json'),
        'decision-bundle',
      );
      expect(document.verdict).toBe('fail');
      expect(document.checks.map((c) => c.code)).toContain('BUNDLE_HEADER_MISMATCH');
    });

    it('a status that --db cannot supply makes the verdict inconclusive (exit 3)', () => {
      const path = nexusAttestPath('bundles/d05-executed-success.bundle.json');
      const result = cli(
        'bundle',
        'verify',
        path,
        '--db',
        nexusAttestPath('poisoned', 'decisions-poisoned.db'),
        '--json',
      );
      const document = parseEvidenceJson(result, 'decision-bundle');
      expect(document.verdict).toBe('inconclusive');
      const skipped = document.checks.find((c) => c.code === 'BUNDLE_STATUS_NOT_REPLAYED');
      expect(skipped?.required).toBe(true);
      expect(skipped?.message).toMatch(/has no decision 41b54218/);
    });

    it('--at overrides the replay instant: before the d04 approval expired, the status differs', () => {
      const path = nexusAttestPath('bundles/d04-approval-expired.bundle.json');
      const document = parseEvidenceJson(
        cli('bundle', 'verify', path, '--db', db, '--at', '2026-11-22T21:22:54Z', '--json'),
        'decision-bundle',
      );
      // --at judges approval expiry only: the events are the same, the approval was still valid.
      expect(document.verdict).toBe('fail');
      const status = document.checks.find((c) => c.check === 'bundle.status');
      expect(status).toMatchObject({
        status: 'FAIL',
        code: 'BUNDLE_STATUS_MISMATCH',
        expected: 'APPROVED',
        actual: 'PENDING_APPROVAL',
      });
      expect(status?.message).toContain('2026-11-22T21:22:54+00:00, given by --at');
    });

    it('the text report names nexus-attest checks in brackets and ends with the verdict', () => {
      const result = cli(
        'bundle',
        'verify',
        nexusAttestPath('bundles/tampered/d05.goal-changed.bundle.json'),
      );
      expect(result.status, describeRun(result)).toBe(EXIT.fail);
      expect(result.stdout).toMatch(
        /^FAIL {4}bundle\.digest \[import_bundle\.verify_digest\] +BUNDLE_DIGEST_MISMATCH: INTEGRITY_MISMATCH: Digest mismatch/m,
      );
      expect(result.stdout).toContain('subject  decision-bundle   decision 41b54218');
      expect(result.stdout).toMatch(/\nverdict: FAIL \(\d+ FAIL, 1 SKIP\)\n$/);
    });

    it('shows control characters and bidi overrides from the file escaped in text', () => {
      const bundle = clonePy(readFixtureObject('bundles/d05-executed-success.bundle.json'));
      objectAt(bundle, 'decision').set('goal', 'Rotate\u001b[2J keys \u202e');
      const path = join(freshDirectory(), 'escape.bundle.json');
      writeFileSync(path, canonicalOf(bundle));
      const result = cli('bundle', 'verify', path);
      expect(result.status, describeRun(result)).toBe(EXIT.fail);
      expect(result.stdout.includes('\u001b') || result.stdout.includes('\u202e')).toBe(false);
      expect(result.stdout).toContain('actual:   Rotate\\u001b[2J keys \\u202e');
    });

    it('a file that is not JSON, or not a bundle, fails verification (exit 1), not usage', () => {
      const folder = freshDirectory();
      const cases: [string, string | Buffer][] = [
        ['not-json.json', 'this is not json'],
        ['empty.json', ''],
        ['array.json', '[1, 2, 3]'],
        ['latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])],
        ['no-events.json', '{"bundle_version": "0.5", "decision": {}}'],
      ];
      for (const [name, content] of cases) {
        const path = join(folder, name);
        writeFileSync(path, content);
        const document = parseEvidenceJson(
          cli('bundle', 'verify', path, '--json'),
          'decision-bundle',
        );
        expect(document.verdict, name).toBe('fail');
        expect(
          document.checks.map((c) => c.code),
          name,
        ).toContain('BUNDLE_INVALID_SCHEMA');
        expect(document.file.bytes, name).toBe(Buffer.byteLength(content));
      }
    });

    it.each([
      [
        'a missing file',
        () => ['bundle', 'verify', join(directory, 'missing.bundle.json')],
        /no file/,
      ],
      ['a directory', () => ['bundle', 'verify', nexusAttestPath('bundles')], /is a directory/],
      [
        '--at without --db',
        () => [
          'bundle',
          'verify',
          nexusAttestPath('bundles/d05-executed-success.bundle.json'),
          '--at',
          '2026-11-22T21:22:57Z',
        ],
        /--at needs --db/,
      ],
      [
        'a bad --at',
        () => [
          'bundle',
          'verify',
          nexusAttestPath('bundles/d05-executed-success.bundle.json'),
          '--db',
          db,
          '--at',
          'x',
        ],
        /--at needs an ISO 8601/,
      ],
      [
        'a missing --db',
        () => [
          'bundle',
          'verify',
          nexusAttestPath('bundles/d05-executed-success.bundle.json'),
          '--db',
          join(directory, 'none.db'),
        ],
        /no file/,
      ],
      ['two files', () => ['bundle', 'verify', 'a.json', 'b.json'], /takes one bundle file/],
      ['an unknown flag', () => ['bundle', 'verify', 'a.json', '--strict'], /no option --strict/],
    ])('bad input is exit 2: %s', (_name, args, mentions) => {
      expectOneSentenceError(cli(...args()), mentions);
    });
  });

  describe('package verify', () => {
    it.each(packageFiles.map((path) => [path] as const))(
      'gives the library verdict and codes, and nexus-attest’s own check results: %s',
      (path) => {
        const value = readFixtureObject(path);
        const library = verifyAuditPackage(value);
        const document = parseEvidenceJson(
          cli('package', 'verify', nexusAttestPath(path), '--json'),
          'audit-package',
        );
        expect(document.verdict).toBe(library.verdict);
        expect(document.checks.map(summary)).toEqual(library.checks.map(summary));

        // verify_audit_package's own result (the .verify.json beside the package).
        const nexus = readFixtureObject(path.replace(/\.audit\.json$/, '.verify.json'));
        const parseError = nexus.get('parse_error');
        if (typeof parseError === 'string') {
          const structure = document.checks.find((c) => c.compat_name === 'AuditPackage.from_dict');
          expect(structure?.status).toBe('FAIL');
          expect(structure?.code).toBe('PACKAGE_MALFORMED');
          expect(structure?.message).toContain(parseError);
          return;
        }
        const nexusChecks = nexus.get('checks') as PyJsonObject[];
        for (const check of nexusChecks) {
          const name = check.get('name') as string;
          const line = document.checks.find((c) => c.compat_name === name);
          expect(line, name).toBeDefined();
          expect(line?.check).toBe(`package.${name}`);
          expect(line?.status, name).toBe(check.get('ok') === true ? 'PASS' : 'FAIL');
        }
        const nexusNames: readonly string[] = NEXUS_PACKAGE_CHECK_NAMES;
        expect(
          document.checks.filter((c) => nexusNames.includes(c.compat_name ?? '')),
        ).toHaveLength(nexusChecks.length);
      },
    );

    it.each(packageFiles.map((path) => [path] as const))(
      'with --db, replays the control bundle decision: %s',
      (path) => {
        const value = readFixtureObject(path);
        const control = objectAt(value, 'control_bundle');
        const decisionId = stringAt(control, 'decision', 'decision_id');
        const replay = replayDecision(
          decisionId,
          eventsByDecision.get(decisionId) ?? [],
          parsePythonIsoformat(stringAt(control, 'meta', 'exported_at')).epochMicros,
        );
        if (!replay.ok) throw new Error(replay.message);
        const library = verifyAuditPackage(value, {
          replayedHeader: replayedHeaderOf(replay.decision),
        });
        const document = parseEvidenceJson(
          cli('package', 'verify', nexusAttestPath(path), '--db', db, '--json'),
          'audit-package',
        );
        expect(document.checks.map(summary)).toEqual(library.checks.map(summary));
        expect(document.verdict).toBe(library.verdict);
      },
    );

    it('the text report shows nexus-attest check names', () => {
      const result = cli(
        'package',
        'verify',
        nexusAttestPath('packages/tampered/binding-digest-altered.audit.json'),
      );
      expect(result.status, describeRun(result)).toBe(EXIT.fail);
      expect(result.stdout).toMatch(
        /^FAIL {4}package\.binding_digest \[binding_digest\] +PACKAGE_BINDING_DIGEST_MISMATCH: binding_digest:/m,
      );
      expect(result.stdout).toContain('subject  audit-package');
    });

    it('a package nexus-attest cannot parse, or a file that is not JSON, fails with PACKAGE_MALFORMED', () => {
      const folder = freshDirectory();
      for (const [name, content] of [
        ['not-json.json', '{"package_version": '],
        ['string.json', '"package"'],
        ['empty-object.json', '{}'],
      ] as const) {
        const path = join(folder, name);
        writeFileSync(path, content);
        const document = parseEvidenceJson(
          cli('package', 'verify', path, '--json'),
          'audit-package',
        );
        expect(document.verdict, name).toBe('fail');
        expect(
          document.checks.map((c) => c.code),
          name,
        ).toContain('PACKAGE_MALFORMED');
      }
    });

    it.each([
      [
        'a missing file',
        () => ['package', 'verify', join(directory, 'missing.audit.json')],
        /no file/,
      ],
      ['a directory', () => ['package', 'verify', nexusAttestPath('packages')], /is a directory/],
      ['no file', () => ['package', 'verify'], /needs a package file/],
      ['no subcommand', () => ['package'], /export or verify/],
    ])('bad input is exit 2: %s', (_name, args, mentions) => {
      expectOneSentenceError(cli(...args()), mentions);
    });
  });

  describe('package export', () => {
    const wrapperPath = nexusAttestPath('packages/inputs/router-result-wrapper.bundle.json');
    const v03Path = nexusAttestPath('packages/inputs/nexus-router-v0.3-shaped.bundle.json');
    const v03Digest = stringAt(
      readFixtureObject('packages/inputs/nexus-router-v0.3-shaped.bundle.json'),
      'digests',
      'sha256',
    );

    function v03WithIntegrity(): string {
      const v03 = clonePy(
        readFixtureObject('packages/inputs/nexus-router-v0.3-shaped.bundle.json'),
      );
      v03.set(
        'integrity',
        pyObject([
          ['alg', 'sha256'],
          ['canonical_digest', `sha256:${v03Digest}`],
        ]),
      );
      const path = join(freshDirectory(), 'v03-with-integrity.json');
      writeFileSync(path, canonicalOf(v03));
      return path;
    }

    function routerFlags(path: string): string[] {
      if (path.includes('.embedded-strict.')) return ['--router-bundle', wrapperPath, '--embed'];
      if (path.includes('.embedded-nexus-router-shape.')) {
        return ['--router-bundle', v03WithIntegrity(), '--embed', '--no-verify-router-digest'];
      }
      if (path.includes('.reference-override.')) return ['--router-digest', `sha256:${v03Digest}`];
      return [];
    }

    it.each(manifestFiles('audit-package').map((f) => [f.path, f] as const))(
      'reproduces %s (both exported_at stamps aside)',
      (path, file) => {
        const fixture = readFixtureObject(path);
        const control = objectAt(fixture, 'control_bundle');
        const result = cli(
          'package',
          'export',
          db,
          stringAt(control, 'decision', 'decision_id'),
          '--at',
          stringAt(control, 'meta', 'exported_at'),
          ...routerFlags(path),
        );
        expect(result.status, describeRun(result)).toBe(EXIT.pass);
        expect(result.stderr).toBe('');
        const built = parsePythonJson(result.stdout);
        expect(result.stdout).toBe(canonicalOf(built));
        expect(stringAt(built, 'integrity', 'binding_digest')).toBe(
          file.expected?.['binding_digest'],
        );
        expect(stringAt(built, 'control_bundle', 'meta', 'exported_at')).toBe(
          stringAt(control, 'meta', 'exported_at'),
        );
        // export_audit_package stamps the package a few microseconds after its control bundle;
        // one --at gives both the same instant. Everything else is byte-identical.
        objectAt(built, 'meta').set('exported_at', stringAt(fixture, 'meta', 'exported_at'));
        expect(canonicalOf(built)).toBe(canonicalOf(fixture));
        expect(sha256Hex(canonicalOf(built))).toBe(file.sha256);
      },
    );

    it('writes d05.reference to --out, atomically, and verifies it', () => {
      const folder = freshDirectory();
      const out = join(folder, 'd05.audit.json');
      const fixture = readFixtureObject('packages/d05.reference.audit.json');
      const control = objectAt(fixture, 'control_bundle');
      const args = [
        'package',
        'export',
        db,
        stringAt(control, 'decision', 'decision_id'),
        '--at',
        stringAt(control, 'meta', 'exported_at'),
        '--out',
        out,
      ];
      const result = cli(...args);
      expect(result.status, describeRun(result)).toBe(EXIT.pass);
      expect(result.stdout).toBe('');
      expect(readdirSync(folder)).toEqual(['d05.audit.json']);
      expectOneSentenceError(cli(...args), /already exists/);
      const verified = parseEvidenceJson(
        cli('package', 'verify', out, '--db', db, '--json'),
        'audit-package',
      );
      expect(verified.verdict).toBe('pass');
      expect(verified.checks.filter((c) => c.status !== 'PASS').map((c) => c.code)).toEqual([
        'PACKAGE_ROUTER_BUNDLE_NOT_REHASHED',
      ]);
    });

    const exportErrors = JSON.parse(
      readFileSync(nexusAttestPath('packages', 'export-errors.json'), 'utf8'),
    ) as Record<string, { error_code?: string; error?: string } | string>;

    it.each(['d01-pending-0-of-2', 'd06-execution-failed', 'd09-executing-crashed'])(
      'refuses %s with NO_ROUTER_LINK, writing nothing',
      (slug) => {
        const expected = exportErrors[slug];
        if (typeof expected !== 'object') throw new Error(`no export error for ${slug}`);
        const id = stringAt(
          readFixtureObject(`bundles/${slug}.bundle.json`),
          'decision',
          'decision_id',
        );
        const folder = freshDirectory();
        const line = expectOneSentenceError(
          cli('package', 'export', db, id, '--out', join(folder, 'p.json')),
          /NO_ROUTER_LINK: decision .* has no router execution link/,
        );
        expect(expected.error_code).toBe('NO_ROUTER_LINK');
        expect(line).toContain(id);
        expect(readdirSync(folder)).toEqual([]);
      },
    );

    it('refuses a router bundle whose digest is not the recorded result (ROUTER_DIGEST_MISMATCH)', () => {
      const folder = freshDirectory();
      const wrong = clonePy(readFixtureObject('packages/inputs/router-result-wrapper.bundle.json'));
      objectAt(wrong, 'integrity').set('canonical_digest', `sha256:${'0'.repeat(64)}`);
      const routerPath = join(folder, 'wrong.json');
      writeFileSync(routerPath, canonicalOf(wrong));
      const id = stringAt(
        readFixtureObject('bundles/d05-executed-success.bundle.json'),
        'decision',
        'decision_id',
      );
      const expected = exportErrors['d05-embedded-digest-mismatch-verify-true'];
      if (typeof expected !== 'object') throw new Error('no fixture');
      const line = expectOneSentenceError(
        cli(
          'package',
          'export',
          db,
          id,
          '--router-bundle',
          routerPath,
          '--embed',
          '--out',
          join(folder, 'p.json'),
        ),
        /^proofdesk: ROUTER_DIGEST_MISMATCH: /,
      );
      expect(line).toContain(
        (expected.error ?? '').replace(/^Router bundle digest /, '').replace(/\.$/, ''),
      );
      expect(readdirSync(folder)).toEqual(['wrong.json']);
      // The same bundle embeds when the digest check is turned off, as nexus-attest allows.
      const relaxed = cli(
        'package',
        'export',
        db,
        id,
        '--router-bundle',
        routerPath,
        '--embed',
        '--no-verify-router-digest',
      );
      expect(relaxed.status, describeRun(relaxed)).toBe(EXIT.pass);
    });

    it('refuses a raw nexus-router bundle, where nexus-attest raises KeyError', () => {
      const id = stringAt(
        readFixtureObject('bundles/d05-executed-success.bundle.json'),
        'decision',
        'decision_id',
      );
      expect(exportErrors['d05-embedded-raw-nexus-router-bundle']).toBe(
        "raises KeyError: 'integrity'",
      );
      expectOneSentenceError(
        cli('package', 'export', db, id, '--router-bundle', v03Path, '--embed'),
        /ROUTER_BUNDLE_INVALID: .*KeyError: 'integrity'/,
      );
    });

    it.each([
      [
        'an unknown decision',
        ['__DB__', '00000000-0000-0000-0000-000000000000'],
        /no decision 00000000/,
      ],
      [
        '--embed without a router bundle',
        ['__DB__', '__ID__', '--embed'],
        /--embed needs --router-bundle/,
      ],
      [
        'a router bundle without --embed',
        ['__DB__', '__ID__', '--router-bundle', '__WRAPPER__'],
        /only with --embed/,
      ],
      [
        '--router-digest with --embed',
        [
          '__DB__',
          '__ID__',
          '--router-bundle',
          '__WRAPPER__',
          '--embed',
          '--router-digest',
          `sha256:${'a'.repeat(64)}`,
        ],
        /reference mode/,
      ],
      [
        'a malformed --router-digest',
        ['__DB__', '__ID__', '--router-digest', 'abc'],
        /sha256: and 64 lowercase hex/,
      ],
      [
        '--no-verify-router-digest alone',
        ['__DB__', '__ID__', '--no-verify-router-digest'],
        /only with --router-bundle/,
      ],
      [
        'a missing router bundle',
        ['__DB__', '__ID__', '--router-bundle', '__MISSING__', '--embed'],
        /no file/,
      ],
      [
        'a router bundle that is not JSON',
        ['__DB__', '__ID__', '--router-bundle', '__NOTJSON__', '--embed'],
        /not JSON/,
      ],
      [
        'a bad --at',
        ['__DB__', '__ID__', '--at', '2026-13-01T00:00:00Z'],
        /--at needs an ISO 8601/,
      ],
      ['an unknown flag', ['__DB__', '__ID__', '--mode', 'embedded'], /no option --mode/],
    ])('bad input, nothing written: %s', (_name, template, mentions) => {
      const folder = freshDirectory();
      const notJson = join(folder, 'not.json');
      writeFileSync(notJson, 'nope');
      const id = stringAt(
        readFixtureObject('bundles/d05-executed-success.bundle.json'),
        'decision',
        'decision_id',
      );
      const replace: Record<string, string> = {
        __DB__: db,
        __ID__: id,
        __WRAPPER__: wrapperPath,
        __MISSING__: join(folder, 'none.json'),
        __NOTJSON__: notJson,
      };
      const out = join(folder, 'out.json');
      const args = [
        'package',
        'export',
        ...template.map((arg) => replace[arg] ?? arg),
        '--out',
        out,
      ];
      expectOneSentenceError(cli(...args), mentions);
      expect(existsSync(out)).toBe(false);
    });
  });

  it('dispatches bundle import to its command', () => {
    const result = cli('bundle', 'import');
    expect(result.status, describeRun(result)).toBe(EXIT.usage);
    expect(result.stdout).toBe('');
  });

  it('lists the new commands in the usage', () => {
    const help = cli('help');
    expect(help.status).toBe(EXIT.pass);
    for (const line of [
      'proofdesk decisions list <db>',
      'proofdesk decisions show <db> <id>',
      'proofdesk decisions timeline <db> <id>',
      'proofdesk bundle export <db> <id>',
      'proofdesk bundle verify <file>',
      'proofdesk package export <db> <id>',
      'proofdesk package verify <file>',
    ]) {
      expect(help.stdout).toContain(line);
    }
  });

  it('never changes the fixture database', () => {
    expect(sha256OfFile(db)).toBe(dbSha);
  });
});
