/**
 * The decision channels of the IPC contract, free of electron: list and detail views replayed as of
 * now, and signed approval and revocation by the session's officer.
 */
import { basename } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { ChannelOutput, IpcChannel } from '../../src-shared/ipc/ipc-contract';
import type { Keyring } from '../../src-shared/keyring';
import { checkApprovalSignature } from '../../src-shared/decisions/approval-signature';
import {
  computeBlockingReasons,
  computeProgress,
  computeTimeline,
} from '../../src-shared/decisions/decision-lifecycle';
import {
  isApprovalActive,
  replayDecision,
  type DecisionState,
} from '../../src-shared/decisions/decision-replay';
import { formatPythonIsoformatUtc } from '../../src-shared/decisions/isoformat-clock';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import {
  approveDecision,
  revokeApproval,
  type DecisionContext,
  type OfficerSigner,
} from '../decisions/decision-operations';
import { DecisionStoreReader, type LoadedDecision } from '../decisions/decision-store';
import { nowEpochMicros } from '../wall-clock';
import type { ChannelHandlers } from './ipc-handlers';

export interface DecisionSessionOptions {
  readonly storePath: string;
  readonly ledgerPath: string;
  readonly trustedSigners: Keyring | null;
  /** The officer this session signs approvals as; null: viewing only. */
  readonly officer: OfficerSigner | null;
  /** Why there is no officer, when it is not simply that no key is set up. */
  readonly noOfficerReason?: string;
}

type DecisionChannel = Extract<IpcChannel, `decision/${string}`>;
type Detail = ChannelOutput<'decision/get'>;
type Summary = ChannelOutput<'decision/list'>['decisions'][number];

const crypto = createNodeCryptoProvider();

function replayed(session: DecisionSessionOptions, loaded: LoadedDecision, asOf: bigint) {
  if (!loaded.ok) return { ok: false as const, message: loaded.message };
  return replayDecision(loaded.decisionId, loaded.events, asOf, {
    isTrustedApproval: (event) =>
      checkApprovalSignature(event, session.trustedSigners, crypto).kind === 'valid',
  });
}

function summaryOf(
  loaded: LoadedDecision,
  decision: DecisionState | null,
  corrupt: string | null,
): Summary {
  if (decision === null) {
    return {
      decisionId: loaded.decisionId,
      state: 'unreplayable',
      goal: null,
      createdAt: loaded.createdAt,
      approvalsCurrent: 0,
      approvalsRequired: 0,
      blocking: [{ code: 'UNREPLAYABLE', message: corrupt ?? 'The events cannot be replayed' }],
    };
  }
  const progress = computeProgress(decision, 'proofdesk');
  return {
    decisionId: decision.decisionId,
    state: decision.state,
    goal: decision.goal,
    createdAt: decision.createdAt ?? loaded.createdAt,
    approvalsCurrent: progress.approvalsCurrent,
    approvalsRequired: progress.approvalsRequired,
    blocking: computeBlockingReasons(decision, 'proofdesk').map(({ code, message }) => ({
      code,
      message,
    })),
  };
}

function detailOf(session: DecisionSessionOptions, loaded: LoadedDecision, asOf: bigint): Detail {
  const result = replayed(session, loaded, asOf);
  const decision = result.ok ? result.decision : null;
  const corrupt = result.ok ? null : result.message;
  const officer = session.officer?.actor.id ?? null;
  const base = summaryOf(loaded, decision, corrupt);
  const refuse = (reason: string) => ({ allowed: false, reason });
  if (decision === null) {
    const reason = 'This decision cannot be replayed, so nothing more is written to it.';
    return {
      ...base,
      plan: null,
      mode: null,
      labels: [],
      policy: null,
      template: null,
      approvals: [],
      executions: [],
      timeline: [],
      corruptReason: corrupt,
      officer,
      canApprove: refuse(reason),
      canRevoke: refuse(reason),
    };
  }
  const own = officer === null ? undefined : decision.approvals.get(officer);
  const approvable = decision.state === 'pending_approval' || decision.state === 'approved';
  return {
    ...base,
    plan: decision.plan,
    mode: decision.requestedMode,
    labels: [...decision.labels],
    policy:
      decision.policy === null
        ? null
        : {
            minApprovals: decision.policy.minApprovals,
            allowedModes: [...decision.policy.allowedModes],
            requireAdapterCapabilities: [...decision.policy.requireAdapterCapabilities],
            maxSteps: decision.policy.maxSteps?.lexeme ?? null,
            requireSignedApprovals: decision.policy.requireSignedApprovals,
          },
    template:
      decision.templateRef === null
        ? null
        : { name: decision.templateRef.name, digest: decision.templateRef.digest },
    approvals: [...decision.approvals.values()].map((approval) => {
      const event = decision.events.find((candidate) => candidate.seq === approval.grantedSeq);
      const signature =
        event === undefined
          ? 'unsigned'
          : checkApprovalSignature(event, session.trustedSigners, crypto).kind;
      return {
        actorId: approval.actorId,
        grantedAt: approval.grantedAt,
        expiresAt: approval.expiresAt,
        comment: approval.comment,
        revoked: approval.revoked,
        revokeReason: approval.revokeReason,
        active: isApprovalActive(approval, asOf),
        signature,
      };
    }),
    executions: decision.executions.map((execution) => ({
      adapterId: execution.adapterId,
      dryRun: execution.dryRun,
      requestedAt: execution.requestedAt,
      runId: execution.runId,
      outcome:
        execution.errorCode !== null
          ? 'failed'
          : execution.completedAt !== null
            ? 'success'
            : 'pending',
      errorMessage: execution.errorMessage,
    })),
    timeline: computeTimeline(decision).map((entry) => ({
      seq: entry.seq,
      ts: entry.ts,
      category: entry.category,
      summary: entry.summary,
      actor: entry.actor,
    })),
    corruptReason: null,
    officer,
    canApprove:
      officer === null
        ? refuse(
            session.noOfficerReason ?? 'No officer key is set up, so approvals cannot be signed.',
          )
        : !approvable
          ? refuse(`A decision that is ${decision.state.replace('_', ' ')} cannot be approved.`)
          : own !== undefined && !own.revoked
            ? refuse('You have already approved this decision.')
            : { allowed: true, reason: null },
    canRevoke:
      officer === null
        ? refuse(
            session.noOfficerReason ?? 'No officer key is set up, so revocations cannot be signed.',
          )
        : decision.state === 'executing' || decision.state === 'completed'
          ? refuse(
              `Approvals cannot be revoked once execution has ${decision.state === 'completed' ? 'completed' : 'started'}.`,
            )
          : own === undefined || own.revoked
            ? refuse('You have no standing approval to revoke.')
            : { allowed: true, reason: null },
  };
}

/** One decision as it stood at `asOf` (epoch microseconds), for reports. */
export function readDecisionDetail(
  session: DecisionSessionOptions,
  decisionId: string,
  asOf: bigint,
): Detail {
  const store = DecisionStoreReader.open(session.storePath);
  let loaded: LoadedDecision;
  try {
    loaded = store.loadDecision(decisionId);
  } finally {
    store.close();
  }
  return detailOf(session, loaded, asOf);
}

export function createDecisionHandlers(
  session: DecisionSessionOptions,
): ChannelHandlers<DecisionChannel> {
  const context: DecisionContext = {
    storePath: session.storePath,
    ledgerPath: session.ledgerPath,
    trustedSigners: session.trustedSigners,
  };
  const load = (decisionId: string): LoadedDecision => {
    const store = DecisionStoreReader.open(session.storePath);
    try {
      return store.loadDecision(decisionId);
    } finally {
      store.close();
    }
  };
  const requireOfficer = (): OfficerSigner => {
    if (session.officer === null) {
      throw new ProofdeskError(
        'USAGE',
        session.noOfficerReason ?? 'No officer key is set up, so nothing can be signed.',
      );
    }
    return session.officer;
  };
  return {
    'decision/list': () => {
      const asOf = nowEpochMicros();
      const store = DecisionStoreReader.open(session.storePath);
      try {
        const decisions = store.loadAll().map((loaded) => {
          const result = replayed(session, loaded, asOf);
          return summaryOf(
            loaded,
            result.ok ? result.decision : null,
            result.ok ? null : result.message,
          );
        });
        return Promise.resolve({
          storeName: basename(store.path),
          asOf: formatPythonIsoformatUtc(asOf),
          decisions,
        });
      } finally {
        store.close();
      }
    },
    'decision/get': ({ decisionId }) =>
      Promise.resolve(detailOf(session, load(decisionId), nowEpochMicros())),
    'decision/approve': ({ decisionId, comment, expiresAt }) => {
      const officer = requireOfficer();
      approveDecision(context, { decisionId, officer, comment, expiresAt });
      return Promise.resolve(detailOf(session, load(decisionId), nowEpochMicros()));
    },
    'decision/revoke': ({ decisionId, reason }) => {
      const officer = requireOfficer();
      revokeApproval(context, { decisionId, officer, reason });
      return Promise.resolve(detailOf(session, load(decisionId), nowEpochMicros()));
    },
  };
}
