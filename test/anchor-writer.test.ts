/**
 * Anchors written by Proofdesk in nexuscone's format, against a loopback openssl TSA and two
 * loopback calendars: the row has nexuscone's exact column formats (python3 reads it back), a
 * failed track leaves its columns as nexuscone does, nothing is written when every server fails,
 * `anchors upgrade` confirms pending proofs that `verify --headers` then accepts, and `anchors
 * show` describes pending and confirmed anchors. The CLI runs as a subprocess while the servers
 * answer in this process, so every run is asynchronous.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { anchorLedger, upgradeAnchors } from '../src-main/anchoring/anchor-writer';
import { NEXUSCONE_SCHEMA_STATEMENTS } from '../src-main/ledger/nexuscone-schema';
import {
  describeRun,
  EXIT,
  expectOneSentenceError,
  runCliAsync,
  temporaryConfigHome,
} from './support/cli';
import { newLedger, sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';
import { startTestOtsCalendar, type TestOtsCalendar } from './support/test-ots-calendar';
import {
  createTestTsaPki,
  describeWithOpenssl,
  startTestTsa,
  type TestTsa,
  type TestTsaPki,
  withoutProxyEnvironment,
} from './support/test-tsa';

const configHome = temporaryConfigHome();
const NEXUSCONE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
// Nothing listens on port 1, so a connection there is refused at once.
const DEAD = 'http://127.0.0.1:1';
const cli = (...args: string[]) => runCliAsync(args, { configHome });

type Row = Record<string, string | number | Buffer | null>;

function anchorRows(path: string): Row[] {
  const db = new Database(path, { readonly: true });
  try {
    const exists = db
      .prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name = 'anchors'")
      .get() as { n: number };
    return exists.n === 0
      ? []
      : (db.prepare('SELECT * FROM anchors ORDER BY anchor_id').all() as Row[]);
  } finally {
    db.close();
  }
}

function headOf(path: string): { entry_id: number; entry_hash: string } {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare('SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1')
      .get() as { entry_id: number; entry_hash: string };
  } finally {
    db.close();
  }
}

interface JsonCheck {
  check: string;
  status: string;
  code?: string;
  anchor_id?: number;
}

describeWithOpenssl('anchor writer against loopback servers', () => {
  withoutProxyEnvironment();
  let pki: TestTsaPki;
  let tsa: TestTsa;
  let calendarA: TestOtsCalendar;
  let calendarB: TestOtsCalendar;
  let caPem: string;

  beforeAll(async () => {
    pki = await createTestTsaPki();
    tsa = await startTestTsa(pki, 'good');
    calendarA = await startTestOtsCalendar({ firstHeight: 1000 });
    calendarB = await startTestOtsCalendar({ firstHeight: 2000 });
    caPem = join(temporaryDirectory(), 'tsa-ca.pem');
    writeFileSync(caPem, pki.ca.pem);
  });

  afterAll(async () => {
    await tsa?.close();
    await calendarA?.close();
    await calendarB?.close();
    await pki?.dispose();
  });

  const verifyJson = async (path: string, ...flags: string[]) => {
    const run = await cli('verify', path, '--json', '--state-dir', temporaryDirectory(), ...flags);
    const checks = (JSON.parse(run.stdout) as { checks: JsonCheck[] }).checks;
    return {
      run,
      anchorChecks: checks
        .filter((check) => check.check.startsWith('anchors.'))
        .map((check) => [check.check, check.status, check.code ?? null]),
    };
  };

  it("anchors in nexuscone's format, verifies, upgrades to a confirmation and shows it", async () => {
    const path = newLedger();
    const head = headOf(path);
    const run = await cli(
      'anchor',
      path,
      '--tsa',
      tsa.url,
      '--calendar',
      calendarA.url,
      '--calendar',
      calendarB.url,
      '--timeout',
      '10',
    );
    expect(run.status, describeRun(run)).toBe(EXIT.pass);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `ots: pending at 2 of 2 calendars (${calendarA.url}, ${calendarB.url})\n` +
        `tsa: timestamped by ${tsa.url}\n` +
        `anchored entry 3 as anchor 1 (${head.entry_hash})\n`,
    );
    expect(calendarA.requests).toContain(`POST /digest ${head.entry_hash}`);

    const [row, ...others] = anchorRows(path);
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      anchor_id: 1,
      chain_head_hash: head.entry_hash,
      chain_head_entry_id: 3,
      calendar_servers: `["${calendarA.url}", "${calendarB.url}"]`,
      confirmed_at: null,
      bitcoin_block_height: null,
      bitcoin_block_hash: null,
      tsa_url: tsa.url,
    });
    expect(row?.submitted_at).toMatch(NEXUSCONE_TIME);
    expect(row?.tsa_gen_time).toMatch(NEXUSCONE_TIME);
    // A whole TimeStampResp, and a Timestamp serialisation with no .ots file header.
    expect((row?.tst_blob as Buffer)[0]).toBe(0x30);
    expect((row?.ots_proof_blob as Buffer)[0]).toBe(0xff);

    const pending = await verifyJson(path, '--check-tst', '--tsa-roots', caPem, '--check-anchors');
    expect(pending.anchorChecks).toContainEqual(['anchors.tsa', 'PASS', null]);
    expect(pending.anchorChecks).toContainEqual(['anchors.ots', 'PENDING', 'ANCHOR_OTS_PENDING']);
    expect(pending.anchorChecks.filter(([, status]) => status === 'FAIL')).toEqual([]);

    // nexuscone reads the row with Python's sqlite3 and json.loads.
    const python = execFileSync(
      'python3',
      [
        '-c',
        `import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
(servers, gen) = c.execute("SELECT calendar_servers, tsa_gen_time FROM anchors WHERE anchor_id = 1").fetchone()
from datetime import datetime
datetime.fromisoformat(gen.replace("Z", "+00:00"))
print(json.dumps(json.loads(servers)))`,
        path,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(python)).toEqual([calendarA.url, calendarB.url]);

    const shownPending = await cli('anchors', 'show', path, '1');
    expect(shownPending.status, describeRun(shownPending)).toBe(EXIT.pass);
    expect(shownPending.stdout).toMatch(/^anchor 1: PENDING\n/);
    expect(shownPending.stdout).toContain(`ots pending at ${calendarA.url}\n`);
    expect(shownPending.stdout).toContain(`ots pending at ${calendarB.url}\n`);
    expect(shownPending.stdout).toMatch(/ {2}tst_blob +\d+ bytes, sha256 [0-9a-f]{64}\n/);
    expect(shownPending.stdout).toMatch(/ {2}tst signer .*Proofdesk Loopback TSA TEST ONLY/);
    expect(shownPending.stdout).toMatch(/ {2}tst serial 0x[0-9a-f]+\n/);
    expect(shownPending.stdout).toMatch(/ {2}confirmed_at +NULL\n/);

    const notYet = await cli('anchors', 'upgrade', path, '--timeout', '10');
    expect(notYet.stdout).toBe('attempted 1, upgraded 0, still pending 1, failed 0\n');

    calendarA.confirm();
    calendarB.confirm();
    const upgrade = await cli('anchors', 'upgrade', path, '--timeout', '10');
    expect(upgrade.status, describeRun(upgrade)).toBe(EXIT.pass);
    expect(upgrade.stdout).toBe(
      'attempted 1, upgraded 1, still pending 0, failed 0\nconfirmed anchors: 1\n',
    );
    const [confirmed] = anchorRows(path);
    expect(confirmed).toMatchObject({ bitcoin_block_height: 1000, bitcoin_block_hash: null });
    expect(confirmed?.confirmed_at).toMatch(NEXUSCONE_TIME);
    expect(confirmed?.tst_blob).toEqual(row?.tst_blob);

    const headers = join(temporaryDirectory(), 'headers.txt');
    writeFileSync(headers, calendarA.headersFileText() + calendarB.headersFileText());
    // Given headers, upgrade records the block hash of a confirmed anchor, as nexuscone's poller does.
    const hashed = await cli('anchors', 'upgrade', path, '--headers', headers);
    expect(hashed.stdout).toBe(
      'attempted 0, upgraded 0, still pending 0, failed 0\nblock hashes recorded for anchors: 1\n',
    );
    expect(anchorRows(path)[0]?.bitcoin_block_hash).toMatch(/^[0-9a-f]{64}$/);
    const verified = await verifyJson(path, '--check-anchors', '--headers', headers);
    expect(verified.run.status, describeRun(verified.run)).toBe(EXIT.pass);
    expect(verified.anchorChecks.filter(([check]) => check === 'anchors.ots')).toEqual([
      ['anchors.ots', 'PASS', null],
    ]);

    const shown = await cli('anchors', 'show', path, '1', '--json');
    expect(shown.status, describeRun(shown)).toBe(EXIT.pass);
    const document = JSON.parse(shown.stdout) as {
      state: string;
      columns: Record<string, unknown>;
      ots: { pending: string[]; bitcoin: { height: number; merkle_root: string }[] };
      tst: { gen_time: string; findings: string[] };
    };
    expect(document.state).toBe('CONFIRMED');
    expect(document.columns.bitcoin_block_height).toBe(1000);
    const upgradedBlob = confirmed?.ots_proof_blob as Buffer;
    expect(document.columns.ots_proof_blob).toEqual({
      bytes: upgradedBlob.length,
      sha256: createHash('sha256').update(upgradedBlob).digest('hex'),
    });
    expect(document.ots.bitcoin.map((claim) => claim.height).sort()).toEqual([1000, 2000]);
    for (const claim of document.ots.bitcoin) expect(claim.merkle_root).toMatch(/^[0-9a-f]{64}$/);
    expect(document.tst.findings).toEqual([]);
    const text = await cli('anchors', 'show', path, '1');
    expect(text.stdout).toMatch(/^anchor 1: CONFIRMED\n/);
    expect(text.stdout).toMatch(/ots bitcoin block 1000, merkle root [0-9a-f]{64}\n/);
  });

  it('keeps only the calendar that answered when the other is down', async () => {
    const path = newLedger(2);
    const run = await cli(
      'anchor',
      path,
      '--tsa',
      tsa.url,
      '--calendar',
      calendarA.url,
      '--calendar',
      DEAD,
    );
    expect(run.status, describeRun(run)).toBe(EXIT.pass);
    expect(run.stdout).toContain(`ots: pending at 1 of 2 calendars (${calendarA.url})\n`);
    expect(run.stderr).toMatch(/^proofdesk: ots: .*127\.0\.0\.1:1.*\n$/);
    const [row] = anchorRows(path);
    expect(row).toMatchObject({ calendar_servers: `["${calendarA.url}"]`, tsa_url: tsa.url });
    calendarA.confirm();
  });

  it('leaves the TSA columns NULL when no TSA answers', async () => {
    const path = newLedger(1);
    const run = await cli(
      'anchor',
      path,
      '--tsa',
      DEAD,
      '--calendar',
      calendarA.url,
      '--calendar',
      calendarB.url,
    );
    expect(run.status, describeRun(run)).toBe(EXIT.pass);
    expect(run.stdout).toContain('tsa: no TSA answered\n');
    expect(run.stderr).toMatch(/^proofdesk: tsa: .*127\.0\.0\.1:1.*\n$/);
    const [row] = anchorRows(path);
    expect(row).toMatchObject({
      chain_head_entry_id: 1,
      calendar_servers: `["${calendarA.url}", "${calendarB.url}"]`,
      tst_blob: null,
      tsa_url: null,
      tsa_gen_time: null,
    });
    expect(row?.ots_proof_blob).not.toBeNull();
    calendarA.confirm();
    calendarB.confirm();
  });

  it('writes a TSA-only row with calendar_servers [] when no calendar answers', async () => {
    const path = newLedger(1);
    const result = await anchorLedger(path, {
      tsaUrls: [DEAD, tsa.url],
      calendarUrls: [DEAD],
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ anchorId: 1, calendarsOk: [], tsaUrl: tsa.url });
    expect(result.failures.map((failure) => [failure.track, failure.url])).toEqual([
      ['ots', DEAD],
      ['tsa', DEAD],
    ]);
    const [row] = anchorRows(path);
    expect(row).toMatchObject({ calendar_servers: '[]', ots_proof_blob: null, tsa_url: tsa.url });
    expect(await upgradeAnchors(path, { timeoutMs: 10_000 })).toEqual({
      attempted: 0,
      upgraded: 0,
      stillPending: 0,
      failed: 0,
      upgradedIds: [],
    });
    const shown = await cli('anchors', 'show', path, '1');
    expect(shown.stdout).toMatch(/^anchor 1: TSA-only\n/);
  });

  it('contacts only allowed calendars when upgrading', async () => {
    const path = newLedger(1);
    await anchorLedger(path, { tsaUrls: [], calendarUrls: [calendarB.url], timeoutMs: 10_000 });
    calendarB.confirm();
    const before = calendarB.requests.length;
    expect(
      await upgradeAnchors(path, { timeoutMs: 10_000, allowedCalendars: [calendarA.url] }),
    ).toMatchObject({ attempted: 1, upgraded: 0, stillPending: 1 });
    expect(calendarB.requests.length).toBe(before);
    // The same limit from the command line.
    const limited = await cli('anchors', 'upgrade', path, '--calendar', calendarA.url);
    expect(limited.stdout).toMatch(/^attempted 1, upgraded 0, still pending 1, failed 0\n/);
    expect(calendarB.requests.length).toBe(before);
    expect(
      await upgradeAnchors(path, { timeoutMs: 10_000, allowedCalendars: [calendarB.url] }),
    ).toMatchObject({ attempted: 1, upgraded: 1, upgradedIds: [1] });
    expect(anchorRows(path)[0]).toMatchObject({ bitcoin_block_height: 2002 });
  });

  it('writes nothing and says so in one sentence when every server fails', async () => {
    const path = newLedger();
    const before = sha256OfFile(path);
    const run = await cli('anchor', path, '--tsa', DEAD, '--calendar', DEAD, '--timeout', '5');
    expectOneSentenceError(run, /No anchor was written because all 2 servers asked failed/);
    expect(sha256OfFile(path)).toBe(before);
    expect(anchorRows(path)).toEqual([]);
  });

  it('refuses to anchor an empty ledger or with no servers, and shows no unknown anchor', async () => {
    const submissions = calendarA.requests.length;
    const empty = join(temporaryDirectory(), 'empty.db');
    const db = new Database(empty);
    for (const statement of NEXUSCONE_SCHEMA_STATEMENTS) db.exec(statement);
    db.close();
    expectOneSentenceError(
      await cli('anchor', empty, '--calendar', calendarA.url),
      /has no entries, so there is no head to anchor/,
    );
    const path = newLedger(1);
    expectOneSentenceError(await cli('anchor', path), /at least one --tsa URL or --calendar URL/);
    expectOneSentenceError(await cli('anchors', 'show', path, '7'), /has no anchor 7\./);
    expectOneSentenceError(await cli('anchor', path, '--tsa', 'ftp://example.org'), /not an http/);
    expectOneSentenceError(
      await cli('anchor', path, '--calendar', calendarA.url, '--timeout', '0'),
    );
    expect(calendarA.requests.length).toBe(submissions);
  });
});
