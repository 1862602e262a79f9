/**
 * `proofdesk verify` run as a real subprocess against the shared nexuscone fixtures: exit codes,
 * the text report's check lines, the --json document's shape for every fixture, signature
 * policies, and the trusted-head store under --state-dir (which must never touch the ledger).
 */
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, CHECK_STATUSES, FINDING_CODES } from '../src-shared/check-code';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  fixtureKeyringJson,
  nexusconeFixture,
  readNexusconeManifest,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';
import {
  describeRun,
  EXIT,
  EXIT_OF_VERDICT,
  isRecord,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

interface JsonCheck {
  check: string;
  status: string;
  code?: string;
  entry_id?: number;
  message: string;
  expected?: string;
  actual?: string;
}

interface VerifyJson {
  schema_version: number;
  verdict: 'pass' | 'fail' | 'inconclusive';
  file: { path: string; sha256: string; bytes: number };
  entries: number;
  head: { entry_id: number; entry_hash: string } | null;
  checks: JsonCheck[];
}

const TOP_LEVEL_KEYS = [
  'schema_version',
  'verdict',
  'file',
  'entries',
  'head',
  'trusted_head_recorded',
  'checks',
];
const CHECK_KEYS = new Set([
  'check',
  'status',
  'code',
  'entry_id',
  'anchor_id',
  'attestation_id',
  'witness_id',
  'message',
  'expected',
  'actual',
  'required',
]);

const isPositiveInteger = (value: unknown): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

/** Parses stdout as exactly one JSON document and checks it against the documented shape. */
function parseVerifyJson(result: CliResult): VerifyJson {
  const context = describeRun(result);
  expect(result.stderr, context).toBe('');
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout) as unknown;
  } catch (error) {
    throw new Error(`stdout is not one JSON document:\n${context}`, { cause: error });
  }
  expect(result.stdout.trim().startsWith('{'), context).toBe(true);
  if (!isRecord(parsed)) throw new Error(`stdout is not a JSON object:\n${context}`);
  const document = parsed;

  for (const key of ['schema_version', 'verdict', 'file', 'entries', 'head', 'checks']) {
    expect(Object.keys(document), `missing ${key}`).toContain(key);
  }
  for (const key of Object.keys(document)) expect(TOP_LEVEL_KEYS, context).toContain(key);
  expect(document['schema_version']).toBe(1);
  expect(['pass', 'fail', 'inconclusive']).toContain(document['verdict']);

  const file = document['file'];
  if (!isRecord(file)) throw new Error('file is not an object');
  expect(Object.keys(file).sort()).toEqual(['bytes', 'path', 'sha256']);
  expect(typeof file['path']).toBe('string');
  expect(file['sha256']).toMatch(/^[0-9a-f]{64}$/);
  expect(Number.isSafeInteger(file['bytes'])).toBe(true);

  expect(Number.isSafeInteger(document['entries'])).toBe(true);
  expect(document['entries'] as number).toBeGreaterThanOrEqual(0);

  const head = document['head'];
  if (head !== null) {
    if (!isRecord(head)) throw new Error('head is neither null nor an object');
    expect(Object.keys(head).sort()).toEqual(['entry_hash', 'entry_id']);
    expect(isPositiveInteger(head['entry_id'])).toBe(true);
    expect(head['entry_hash']).toMatch(/^[0-9a-f]{64}$/);
  } else {
    expect(document['entries']).toBe(0);
  }

  const checks = document['checks'];
  if (!Array.isArray(checks)) throw new Error('checks is not an array');
  expect(checks.length).toBeGreaterThan(0);
  for (const check of checks as unknown[]) {
    if (!isRecord(check)) throw new Error('a check is not an object');
    for (const key of Object.keys(check)) expect(CHECK_KEYS, `check key ${key}`).toContain(key);
    expect(CHECK_NAMES as readonly unknown[]).toContain(check['check']);
    expect(CHECK_STATUSES as readonly unknown[]).toContain(check['status']);
    expect(typeof check['message']).toBe('string');
    expect((check['message'] as string).length).toBeGreaterThan(0);
    if (check['status'] !== 'PASS')
      expect(FINDING_CODES as readonly unknown[]).toContain(check['code']);
    else if ('code' in check) expect(FINDING_CODES as readonly unknown[]).toContain(check['code']);
    if ('entry_id' in check) expect(isPositiveInteger(check['entry_id'])).toBe(true);
    for (const key of ['expected', 'actual']) {
      if (key in check) expect(typeof check[key]).toBe('string');
    }
  }
  const verdict = document['verdict'] as VerifyJson['verdict'];
  const statuses = (checks as JsonCheck[]).map((check) => check.status);
  if (statuses.includes('FAIL')) expect(verdict).toBe('fail');
  else expect(verdict).not.toBe('fail');
  expect(result.status, context).toBe(EXIT_OF_VERDICT[verdict]);
  return document as unknown as VerifyJson;
}

/** The check lines of the text report: every line between the header and the verdict. */
function checkLinesOfText(stdout: string): string[] {
  const blocks = stdout.split('\n\n');
  expect(blocks.length, stdout).toBeGreaterThanOrEqual(3);
  return (blocks[1] ?? '').split('\n').filter((line) => !/^\s/.test(line) && line.length > 0);
}

describeWithFixtures('proofdesk verify (CLI)', () => {
  const configHome = temporaryConfigHome();
  const directory = temporaryDirectory();
  const manifest = readNexusconeManifest();
  const keysPath = join(directory, 'fixture-keys.json');
  writeFileSync(keysPath, fixtureKeyringJson());
  const cli = (...args: string[]): CliResult => runCli(args, { configHome });
  /** A new folder inside this file's temporary directory (hooks cannot be added inside a test). */
  const freshDirectory = (): string => mkdtempSync(join(directory, 'case-'));

  describe('text output', () => {
    it('passes a valid fixture with exit 0 and one PASS/FAIL/SKIP/WARN line per check', () => {
      const fixture = nexusconeFixture('valid_unsigned_varied.db');
      const text = cli('verify', fixture);
      expect(text.status, describeRun(text)).toBe(EXIT.pass);
      expect(text.stderr).toBe('');
      expect(text.stdout).toContain(fixture);
      expect(text.stdout).toContain(sha256OfFile(fixture));
      expect(text.stdout).toMatch(/^verdict: PASS\b/m);

      const lines = checkLinesOfText(text.stdout);
      for (const line of lines) expect(line).toMatch(/^(PASS|FAIL|SKIP|WARN) {2,}\S+ {2,}\S/);

      // The text lists the same checks, in the same order and with the same statuses, as --json.
      // (A fresh state directory, so the trusted head is at first use in both runs.)
      const stateDir = join(freshDirectory(), 'state');
      const json = parseVerifyJson(cli('verify', '--json', '--state-dir', stateDir, fixture));
      expect(lines.map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual(
        json.checks.map((check) => `${check.status} ${check.check}`),
      );
      for (const check of json.checks.filter((c) => c.status !== 'PASS')) {
        expect(lines.some((line) => line.includes(`${check.code}:`))).toBe(true);
      }
    });

    it('shows the failing entry, its code and the expected and actual hashes', () => {
      const result = cli('verify', nexusconeFixture('tampered_payload_edit_middle.db'));
      expect(result.status, describeRun(result)).toBe(EXIT.fail);
      expect(result.stderr).toBe('');
      const failLine = checkLinesOfText(result.stdout).find((line) => line.startsWith('FAIL'));
      expect(failLine).toMatch(/ledger\.hashes\s+LEDGER_HASH_MISMATCH: .*entry 25/);
      expect(result.stdout).toMatch(/^\s+expected: [0-9a-f]{64}$/m);
      expect(result.stdout).toMatch(/^\s+actual: +[0-9a-f]{64}$/m);
      expect(result.stdout).toMatch(/^verdict: FAIL\b/m);
    });
  });

  describe('--json', () => {
    for (const entry of manifest.files) {
      it(`prints one well-formed document for ${entry.file}`, () => {
        const fixture = nexusconeFixture(entry.file);
        const document = parseVerifyJson(cli('verify', '--json', fixture));
        expect(document.file.sha256).toBe(entry.sha256);
        expect(document.file.path).toBe(fixture);
        expect(document.file.bytes).toBe(readFileSync(fixture).length);
        if (entry.kind === 'valid') expect(document.verdict).toBe('pass');
        // Verifying never changes the evidence.
        expect(sha256OfFile(fixture)).toBe(entry.sha256);
      });
    }

    it('reports the edited payload as LEDGER_HASH_MISMATCH at entry 25 with exit 1', () => {
      const result = cli('verify', '--json', nexusconeFixture('tampered_payload_edit_middle.db'));
      const document = parseVerifyJson(result);
      expect(result.status).toBe(EXIT.fail);
      expect(document.verdict).toBe('fail');
      expect(document.checks).toContainEqual(
        expect.objectContaining({
          check: 'ledger.hashes',
          status: 'FAIL',
          code: 'LEDGER_HASH_MISMATCH',
          entry_id: 25,
        }),
      );
      const mismatch = document.checks.find((check) => check.code === 'LEDGER_HASH_MISMATCH');
      expect(mismatch?.expected).toMatch(/^[0-9a-f]{64}$/);
      expect(mismatch?.actual).toMatch(/^[0-9a-f]{64}$/);
      expect(mismatch?.expected).not.toBe(mismatch?.actual);
    });

    it('keeps stdout a single JSON document when the check counts are large', () => {
      const result = cli('verify', '--json', nexusconeFixture('tampered_swap_rows_10_11.db'));
      const document = parseVerifyJson(result);
      expect(document.entries).toBe(50);
      expect(result.stdout.trimEnd().endsWith('}')).toBe(true);
    });
  });

  describe('signatures', () => {
    const signed = nexusconeFixture('valid_signed_2keys.db');

    it('is inconclusive (exit 3) when signatures are required but no keyring is given', () => {
      const result = cli('verify', '--json', '--require-signatures', signed);
      const document = parseVerifyJson(result);
      expect(result.status).toBe(EXIT.inconclusive);
      expect(document.verdict).toBe('inconclusive');
      expect(document.checks).toContainEqual(
        expect.objectContaining({
          check: 'ledger.signatures',
          status: 'SKIP',
          code: 'LEDGER_SIGNATURES_NOT_CHECKED',
        }),
      );
      const text = cli('verify', '--require-signatures', signed);
      expect(text.status, describeRun(text)).toBe(EXIT.inconclusive);
      expect(text.stdout).toMatch(/^verdict: INCONCLUSIVE\b/m);
    });

    it('passes (exit 0) when signatures are required and the keyring is given', () => {
      const result = cli('verify', '--json', '--require-signatures', '--keys', keysPath, signed);
      const document = parseVerifyJson(result);
      expect(result.status).toBe(EXIT.pass);
      expect(document.checks).toContainEqual(
        expect.objectContaining({ check: 'ledger.signatures', status: 'PASS' }),
      );
      expect(document.checks).toContainEqual(
        expect.objectContaining({ check: 'ledger.signature_coverage', status: 'PASS' }),
      );
    });

    it('warns about stripped signatures by default and fails on them with --require-signatures', () => {
      const stripped = nexusconeFixture('tampered_signed_rehash_strip_signatures.db');
      const lenient = cli('verify', '--json', '--keys', keysPath, stripped);
      const lenientDocument = parseVerifyJson(lenient);
      expect(lenient.status).toBe(EXIT.pass);
      expect(lenientDocument.checks).toContainEqual(
        expect.objectContaining({ status: 'WARN', code: 'LEDGER_SIGNATURE_MISSING' }),
      );

      const strict = cli('verify', '--json', '--keys', keysPath, '--require-signatures', stripped);
      const strictDocument = parseVerifyJson(strict);
      expect(strict.status).toBe(EXIT.fail);
      expect(strictDocument.verdict).toBe('fail');
      const missing = strictDocument.checks.filter(
        (check) => check.code === 'LEDGER_SIGNATURE_MISSING' && check.status === 'FAIL',
      );
      expect(missing.length).toBeGreaterThan(0);
      expect(missing[0]?.entry_id).toBe(15);
    });
  });

  describe('--state-dir', () => {
    it('records the trusted head outside the ledger and detects a rewritten history', () => {
      const work = freshDirectory();
      const stateDir = join(work, 'state');
      const ledgerDir = join(work, 'ledgers');
      const ledger = join(ledgerDir, 'audit.db');
      // A folder of its own, so anything SQLite or Proofdesk left beside the ledger shows.
      mkdirSync(ledgerDir);
      copyWritable(nexusconeFixture('valid_unsigned_varied.db'), ledger);
      const originalHash = sha256OfFile(ledger);

      const first = cli('verify', '--json', '--state-dir', stateDir, ledger);
      const firstDocument = parseVerifyJson(first);
      expect(first.status).toBe(EXIT.pass);
      expect(firstDocument.checks).toContainEqual(
        expect.objectContaining({ check: 'trusted_head', code: 'TRUSTED_HEAD_FIRST_USE' }),
      );
      const records = readdirSync(join(stateDir, 'trusted-heads'));
      expect(records.filter((name) => name.endsWith('.json'))).toHaveLength(1);
      expect(readdirSync(ledgerDir)).toEqual(['audit.db']);
      expect(sideFilesOf(ledger)).toEqual([]);
      expect(sha256OfFile(ledger)).toBe(originalHash);

      // The same path now holds a history rewritten and re-hashed from entry 25 on.
      copyWritable(nexusconeFixture('tampered_rehash_after_payload_edit.db'), ledger);
      const tamperedHash = sha256OfFile(ledger);
      const second = cli('verify', '--json', '--state-dir', stateDir, ledger);
      const secondDocument = parseVerifyJson(second);
      expect(second.status).toBe(EXIT.fail);
      expect(secondDocument.checks).toContainEqual(
        expect.objectContaining({
          check: 'trusted_head',
          status: 'FAIL',
          code: 'TRUSTED_HEAD_FORK',
          entry_id: 50,
        }),
      );
      expect(secondDocument.checks.filter((check) => check.status === 'FAIL')).toHaveLength(1);
      expect(readdirSync(ledgerDir)).toEqual(['audit.db']);
      expect(sideFilesOf(ledger)).toEqual([]);
      expect(sha256OfFile(ledger)).toBe(tamperedHash);

      // A failed verification does not replace the trusted head: the fork is reported again.
      const third = cli('verify', '--state-dir', stateDir, ledger);
      expect(third.status, describeRun(third)).toBe(EXIT.fail);
      expect(third.stdout).toContain('TRUSTED_HEAD_FORK');
    });
  });
});

/** Copies `source` over `target`, leaving it writable (the fixtures are read-only). */
function copyWritable(source: string, target: string): void {
  if (existsSync(target)) chmodSync(target, 0o644);
  copyFileSync(source, target);
  chmodSync(target, 0o644);
}
