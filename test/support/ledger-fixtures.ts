/** Keys, temp dirs and small helpers for ledger tests. */
import { appendEntries } from '../../src-main/ledger/ledger-writer';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { parseKeyring, type Keyring } from '../../src-shared/keyring';
import {
  verifyLedgerFile,
  type LedgerVerificationResult,
} from '../../src-main/ledger/ledger-verification';
import { TrustedHeadStore } from '../../src-main/ledger/trusted-head-store';
import type { CheckResult } from '../../src-shared/verification-report';
import { sharedFixturePath, sharedFixturesAvailable } from './shared-fixtures';

export const nexusconeFixture = (name: string): string => sharedFixturePath('nexuscone', name);

interface NexusconeManifest {
  files: { file: string; kind: string; sha256: string }[];
  keys: {
    entry_signing: { key_id: string; seed_hex: string; public_key_hex: string }[];
    witnesses: { label: string; seed_hex: string; public_key_hex: string }[];
  };
}

export function readNexusconeManifest(): NexusconeManifest {
  return JSON.parse(readFileSync(nexusconeFixture('manifest.json'), 'utf8')) as NexusconeManifest;
}

/** The manifest's entry-signing keys as a keyring JSON document. */
export function fixtureKeyringJson(): string {
  if (!sharedFixturesAvailable) return '{}';
  const manifest = readNexusconeManifest();
  return JSON.stringify(
    Object.fromEntries(manifest.keys.entry_signing.map((key) => [key.key_id, key.public_key_hex])),
  );
}

export function fixtureKeyring(): Keyring {
  return parseKeyring(fixtureKeyringJson(), 'fixture manifest');
}

/** A temporary directory removed after the test file finishes. */
export function temporaryDirectory(prefix = 'proofdesk-test-'): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Files beside `path` that SQLite would create (journal, WAL, shared memory). */
export function sideFilesOf(path: string): string[] {
  const name = basename(path);
  return readdirSync(dirname(path)).filter(
    (entry) => entry.startsWith(name) && entry !== name && /-(wal|shm|journal)$/.test(entry),
  );
}

export function copyTo(directory: string, source: string, name = basename(source)): string {
  const target = join(directory, name);
  copyFileSync(source, target);
  return target;
}

export interface VerifyOptions {
  keyring?: Keyring | null;
  requireSignatures?: boolean;
  stateDir?: string | null;
  parallelism?: number;
}

export async function verify(
  path: string,
  options: VerifyOptions = {},
): Promise<LedgerVerificationResult> {
  return verifyLedgerFile(path, {
    keyring: options.keyring === undefined ? null : options.keyring,
    requireSignatures: options.requireSignatures ?? false,
    trustedHeads: options.stateDir ? new TrustedHeadStore(options.stateDir) : null,
    parallelism: options.parallelism ?? 1,
  });
}

export function failures(result: LedgerVerificationResult): CheckResult[] {
  return result.checks.filter((check) => check.status === 'FAIL');
}

export function codesOf(
  result: LedgerVerificationResult,
  status?: CheckResult['status'],
): string[] {
  return result.checks
    .filter((check) => (status === undefined ? check.code !== undefined : check.status === status))
    .map((check) => check.code ?? check.check);
}

export function findCheck(result: LedgerVerificationResult, code: string): CheckResult | undefined {
  return result.checks.find((check) => check.code === code);
}

/** A fresh ledger of `entries` unsigned request entries, written as nexuscone writes them. */
export function newLedger(entries = 3): string {
  const path = join(temporaryDirectory(), 'ledger.db');
  appendEntries(
    path,
    Array.from({ length: entries }, (_, index) => ({
      actor: 'agent',
      action: `step ${index + 1}`,
      eventType: 'request',
      payload: '{}',
    })),
    { createIfMissing: true },
  );
  return path;
}
