/** The decision channels over the demo workspace: list, detail, approve and revoke, as the UI sees them. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../src-shared/ipc/ipc-contract';
import { createDecisionHandlers } from '../src-main/ipc/decision-handlers';
import { createLedgerHandlers, dispatchIpcCall } from '../src-main/ipc/ipc-handlers';
import { demoDecisionSession, demoLedgerSession } from '../src-main/demo/demo-workspace';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const noEmit = (): void => {};

describe('decision channels', () => {
  const workDir = temporaryDirectory();
  const committed = sha256OfFile(`${demoDir}demo-decisions.db`);
  const session = demoDecisionSession(demoDir, workDir);
  const handlers = {
    ...createLedgerHandlers({ ...demoLedgerSession(demoDir), stateDir: workDir }),
    ...createDecisionHandlers(session),
  };
  const call = async (channel: string, input: unknown) => {
    const reply = await dispatchIpcCall(handlers, channel, input, noEmit);
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.data;
  };

  it('every ledger and decision channel of the contract has a handler in the demo session', () => {
    expect(Object.keys(handlers).sort()).toEqual(
      Object.keys(IPC_CHANNELS)
        .filter((channel) => /^(ledger|decision)\//.test(channel))
        .sort(),
    );
  });

  it('lists every demo decision with its state, N-of-M and blocking reason', async () => {
    const list = IPC_CHANNELS['decision/list'].output.parse(await call('decision/list', {}));
    expect(
      list.decisions.map((decision) => [decision.state, decision.blocking[0]?.code ?? null]),
    ).toEqual(
      expect.arrayContaining([
        ['pending_approval', 'MISSING_APPROVALS'],
        ['approved', null],
        ['completed', 'ALREADY_EXECUTED'],
        ['failed', 'EXECUTION_FAILED'],
        ['pending_approval', 'APPROVAL_EXPIRED'],
      ]),
    );
  });

  it('approving clears the blocking reason and raises N-of-M; revoking takes it back', async () => {
    const list = IPC_CHANNELS['decision/list'].output.parse(await call('decision/list', {}));
    const pending = list.decisions.find(
      (decision) => decision.blocking[0]?.code === 'MISSING_APPROVALS',
    );
    if (pending === undefined) throw new Error('no pending demo decision');
    const before = IPC_CHANNELS['decision/get'].output.parse(
      await call('decision/get', { decisionId: pending.decisionId }),
    );
    expect([
      before.approvalsCurrent,
      before.approvalsRequired,
      before.canApprove.allowed,
      before.canRevoke.allowed,
    ]).toEqual([1, 2, true, false]);
    expect(before.canRevoke.reason).toMatch(/no standing approval/);

    const approved = IPC_CHANNELS['decision/approve'].output.parse(
      await call('decision/approve', { decisionId: pending.decisionId, comment: 'Looks right' }),
    );
    expect([approved.state, approved.approvalsCurrent, approved.blocking]).toEqual([
      'approved',
      2,
      [],
    ]);
    expect(
      approved.approvals.find((approval) => approval.actorId === 'you@acme.example')?.signature,
    ).toBe('valid');
    expect(approved.canApprove).toEqual({
      allowed: false,
      reason: 'You have already approved this decision.',
    });

    const revoked = IPC_CHANNELS['decision/revoke'].output.parse(
      await call('decision/revoke', { decisionId: pending.decisionId, reason: 'Wrong ticket' }),
    );
    expect([revoked.state, revoked.approvalsCurrent, revoked.blocking[0]?.code]).toEqual([
      'pending_approval',
      1,
      'MISSING_APPROVALS',
    ]);
    expect(revoked.timeline.at(-1)?.summary).toBe(
      'Approval revoked by you@acme.example: "Wrong ticket"',
    );
  });

  it('refusals come back as envelopes with a reason; the shipped demo files never change', async () => {
    const list = IPC_CHANNELS['decision/list'].output.parse(await call('decision/list', {}));
    const executed = list.decisions.find((decision) => decision.state === 'completed');
    const refused = await dispatchIpcCall(
      handlers,
      'decision/approve',
      { decisionId: executed?.decisionId },
      noEmit,
    );
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe('USAGE');
      expect(refused.error.message).toMatch(/Cannot approve decision in state: completed/);
    }
    const extra = await dispatchIpcCall(
      handlers,
      'decision/approve',
      { decisionId: 'x', path: '/etc/passwd' },
      noEmit,
    );
    expect(extra).toMatchObject({ ok: false, error: { code: 'USAGE' } });
    expect(sha256OfFile(`${demoDir}demo-decisions.db`)).toBe(committed);
  });

  it('a ledger-only session answers decision calls with a clear error', async () => {
    const ledgerOnly = createLedgerHandlers({ ...demoLedgerSession(demoDir), stateDir: workDir });
    expect(await dispatchIpcCall(ledgerOnly, 'decision/list', {}, noEmit)).toMatchObject({
      ok: false,
      error: { message: 'decision/list is not available: nothing of that kind is open.' },
    });
  });
});
