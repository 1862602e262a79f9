/**
 * The ledger table channels ('ledger/page', 'ledger/locate', 'ledger/entry') through the real
 * boundary (dispatchIpcCall): keyset paging both ways, sorts, each filter, totals, positions,
 * entry details on intact and tampered fixtures, schema rejection, and a 100k-row ledger paged
 * without ever reading it whole. Expected orders come from plain SQL in the test (an oracle that
 * may scan; the handlers may not).
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS, type IpcChannel } from '../src-shared/ipc/ipc-contract';
import type { LedgerFilter, LedgerRow, LedgerSort } from '../src-shared/ipc/ledger-browse-contract';
import { parseKeyring, type Keyring } from '../src-shared/keyring';
import { createLedgerHandlers, dispatchIpcCall } from '../src-main/ipc/ipc-handlers';
import { closeAllLedgerBrowsers, POSITION_STRIDE } from '../src-main/ledger/ledger-browser';
import { appendEntries, formatNexusconeTimestamp } from '../src-main/ledger/ledger-writer';
import {
  copyTo,
  findCheck,
  fixtureKeyring,
  nexusconeFixture,
  sideFilesOf,
  temporaryDirectory,
  verify,
} from './support/ledger-fixtures';
import { describeWithFixtures } from './support/shared-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const demoLedger = join(demoDir, 'demo-ledger.db');
const demoKeyring = parseKeyring(readFileSync(join(demoDir, 'demo-keyring.json'), 'utf8'), 'demo');
const noEmit = (): void => {};

afterAll(() => closeAllLedgerBrowsers());

type Handlers = ReturnType<typeof createLedgerHandlers>;

function session(ledgerPath: string, keyring: Keyring | null = null): Handlers {
  return createLedgerHandlers({ ledgerPath, keyring, stateDir: temporaryDirectory() });
}

/** Calls a channel through the boundary; fails the test on an error envelope. */
async function call<C extends IpcChannel>(handlers: Handlers, channel: C, input: unknown) {
  const reply = await dispatchIpcCall(handlers, channel, input, noEmit);
  if (!reply.ok) throw new Error(`${channel} failed: ${reply.error.code} ${reply.error.message}`);
  return IPC_CHANNELS[channel].output.parse(reply.data) as (typeof IPC_CHANNELS)[C] extends {
    output: { parse: (value: unknown) => infer T };
  }
    ? T
    : never;
}

const page = (handlers: Handlers, input: Record<string, unknown>) =>
  call(handlers, 'ledger/page', { limit: 100, sort: 'entry_id_asc', ...input });
const ids = (rows: readonly LedgerRow[]): number[] => rows.map((row) => row.entryId);

const ORDER_SQL: Record<LedgerSort, string> = {
  entry_id_asc: 'entry_id ASC',
  entry_id_desc: 'entry_id DESC',
  timestamp_asc: 'timestamp ASC, entry_id ASC',
  timestamp_desc: 'timestamp DESC, entry_id DESC',
};

/** Every matching entry id in order, by plain SQL: the oracle. */
function oracle(path: string, sort: LedgerSort, where = '1', params: unknown[] = []): number[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(`SELECT entry_id FROM entries WHERE ${where} ORDER BY ${ORDER_SQL[sort]}`)
      .pluck()
      .all(...params) as number[];
  } finally {
    db.close();
  }
}

/** Pages forward from the start with afterEntryId until hasMore is false. */
async function pageThrough(
  handlers: Handlers,
  sort: LedgerSort,
  filter?: LedgerFilter,
  limit = 100,
): Promise<number[]> {
  const all: number[] = [];
  let after: number | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const result = await page(handlers, { sort, filter, limit, afterEntryId: after });
    expect(result.rows.length).toBeLessThanOrEqual(limit);
    all.push(...ids(result.rows));
    if (!result.hasMore) return all;
    after = result.rows.at(-1)?.entryId;
  }
  throw new Error('paging did not end');
}

describe('ledger/page on the demo ledger (3000 signed entries)', () => {
  const handlers = session(demoLedger, demoKeyring);

  it('the first page is rows 1-100 with the total, in the output schema', async () => {
    const first = await page(handlers, {});
    expect(first.total).toBe(3000);
    expect(first.hasMore).toBe(true);
    expect(first.startIndex).toBe(0);
    expect(ids(first.rows)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    expect(first.rows[0]).toEqual({
      entryId: 1,
      timestamp: '2026-10-01T07:31:27.013148Z',
      actor: 'agent:claims-triage',
      action: 'chat.completion',
      eventType: 'request',
      formatVersion: 2,
      signed: true,
      signingKeyId: 'acme-audit-2026q3',
    });
  });

  it('pages forward with afterEntryId to the end, and backward with beforeEntryId', async () => {
    expect(await pageThrough(handlers, 'entry_id_asc')).toEqual(oracle(demoLedger, 'entry_id_asc'));

    const last = await page(handlers, { beforeEntryId: 3001, limit: 50 });
    expect(ids(last.rows)).toEqual(Array.from({ length: 50 }, (_, index) => 2951 + index));
    expect(last.hasMore).toBe(true);
    const before = await page(handlers, { beforeEntryId: 2951, limit: 50 });
    expect(ids(before.rows)).toEqual(Array.from({ length: 50 }, (_, index) => 2901 + index));
    const start = await page(handlers, { beforeEntryId: 3, limit: 50 });
    expect(ids(start.rows)).toEqual([1, 2]);
    expect(start.hasMore).toBe(false);
  });

  it.each(['entry_id_asc', 'entry_id_desc', 'timestamp_asc', 'timestamp_desc'] as const)(
    'sort %s matches SQL, forward, backward and by position',
    async (sort) => {
      const expected = oracle(demoLedger, sort);
      expect(await pageThrough(handlers, sort, undefined, 250)).toEqual(expected);
      const backward = await page(handlers, { sort, beforeEntryId: expected[1000], limit: 100 });
      expect(ids(backward.rows)).toEqual(expected.slice(900, 1000));
      const jumped = await page(handlers, { sort, atIndex: 1234, limit: 100 });
      expect(jumped.startIndex).toBe(1234);
      expect(ids(jumped.rows)).toEqual(expected.slice(1234, 1334));
      const end = await page(handlers, { sort, atIndex: 2990, limit: 100 });
      expect(ids(end.rows)).toEqual(expected.slice(2990));
      expect(end.hasMore).toBe(false);
      expect((await page(handlers, { sort, atIndex: 3000 })).rows).toEqual([]);
    },
  );

  const filters: [string, LedgerFilter, string, unknown[]][] = [
    ['actor', { actor: 'agent:claims-triage' }, 'actor = ?', ['agent:claims-triage']],
    ['action', { action: 'approval.granted' }, 'action = ?', ['approval.granted']],
    ['event type', { eventType: 'cost_anomaly' }, 'event_type = ?', ['cost_anomaly']],
    [
      'time range (from inclusive, to inclusive of what it prefixes)',
      { from: '2026-10-01T12:00', to: '2026-10-01T23' },
      'timestamp >= ? AND timestamp < ?',
      ['2026-10-01T12:00', '2026-10-02'],
    ],
    ['a day with Z', { from: '2026-10-02Z', to: '2026-10-02' }, "timestamp LIKE '2026-10-02%'", []],
    [
      'actor and event type together',
      { actor: 'agent:kyc-screening', eventType: 'request' },
      'actor = ? AND event_type = ?',
      ['agent:kyc-screening', 'request'],
    ],
  ];
  it.each(filters)(
    'filter by %s: rows, total and order match SQL',
    async (_name, filter, where, params) => {
      for (const sort of ['entry_id_asc', 'timestamp_desc'] as const) {
        const expected = oracle(demoLedger, sort, where, params);
        expect(expected.length).toBeGreaterThan(0);
        const first = await page(handlers, { sort, filter });
        expect(first.total).toBe(expected.length);
        expect(await pageThrough(handlers, sort, filter, 37)).toEqual(expected);
        const middle = Math.floor(expected.length / 2);
        const jumped = await page(handlers, { sort, filter, atIndex: middle, limit: 10 });
        expect(ids(jumped.rows)).toEqual(expected.slice(middle, middle + 10));
      }
    },
  );

  it('a filter nothing matches gives an empty first page and total 0', async () => {
    const none = await page(handlers, { filter: { actor: 'agent:claims' } });
    expect(none).toEqual({ rows: [], total: 0, hasMore: false, startIndex: 0 });
  });

  it('locate gives the position in the sort and filter, or null when filtered out', async () => {
    const locate = (input: Record<string, unknown>) => call(handlers, 'ledger/locate', input);
    expect(await locate({ entryId: 1234 })).toEqual({ index: 1233, total: 3000 });
    expect(await locate({ entryId: 1234, sort: 'entry_id_desc' })).toEqual({
      index: 1766,
      total: 3000,
    });
    const byTime = oracle(demoLedger, 'timestamp_desc');
    expect((await locate({ entryId: 1234, sort: 'timestamp_desc' })).index).toBe(
      byTime.indexOf(1234),
    );
    const actor = oracle(demoLedger, 'entry_id_asc', 'actor = ?', ['agent:claims-triage']);
    const member = actor[100] ?? 0;
    expect(await locate({ entryId: member, filter: { actor: 'agent:claims-triage' } })).toEqual({
      index: 100,
      total: actor.length,
    });
    const outsider = oracle(demoLedger, 'entry_id_asc', 'actor <> ?', ['agent:claims-triage'])[0];
    expect(await locate({ entryId: outsider, filter: { actor: 'agent:claims-triage' } })).toEqual({
      index: null,
      total: actor.length,
    });
    expect(await locate({ entryId: 999_999 })).toEqual({ index: null, total: 3000 });
  });

  it('entry detail: columns, pretty payload, canonical hash input, matching hash, valid signature', async () => {
    const entry = await call(handlers, 'ledger/entry', { entryId: 1 });
    expect(entry.columns.map((column) => column.name)).toEqual([
      'entry_id',
      'timestamp',
      'actor',
      'action',
      'event_type',
      'format_version',
      'payload',
      'previous_hash',
      'entry_hash',
      'signature',
      'signing_key_id',
    ]);
    expect(entry.columns[0]).toEqual({ name: 'entry_id', type: 'integer', text: '1' });
    expect(entry.hashFormat).toBe(2);
    expect(entry.hashInput).toMatch(
      /^\{"action":"chat\.completion","actor":"agent:claims-triage","entry_id":1,"event_type":"request","payload":"\{/,
    );
    expect(entry.hashMatches).toBe(true);
    expect(entry.recomputedHash).toBe(entry.storedHash);
    expect(entry.previousHash).toBe('0'.repeat(64));
    expect(entry.payload.parseError).toBeNull();
    expect(entry.payload.pretty).toContain('\n  "completion_tokens": 517,\n');
    expect(entry.signatureStatus).toBe('valid');
    expect(entry.signingKeyId).toBe('acme-audit-2026q3');
    expect(entry.signature).toMatch(/^[0-9a-f]{128}$/);
  });

  it('without a keyring the signature is reported as not checked', async () => {
    const unkeyed = session(demoLedger, null);
    expect((await call(unkeyed, 'ledger/entry', { entryId: 5 })).signatureStatus).toBe(
      'not-checked',
    );
  });

  it('rejects inputs outside the schemas with USAGE, and names a missing entry', async () => {
    const bad: [IpcChannel, unknown][] = [
      ['ledger/page', { limit: 0, sort: 'entry_id_asc' }],
      ['ledger/page', { limit: 501, sort: 'entry_id_asc' }],
      ['ledger/page', { limit: 10, sort: 'actor_asc' }],
      ['ledger/page', { limit: 10 }],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', afterEntryId: 5, atIndex: 10 }],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', afterEntryId: 5, beforeEntryId: 9 }],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', afterEntryId: 1.5 }],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', atIndex: -1 }],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', path: '/etc/passwd' }],
      [
        'ledger/page',
        { limit: 10, sort: 'entry_id_asc', filter: { actor: "x' OR 1=1 --", sql: 1 } },
      ],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', filter: { from: 'yesterday' } }],
      [
        'ledger/page',
        { limit: 10, sort: 'entry_id_asc', filter: { to: '2026-10-01T07:30+02:00' } },
      ],
      ['ledger/page', { limit: 10, sort: 'entry_id_asc', filter: { actor: '' } }],
      ['ledger/entry', { entryId: '1' }],
      ['ledger/entry', {}],
      ['ledger/locate', { entryId: 1, sort: 'entry_id_asc', extra: true }],
    ];
    for (const [channel, input] of bad) {
      const reply = await dispatchIpcCall(handlers, channel, input, noEmit);
      expect(reply, JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    }
    const missing = await dispatchIpcCall(handlers, 'ledger/entry', { entryId: 4000 }, noEmit);
    expect(missing).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(!missing.ok && missing.error.message).toContain('There is no entry 4000');
    // A filter value is a bound parameter, never SQL.
    const injection = await page(handlers, { filter: { actor: "x' OR 1=1 --" } });
    expect(injection.total).toBe(0);
  });

  it('leaves nothing beside the ledger', () => {
    expect(sideFilesOf(demoLedger)).toEqual([]);
  });
});

describe('one long-lived connection, refreshed when the file changes', () => {
  const directory = temporaryDirectory();

  it('sees entries appended by another writer (rollback journal: data_version)', async () => {
    const path = copyTo(directory, demoLedger, 'growing.db');
    const handlers = session(path);
    expect((await page(handlers, {})).total).toBe(3000);
    appendEntries(path, [{ actor: 'late', action: 'a', eventType: 'request', payload: '{}' }]);
    const after = await page(handlers, { filter: { actor: 'late' } });
    expect(after.total).toBe(1);
    expect((await page(handlers, {})).total).toBe(3001);
    expect(await call(handlers, 'ledger/locate', { entryId: 3001 })).toEqual({
      index: 3000,
      total: 3001,
    });
  });

  it('sees entries appended to a WAL ledger (read from a snapshot, re-taken when the file changes)', async () => {
    const path = copyTo(directory, demoLedger, 'wal.db');
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.close();
    const handlers = session(path);
    expect((await page(handlers, {})).total).toBe(3000);
    appendEntries(path, [{ actor: 'wal', action: 'a', eventType: 'request', payload: '{}' }]);
    expect((await page(handlers, {})).total).toBe(3001);
  });
});

describeWithFixtures('ledger/page and ledger/entry on the nexuscone fixtures', () => {
  const directory = temporaryDirectory();

  it('a tampered payload: the entry shows MISMATCH, with the hashes verification reports', async () => {
    const path = nexusconeFixture('tampered_payload_edit_middle.db');
    const handlers = session(path);
    const entry = await call(handlers, 'ledger/entry', { entryId: 25 });
    expect(entry.hashMatches).toBe(false);
    const finding = findCheck(await verify(path), 'LEDGER_HASH_MISMATCH');
    expect(finding?.entryId).toBe(25);
    expect(entry.recomputedHash).toBe(finding?.expected);
    expect(entry.storedHash).toBe(finding?.actual);
    expect((await call(handlers, 'ledger/entry', { entryId: 24 })).hashMatches).toBe(true);
  });

  it('a payload that is not JSON is shown raw, with the parser error', async () => {
    const path = copyTo(directory, nexusconeFixture('valid_unsigned_varied.db'), 'not-json.db');
    const db = new Database(path);
    db.prepare('UPDATE entries SET payload = \'{"unterminated": \' WHERE entry_id = 7').run();
    db.close();
    const entry = await call(session(path), 'ledger/entry', { entryId: 7 });
    expect(entry.payload).toMatchObject({ raw: '{"unterminated": ', pretty: null });
    expect(entry.payload.parseError).not.toBeNull();
    expect(entry.hashMatches).toBe(false);
  });

  it('Python JSON oddities pretty-print losslessly (NaN, big ints, floats keep their lexeme)', async () => {
    const handlers = session(nexusconeFixture('valid_unsigned_edge_nonstandard.db'));
    const nan = await call(handlers, 'ledger/entry', { entryId: 1 });
    expect(nan.payload.pretty).toBe('{\n  "nan": NaN\n}');
    expect(nan.hashMatches).toBe(true);
    const signed = session(nexusconeFixture('valid_signed_2keys.db'), fixtureKeyring());
    const first = await call(signed, 'ledger/entry', { entryId: 1 });
    expect(first.payload.pretty).toContain('"n": 100000000000000000001');
    expect(first.signatureStatus).toBe('valid');
  });

  it('a flipped signature byte is INVALID; a stripped one is malformed; unsigned rows say so', async () => {
    const flipped = nexusconeFixture('tampered_signed_signature_byte_flip.db');
    const invalid = (await verify(flipped, { keyring: fixtureKeyring() })).checks.find(
      (check) => check.code === 'LEDGER_SIGNATURE_INVALID',
    );
    expect(invalid?.entryId).toBeDefined();
    const handlers = session(flipped, fixtureKeyring());
    const entry = await call(handlers, 'ledger/entry', { entryId: invalid?.entryId ?? 0 });
    expect(entry.signatureStatus).toBe('invalid');
    expect(entry.hashMatches).toBe(true);

    const mixed = session(
      nexusconeFixture('valid_signed_mixed_unsigned_rows.db'),
      fixtureKeyring(),
    );
    const rows = (await page(mixed, { limit: 500 })).rows;
    const unsigned = rows.find((row) => !row.signed);
    expect(unsigned).toBeDefined();
    expect(unsigned?.signingKeyId).toBeNull();
    expect(
      (await call(mixed, 'ledger/entry', { entryId: unsigned?.entryId ?? 0 })).signatureStatus,
    ).toBe('unsigned');
  });

  it('a deleted row leaves a gap: positions, jumps and locate still count real rows', async () => {
    const path = nexusconeFixture('tampered_delete_middle_row.db');
    const handlers = session(path);
    const expected = oracle(path, 'entry_id_asc');
    expect(expected).toHaveLength(49);
    for (const sort of ['entry_id_asc', 'entry_id_desc'] as const) {
      const order = oracle(path, sort);
      for (const atIndex of [0, 20, 30, 48]) {
        const jumped = await page(handlers, { sort, atIndex, limit: 5 });
        expect(ids(jumped.rows)).toEqual(order.slice(atIndex, atIndex + 5));
      }
      for (const entryId of [order[10], order[40]]) {
        expect((await call(handlers, 'ledger/locate', { entryId, sort })).index).toBe(
          order.indexOf(entryId ?? 0),
        );
      }
    }
  });

  it('swapped rows: timestamp order differs from entry_id order, and both page correctly', async () => {
    const path = nexusconeFixture('tampered_swap_rows_10_11.db');
    const handlers = session(path);
    const byTime = oracle(path, 'timestamp_asc');
    expect(byTime).not.toEqual(oracle(path, 'entry_id_asc'));
    expect(await pageThrough(handlers, 'timestamp_asc', undefined, 3)).toEqual(byTime);
    const byTimeDesc = oracle(path, 'timestamp_desc');
    expect(await pageThrough(handlers, 'timestamp_desc', undefined, 4)).toEqual(byTimeDesc);
    for (const entryId of [10, 11, 12]) {
      expect(
        (await call(handlers, 'ledger/locate', { entryId, sort: 'timestamp_asc' })).index,
      ).toBe(byTime.indexOf(entryId));
    }
  });

  it('a v0.1 ledger (no event_type column): eventType is null and hashing uses format 1', async () => {
    const handlers = session(nexusconeFixture('legacy_v010_unmigrated.db'));
    const first = await page(handlers, { limit: 5 });
    expect(first.rows[0]).toMatchObject({ eventType: null, formatVersion: null });
    expect((await page(handlers, { filter: { eventType: 'request' } })).total).toBe(0);
    const entry = await call(handlers, 'ledger/entry', { entryId: 1 });
    expect(entry).toMatchObject({ hashFormat: 1, eventType: null, hashMatches: true });
    expect(entry.hashInput).not.toContain('event_type');
  });

  it('an empty ledger has no rows and locates nothing', async () => {
    const handlers = session(nexusconeFixture('valid_empty.db'));
    expect(await page(handlers, {})).toEqual({ rows: [], total: 0, hasMore: false, startIndex: 0 });
    expect(await page(handlers, { atIndex: 0 })).toMatchObject({ rows: [], total: 0 });
    expect(await call(handlers, 'ledger/locate', { entryId: 1 })).toEqual({
      index: null,
      total: 0,
    });
  });
});

describe('a 100,000-entry ledger', () => {
  const ROWS = 100_000;
  const directory = temporaryDirectory();
  const path = join(directory, 'big.db');
  let handlers: Handlers;

  beforeAll(() => {
    let n = 0;
    const base = BigInt(Date.UTC(2026, 0, 1)) * 1000n;
    appendEntries(
      path,
      Array.from({ length: ROWS }, (_, index) => ({
        actor: `agent:${index % 7}`,
        action: index % 3 === 0 ? 'tool.call' : 'chat.completion',
        eventType: index % 50 === 0 ? 'cost_anomaly' : 'request',
        payload: `{"i":${index}}`,
      })),
      {
        createIfMissing: true,
        // Ten entries share each timestamp, so timestamp order has ties to break by entry_id.
        clock: () => formatNexusconeTimestamp(base + BigInt(Math.floor(n++ / 10)) * 1000n),
      },
    );
    handlers = session(path);
  }, 60_000);

  const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
    const started = performance.now();
    const result = await work();
    return { result, ms: performance.now() - started };
  };

  it('pages stay small and quick however deep they are', async () => {
    const timings: Record<string, number> = {};
    const first = await timed(() => page(handlers, { limit: 200 }));
    timings.first = first.ms;
    expect(first.result.total).toBe(ROWS);
    expect(first.result.rows).toHaveLength(200);

    const deep = await timed(() => page(handlers, { atIndex: 87_654, limit: 100 }));
    timings.deepJump = deep.ms;
    expect(deep.result.rows).toHaveLength(100);
    expect(deep.result.rows[0]?.entryId).toBe(87_655);

    const next = await timed(() =>
      page(handlers, { afterEntryId: deep.result.rows.at(-1)?.entryId, limit: 100 }),
    );
    timings.keysetNext = next.ms;
    expect(next.result.rows[0]?.entryId).toBe(87_755);

    const previous = await timed(() => page(handlers, { beforeEntryId: 87_655, limit: 100 }));
    timings.keysetPrevious = previous.ms;
    expect(ids(previous.result.rows)).toEqual(
      Array.from({ length: 100 }, (_, index) => 87_555 + index),
    );

    // Timestamp order with ties: the first jump builds the sparse position table (one pass).
    const byTime = oracle(path, 'timestamp_desc');
    const tsJump = await timed(() =>
      page(handlers, { sort: 'timestamp_desc', atIndex: 54_321, limit: 100 }),
    );
    timings.timestampFirstJump = tsJump.ms;
    expect(ids(tsJump.result.rows)).toEqual(byTime.slice(54_321, 54_421));
    const tsJump2 = await timed(() =>
      page(handlers, { sort: 'timestamp_desc', atIndex: 12_345 + POSITION_STRIDE, limit: 100 }),
    );
    timings.timestampSecondJump = tsJump2.ms;
    expect(ids(tsJump2.result.rows)).toEqual(
      byTime.slice(12_345 + POSITION_STRIDE, 12_445 + POSITION_STRIDE),
    );
    const tsNext = await timed(() =>
      page(handlers, {
        sort: 'timestamp_desc',
        afterEntryId: tsJump.result.rows.at(-1)?.entryId,
        limit: 100,
      }),
    );
    timings.timestampKeyset = tsNext.ms;
    expect(ids(tsNext.result.rows)).toEqual(byTime.slice(54_421, 54_521));

    const actorOrder = oracle(path, 'entry_id_asc', 'actor = ?', ['agent:3']);
    const actorJump = await timed(() =>
      page(handlers, { filter: { actor: 'agent:3' }, atIndex: 10_000, limit: 50 }),
    );
    timings.actorJump = actorJump.ms;
    expect(actorJump.result.total).toBe(actorOrder.length);
    expect(ids(actorJump.result.rows)).toEqual(actorOrder.slice(10_000, 10_050));

    const rare = await timed(() =>
      page(handlers, { sort: 'timestamp_asc', filter: { eventType: 'cost_anomaly' }, limit: 100 }),
    );
    timings.rareFilter = rare.ms;
    expect(rare.result.total).toBe(ROWS / 50);

    const locate = await timed(() =>
      call(handlers, 'ledger/locate', { entryId: 99_999, sort: 'timestamp_asc' }),
    );
    timings.locateByTime = locate.ms;
    expect(locate.result.index).toBe(99_998);

    console.log(
      `100k-row ledger, ms: ${Object.entries(timings)
        .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
        .join(', ')}`,
    );
    // Generous bounds for slow CI machines; locally each keyset page takes about a millisecond.
    for (const name of ['keysetNext', 'keysetPrevious', 'timestampKeyset', 'timestampSecondJump'])
      expect(timings[name], name).toBeLessThan(100);
    for (const ms of Object.values(timings)) expect(ms).toBeLessThan(1500);
  });

  it('every page holds at most `limit` rows, and the largest limit is 500', async () => {
    const big = await page(handlers, { limit: 500, atIndex: 99_800 });
    expect(big.rows).toHaveLength(200);
    expect(big.hasMore).toBe(false);
    const tooBig = await dispatchIpcCall(
      handlers,
      'ledger/page',
      { limit: ROWS, sort: 'entry_id_asc' },
      noEmit,
    );
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });
});
