/**
 * nexus-attest's tool responses rebuilt from a replay (../shared/specs/nexus-attest.md §5, §8.3,
 * §10; `NexusControlTools.status`, `.inspect`, `.list_requests` and `compute_lifecycle(...).to_dict()`),
 * so that Proofdesk can show them and tests can compare them with what nexus-attest returned.
 *
 * Views are plain objects and arrays whose leaves are strings, booleans, null, JS numbers (always
 * Python ints: counts and seq) and PyNumbers (values copied from payloads, so a float `10.0`
 * stays a float); event payloads and template overrides stay PyJson Maps. `viewToPyJson` turns a
 * view into a PyJsonValue, and `canonicalAttestJson(viewToPyJson(view))` is byte-comparable with
 * the canonical form of the JSON nexus-attest produced.
 *
 * Like the lifecycle, every view takes a flavour: 'nexus-attest' reproduces nexus-attest exactly;
 * 'proofdesk' (the default) differs only for a decision left executing (EXECUTION_STALLED, not
 * ready to execute).
 *
 * Stored timestamps are copied verbatim where nexus-attest prints `datetime.isoformat()` of the
 * parsed value; the two agree for every string nexus-attest writes.
 *
 * Platform-free.
 */
import {
  compareByCodePoint,
  fromJsValue,
  type PyJsonObject,
  type PyJsonValue,
  type PyNumber,
} from '../canonical-json/python-json';
import type { CryptoProvider } from '../crypto/crypto-provider';
import type { StoredDecisionEvent } from './decision-event';
import {
  computeLifecycle,
  inspectStatus,
  type BlockingReason,
  type Lifecycle,
  type LifecycleFlavor,
  type LifecycleProgress,
  type TimelineEntry,
  type UnreplayableLifecycle,
} from './decision-lifecycle';
import { compileToRouterRequest, routerRequestDigest } from './decision-policy';
import type { DecisionState, ReplayResult } from './decision-replay';

export type ViewValue =
  null | boolean | string | number | PyNumber | PyJsonObject | readonly ViewValue[] | ViewObject;
export interface ViewObject {
  readonly [key: string]: ViewValue;
}

/** A view as a PyJsonValue: JS numbers become Python ints, everything else is kept. */
export function viewToPyJson(view: ViewValue): PyJsonValue {
  return fromJsValue(view);
}

export interface ViewOptions {
  readonly flavor?: LifecycleFlavor;
}

// ---------------------------------------------------------------------------------------------
// status

function policyView(decision: DecisionState): ViewValue {
  const policy = decision.policy;
  if (policy === null) return null;
  return {
    min_approvals: policy.minApprovals,
    allowed_modes: [...policy.allowedModes],
    require_adapter_capabilities: [...policy.requireAdapterCapabilities],
    max_steps: policy.maxSteps,
    labels: [...policy.labels],
  };
}

function templateView(decision: DecisionState): ViewValue {
  const ref = decision.templateRef;
  if (ref === null) return null;
  return { name: ref.name, digest: ref.digest, overrides_applied: ref.overridesApplied };
}

/** `StoredEvent.to_dict()`. */
export function eventView(event: StoredDecisionEvent): ViewObject {
  return {
    event_id: `evt_${event.decisionId}_${event.seq}`,
    decision_id: event.decisionId,
    seq: event.seq,
    event_type: event.eventType,
    ts: event.ts,
    actor: { type: event.actor.type, id: event.actor.id },
    payload: event.payload,
    digest: event.digest,
  };
}

/** `Decision.to_dict()`: the body of the status tool without `success` and `events`. */
export function decisionDictView(decision: DecisionState): ViewObject {
  const view: Record<string, ViewValue> = {
    decision_id: decision.decisionId,
    state: decision.state,
    goal: decision.goal,
    plan: decision.plan,
    requested_mode: decision.requestedMode,
    labels: [...decision.labels],
    policy: policyView(decision),
    active_approvals: decision.activeApprovalCount,
    total_approvals: decision.approvals.size,
    is_approved: decision.isApproved,
    executions: decision.executions.map((e) => ({
      adapter_id: e.adapterId,
      dry_run: e.dryRun,
      requested_at: e.requestedAt,
      started_at: e.startedAt,
      completed_at: e.completedAt,
      run_id: e.runId,
      steps_executed: e.stepsExecuted,
      error_code: e.errorCode,
      error_message: e.errorMessage,
    })),
    event_count: decision.eventCount,
  };
  if (decision.templateRef !== null) view.template = templateView(decision);
  return view;
}

/** The status tool's response: `{success: true, ...Decision.to_dict(), events?}`. */
export function statusToolView(
  decision: DecisionState,
  options: { readonly includeEvents?: boolean } = {},
): ViewObject {
  return {
    success: true,
    ...decisionDictView(decision),
    ...(options.includeEvents === true ? { events: decision.events.map(eventView) } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// lifecycle

function blockingReasonView(reason: BlockingReason): ViewObject {
  return { code: reason.code, message: reason.message, details: { ...reason.details } };
}

function progressView(progress: LifecycleProgress): ViewObject {
  return {
    approvals: `${progress.approvalsCurrent}/${progress.approvalsRequired}`,
    approvals_current: progress.approvalsCurrent,
    approvals_required: progress.approvalsRequired,
    ready_to_execute: progress.readyToExecute,
    has_executed: progress.hasExecuted,
    execution_outcome: progress.executionOutcome,
  };
}

export function timelineEntryView(entry: TimelineEntry): ViewObject {
  return {
    ts: entry.ts,
    category: entry.category,
    label: entry.label,
    summary: entry.summary,
    actor: entry.actor,
    event_type: entry.eventType,
    seq: entry.seq,
  };
}

/**
 * `Lifecycle.to_dict()`; for an unreplayable decision the same keys with state "unreplayable" and
 * progress null.
 */
export function lifecycleView(lifecycle: Lifecycle | UnreplayableLifecycle): ViewObject {
  return {
    state: lifecycle.state,
    is_blocked: lifecycle.isBlocked,
    blocking_reasons: lifecycle.blockingReasons.map(blockingReasonView),
    progress: lifecycle.progress === null ? null : progressView(lifecycle.progress),
    timeline: lifecycle.timeline.map(timelineEntryView),
    timeline_total: lifecycle.timelineTotal,
    timeline_truncated: lifecycle.timelineTruncated,
  };
}

// ---------------------------------------------------------------------------------------------
// inspect

function approvalSectionView(decision: DecisionState): ViewObject {
  const required = decision.policy?.minApprovals ?? 1;
  const approved = decision.activeApprovalCount;
  const approvers = [...decision.approvals.entries()]
    .filter(([, approval]) => !approval.revoked)
    .sort(([a], [b]) => compareByCodePoint(a, b))
    .map(([actorId, approval]) => ({
      actor: actorId,
      actor_type: approval.actorType,
      expires_at: approval.expiresAt,
      comment: approval.comment,
      ts: approval.grantedAt,
    }));
  return {
    min_approvals: required,
    approved_count: approved,
    approvers,
    missing: Math.max(0, required - approved),
    is_approved: decision.isApproved,
  };
}

function inspectPolicyView(decision: DecisionState): ViewValue {
  const policy = decision.policy;
  if (policy === null) return null;
  return {
    allowed_modes: [...policy.allowedModes],
    require_capabilities: [...policy.requireAdapterCapabilities],
    max_steps: policy.maxSteps,
    labels: [...policy.labels],
  };
}

function executionSectionView(decision: DecisionState): ViewObject {
  const e = decision.latestExecution;
  if (e === null) {
    return {
      requested: false,
      run_id: null,
      adapter_id: null,
      router_request_digest: null,
      router_result_digest: null,
      outcome: null,
      last_error: null,
    };
  }
  const outcome =
    decision.state === 'completed'
      ? 'ok'
      : decision.state === 'failed'
        ? 'failed'
        : decision.state === 'executing'
          ? 'in_progress'
          : null;
  return {
    requested: true,
    requested_at: e.requestedAt,
    started_at: e.startedAt,
    completed_at: e.completedAt,
    run_id: e.runId,
    adapter_id: e.adapterId,
    dry_run: e.dryRun,
    steps_executed: e.stepsExecuted,
    router_request_digest: e.requestDigest,
    router_result_digest: e.responseDigest,
    outcome,
    last_error: e.errorMessage,
  };
}

/**
 * inspect's `compiled_router_request` (null without a policy): compiled with the latest
 * execution's adapter (or "<not specified>") and the *requested* mode, digest shown as
 * `sha256:<12 hex>...`.
 */
export function compiledRouterRequestView(
  decision: DecisionState,
  crypto: CryptoProvider,
): ViewValue {
  const policy = decision.policy;
  if (policy === null) return null;
  const adapterId = decision.latestExecution?.adapterId || '<not specified>';
  const compiled = compileToRouterRequest(
    decision.goal ?? '',
    decision.plan,
    adapterId,
    decision.requestedMode === 'dry_run',
    policy,
  );
  const digest = routerRequestDigest(compiled, crypto);
  return {
    digest: digest === undefined ? null : `sha256:${digest.slice(0, 12)}...`,
    adapter_id: adapterId,
    require_capabilities:
      policy.requireAdapterCapabilities.length > 0 ? [...policy.requireAdapterCapabilities] : null,
    allow_apply: policy.allowedModes.includes('apply'),
    max_steps: policy.maxSteps,
  };
}

export interface InspectViewOptions extends ViewOptions {
  readonly includeEvents?: boolean;
  readonly includeCompiledRouterRequest?: boolean;
}

/**
 * The inspect tool's response without `rendered`: `{success, ok, decision, lifecycle, approval,
 * policy, template, execution, timeline, compiled_router_request?, events?}`, with the lifecycle
 * timeline truncated to the last 20 entries as nexus-attest does.
 */
export function inspectToolView(
  decision: DecisionState,
  crypto: CryptoProvider,
  options: InspectViewOptions = {},
): ViewObject {
  const lifecycle = computeLifecycle(decision, { flavor: options.flavor ?? 'proofdesk' });
  const view: Record<string, ViewValue> = {
    success: true,
    ok: true,
    decision: {
      decision_id: decision.decisionId,
      status: inspectStatus(decision.state),
      mode: decision.requestedMode ?? 'dry_run',
      goal: decision.goal,
      created_at: decision.createdAt,
      last_event_at: decision.lastEventAt,
    },
    lifecycle: lifecycleView(lifecycle),
    approval: approvalSectionView(decision),
    policy: inspectPolicyView(decision),
    template: templateView(decision),
    execution: executionSectionView(decision),
    timeline: lifecycle.timeline.map(timelineEntryView),
  };
  if (options.includeCompiledRouterRequest !== false && decision.policy !== null) {
    view.compiled_router_request = compiledRouterRequestView(decision, crypto);
  }
  if (options.includeEvents === true) view.events = decision.events.map(eventView);
  return view;
}

// ---------------------------------------------------------------------------------------------
// list_requests

export interface DecisionListEntry {
  readonly decisionId: string;
  /** decisions.created_at, verbatim. */
  readonly createdAt: string;
  readonly result: ReplayResult;
}

/**
 * The list_requests tool's response: decisions ordered by created_at descending (text order, as
 * SQLite's ORDER BY; ties keep their given order), then offset/limit.
 *
 * nexus-attest fails the whole list when any listed decision cannot be replayed
 * (`{success: false, error}` with Python's message); that is the 'nexus-attest' flavour. The
 * Proofdesk flavour lists such a decision with state "unreplayable", goal null, is_approved false
 * and the reason in `error`.
 */
export function listRequestsView(
  entries: readonly DecisionListEntry[],
  options: ViewOptions & { readonly limit?: number; readonly offset?: number } = {},
): ViewObject {
  const limit = options.limit ?? 100;
  const offset = options.offset ?? 0;
  const page = [...entries]
    .sort((a, b) => compareByCodePoint(b.createdAt, a.createdAt))
    .slice(offset, offset + limit);
  const requests: ViewObject[] = [];
  for (const entry of page) {
    const result = entry.result;
    if (result.ok) {
      requests.push({
        request_id: entry.decisionId,
        created_at: entry.createdAt,
        state: result.decision.state,
        goal: result.decision.goal,
        is_approved: result.decision.isApproved,
      });
      continue;
    }
    if (options.flavor === 'nexus-attest') {
      const python = result.pythonError;
      return {
        success: false,
        error: python === undefined ? result.message : python.slice(python.indexOf(': ') + 2),
      };
    }
    requests.push({
      request_id: entry.decisionId,
      created_at: entry.createdAt,
      state: 'unreplayable',
      goal: null,
      is_approved: false,
      error: result.message,
    });
  }
  return { success: true, requests, count: requests.length, offset, limit };
}
