/**
 * The decision tools — request, approve, revoke, execute — writing exactly what nexus-attest
 * writes, but refusing what it lets through: invalid policies that poison replay, expiries without
 * a UTC offset or already past, approvals by someone who already approved, re-execution, and
 * execution while blocked. Every check runs inside the write transaction, on the events as stored
 * at that moment. Approvals and revocations are signed; every event is also recorded in the bound
 * ledger.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  PyNumber,
  pythonTruthy,
  type PyJsonObject,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import { bytesToHex } from '../../src-shared/crypto/hex';
import type { Keyring } from '../../src-shared/keyring';
import {
  approvalSigningDigest,
  checkApprovalSignature,
  withSignature,
} from '../../src-shared/decisions/approval-signature';
import {
  attestDigest,
  type DecisionActor,
  type StoredDecisionEvent,
} from '../../src-shared/decisions/decision-event';
import { pyStr } from '../../src-shared/decisions/decision-bundle';
import { decisionLedgerEntry } from '../../src-shared/decisions/decision-ledger-binding';
import { computeBlockingReasons } from '../../src-shared/decisions/decision-lifecycle';
import {
  compileToRouterRequest,
  policyValidationProblem,
  validateExecutionRequest,
  type ExecutionMode,
} from '../../src-shared/decisions/decision-policy';
import { replayDecision, type DecisionState } from '../../src-shared/decisions/decision-replay';
import {
  resolveRequestPolicy,
  type RequestPolicyParameters,
} from '../../src-shared/decisions/decision-template';
import { formatPythonIsoformatUtc } from '../../src-shared/decisions/isoformat-clock';
import { tryParsePythonIsoformat } from '../../src-shared/decisions/python-datetime';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { appendEntries, formatNexusconeTimestamp, type EntrySigner } from '../ledger/ledger-writer';
import { nowEpochMicros } from '../wall-clock';
import { DecisionStoreWriter, type LoadedDecision, type NewDecisionEvent } from './decision-store';
import { RouterRunError, type DecisionRouter } from './subprocess-router';

/** The actor nexus-attest records for the system's own execution events. */
export const SYSTEM_ACTOR: DecisionActor = { type: 'system', id: 'proofdesk' };

export interface DecisionContext {
  readonly storePath: string;
  /** The ledger that records every decision event this store receives from Proofdesk. */
  readonly ledgerPath: string;
  /** Officers' public keys by actor id; decides which signed approvals count. */
  readonly trustedSigners: Keyring | null;
  /** Microseconds since the epoch; injectable so tests are reproducible. */
  readonly clock?: () => bigint;
  /** New decision ids (default: random UUIDs, as nexus-attest); injectable for demo data. */
  readonly newDecisionId?: () => string;
}

/** An officer's signing key: its key id is the officer's actor id. */
export interface OfficerSigner {
  readonly actor: DecisionActor;
  sign(message: Uint8Array): Uint8Array;
}

const crypto = createNodeCryptoProvider();

/** The conventional ledger beside a decision store: decisions.db → decisions.ledger.db. */
export function defaultLedgerPathFor(storePath: string): string {
  return /\.db$/i.test(storePath)
    ? storePath.replace(/\.db$/i, '.ledger.db')
    : `${storePath}.ledger.db`;
}

function replayNow(context: DecisionContext, stored: LoadedDecision, asOf: bigint): DecisionState {
  if (!stored.ok) {
    throw new ProofdeskError(
      'USAGE',
      `Decision ${stored.decisionId} cannot be read: ${stored.message}.`,
    );
  }
  const replayed = replayDecision(stored.decisionId, stored.events, asOf, {
    isTrustedApproval: (event) =>
      checkApprovalSignature(event, context.trustedSigners, crypto).kind === 'valid',
  });
  if (!replayed.ok) {
    throw new ProofdeskError(
      'USAGE',
      `Decision ${stored.decisionId} cannot be replayed, so nothing more is written to it: ${replayed.message}.`,
    );
  }
  return replayed.decision;
}

/** Records the events in the ledger, signed with the officer's key when there is one. */
function record(
  context: DecisionContext,
  events: readonly StoredDecisionEvent[],
  officer?: OfficerSigner,
): void {
  const signer: EntrySigner | undefined =
    officer === undefined
      ? undefined
      : { keyId: officer.actor.id, sign: (message) => officer.sign(message) };
  try {
    const clock = context.clock;
    appendEntries(context.ledgerPath, events.map(decisionLedgerEntry), {
      createIfMissing: true,
      signer,
      ...(clock === undefined ? {} : { clock: () => formatNexusconeTimestamp(clock()) }),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProofdeskError(
      'FILE_UNREADABLE',
      `The decision event was written but could not be recorded in the ledger ${context.ledgerPath} (${reason}); verification will report it as unrecorded.`,
    );
  }
}

function withWriter<T>(
  context: DecisionContext,
  create: boolean,
  use: (writer: DecisionStoreWriter) => T,
): T {
  const writer = DecisionStoreWriter.open(context.storePath, { create });
  try {
    return use(writer);
  } finally {
    writer.close();
  }
}

export interface RequestParameters {
  readonly goal: string;
  readonly actor: DecisionActor;
  readonly mode: ExecutionMode;
  readonly plan?: string;
  readonly templateName?: string;
  readonly policy: RequestPolicyParameters;
}

/** request(): DECISION_CREATED and POLICY_ATTACHED, after validating the policy nexus-attest would not. */
export function requestDecision(
  context: DecisionContext,
  parameters: RequestParameters,
): StoredDecisionEvent[] {
  if (parameters.goal.trim().length === 0) throw new ProofdeskError('USAGE', 'The goal is empty.');
  const clock = context.clock ?? nowEpochMicros;
  // Everything is validated before the store is opened for writing, so a refused first request
  // leaves no file behind.
  const exists = existsSync(context.storePath);
  const template =
    parameters.templateName === undefined || !exists
      ? null
      : withWriter(context, false, (writer) => writer.getTemplate(parameters.templateName ?? ''));
  if (parameters.templateName !== undefined && template === null) {
    throw new ProofdeskError(
      'USAGE',
      `TEMPLATE_NOT_FOUND: Template '${parameters.templateName}' does not exist.`,
    );
  }
  const resolved = resolveRequestPolicy(
    parameters.mode,
    parameters.policy,
    template?.template ?? null,
    crypto,
  );
  if ('error' in resolved) throw new ProofdeskError('USAGE', `${resolved.error}.`);
  const minApprovals = resolved.policyPayload.get('min_approvals');
  const maxSteps = resolved.policyPayload.get('max_steps');
  const problem = policyValidationProblem({
    minApprovals: minApprovals instanceof PyNumber ? Number(minApprovals.lexeme) : 1,
    allowedModes: resolved.allowedModes,
    maxSteps: maxSteps instanceof PyNumber ? maxSteps : null,
  });
  // nexus-attest writes such a policy and then can never replay the decision again.
  if (problem !== undefined)
    throw new ProofdeskError('USAGE', `The policy is invalid: ${problem}.`);
  const events = withWriter(context, !exists, (writer) => {
    const createdAt = clock();
    const created: PyJsonObject = new Map<string, PyJsonValue>([
      ['goal', parameters.goal],
      ['plan', parameters.plan ?? null],
      ['requested_mode', parameters.mode],
      ['labels', [...resolved.labels]],
    ]);
    return writer.append(
      (context.newDecisionId ?? randomUUID)(),
      [
        {
          eventType: 'DECISION_CREATED',
          actor: parameters.actor,
          payload: created,
          ts: formatPythonIsoformatUtc(createdAt + 1n),
        },
        {
          eventType: 'POLICY_ATTACHED',
          actor: parameters.actor,
          payload: resolved.policyPayload,
          ts: formatPythonIsoformatUtc(createdAt + 2n),
        },
      ],
      { createdAt: formatPythonIsoformatUtc(createdAt) },
    );
  });
  record(context, events);
  return events;
}

function signedEvent(
  decisionId: string,
  seq: number,
  eventType: string,
  payload: PyJsonObject,
  officer: OfficerSigner,
  ts: string,
): NewDecisionEvent {
  const digest = approvalSigningDigest(
    { decisionId, seq, eventType, payload, actor: officer.actor, ts },
    crypto,
  );
  return {
    eventType,
    actor: officer.actor,
    ts,
    payload: withSignature(payload, officer.actor.id, bytesToHex(officer.sign(digest))),
  };
}

/** Parses an expiry the way nexus-attest later will, refusing one that would poison replay. */
function checkedExpiry(expiresAt: string, now: bigint): string {
  const parsed = tryParsePythonIsoformat(expiresAt);
  if (!parsed.ok)
    throw new ProofdeskError(
      'USAGE',
      `The expiry ${expiresAt} is not an ISO 8601 time: ${parsed.message}.`,
    );
  if (!parsed.value.hasOffset) {
    throw new ProofdeskError(
      'USAGE',
      `The expiry ${expiresAt} has no UTC offset; nexus-attest could never compare it with the current time again.`,
    );
  }
  if (parsed.value.epochMicros <= now)
    throw new ProofdeskError('USAGE', `The expiry ${expiresAt} is already past.`);
  return expiresAt;
}

export interface ApproveParameters {
  readonly decisionId: string;
  readonly officer: OfficerSigner;
  readonly comment?: string;
  readonly expiresAt?: string;
}

/** approve(): a signed APPROVAL_GRANTED, only while approvable and not already approved by this officer. */
export function approveDecision(
  context: DecisionContext,
  parameters: ApproveParameters,
): StoredDecisionEvent[] {
  const clock = context.clock ?? nowEpochMicros;
  const events = withWriter(context, false, (writer) =>
    writer.append(parameters.decisionId, (stored, nextSeq) => {
      const now = clock();
      const decision = replayNow(context, stored, now);
      if (decision.state !== 'pending_approval' && decision.state !== 'approved') {
        throw new ProofdeskError('USAGE', `Cannot approve decision in state: ${decision.state}.`);
      }
      const existing = decision.approvals.get(parameters.officer.actor.id);
      if (existing !== undefined && !existing.revoked) {
        throw new ProofdeskError(
          'USAGE',
          `Actor ${parameters.officer.actor.id} has already approved this request.`,
        );
      }
      const payload = new Map<string, PyJsonValue>([
        [
          'expires_at',
          parameters.expiresAt === undefined ? null : checkedExpiry(parameters.expiresAt, now),
        ],
      ]);
      if (parameters.comment) payload.set('comment', parameters.comment);
      return [
        signedEvent(
          parameters.decisionId,
          nextSeq,
          'APPROVAL_GRANTED',
          payload,
          parameters.officer,
          formatPythonIsoformatUtc(now),
        ),
      ];
    }),
  );
  record(context, events, parameters.officer);
  return events;
}

/** revoke_approval(): a signed APPROVAL_REVOKED by an officer whose approval is still standing. */
export function revokeApproval(
  context: DecisionContext,
  parameters: {
    readonly decisionId: string;
    readonly officer: OfficerSigner;
    readonly reason?: string;
  },
): StoredDecisionEvent[] {
  const clock = context.clock ?? nowEpochMicros;
  const events = withWriter(context, false, (writer) =>
    writer.append(parameters.decisionId, (stored, nextSeq) => {
      const now = clock();
      const decision = replayNow(context, stored, now);
      if (decision.state === 'executing' || decision.state === 'completed') {
        throw new ProofdeskError(
          'USAGE',
          `Cannot revoke approval for decision in state: ${decision.state}.`,
        );
      }
      const id = parameters.officer.actor.id;
      const existing = decision.approvals.get(id);
      if (existing === undefined)
        throw new ProofdeskError('USAGE', `Actor ${id} has not approved this request.`);
      if (existing.revoked)
        throw new ProofdeskError('USAGE', `Actor ${id}'s approval is already revoked.`);
      const payload = new Map<string, PyJsonValue>([['reason', parameters.reason ?? '']]);
      return [
        signedEvent(
          parameters.decisionId,
          nextSeq,
          'APPROVAL_REVOKED',
          payload,
          parameters.officer,
          formatPythonIsoformatUtc(now),
        ),
      ];
    }),
  );
  record(context, events, parameters.officer);
  return events;
}

export interface ExecuteParameters {
  readonly decisionId: string;
  readonly actor: DecisionActor;
  readonly adapterId: string;
  readonly router: DecisionRouter;
  /** Overrides the requested mode; must be allowed by the policy. */
  readonly mode?: ExecutionMode;
}

export interface ExecuteOutcome {
  readonly events: StoredDecisionEvent[];
  readonly runId: string | null;
  readonly error: string | null;
}

/**
 * execute(): the policy must still hold now, the decision must not be blocked (Proofdesk refuses
 * re-execution and a stalled execution, which nexus-attest allows), then EXECUTION_REQUESTED and
 * EXECUTION_STARTED, the router run, and EXECUTION_COMPLETED or EXECUTION_FAILED — each recorded
 * exactly as nexus-attest records them.
 */
export async function executeDecision(
  context: DecisionContext,
  parameters: ExecuteParameters,
): Promise<ExecuteOutcome> {
  const clock = context.clock ?? nowEpochMicros;
  let compiled: PyJsonObject | undefined;
  const capabilities = await parameters.router.getAdapterCapabilities(parameters.adapterId);
  const started = withWriter(context, false, (writer) =>
    writer.append(parameters.decisionId, (stored) => {
      const now = clock();
      const decision = replayNow(context, stored, now);
      const blocking = computeBlockingReasons(decision, 'proofdesk');
      const blocked = blocking.find(
        (reason) => reason.code !== 'MISSING_APPROVALS' && reason.code !== 'APPROVAL_EXPIRED',
      );
      if (blocked !== undefined)
        throw new ProofdeskError('USAGE', `The decision cannot be executed: ${blocked.message}.`);
      if (decision.policy === null)
        throw new ProofdeskError(
          'USAGE',
          'The decision cannot be executed: Decision has no policy attached.',
        );
      const mode = parameters.mode ?? decision.requestedMode ?? 'dry_run';
      const validation = validateExecutionRequest(
        decision.policy,
        mode,
        decision.activeApprovalCount,
        capabilities,
      );
      if (!validation.valid) {
        throw new ProofdeskError(
          'USAGE',
          `Policy validation failed: ${validation.errors.join('; ')}.`,
        );
      }
      const request = compileToRouterRequest(
        decision.goal ?? '',
        decision.plan,
        parameters.adapterId,
        mode === 'dry_run',
        decision.policy,
      );
      compiled = request;
      return [
        {
          eventType: 'EXECUTION_REQUESTED',
          actor: parameters.actor,
          ts: formatPythonIsoformatUtc(now),
          payload: new Map<string, PyJsonValue>([
            ['adapter_id', parameters.adapterId],
            ['dry_run', mode === 'dry_run'],
          ]),
        },
        {
          eventType: 'EXECUTION_STARTED',
          actor: SYSTEM_ACTOR,
          ts: formatPythonIsoformatUtc(now + 1n),
          payload: new Map<string, PyJsonValue>([
            ['router_request_digest', attestDigest(request, crypto)],
          ]),
        },
      ];
    }),
  );
  record(context, started);
  if (compiled === undefined)
    throw new ProofdeskError('INTERNAL', 'The router request was not compiled.');

  let outcome: NewDecisionEvent;
  let runId: string | null = null;
  let failure: string | null = null;
  try {
    const response = await parameters.router.run(compiled);
    const rawRunId = response.get('run_id');
    runId = rawRunId === undefined ? 'unknown' : pyStr(rawRunId);
    const steps = response.get('steps_executed');
    const stepCount = steps instanceof PyNumber ? BigInt(Math.trunc(Number(steps.lexeme))) : 0n;
    outcome = {
      eventType: 'EXECUTION_COMPLETED',
      actor: SYSTEM_ACTOR,
      ts: formatPythonIsoformatUtc(clock()),
      payload: new Map<string, PyJsonValue>([
        ['run_id', runId],
        ['response_digest', attestDigest(response, crypto)],
        ['steps_executed', new PyNumber(pythonTruthy(steps ?? null) ? stepCount.toString() : '0')],
      ]),
    };
  } catch (error) {
    failure =
      error instanceof RouterRunError || error instanceof Error ? error.message : String(error);
    outcome = {
      eventType: 'EXECUTION_FAILED',
      actor: SYSTEM_ACTOR,
      ts: formatPythonIsoformatUtc(clock()),
      payload: new Map<string, PyJsonValue>([
        ['error_code', 'ROUTER_ERROR'],
        ['error_message', failure],
        ['run_id', null],
      ]),
    };
  }
  const finished = withWriter(context, false, (writer) =>
    writer.append(parameters.decisionId, [outcome]),
  );
  record(context, finished);
  return { events: [...started, ...finished], runId, error: failure };
}
