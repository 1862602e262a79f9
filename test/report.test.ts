/**
 * The narrative report built from real evidence: what each section says for nexuscone's
 * fixtures and the demo decisions, that the same files and instant give the same canonical JSON
 * and digest, that a changed report no longer matches its digest, and the `proofdesk report`
 * command line (JSON, Markdown, one-sentence errors, evidence untouched).
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePemCertificates } from '../src-shared/anchors/pem';
import { parseKeyring } from '../src-shared/keyring';
import {
  canonicalReportJson,
  checkReportEnvelope,
  renderReportJson,
  reportDigest,
} from '../src-shared/report/report-json';
import { renderReportMarkdown } from '../src-shared/report/report-markdown';
import { narrativeReportSchema } from '../src-shared/report/report-model';
import { buildReport, type ReportRequest } from '../src-main/report/build-report';
import { EXIT, expectOneSentenceError, runCli, temporaryConfigHome } from './support/cli';
import {
  copyTo,
  nexusconeFixture,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';
import { describeWithFixtures } from './support/shared-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const AS_OF = 1_795_392_000_000_000n; // 2026-11-23T00:00:00Z in epoch microseconds
const noTrust = { ots: null, tsa: null } as const;

const request = (overrides: Partial<ReportRequest>): ReportRequest => ({
  ledgerPath: null,
  decision: null,
  asOfMicros: AS_OF,
  keyring: null,
  anchorProofs: noTrust,
  generatorVersion: 'test',
  ...overrides,
});

describeWithFixtures('narrative report from nexuscone fixtures', () => {
  it('reports an anchored, witnessed ledger: scope, anchors, witnesses, Article 12 facts', async () => {
    const ledgerPath = nexusconeFixture('anchored_witnessed.db');
    const before = sha256OfFile(ledgerPath);
    const roots = parsePemCertificates(
      readFileSync(nexusconeFixture('tsa_test_root_ca.pem'), 'utf8'),
      'roots',
    );
    const report = await buildReport(
      request({ ledgerPath, anchorProofs: { ots: null, tsa: { roots } } }),
    );
    expect(narrativeReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      verdict: 'pass',
      asOf: '2026-11-23T00:00:00.000Z',
      title: 'Ledger anchored_witnessed.db',
      scope: { ledger: { fileName: 'anchored_witnessed.db', sha256: before, entries: 35 } },
    });
    expect(report.checks.find((check) => check.check === 'anchors.tsa')).toMatchObject({
      status: 'PASS',
    });
    expect(report.anchors.map((anchor) => anchor.state)).toEqual([
      'CONFIRMED',
      'PENDING',
      'TSA_ONLY',
      'PENDING',
    ]);
    expect(report.witnesses.map((witness) => [witness.label, witness.retired])).toEqual([
      ['proofdesk-fixture-witness-1', false],
      ['proofdesk-fixture-witness-2', true],
    ]);
    const facts = report.recordKeeping;
    expect(facts?.countsByEventType.reduce((sum, row) => sum + row.entries, 0)).toBe(35);
    expect(facts).toMatchObject({
      entryIdsContiguous: true,
      newestAnchoredEntryId: 35,
      entriesAfterNewestAnchor: 0,
    });
    expect(report.limitations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not compared with a head recorded at an earlier verification/),
        expect.stringMatching(/Entry signatures were not checked/),
      ]),
    );
    // Reading only: the evidence is unchanged and nothing is left beside it.
    expect(sha256OfFile(ledgerPath)).toBe(before);
    expect(sideFilesOf(ledgerPath)).toEqual([]);
  });

  it('names the failing record with expected and actual, and the uncovered tail', async () => {
    const report = await buildReport(
      request({ ledgerPath: nexusconeFixture('tampered_payload_edit_middle.db') }),
    );
    expect(report.verdict).toBe('fail');
    expect(report.checks.find((check) => check.status === 'FAIL')).toMatchObject({
      check: 'ledger.hashes',
      code: 'LEDGER_HASH_MISMATCH',
      record: 'entry 25',
      expected: '66e506338fdcdf89c636ba0f3a577c343c88ef8d557677a39d5e8c42a492cfd9',
    });
    expect(report.limitations[0]).toMatch(/No anchor or witness commits to any entry/);
  });

  it('the same files and instant give the same canonical JSON and digest', async () => {
    const ledgerPath = nexusconeFixture('valid_unsigned_varied.db');
    const first = await buildReport(request({ ledgerPath }));
    const second = await buildReport(request({ ledgerPath }));
    expect(canonicalReportJson(second)).toBe(canonicalReportJson(first));
    expect(renderReportJson(second)).toBe(renderReportJson(first));
    // Unicode actors and custom event types survive into the facts, counted by type.
    expect(first.recordKeeping?.countsByEventType.length).toBeGreaterThan(5);
  });

  it('an edited report no longer matches its digest', async () => {
    const report = await buildReport(
      request({ ledgerPath: nexusconeFixture('valid_signed_2keys.db') }),
    );
    const text = renderReportJson(report);
    expect(checkReportEnvelope(text)).toMatchObject({ ok: true, digest: reportDigest(report) });
    const edited = text.replace('"verdict":"pass"', '"verdict":"fail"');
    expect(edited).not.toBe(text);
    expect(checkReportEnvelope(edited)).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^the report's digest is sha256:[0-9a-f]{64}, but its content hashes to sha256:/,
      ) as string,
    });
    expect(checkReportEnvelope('{')).toMatchObject({ ok: false });
  });
});

describe('narrative report of a decision', () => {
  it('includes its timeline, approvals, executions, blocking reasons and the store checks', async () => {
    const folder = temporaryDirectory();
    const storePath = copyTo(folder, join(demoDir, 'demo-decisions.db'));
    copyTo(folder, join(demoDir, 'demo-decisions.ledger.db'));
    const keyring = parseKeyring(
      readFileSync(join(demoDir, 'demo-officers.json'), 'utf8'),
      'officers',
    );
    const list = runCli(['decisions', 'list', storePath, '--json'], {
      configHome: temporaryConfigHome(),
    });
    const decisions = (
      JSON.parse(list.stdout) as { decisions: { decision_id: string; state: string }[] }
    ).decisions;
    const completed = decisions.find((decision) => decision.state === 'completed');
    const report = await buildReport(
      request({
        decision: { storePath, decisionId: completed?.decision_id ?? '' },
        keyring,
      }),
    );
    expect(report.decision).toMatchObject({
      state: 'completed',
      blocking: [expect.objectContaining({ code: 'ALREADY_EXECUTED' })],
    });
    expect(report.decision?.approvals.length).toBeGreaterThan(0);
    expect(report.decision?.executions).toEqual([expect.objectContaining({ outcome: 'success' })]);
    expect(report.decision?.timeline.length).toBeGreaterThan(2);
    expect(report.scope.decisionStore?.sha256).toBe(sha256OfFile(storePath));
    expect(report.scope.ledger?.fileName).toBe('demo-decisions.ledger.db');
    expect(report.checks.some((check) => check.check.startsWith('decision.'))).toBe(true);
    const markdown = renderReportMarkdown(report, reportDigest(report));
    expect(markdown).toContain('### Approvals');
    expect(markdown).toContain('Record-keeping (EU AI Act Article 12)');
    expect(markdown).toContain('this is not a statement of conformity');
  });
});

describe('proofdesk report', () => {
  const configHome = temporaryConfigHome();
  const cli = (args: string[]) => runCli(args, { configHome });

  it('writes JSON to stdout and Markdown with --out, leaving the evidence untouched', () => {
    const folder = temporaryDirectory();
    const ledger = join(folder, 'demo-ledger.db');
    copyFileSync(join(demoDir, 'demo-ledger.db'), ledger);
    const before = sha256OfFile(ledger);
    const json = cli(['report', ledger, '--at', '2026-11-22T00:00:00+00:00']);
    expect(json.status).toBe(EXIT.pass);
    expect(checkReportEnvelope(json.stdout)).toMatchObject({ ok: true });
    const again = cli(['report', ledger, '--at', '2026-11-22T00:00:00+00:00']);
    expect(again.stdout).toBe(json.stdout);
    const out = join(folder, 'report.md');
    const markdown = cli(['report', ledger, '--out', out]);
    expect(markdown.stderr).toMatch(/^wrote the MD report \(sha256:[0-9a-f]{64}\) to /);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Ledger demo-ledger.db\n/);
    expect(sha256OfFile(ledger)).toBe(before);
    expect(sideFilesOf(ledger)).toEqual([]);
  });

  it('describes a selection of entries in the Article 12 facts, checking the whole chain', () => {
    const ledger = join(demoDir, 'demo-ledger.db');
    const run = cli([
      'report',
      ledger,
      '--from-entry',
      '10',
      '--to-entry',
      '19',
      '--event-type',
      'request',
    ]);
    expect(run.status, run.stderr).toBe(EXIT.pass);
    const envelope = checkReportEnvelope(run.stdout);
    if (!envelope.ok) throw new Error(envelope.reason);
    const { report } = envelope;
    expect(report.scope.selection).toEqual({
      fromEntryId: 10,
      toEntryId: 19,
      actor: null,
      eventType: 'request',
    });
    const facts = report.recordKeeping;
    expect(facts?.selectedEntries).toBeGreaterThan(0);
    expect(facts?.selectedEntries).toBeLessThanOrEqual(10);
    expect(facts?.countsByEventType.map((row) => row.eventType)).toEqual(['request']);
    // The checks still cover every entry.
    expect(report.scope.ledger?.entries).toBe(3000);
    expect(renderReportMarkdown(report, envelope.digest)).toMatch(
      /Entries described: \d+ entries selected by entries 10 to 19, event type request/,
    );
    expectOneSentenceError(cli(['report', ledger, '--from-entry', '0']), /--from-entry/);
    expectOneSentenceError(
      cli(['report', ledger, '--from-entry', '5', '--to-entry', '2']),
      /comes before/,
    );
  });

  it('says what is wrong in one sentence', () => {
    const ledger = join(demoDir, 'demo-ledger.db');
    const store = join(demoDir, 'demo-decisions.db');
    expectOneSentenceError(
      cli(['report', ledger, '--out', join(temporaryDirectory(), 'r.txt')]),
      /extension/,
    );
    expectOneSentenceError(cli(['report', ledger, '--decision', 'd1']), /is a ledger/);
    expectOneSentenceError(cli(['report', store]), /--decision ID/);
    expectOneSentenceError(cli(['report', store, '--decision', 'no-such-decision']));
    expectOneSentenceError(cli(['report', ledger, '--at', 'yesterday']));
  });

  it('writes a PDF that verify-report checks, and notices changed evidence', () => {
    const folder = temporaryDirectory();
    const ledger = join(folder, 'demo-ledger.db');
    copyFileSync(join(demoDir, 'demo-ledger.db'), ledger);
    const pdf = join(folder, 'report.pdf');
    const keys = join(demoDir, 'demo-keyring.json');
    expect(cli(['report', ledger, '--keys', keys, '--out', pdf]).status).toBe(EXIT.pass);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const checked = cli(['verify-report', pdf, '--db', ledger, '--keys', keys]);
    expect(checked.status, checked.stderr).toBe(EXIT.pass);
    expect(checked.stdout).toMatch(/PASS\s+report\.digest/);
    expect(checked.stdout).toMatch(/PASS\s+report\.checks/);
    // Without the keyring the checks differ from the report's: said, not hidden.
    expect(cli(['verify-report', pdf, '--db', ledger]).stdout).toContain('REPORT_CHECKS_CHANGED');

    // Another ledger under the same name: the evidence no longer matches.
    copyFileSync(join(demoDir, 'demo-decisions.ledger.db'), ledger);
    const changed = cli(['verify-report', pdf, '--db', ledger, '--keys', keys]);
    expect(changed.status).toBe(EXIT.fail);
    expect(changed.stdout).toContain('REPORT_EVIDENCE_CHANGED');

    // One byte of the embedded report changed: the digest no longer holds.
    const bytes = readFileSync(pdf);
    const at = bytes.indexOf(Buffer.from('"verdict":"pass"'));
    expect(at).toBeGreaterThan(0);
    bytes.write('"verdict":"fail"', at, 'latin1');
    writeFileSync(pdf, bytes);
    const tampered = cli(['verify-report', pdf]);
    expect(tampered.status).toBe(EXIT.fail);
    expect(tampered.stdout).toContain('REPORT_DIGEST_MISMATCH');
  });
});
