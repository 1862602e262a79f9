/** The committed demo ledger is what the generator makes, and it verifies. */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKeyring } from '../src-shared/keyring';
import {
  DEMO_ENTRY_COUNT,
  DEMO_KEYRING_FILE,
  DEMO_LEDGER_FILE,
  generateDemo,
} from '../src-main/demo/demo-generator';
import {
  DEMO_DECISIONS_FILE,
  DEMO_DECISIONS_LEDGER_FILE,
  DEMO_OFFICERS_FILE,
  generateDemoDecisions,
} from '../src-main/demo/demo-decisions';
import { verifyDecisionStore } from '../src-main/decisions/decision-verification';
import { sha256OfFile, temporaryDirectory, verify } from './support/ledger-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const committedLedger = join(demoDir, DEMO_LEDGER_FILE);

describe('demo ledger', () => {
  it('is byte for byte what the generator writes', () => {
    const fresh = temporaryDirectory();
    generateDemo(fresh);
    expect(sha256OfFile(join(fresh, DEMO_LEDGER_FILE))).toBe(sha256OfFile(committedLedger));
    expect(readFileSync(join(fresh, DEMO_KEYRING_FILE), 'utf8')).toBe(
      readFileSync(join(demoDir, DEMO_KEYRING_FILE), 'utf8'),
    );
  });

  it('passes verification with its keyring, every entry signed', async () => {
    const keyring = parseKeyring(
      readFileSync(join(demoDir, DEMO_KEYRING_FILE), 'utf8'),
      'demo keyring',
    );
    const result = await verify(committedLedger, { keyring, requireSignatures: true });
    expect(result.verdict).toBe('pass');
    expect(result.entries).toBe(DEMO_ENTRY_COUNT);
    expect(result.checks.filter((check) => check.status !== 'PASS')).toEqual([
      expect.objectContaining({ check: 'trusted_head', code: 'TRUSTED_HEAD_NOT_RECORDED' }),
    ]);
  });

  it('holds realistic, varied events and public keys only', () => {
    const db = new Database(committedLedger, { readonly: true });
    const eventTypes = db.prepare('SELECT DISTINCT event_type FROM entries').pluck().all();
    const keyIds = db.prepare('SELECT DISTINCT signing_key_id FROM entries').pluck().all();
    const nonAscii = db
      .prepare("SELECT COUNT(*) FROM entries WHERE actor GLOB '*[^ -~]*'")
      .pluck()
      .get();
    db.close();
    expect(eventTypes.length).toBeGreaterThanOrEqual(6);
    expect(keyIds.sort()).toEqual(['acme-audit-2026q3', 'acme-audit-2026q4']);
    expect(nonAscii).toBeGreaterThan(0);
    const keyring = JSON.parse(readFileSync(join(demoDir, DEMO_KEYRING_FILE), 'utf8')) as Record<
      string,
      string
    >;
    for (const value of Object.values(keyring)) expect(value).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('demo decisions', () => {
  it('are byte for byte what the generator writes, and verify against their ledger', async () => {
    const fresh = temporaryDirectory();
    await generateDemoDecisions(fresh);
    for (const file of [DEMO_DECISIONS_FILE, DEMO_DECISIONS_LEDGER_FILE, DEMO_OFFICERS_FILE]) {
      expect(sha256OfFile(join(fresh, file)), file).toBe(sha256OfFile(join(demoDir, file)));
    }
    const signers = parseKeyring(
      readFileSync(join(demoDir, DEMO_OFFICERS_FILE), 'utf8'),
      'demo officers',
    );
    const report = await verifyDecisionStore(join(demoDir, DEMO_DECISIONS_FILE), {
      ledgerPath: join(demoDir, DEMO_DECISIONS_LEDGER_FILE),
      trustedSigners: signers,
      asOf: new Date('2026-11-22T00:00:00Z'),
      trustedHeads: null,
    });
    expect(report.verdict).toBe('pass');
    expect(report.decisions).toBe(5);
  });
});
