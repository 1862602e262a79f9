/**
 * `proofdesk append` run as a real subprocess: new ledgers, the stored row (format 2,
 * Python-canonical payload, nexuscone timestamps), signing with a keygen key, all-or-nothing
 * batches from stdin, continuing a nexuscone ledger, and refusing a v0.1 schema.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  copyTo,
  fixtureKeyringJson,
  nexusconeFixture,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';
import {
  describeRun,
  expectOneSentenceError,
  EXIT,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

interface EntryRow {
  entry_id: number;
  timestamp: string;
  actor: string;
  action: string;
  event_type: string;
  format_version: number;
  payload: string;
  previous_hash: string;
  entry_hash: string;
  signature: string | null;
  signing_key_id: string | null;
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const GENESIS = '0'.repeat(64);

const configHome = temporaryConfigHome();
const directory = temporaryDirectory();
const cli = (args: string[], input?: string): CliResult => runCli(args, { configHome, input });
/** A new folder inside this file's temporary directory. */
const freshDirectory = (): string => mkdtempSync(join(directory, 'case-'));

function readRows(path: string): EntryRow[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM entries ORDER BY entry_id').all() as EntryRow[];
  } finally {
    db.close();
  }
}

/** `proofdesk verify` with a private state dir; returns the run. */
function verifyRun(path: string, ...extra: string[]): CliResult {
  return cli(['verify', '--state-dir', join(freshDirectory(), 'state'), ...extra, path]);
}

function expectVerifies(path: string, ...extra: string[]): void {
  const result = verifyRun(path, ...extra);
  expect(result.status, describeRun(result)).toBe(EXIT.pass);
  expect(result.stdout).toMatch(/^verdict: PASS\b/m);
}

/** keygen into `folder`; returns the key file and a keyring file holding its public key. */
function makeKey(folder: string, keyId: string): { keyFile: string; keyring: string } {
  const keyFile = join(folder, `${keyId}.key.json`);
  const result = cli(['keygen', '--key-id', keyId, '--out', keyFile]);
  expect(result.status, describeRun(result)).toBe(EXIT.pass);
  const keyring = join(folder, `${keyId}.keyring.json`);
  writeFileSync(keyring, result.stdout);
  return { keyFile, keyring };
}

const readText = (path: string): string => readFileSync(path, 'utf8');
const line = (fields: Record<string, unknown>): string => JSON.stringify(fields);

describe('proofdesk append (CLI)', () => {
  it('creates a new ledger that verify passes', () => {
    const path = join(freshDirectory(), 'new.db');
    const result = cli(['append', path, '--actor', 'alice', '--action', 'login']);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    expect(result.stdout).toMatch(/created/);
    expect(result.stdout).toMatch(/entry 1\b/);
    expect(result.stderr).toBe('');
    expect(sideFilesOf(path)).toEqual([]);

    const rows = readRows(path);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      entry_id: 1,
      actor: 'alice',
      action: 'login',
      event_type: 'request',
      format_version: 2,
      payload: '{}',
      previous_hash: GENESIS,
      signature: null,
      signing_key_id: null,
    });
    expect(result.stdout).toContain(rows[0]?.entry_hash);
    expectVerifies(path);

    const second = cli(['append', path, '--actor', 'alice', '--action', 'logout']);
    expect(second.status, describeRun(second)).toBe(EXIT.pass);
    expect(second.stdout).not.toMatch(/created/);
    expect(second.stdout).toMatch(/entry 2\b/);
    const [first, next] = readRows(path);
    expect(next?.previous_hash).toBe(first?.entry_hash);
    expectVerifies(path);
  });

  it('stores --actor, --action, --event-type and a Python-canonical --payload', () => {
    const path = join(freshDirectory(), 'fields.db');
    const result = cli([
      'append',
      path,
      '--actor',
      'Zoë 🚀',
      '--action',
      'approve loan',
      '--event-type',
      'decision',
      '--payload',
      '{"b":1,"a":"é","f":1.0,"big":18446744073709551616}',
    ]);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    const [row] = readRows(path);
    expect(row).toMatchObject({
      entry_id: 1,
      actor: 'Zoë 🚀',
      action: 'approve loan',
      event_type: 'decision',
      format_version: 2,
      payload: '{"a":"\\u00e9","b":1,"big":18446744073709551616,"f":1.0}',
    });
    expect(row?.timestamp).toMatch(TIMESTAMP);
    // The timestamp is the wall clock (UTC), give or take a minute.
    const written = Date.parse(row?.timestamp.replace(/\d{3}Z$/, 'Z') ?? '');
    expect(Math.abs(written - Date.now())).toBeLessThan(60_000);
    expect(row?.entry_hash).toMatch(/^[0-9a-f]{64}$/);
    expectVerifies(path);
  });

  it('signs with a key from keygen, and verify --require-signatures passes with its keyring', () => {
    const folder = freshDirectory();
    const { keyFile, keyring } = makeKey(folder, 'officer-1');
    const path = join(folder, 'signed.db');
    const first = cli(['append', path, '--actor', 'a', '--action', 'one', '--key', keyFile]);
    expect(first.status, describeRun(first)).toBe(EXIT.pass);
    expect(first.stdout).toMatch(/officer-1/);
    const batch = [1, 2, 3].map((n) => line({ actor: 'b', action: `batch ${n}` })).join('\n');
    const second = cli(['append', path, '--key', keyFile], batch);
    expect(second.status, describeRun(second)).toBe(EXIT.pass);

    const rows = readRows(path);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.signing_key_id).toBe('officer-1');
      expect(row.signature).toMatch(/^[0-9a-f]{128}$/);
    }
    expectVerifies(path, '--keys', keyring, '--require-signatures');

    // Without the keyring the signatures cannot be checked, so a required check is inconclusive.
    const withoutKeys = verifyRun(path, '--require-signatures');
    expect(withoutKeys.status, describeRun(withoutKeys)).toBe(EXIT.inconclusive);
  });

  it('labels signatures with --key-id when given together with --key', () => {
    const folder = freshDirectory();
    const { keyFile, keyring } = makeKey(folder, 'officer-2');
    const path = join(folder, 'relabelled.db');
    const result = cli([
      'append',
      path,
      '--actor',
      'a',
      '--action',
      'b',
      '--key',
      keyFile,
      '--key-id',
      'compliance-2026',
    ]);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    expect(readRows(path)[0]?.signing_key_id).toBe('compliance-2026');
    // The keyring from keygen names the key officer-2, so the new label is unknown to it.
    expect(verifyRun(path, '--keys', keyring).status).toBe(EXIT.fail);
    const relabelled = join(folder, 'relabelled.keyring.json');
    const publicKey = (JSON.parse(readText(keyring)) as Record<string, string>)['officer-2'];
    writeFileSync(relabelled, JSON.stringify({ 'compliance-2026': publicKey }));
    expectVerifies(path, '--keys', relabelled, '--require-signatures');
  });

  it('appends a batch of 500 JSON lines from stdin in one go', () => {
    const path = join(freshDirectory(), 'batch.db');
    const lines = Array.from({ length: 500 }, (_, index) =>
      line({
        actor: `agent-${index % 7}`,
        action: 'tool_call',
        ...(index % 3 === 0 ? { event_type: 'tool' } : {}),
        payload: { index, tags: ['x', index % 2 === 0 ? 'even' : 'odd'] },
      }),
    );
    const result = cli(['append', path], `${lines.join('\n')}\n`);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    expect(result.stdout).toMatch(/entries 1\D+500\b/);

    const rows = readRows(path);
    expect(rows.map((row) => row.entry_id)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(rows[0]?.event_type).toBe('tool');
    expect(rows[1]?.event_type).toBe('request');
    expect(rows[41]?.payload).toBe('{"index":41,"tags":["x","odd"]}');
    for (const row of rows) expect(row.format_version).toBe(2);
    rows.forEach((row, index) =>
      expect(row.previous_hash).toBe(index === 0 ? GENESIS : rows[index - 1]?.entry_hash),
    );
    expectVerifies(path);
  });

  it('skips blank lines and accepts CRLF line endings in a batch', () => {
    const path = join(freshDirectory(), 'crlf.db');
    const input = `\r\n${line({ actor: 'a', action: 'one' })}\r\n\r\n${line({ actor: 'a', action: 'two' })}\r\n`;
    const result = cli(['append', path], input);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    expect(readRows(path).map((row) => row.action)).toEqual(['one', 'two']);
  });

  describe('a batch with a bad line 3 writes nothing', () => {
    const good = line({ actor: 'a', action: 'ok', payload: { n: 1 } });
    const cases: [string, string][] = [
      ['bad JSON', '{"actor": "a", "action": '],
      ['an unknown field', line({ actor: 'a', action: 'b', severity: 'high' })],
      ['a payload that is not an object', line({ actor: 'a', action: 'b', payload: [1, 2] })],
      ['a missing actor', line({ action: 'b' })],
      ['an actor that is not a string', line({ actor: 42, action: 'b' })],
      ['a line that is not an object', '["a", "b"]'],
    ];
    const folder = freshDirectory();
    for (const [what, bad] of cases) {
      it(`${what}`, () => {
        const path = join(folder, `${what.replace(/\W+/g, '-')}.db`);
        const seed = cli(['append', path], [good, good, good].join('\n'));
        expect(seed.status, describeRun(seed)).toBe(EXIT.pass);
        const hashBefore = sha256OfFile(path);

        const input = [good, good, bad, good, good].join('\n');
        const message = expectOneSentenceError(cli(['append', path], input), /\bline 3\b/);
        expect(message).not.toMatch(/\bline [1245]\b(?! column)/);
        expect(readRows(path)).toHaveLength(3);
        expect(sha256OfFile(path)).toBe(hashBefore);
        expect(sideFilesOf(path)).toEqual([]);

        // Nor is a new ledger created by a batch that fails validation.
        const fresh = join(folder, `${what.replace(/\W+/g, '-')}-new.db`);
        expectOneSentenceError(cli(['append', fresh], input), /\bline 3\b/);
        expect(existsSync(fresh)).toBe(false);
      });
    }
  });

  describe('usage errors', () => {
    const path = (): string => join(freshDirectory(), 'unused.db');

    it('--key-id without --key', () => {
      const target = path();
      expectOneSentenceError(
        cli(['append', target, '--actor', 'a', '--action', 'b', '--key-id', 'officer-1']),
        /--key\b/,
      );
      expect(existsSync(target)).toBe(false);
    });

    it('--actor without --action', () => {
      const target = path();
      expectOneSentenceError(cli(['append', target, '--actor', 'a']), /--action/);
      expect(existsSync(target)).toBe(false);
    });

    it('a --payload that is not JSON', () => {
      const target = path();
      expectOneSentenceError(
        cli(['append', target, '--actor', 'a', '--action', 'b', '--payload', '{oops}']),
        /--payload/,
      );
      expect(existsSync(target)).toBe(false);
    });

    it('a --payload that is not an object', () => {
      const target = path();
      expectOneSentenceError(
        cli(['append', target, '--actor', 'a', '--action', 'b', '--payload', '"text"']),
        /object/,
      );
      expect(existsSync(target)).toBe(false);
    });

    it('empty standard input', () => {
      const target = path();
      expectOneSentenceError(cli(['append', target], ''), /standard input/i);
      expect(existsSync(target)).toBe(false);
    });

    it('a --key file that does not exist', () => {
      const target = path();
      const missing = join(directory, 'no-such.key.json');
      const message = expectOneSentenceError(
        cli(['append', target, '--actor', 'a', '--action', 'b', '--key', missing]),
      );
      expect(message).toContain(missing);
      expect(existsSync(target)).toBe(false);
    });

    it('append with no ledger file', () => {
      expectOneSentenceError(cli(['append', '--actor', 'a', '--action', 'b']), /ledger file/);
    });
  });
});

describeWithFixtures('proofdesk append to nexuscone fixtures (CLI)', () => {
  it('continues the chain of valid_signed_2keys (entry 31) and the result verifies', () => {
    const folder = freshDirectory();
    const path = copyTo(folder, nexusconeFixture('valid_signed_2keys.db'));
    chmodSync(path, 0o644);
    const { keyFile, keyring } = makeKey(folder, 'officer-3');
    const before = readRows(path);
    expect(before).toHaveLength(30);

    const result = cli([
      'append',
      path,
      '--actor',
      'proofdesk',
      '--action',
      'review',
      '--payload',
      '{"ok":true}',
      '--key',
      keyFile,
    ]);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);
    expect(result.stdout).not.toMatch(/created/);
    expect(result.stdout).toMatch(/entry 31\b/);

    const after = readRows(path);
    expect(after).toHaveLength(31);
    expect(after.slice(0, 30)).toEqual(before);
    expect(after[30]).toMatchObject({
      entry_id: 31,
      previous_hash: before[29]?.entry_hash,
      format_version: 2,
      signing_key_id: 'officer-3',
    });
    expect(sideFilesOf(path)).toEqual([]);

    const combined = join(folder, 'all-keys.json');
    writeFileSync(
      combined,
      JSON.stringify({
        ...(JSON.parse(fixtureKeyringJson()) as Record<string, string>),
        ...(JSON.parse(readText(keyring)) as Record<string, string>),
      }),
    );
    expectVerifies(path, '--keys', combined, '--require-signatures');
  });

  it('refuses to append to a v0.1 ledger (legacy_v010_unmigrated) and leaves it unchanged', () => {
    const folder = freshDirectory();
    const path = copyTo(folder, nexusconeFixture('legacy_v010_unmigrated.db'));
    chmodSync(path, 0o644);
    const before = sha256OfFile(path);
    const message = expectOneSentenceError(
      cli(['append', path, '--actor', 'a', '--action', 'b']),
      /v0\.1|migrat/,
    );
    expect(message).toContain(path);
    expect(sha256OfFile(path)).toBe(before);
    expect(sideFilesOf(path)).toEqual([]);
  });
});
