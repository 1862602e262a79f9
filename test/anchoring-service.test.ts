/**
 * Main's anchoring through the anchors channels, with the job in a real worker thread against a
 * loopback openssl TSA and a loopback calendar: anchor now with progress, upgrade, the schedule
 * (due by entries, not due without new entries), failures recorded with backoff, cancel writing
 * nothing, and the demo and dropped copies refused with their reason.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { IPC_CHANNELS, type ChannelOutput } from '../src-shared/ipc/ipc-contract';
import { AnchoringService } from '../src-main/anchoring/anchoring-service';
import { backoffAfter } from '../src-main/anchoring/anchoring-state';
import { dispatchIpcCall } from '../src-main/ipc/ipc-handlers';
import { appendEntries } from '../src-main/ledger/ledger-writer';
import { Workspace } from '../src-main/workspace/workspace';
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

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
describeWithOpenssl('anchoring service', () => {
  withoutProxyEnvironment();
  let pki: TestTsaPki;
  let tsa: TestTsa;
  let slowTsa: TestTsa;
  let calendar: TestOtsCalendar;
  const open: Workspace[] = [];

  beforeAll(async () => {
    pki = await createTestTsaPki();
    tsa = await startTestTsa(pki, 'good');
    slowTsa = await startTestTsa(pki, 'slow');
    calendar = await startTestOtsCalendar({ firstHeight: 3000 });
  });
  afterAll(async () => {
    for (const workspace of open) await workspace.close();
    await tsa?.close();
    await slowTsa?.close();
    await calendar?.close();
    await pki?.dispose();
  });

  function appOn(ledgerPath?: string, now?: () => Date) {
    const stateDir = temporaryDirectory();
    const workspace = new Workspace(
      {
        resourcesDemoDir: demoDir,
        stateDir,
        trust: () => ({ keyring: null, officer: null }),
        anchoring: new AnchoringService(stateDir, now),
      },
      ledgerPath,
    );
    open.push(workspace);
    const events: unknown[] = [];
    const call = async <C extends keyof typeof IPC_CHANNELS>(channel: C, input: unknown = {}) => {
      const reply = await dispatchIpcCall(workspace.handlers(), channel, input, (_name, payload) =>
        events.push(payload),
      );
      if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
      return IPC_CHANNELS[channel].output.parse(reply.data) as ChannelOutput<C>;
    };
    const failure = async (channel: keyof typeof IPC_CHANNELS, input: unknown = {}) => {
      const reply = await dispatchIpcCall(workspace.handlers(), channel, input, () => {});
      if (reply.ok) throw new Error(`${channel} succeeded`);
      return reply.error;
    };
    return { workspace, call, failure, events };
  }

  const schedule = (overrides: Record<string, unknown> = {}) => ({
    enabled: false,
    everyNEntries: 1000,
    everyMMinutes: 60,
    calendarUrls: [calendar.url],
    tsaUrls: [`${tsa.url}`],
    ...overrides,
  });

  it('anchors now in a worker with progress, then upgrades the proof once it is mined', async () => {
    const ledger = newLedger();
    const { call, events } = appOn(ledger);
    const empty = await call('anchors/list');
    expect(empty).toMatchObject({ anchors: [], unavailableReason: null, busy: false });
    expect(empty.schedule.enabled).toBe(false);

    await call('anchors/set-schedule', schedule());
    const anchored = await call('anchors/anchor-now');
    expect(anchored.anchors).toEqual([
      expect.objectContaining({ anchorId: 1, state: 'PENDING', chainHeadEntryId: 3 }),
    ]);
    expect(anchored.attempts[0]).toMatchObject({ trigger: 'manual', outcome: 'OK', anchorId: 1 });
    expect(events).toContainEqual(expect.objectContaining({ job: 'anchor', done: 2, total: 2 }));

    calendar.confirm();
    const upgraded = await call('anchors/upgrade');
    expect(upgraded.anchors[0]).toMatchObject({ state: 'CONFIRMED' });
    expect(upgraded.anchors[0]?.bitcoinBlockHeight).toBeGreaterThanOrEqual(3000);
    expect(upgraded.attempts[0]).toMatchObject({ trigger: 'upgrade', outcome: 'OK' });
  });

  it('the schedule anchors when enough entries were added, and not again without new ones', async () => {
    const ledger = newLedger();
    const { workspace, call } = appOn(ledger);
    await call('anchors/set-schedule', schedule({ enabled: true, everyNEntries: 2 }));
    expect(await workspace.anchoring.tick(workspace.anchoringTarget())).toBe(true);
    expect((await call('anchors/list')).anchors).toHaveLength(1);
    // Just anchored, nothing new: not due.
    expect(await workspace.anchoring.tick(workspace.anchoringTarget())).toBe(false);
    appendEntries(ledger, [{ actor: 'a', action: 'b', eventType: 'request', payload: '{}' }]);
    appendEntries(ledger, [{ actor: 'a', action: 'c', eventType: 'request', payload: '{}' }]);
    expect(await workspace.anchoring.tick(workspace.anchoringTarget())).toBe(true);
    const list = await call('anchors/list');
    expect(list.anchors.map((anchor) => anchor.chainHeadEntryId)).toEqual([3, 5]);
    expect(list.attempts.map((attempt) => attempt.trigger)).toEqual(['schedule', 'schedule']);
  });

  it('records a failed attempt and backs off before the schedule tries again', async () => {
    const ledger = newLedger();
    let clock = new Date('2026-11-23T10:00:00Z');
    const { workspace, call } = appOn(ledger, () => clock);
    const dead = 'http://127.0.0.1:9';
    await call(
      'anchors/set-schedule',
      schedule({ enabled: true, calendarUrls: [dead], tsaUrls: [dead] }),
    );
    const before = sha256OfFile(ledger);
    expect(await workspace.anchoring.tick(ledger)).toBe(true);
    const failed = await call('anchors/list');
    expect(failed.anchors).toEqual([]);
    expect(failed.attempts[0]).toMatchObject({ trigger: 'schedule', outcome: 'FAILED' });
    expect(failed.nextAttemptAt).toBe(new Date(clock.getTime() + backoffAfter(1)).toISOString());
    expect(sha256OfFile(ledger)).toBe(before);
    // Within the backoff nothing is tried; after it, it is, and the wait doubles.
    expect(await workspace.anchoring.tick(ledger)).toBe(false);
    clock = new Date(clock.getTime() + backoffAfter(1) + 1);
    expect(await workspace.anchoring.tick(ledger)).toBe(true);
    expect((await call('anchors/list')).nextAttemptAt).toBe(
      new Date(clock.getTime() + backoffAfter(2)).toISOString(),
    );
    expect(backoffAfter(2)).toBe(2 * backoffAfter(1));
  });

  it('cancel stops a running anchor and writes nothing', async () => {
    const ledger = newLedger();
    const { call, failure } = appOn(ledger);
    await call('anchors/set-schedule', schedule({ calendarUrls: [], tsaUrls: [slowTsa.url] }));
    const before = readFileSync(ledger);
    const running = failure('anchors/anchor-now');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await call('anchors/cancel')).toEqual({ cancelled: true });
    expect(await running).toMatchObject({ code: 'CANCELLED' });
    expect(readFileSync(ledger).equals(before)).toBe(true);
    expect((await call('anchors/list')).busy).toBe(false);
  });

  it('refuses to anchor the demo or a ledger with no servers set, saying why', async () => {
    const demo = appOn();
    const listed = await demo.call('anchors/list');
    expect(listed.unavailableReason).toMatch(/demo's ledger ships with Proofdesk/);
    expect((await demo.failure('anchors/anchor-now')).message).toBe(listed.unavailableReason);
    expect((await demo.failure('anchors/set-schedule', schedule())).code).toBe('USAGE');

    const fresh = appOn(newLedger());
    expect((await fresh.failure('anchors/anchor-now')).message).toMatch(
      /No calendar or TSA URL is set/,
    );
    expect(
      (await fresh.failure('anchors/set-schedule', schedule({ tsaUrls: ['ftp://x'] }))).code,
    ).toBe('USAGE');
  });
});
