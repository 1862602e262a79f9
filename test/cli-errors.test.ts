/**
 * Bad input to the CLI: each case must exit 2 with nothing on stdout and exactly one sentence on
 * stderr (`proofdesk: …`, one line, no stack trace), so scripts can branch on the exit code and a
 * person can read the reason.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  copyTo,
  nexusconeFixture,
  sha256OfFile,
  temporaryDirectory,
} from './support/ledger-fixtures';
import {
  expectOneSentenceError,
  EXIT,
  repoRoot,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

const configHome = temporaryConfigHome();
const directory = temporaryDirectory();
const cli = (...args: string[]): CliResult => runCli(args, { configHome });

/** A small SQLite ledger made here, so these cases do not depend on the shared fixtures. */
function makeLedger(name: string): string {
  const path = join(directory, name);
  const create = cli('append', path, '--actor', 'tester', '--action', 'made');
  expect(create.status, create.stderr).toBe(EXIT.pass);
  return path;
}

describe('proofdesk verify: bad files', () => {
  it('a missing file', () => {
    const path = join(directory, 'no-such-ledger.db');
    const line = expectOneSentenceError(cli('verify', path));
    expect(line).toContain(path);
  });

  it('a directory', () => {
    const path = join(directory, 'a-folder.db');
    mkdirSync(path);
    const line = expectOneSentenceError(cli('verify', path), /directory/);
    expect(line).toContain(path);
  });

  it('a text file that is not SQLite', () => {
    const path = join(directory, 'notes.txt');
    writeFileSync(path, 'This is a meeting note, not an audit ledger.\n'.repeat(10));
    expectOneSentenceError(cli('verify', path), /not an SQLite database/);
  });

  it('an empty file', () => {
    const path = join(directory, 'empty.db');
    writeFileSync(path, '');
    expectOneSentenceError(cli('verify', path), /empty\.db/);
  });

  it('an SQLite database that is not a nexuscone ledger', () => {
    const path = join(directory, 'other.sqlite');
    const db = new Database(path);
    db.exec(
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 1)',
    );
    db.close();
    const before = sha256OfFile(path);
    expectOneSentenceError(cli('verify', path), /entries/);
    expect(sha256OfFile(path)).toBe(before);
  });
});

describe('proofdesk verify: a database another process has locked', () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    if (holder !== undefined && holder.exitCode === null && holder.signalCode === null) {
      holder.kill('SIGKILL');
    }
    holder = undefined;
  });

  /** Starts a process holding an EXCLUSIVE lock on `path` and resolves once it holds it. */
  function holdExclusiveLock(path: string): Promise<ChildProcess> {
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      db.exec('BEGIN EXCLUSIVE');
      process.stdout.write('locked\\n');
      setInterval(() => {}, 1000);
    `;
    return new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, ['-e', script, path], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      holder = child;
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        if (chunk.includes('locked')) resolvePromise(child);
      });
      child.on('error', reject);
      child.on('exit', (code) => reject(new Error(`the lock holder exited (${code}): ${stderr}`)));
    });
  }

  it('exits 2 within a few seconds and says the file is locked', async () => {
    const path = makeLedger('locked.db');
    await holdExclusiveLock(path);
    const result = runCli(['verify', path], { configHome, timeoutMs: 20_000 });
    const line = expectOneSentenceError(result, /locked/);
    expect(line).toContain(path);
    expect(result.elapsedMs).toBeLessThan(10_000);
  });
});

describeWithFixtures('proofdesk verify: bad keyrings', () => {
  const ledger = copyTo(directory, nexusconeFixture('valid_signed_2keys.db'));

  it('a keyring that is not JSON', () => {
    const keys = join(directory, 'keys-not-json.json');
    writeFileSync(keys, 'proofdesk-fixture-key-A = 28547fb2\n');
    expectOneSentenceError(cli('verify', '--keys', keys, ledger), /keyring.*not valid JSON/);
  });

  it('a keyring that is not JSON and has several lines', () => {
    const keys = join(directory, 'keys-yaml.json');
    writeFileSync(keys, 'officer-1: abc\nofficer-2: def\n');
    expectOneSentenceError(cli('verify', '--keys', keys, ledger), /keyring/);
  });

  it('a short keyring that is not JSON, ending in a newline', () => {
    // Short enough that the JSON parser quotes the whole text, newline included, in its message.
    const keys = join(directory, 'keys-short-yaml.json');
    writeFileSync(keys, 'key: abc\n');
    expectOneSentenceError(cli('verify', '--keys', keys, ledger), /keyring.*not valid JSON/);
  });

  it('a public key that is not 64 hex characters', () => {
    const keys = join(directory, 'keys-short.json');
    writeFileSync(keys, JSON.stringify({ 'officer-1': 'abc123' }));
    const line = expectOneSentenceError(cli('verify', '--keys', keys, ledger), /officer-1/);
    expect(line).toMatch(/64 hex/);
  });

  it('a public key of 64 characters that are not all hex', () => {
    const keys = join(directory, 'keys-nonhex.json');
    writeFileSync(keys, JSON.stringify({ 'officer-1': 'z'.repeat(64) }));
    expectOneSentenceError(cli('verify', '--keys', keys, ledger), /officer-1.*hex/);
  });

  it('a keyring path that does not exist', () => {
    const keys = join(directory, 'no-such-keys.json');
    const line = expectOneSentenceError(cli('verify', '--keys', keys, ledger), /keyring/);
    expect(line).toContain(keys);
  });

  it('a keyring path that is a directory', () => {
    expectOneSentenceError(cli('verify', '--keys', directory, ledger), /directory/);
  });
});

describe('proofdesk: bad command lines', () => {
  it('an unknown flag', () => {
    expectOneSentenceError(cli('verify', '--frobnicate', join(directory, 'x.db')), /--frobnicate/);
  });

  it('an unknown command', () => {
    expectOneSentenceError(cli('frobnicate'), /frobnicate/);
  });

  it('verify with no file', () => {
    expectOneSentenceError(cli('verify'), /ledger file/);
  });

  it('verify with two files', () => {
    expectOneSentenceError(cli('verify', 'a.db', 'b.db'), /one ledger file/);
  });

  it('a flag missing its value at the end of the line', () => {
    expectOneSentenceError(cli('verify', join(directory, 'x.db'), '--keys'), /--keys/);
  });

  it('--state-dir missing its value', () => {
    expectOneSentenceError(cli('verify', join(directory, 'x.db'), '--state-dir'), /--state-dir/);
  });

  it('`help` prints the usage with exit 0', () => {
    const result = cli('help');
    expect(result.status).toBe(EXIT.pass);
    expect(result.stdout).toMatch(/^Usage:/);
    expect(result.stdout).toMatch(/Exit codes: 0 pass, 1 verification failed, 2 usage/);
    expect(result.stderr).toBe('');
  });

  it('no command at all exits 2', () => {
    const result = cli();
    expect(result.status).toBe(EXIT.usage);
    expect(`${result.stdout}${result.stderr}`).toMatch(/Usage:/);
  });
});
