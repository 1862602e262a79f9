/**
 * `proofdesk keygen`: a new Ed25519 signing key in a private file (mode 0600) that is never
 * overwritten, and its public half printed as a one-line keyring for `verify --keys`.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';
import {
  describeRun,
  expectOneSentenceError,
  EXIT,
  runCli,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

const configHome = temporaryConfigHome();
const directory = temporaryDirectory();
const cli = (...args: string[]): CliResult => runCli(args, { configHome });

describe('proofdesk keygen (CLI)', () => {
  it('writes a 0600 key file and prints a one-line keyring with its public key', () => {
    const out = join(directory, 'k.json');
    const result = cli('keygen', '--key-id', 'officer-1', '--out', out);
    expect(result.status, describeRun(result)).toBe(EXIT.pass);

    expect(result.stdout).toMatch(/^\{"officer-1":"[0-9a-f]{64}"\}\n$/);
    const keyring = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(keyring)).toEqual(['officer-1']);

    if (process.platform !== 'win32') expect(statSync(out).mode & 0o777).toBe(0o600);
    const keyFile = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(keyFile['key_id']).toBe('officer-1');
    expect(keyFile['public_key_hex']).toBe(keyring['officer-1']);
    expect(keyFile['seed_hex']).toMatch(/^[0-9a-f]{64}$/);
    // The secret half never reaches stdout or stderr.
    expect(result.stdout).not.toContain(keyFile['seed_hex']);
    expect(result.stderr).not.toContain(keyFile['seed_hex']);

    // Generating again to the same path refuses and leaves the existing key alone.
    const before = sha256OfFile(out);
    const again = cli('keygen', '--key-id', 'officer-1', '--out', out);
    expectOneSentenceError(again, /already exists/);
    expect(sha256OfFile(out)).toBe(before);
    if (process.platform !== 'win32') expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('gives each run a new key', () => {
    const first = cli('keygen', '--key-id', 'a', '--out', join(directory, 'a.json'));
    const second = cli('keygen', '--key-id', 'a', '--out', join(directory, 'b.json'));
    expect(first.status).toBe(EXIT.pass);
    expect(second.status).toBe(EXIT.pass);
    expect(first.stdout).not.toBe(second.stdout);
  });

  it('exits 2 without --out', () => {
    expectOneSentenceError(cli('keygen', '--key-id', 'officer-1'), /--out/);
  });

  it('exits 2 without --key-id and writes nothing', () => {
    const out = join(directory, 'no-id.json');
    expectOneSentenceError(cli('keygen', '--out', out), /--key-id/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 when the folder for --out does not exist', () => {
    const out = join(directory, 'missing-folder', 'k.json');
    expectOneSentenceError(cli('keygen', '--key-id', 'officer-1', '--out', out), /k\.json/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 for an empty key id', () => {
    const out = join(directory, 'empty-id.json');
    expectOneSentenceError(cli('keygen', '--key-id', '', '--out', out), /key id/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('passphrase-protected keys (CLI)', () => {
  it('keygen encrypts with --passphrase-file; append unlocks it; the signed entry verifies', () => {
    const passphraseFile = join(directory, 'passphrase.txt');
    writeFileSync(passphraseFile, 'correct horse battery\n');
    const keyPath = join(directory, 'encrypted.key');
    const made = cli(
      'keygen',
      '--key-id',
      'officer-9',
      '--out',
      keyPath,
      '--passphrase-file',
      passphraseFile,
    );
    expect(made.status, describeRun(made)).toBe(EXIT.pass);
    expect(made.stderr).toContain('encrypted with the passphrase');
    expect(readFileSync(keyPath, 'utf8')).not.toContain('seed_hex');
    const keyring = join(directory, 'officer-9.keyring.json');
    writeFileSync(keyring, made.stdout);

    const ledger = join(directory, 'encrypted-signed.db');
    const locked = cli('append', ledger, '--actor', 'a', '--action', 'b', '--key', keyPath);
    expectOneSentenceError(locked, /encrypted; give --passphrase-file/);
    expect(existsSync(ledger)).toBe(false);
    const wrong = join(directory, 'wrong.txt');
    writeFileSync(wrong, 'not it\n');
    expectOneSentenceError(
      cli(
        'append',
        ledger,
        '--actor',
        'a',
        '--action',
        'b',
        '--key',
        keyPath,
        '--passphrase-file',
        wrong,
      ),
      /does not unlock/,
    );

    const appended = cli(
      'append',
      ledger,
      '--actor',
      'a',
      '--action',
      'b',
      '--key',
      keyPath,
      '--passphrase-file',
      passphraseFile,
    );
    expect(appended.status, describeRun(appended)).toBe(EXIT.pass);
    const verified = cli('verify', ledger, '--keys', keyring, '--require-signatures', '--json');
    expect(verified.status, describeRun(verified)).toBe(EXIT.pass);
  });
});
