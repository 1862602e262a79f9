/**
 * request → signed N-of-M approvals → execute, through Proofdesk's operations: what nexus-attest
 * writes, what it lets through and Proofdesk refuses, and the ledger binding that makes the history
 * tamper-evident.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProofdeskError } from '../src-shared/check-code';
import { PyNumber } from '../src-shared/canonical-json/python-json';
import { publicKeyFromSeed, signEd25519 } from '../src-shared/crypto/ed25519-portable';
import {
  buildDecisionBundle,
  replayedHeaderOf,
  verifyDecisionBundle,
} from '../src-shared/decisions/decision-bundle';
import { computeBlockingReasons } from '../src-shared/decisions/decision-lifecycle';
import { replayDecision } from '../src-shared/decisions/decision-replay';
import {
  approveDecision,
  defaultLedgerPathFor,
  executeDecision,
  requestDecision,
  revokeApproval,
  type DecisionContext,
  type OfficerSigner,
} from '../src-main/decisions/decision-operations';
import { DecisionStoreReader } from '../src-main/decisions/decision-store';
import { verifyDecisionStore } from '../src-main/decisions/decision-verification';
import { createSubprocessRouter } from '../src-main/decisions/subprocess-router';
import { sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';

const seedOf = (byte: number): Uint8Array => new Uint8Array(32).fill(byte);
const officer = (id: string, byte: number): OfficerSigner => ({
  actor: { type: 'human', id },
  sign: (message) => signEd25519(seedOf(byte), message),
});
const ALICE = officer('alice@example.com', 1);
const BOB = officer('bob@example.com', 2);
const MALLORY = officer('mallory@example.com', 9);
const REQUESTER = { type: 'human', id: 'carol@example.com' };

describe('decision operations', () => {
  const directory = temporaryDirectory();
  let counter = 0;
  const context = (name: string): DecisionContext => {
    let micros = 1_795_000_000_000_000n;
    const storePath = join(directory, `${name}-${++counter}.db`);
    return {
      storePath,
      ledgerPath: defaultLedgerPathFor(storePath),
      trustedSigners: new Map([
        [ALICE.actor.id, publicKeyFromSeed(seedOf(1))],
        [BOB.actor.id, publicKeyFromSeed(seedOf(2))],
      ]),
      clock: () => (micros += 1_000_123n),
    };
  };
  const asOf = new Date('2026-11-22T00:00:00Z');
  const replay = (ctx: DecisionContext, decisionId: string) => {
    const store = DecisionStoreReader.open(ctx.storePath);
    const loaded = store.loadDecision(decisionId);
    store.close();
    if (!loaded.ok) throw new Error(loaded.message);
    const result = replayDecision(decisionId, loaded.events, asOf);
    if (!result.ok) throw new Error(result.message);
    return { decision: result.decision, events: loaded.events };
  };
  const router = (body: string) => {
    const script = join(directory, `router-${++counter}.mjs`);
    writeFileSync(script, body);
    return createSubprocessRouter({ command: [process.execPath, script], timeoutMs: 10_000 });
  };
  const okRouter = () =>
    router(
      `let i='';process.stdin.on('data',c=>i+=c);process.stdin.on('end',()=>{process.stdout.write(JSON.stringify({run_id:'run-7',steps_executed:4,request:JSON.parse(i)}))});`,
    );

  it('goes request → 2 signed approvals → execute, and everything verifies', async () => {
    const ctx = context('happy');
    const [created] = requestDecision(ctx, {
      goal: 'Rotate production keys',
      actor: REQUESTER,
      mode: 'apply',
      policy: { minApprovals: new PyNumber('2'), labels: ['prod'] },
    });
    const id = created?.decisionId ?? '';
    expect(replay(ctx, id).decision.state).toBe('pending_approval');
    approveDecision(ctx, { decisionId: id, officer: ALICE, comment: 'Reviewed the plan' });
    expect(() => approveDecision(ctx, { decisionId: id, officer: ALICE })).toThrow(
      /already approved/,
    );
    approveDecision(ctx, { decisionId: id, officer: BOB, expiresAt: '2099-01-01T00:00:00+00:00' });
    expect(replay(ctx, id).decision.state).toBe('approved');

    const outcome = await executeDecision(ctx, {
      decisionId: id,
      actor: REQUESTER,
      adapterId: 'ops-runner',
      router: okRouter(),
    });
    expect(outcome).toMatchObject({ runId: 'run-7', error: null });
    const { decision, events } = replay(ctx, id);
    expect(decision.state).toBe('completed');
    expect(events.map((event) => event.eventType)).toEqual([
      'DECISION_CREATED',
      'POLICY_ATTACHED',
      'APPROVAL_GRANTED',
      'APPROVAL_GRANTED',
      'EXECUTION_REQUESTED',
      'EXECUTION_STARTED',
      'EXECUTION_COMPLETED',
    ]);
    await expect(
      executeDecision(ctx, {
        decisionId: id,
        actor: REQUESTER,
        adapterId: 'ops-runner',
        router: okRouter(),
      }),
    ).rejects.toThrow(/already been executed/);

    // The exported bundle passes every strict check, including header against replay.
    const bundle = buildDecisionBundle({
      decisionId: id,
      events,
      status: decision.state.toUpperCase(),
    });
    const verified = verifyDecisionBundle(bundle, { replayedHeader: replayedHeaderOf(decision) });
    expect(verified.checks.filter((check) => check.status === 'FAIL')).toEqual([]);

    const report = await verifyDecisionStore(ctx.storePath, {
      ledgerPath: ctx.ledgerPath,
      trustedSigners: ctx.trustedSigners,
      asOf,
      trustedHeads: null,
    });
    expect(report.checks.filter((check) => check.status === 'FAIL')).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(
      report.checks.find((check) => check.check === 'decision.ledger_binding')?.message,
    ).toMatch(/^7 recorded events/);
    expect(report.checks.find((check) => check.check === 'ledger.signatures')?.status).toBe('PASS');
  });

  it('revocation takes an approval away; re-approval after revocation is allowed', () => {
    const ctx = context('revoke');
    const id =
      requestDecision(ctx, { goal: 'g', actor: REQUESTER, mode: 'dry_run', policy: {} })[0]
        ?.decisionId ?? '';
    approveDecision(ctx, { decisionId: id, officer: ALICE });
    expect(replay(ctx, id).decision.state).toBe('approved');
    revokeApproval(ctx, { decisionId: id, officer: ALICE, reason: 'Plan changed' });
    expect(replay(ctx, id).decision.state).toBe('pending_approval');
    expect(() => revokeApproval(ctx, { decisionId: id, officer: ALICE })).toThrow(
      /already revoked/,
    );
    expect(() => revokeApproval(ctx, { decisionId: id, officer: BOB })).toThrow(/has not approved/);
    approveDecision(ctx, { decisionId: id, officer: ALICE });
    expect(replay(ctx, id).decision.state).toBe('approved');
  });

  it('refuses what nexus-attest writes and then cannot replay, writing nothing', () => {
    const ctx = context('refuse');
    expect(() =>
      requestDecision(ctx, {
        goal: 'g',
        actor: REQUESTER,
        mode: 'dry_run',
        policy: { minApprovals: new PyNumber('0') },
      }),
    ).toThrow(/min_approvals must be at least 1/);
    expect(() =>
      requestDecision(ctx, {
        goal: 'g',
        actor: REQUESTER,
        mode: 'apply',
        policy: { allowedModes: ['dry_run'] },
      }),
    ).toThrow(/not in allowed_modes/);
    expect(existsSync(ctx.storePath)).toBe(false);
    const id =
      requestDecision(ctx, { goal: 'g', actor: REQUESTER, mode: 'dry_run', policy: {} })[0]
        ?.decisionId ?? '';
    const before = sha256OfFile(ctx.storePath);
    expect(() =>
      approveDecision(ctx, { decisionId: id, officer: ALICE, expiresAt: '2099-01-01T00:00:00' }),
    ).toThrow(/no UTC offset/);
    expect(() =>
      approveDecision(ctx, {
        decisionId: id,
        officer: ALICE,
        expiresAt: '2020-01-01T00:00:00+00:00',
      }),
    ).toThrow(/already past/);
    expect(() => approveDecision(ctx, { decisionId: 'no-such-decision', officer: ALICE })).toThrow(
      ProofdeskError,
    );
    expect(sha256OfFile(ctx.storePath)).toBe(before);
  });

  it('a router failure is recorded as EXECUTION_FAILED and then blocks', async () => {
    const ctx = context('fail');
    const id =
      requestDecision(ctx, { goal: 'g', actor: REQUESTER, mode: 'dry_run', policy: {} })[0]
        ?.decisionId ?? '';
    approveDecision(ctx, { decisionId: id, officer: ALICE });
    const outcome = await executeDecision(ctx, {
      decisionId: id,
      actor: REQUESTER,
      adapterId: 'a',
      router: router("console.error('boom');process.exit(2)"),
    });
    expect(outcome.error).toMatch(/exited with code 2: boom/);
    const { decision } = replay(ctx, id);
    expect(decision.state).toBe('failed');
    expect(computeBlockingReasons(decision, 'proofdesk').map((reason) => reason.code)).toEqual([
      'EXECUTION_FAILED',
    ]);
  });

  it('under require_signed_approvals an untrusted signer does not count', async () => {
    const ctx = context('signed-only');
    const id =
      requestDecision(ctx, {
        goal: 'g',
        actor: REQUESTER,
        mode: 'dry_run',
        policy: { requireSignedApprovals: true },
      })[0]?.decisionId ?? '';
    approveDecision(ctx, { decisionId: id, officer: MALLORY });
    await expect(
      executeDecision(ctx, {
        decisionId: id,
        actor: REQUESTER,
        adapterId: 'a',
        router: okRouter(),
      }),
    ).rejects.toThrow(/Insufficient approvals: 0 < 1/);
    const report = await verifyDecisionStore(ctx.storePath, {
      ledgerPath: ctx.ledgerPath,
      trustedSigners: ctx.trustedSigners,
      asOf,
      trustedHeads: null,
    });
    expect(report.checks.find((check) => check.code === 'APPROVAL_SIGNER_UNKNOWN')?.status).toBe(
      'FAIL',
    );
  });

  it('tampering with the store afterwards is caught against the ledger', async () => {
    const ctx = context('tamper');
    const id =
      requestDecision(ctx, {
        goal: 'g',
        actor: REQUESTER,
        mode: 'dry_run',
        policy: { minApprovals: new PyNumber('2') },
      })[0]?.decisionId ?? '';
    approveDecision(ctx, { decisionId: id, officer: ALICE });
    approveDecision(ctx, { decisionId: id, officer: BOB });
    const raw = new Database(ctx.storePath);
    // Re-attribute Bob's approval to Mallory: nexus-attest's digest does not cover the actor.
    raw
      .prepare(
        "UPDATE decision_events SET actor_id = 'mallory@example.com' WHERE decision_id = ? AND seq = 3",
      )
      .run(id);
    raw.prepare('DELETE FROM decision_events WHERE decision_id = ? AND seq = 2').run(id);
    raw.close();
    const report = await verifyDecisionStore(ctx.storePath, {
      ledgerPath: ctx.ledgerPath,
      trustedSigners: ctx.trustedSigners,
      asOf,
      trustedHeads: null,
    });
    const codes = report.checks
      .filter((check) => check.status === 'FAIL')
      .map((check) => `${check.code}@${check.seq}`);
    expect(codes).toContain('DECISION_EVENT_MISSING@2');
    expect(codes).toContain('DECISION_EVENT_ALTERED@3');
    expect(codes).toContain('APPROVAL_SIGNER_UNKNOWN@3');
    expect(report.verdict).toBe('fail');
    expect(readFileSync(ctx.ledgerPath).length).toBeGreaterThan(0);
  });
});
