/**
 * Lifecycle of a replayed decision (../shared/specs/nexus-attest.md §8; `nexus_attest/lifecycle.py`
 * and the inspect helpers in `nexus_attest/tool.py`): blocking reasons, progress, timeline, the
 * inspect status and verdict line.
 *
 * Two flavours:
 *  - 'nexus-attest' reproduces nexus-attest exactly, including its blind spot: a decision left in
 *    `executing` (the router crashed between EXECUTION_STARTED and an outcome) has no blocking
 *    reason and `ready_to_execute: true`.
 *  - 'proofdesk' (the default) is the same except that such a decision is blocked by
 *    EXECUTION_STALLED and is not ready to execute, and its verdict is a failure.
 * A decision whose events cannot be replayed has a lifecycle of its own, blocked by UNREPLAYABLE.
 *
 * Platform-free.
 */
import {
  PyNumber,
  pythonFloatRepr,
  pythonTruthy,
  type PyJsonValue,
} from '../canonical-json/python-json';
import type { StoredDecisionEvent } from './decision-event';
import {
  countExpiredApprovals,
  type DecisionState,
  type DecisionStateName,
  type ReplayFailure,
  type ReplayResult,
} from './decision-replay';

export type LifecycleFlavor = 'proofdesk' | 'nexus-attest';

export const BLOCKING_CODES = [
  'NO_POLICY',
  'ALREADY_EXECUTED',
  'EXECUTION_FAILED',
  'EXECUTION_STALLED',
  'APPROVAL_EXPIRED',
  'MISSING_APPROVALS',
  'UNREPLAYABLE',
] as const;
export type BlockingCode = (typeof BLOCKING_CODES)[number];

export type BlockingDetailValue = string | number | null;

export interface BlockingReason {
  readonly code: BlockingCode;
  readonly message: string;
  readonly details: Readonly<Record<string, BlockingDetailValue>>;
}

export type ExecutionOutcome = 'pending' | 'success' | 'failed';

export interface LifecycleProgress {
  readonly approvalsCurrent: number;
  /** min_approvals, or 1 without a policy. */
  readonly approvalsRequired: number;
  readonly readyToExecute: boolean;
  readonly hasExecuted: boolean;
  readonly executionOutcome: ExecutionOutcome | null;
}

export type TimelineCategory = 'decision' | 'policy' | 'approval' | 'execution';

export interface TimelineEntry {
  /** The event's stored ts, verbatim. */
  readonly ts: string;
  readonly category: TimelineCategory;
  readonly label: string;
  readonly summary: string;
  /** The actor id, `system:<id>` for system actors, null for the synthetic THRESHOLD_MET. */
  readonly actor: string | null;
  readonly eventType: string;
  readonly seq: number;
}

export interface Lifecycle {
  readonly state: DecisionStateName;
  readonly isBlocked: boolean;
  readonly blockingReasons: readonly BlockingReason[];
  readonly progress: LifecycleProgress;
  readonly timeline: readonly TimelineEntry[];
  readonly timelineTotal: number;
  readonly timelineTruncated: boolean;
}

/** The lifecycle Proofdesk shows for a decision whose events cannot be replayed. */
export interface UnreplayableLifecycle {
  readonly state: 'unreplayable';
  readonly isBlocked: true;
  readonly blockingReasons: readonly [BlockingReason];
  readonly progress: null;
  /** Entries for the events that can still be described, so the corruption can be located. */
  readonly timeline: readonly TimelineEntry[];
  readonly timelineTotal: number;
  readonly timelineTruncated: boolean;
}

export const DEFAULT_TIMELINE_LIMIT = 20;

export interface LifecycleOptions {
  /** Keep the last N timeline entries; null for all. Default 20, as nexus-attest. */
  readonly timelineLimit?: number | null;
  readonly flavor?: LifecycleFlavor;
}

// ---------------------------------------------------------------------------------------------
// Blocking reasons

function plural(count: number, word: string): string {
  return `${count} ${word}${count !== 1 ? 's' : ''}`;
}

/** The blocking reason Proofdesk shows for a decision that cannot be replayed. */
export function unreplayableReason(failure: ReplayFailure): BlockingReason {
  return {
    code: 'UNREPLAYABLE',
    message: `Decision cannot be replayed: ${failure.message}`,
    details: { seq: failure.seq ?? null, python_error: failure.pythonError ?? null },
  };
}

/**
 * `compute_blocking_reasons`: at most one reason, the first that applies in triage order
 * NO_POLICY, ALREADY_EXECUTED, EXECUTION_FAILED, (Proofdesk only: EXECUTION_STALLED),
 * APPROVAL_EXPIRED, MISSING_APPROVALS. Empty when the decision could execute.
 */
export function computeBlockingReasons(
  decision: DecisionState,
  flavor: LifecycleFlavor = 'proofdesk',
): BlockingReason[] {
  const policy = decision.policy;
  if (policy === null) {
    return [{ code: 'NO_POLICY', message: 'Decision has no policy attached', details: {} }];
  }
  const latest = decision.latestExecution;
  if (decision.state === 'completed') {
    return [
      {
        code: 'ALREADY_EXECUTED',
        message: 'Decision has already been executed successfully',
        details: { run_id: latest?.runId ?? null },
      },
    ];
  }
  if (decision.state === 'failed') {
    const errorMessage = latest?.errorMessage ?? '';
    return [
      {
        code: 'EXECUTION_FAILED',
        message:
          errorMessage !== ''
            ? `Previous execution failed: ${errorMessage}`
            : 'Previous execution failed',
        details: { error_code: latest?.errorCode ?? null, error_message: errorMessage },
      },
    ];
  }
  if (decision.state === 'executing' && flavor === 'proofdesk') {
    const via = latest !== null ? ` via ${latest.adapterId}` : '';
    const at = latest !== null && latest.startedAt !== null ? ` at ${latest.startedAt}` : '';
    return [
      {
        code: 'EXECUTION_STALLED',
        message: `Execution started${at}${via} but no outcome was recorded: the run crashed or is still running`,
        details: {
          adapter_id: latest?.adapterId ?? null,
          started_at: latest?.startedAt ?? null,
          router_request_digest: latest?.requestDigest ?? null,
        },
      },
    ];
  }
  const required = policy.minApprovals;
  const current = decision.activeApprovalCount;
  if (current >= required) return [];
  let nonRevoked = 0;
  for (const approval of decision.approvals.values()) if (!approval.revoked) nonRevoked++;
  const expired = countExpiredApprovals(decision);
  if (expired > 0 && nonRevoked >= required) {
    return [
      {
        code: 'APPROVAL_EXPIRED',
        message: `Approvals expired: ${expired} approval(s) have expired`,
        details: { expired_count: expired, current_valid: current, required },
      },
    ];
  }
  const missing = required - current;
  return [
    {
      code: 'MISSING_APPROVALS',
      message: `Missing ${plural(missing, 'approval')}`,
      details: { required, current, missing },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Progress

/** `compute_progress`; in the Proofdesk flavour a decision left executing is not ready. */
export function computeProgress(
  decision: DecisionState,
  flavor: LifecycleFlavor = 'proofdesk',
): LifecycleProgress {
  const state = decision.state;
  const executionOutcome: ExecutionOutcome | null =
    state === 'completed'
      ? 'success'
      : state === 'failed'
        ? 'failed'
        : state === 'executing'
          ? 'pending'
          : null;
  const stalled = flavor === 'proofdesk' && state === 'executing';
  return {
    approvalsCurrent: decision.activeApprovalCount,
    approvalsRequired: decision.policy?.minApprovals ?? 1,
    readyToExecute: decision.isApproved && state !== 'completed' && state !== 'failed' && !stalled,
    hasExecuted: state === 'completed' || state === 'failed' || state === 'executing',
    executionOutcome,
  };
}

// ---------------------------------------------------------------------------------------------
// Timeline

/** Python's `str()` of a JSON value, for summaries (exact for str, int, float, bool, None). */
function pyStr(value: PyJsonValue | undefined): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof PyNumber) {
    if (value.isInteger) return value.lexeme === '-0' ? '0' : value.lexeme;
    const x = Number(value.lexeme);
    return Number.isNaN(x) ? 'nan' : pythonFloatRepr(x);
  }
  // Lists and dicts only reach here for events that failed replay; a rough rendering will do.
  return Array.isArray(value) ? `[${value.map(pyStr).join(', ')}]` : '{…}';
}

/** Python `s[:n]` and `len(s)` count code points, not UTF-16 units. */
function truncateCodePoints(text: string, limit: number, keep: number): string {
  const points = Array.from(text);
  return points.length > limit ? points.slice(0, keep).join('') + '...' : text;
}

function payloadGet(event: StoredDecisionEvent, key: string): PyJsonValue | undefined {
  return event.payload instanceof Map ? event.payload.get(key) : undefined;
}

function entryFor(event: StoredDecisionEvent): TimelineEntry | undefined {
  const actor = event.actor.type === 'system' ? `system:${event.actor.id}` : event.actor.id;
  const base = { ts: event.ts, actor, eventType: event.eventType, seq: event.seq };
  switch (event.eventType) {
    case 'DECISION_CREATED':
      return { ...base, category: 'decision', label: 'created', summary: 'Decision created' };
    case 'POLICY_ATTACHED': {
      const template = payloadGet(event, 'template_name');
      return {
        ...base,
        category: 'policy',
        label: 'policy',
        summary: pythonTruthy(template)
          ? `Policy attached from template "${pyStr(template)}"`
          : 'Policy attached',
      };
    }
    case 'APPROVAL_GRANTED': {
      const comment = payloadGet(event, 'comment');
      const summary = `Approval granted by ${event.actor.id}`;
      return {
        ...base,
        category: 'approval',
        label: 'approved',
        summary: pythonTruthy(comment) ? `${summary}: "${pyStr(comment)}"` : summary,
      };
    }
    case 'APPROVAL_REVOKED': {
      const reason = payloadGet(event, 'reason');
      const summary = `Approval revoked by ${event.actor.id}`;
      return {
        ...base,
        category: 'approval',
        label: 'revoked',
        summary: pythonTruthy(reason) ? `${summary}: "${pyStr(reason)}"` : summary,
      };
    }
    case 'EXECUTION_REQUESTED': {
      const payload = event.payload instanceof Map ? event.payload : undefined;
      const adapter = payload?.has('adapter_id') ? payload.get('adapter_id') : 'unknown';
      const mode = pythonTruthy(payloadGet(event, 'dry_run')) ? 'dry-run' : 'apply';
      return {
        ...base,
        category: 'execution',
        label: 'requested',
        summary: `Execution requested (${mode}) via ${pyStr(adapter)}`,
      };
    }
    case 'EXECUTION_STARTED':
      return { ...base, category: 'execution', label: 'started', summary: 'Execution started' };
    case 'EXECUTION_COMPLETED': {
      const steps = payloadGet(event, 'steps_executed');
      return {
        ...base,
        category: 'execution',
        label: 'completed',
        summary: pythonTruthy(steps)
          ? `Execution completed (${pyStr(steps)} steps)`
          : 'Execution completed',
      };
    }
    case 'EXECUTION_FAILED': {
      const error = payloadGet(event, 'error_message');
      return {
        ...base,
        category: 'execution',
        label: 'failed',
        summary: pythonTruthy(error)
          ? `Execution failed: ${truncateCodePoints(pyStr(error), 50, 47)}`
          : 'Execution failed',
      };
    }
    default:
      return undefined;
  }
}

/**
 * `compute_timeline` over events: one entry per event, plus the synthetic THRESHOLD_MET right
 * after the approval at which a naive counter (+1 per grant, -1 per revocation, blind to expiry
 * and to repeated actors) first equals `minApprovals`, when a policy is attached.
 */
export function timelineOfEvents(
  events: readonly StoredDecisionEvent[],
  minApprovals: number | null,
): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let counter = 0;
  let thresholdMet = false;
  for (const event of events) {
    const entry = entryFor(event);
    if (entry !== undefined) entries.push(entry);
    if (minApprovals === null) continue;
    if (event.eventType === 'APPROVAL_GRANTED') {
      counter++;
      if (counter === minApprovals && !thresholdMet) {
        thresholdMet = true;
        entries.push({
          ts: event.ts,
          category: 'decision',
          label: 'approved',
          summary: `Approval threshold met (${minApprovals}/${minApprovals})`,
          actor: null,
          eventType: 'THRESHOLD_MET',
          seq: event.seq,
        });
      }
    } else if (event.eventType === 'APPROVAL_REVOKED') {
      counter--;
    }
  }
  return entries;
}

export function computeTimeline(decision: DecisionState): TimelineEntry[] {
  return timelineOfEvents(decision.events, decision.policy?.minApprovals ?? null);
}

/** Python's `full[-limit:]` when there are more than `limit` entries (so 0 keeps everything). */
function truncateTimeline(
  full: readonly TimelineEntry[],
  limit: number | null,
): { timeline: TimelineEntry[]; truncated: boolean } {
  if (limit !== null && full.length > limit) {
    return { timeline: full.slice(-limit), truncated: true };
  }
  return { timeline: [...full], truncated: false };
}

/** `compute_lifecycle(decision, timeline_limit)`. */
export function computeLifecycle(
  decision: DecisionState,
  options: LifecycleOptions = {},
): Lifecycle {
  const flavor = options.flavor ?? 'proofdesk';
  const limit =
    options.timelineLimit === undefined ? DEFAULT_TIMELINE_LIMIT : options.timelineLimit;
  const full = computeTimeline(decision);
  const { timeline, truncated } = truncateTimeline(full, limit);
  const blockingReasons = computeBlockingReasons(decision, flavor);
  return {
    state: decision.state,
    isBlocked: blockingReasons.length > 0,
    blockingReasons,
    progress: computeProgress(decision, flavor),
    timeline,
    timelineTotal: full.length,
    timelineTruncated: truncated,
  };
}

/**
 * The lifecycle of a replay result: computeLifecycle when it replayed, otherwise a lifecycle
 * blocked by UNREPLAYABLE whose timeline describes whatever events it can.
 */
export function lifecycleOfReplay(
  result: ReplayResult,
  events: readonly StoredDecisionEvent[],
  options: LifecycleOptions = {},
): Lifecycle | UnreplayableLifecycle {
  if (result.ok) return computeLifecycle(result.decision, options);
  const limit =
    options.timelineLimit === undefined ? DEFAULT_TIMELINE_LIMIT : options.timelineLimit;
  const full = timelineOfEvents(events, null);
  const { timeline, truncated } = truncateTimeline(full, limit);
  return {
    state: 'unreplayable',
    isBlocked: true,
    blockingReasons: [unreplayableReason(result)],
    progress: null,
    timeline,
    timelineTotal: full.length,
    timelineTruncated: truncated,
  };
}

// ---------------------------------------------------------------------------------------------
// inspect: status and verdict

export const INSPECT_STATUSES = [
  'DRAFT',
  'PENDING_APPROVAL',
  'APPROVED',
  'EXECUTING',
  'EXECUTED',
  'FAILED',
] as const;
export type InspectStatus = (typeof INSPECT_STATUSES)[number];

const STATUS_OF_STATE: Readonly<Record<DecisionStateName, InspectStatus>> = {
  draft: 'DRAFT',
  pending_approval: 'PENDING_APPROVAL',
  approved: 'APPROVED',
  executing: 'EXECUTING',
  completed: 'EXECUTED',
  failed: 'FAILED',
};

/** inspect's status vocabulary: note `completed` is shown as EXECUTED. */
export function inspectStatus(state: DecisionStateName): InspectStatus {
  return STATUS_OF_STATE[state];
}

export interface Verdict {
  /** ✓ when true, ✗ when false. */
  readonly ok: boolean;
  readonly message: string;
}

/**
 * inspect's verdict line. In the Proofdesk flavour a decision left executing is a failure
 * ("stalled") rather than nexus-attest's ✓ "Execution in progress".
 */
export function inspectVerdict(
  decision: DecisionState,
  flavor: LifecycleFlavor = 'proofdesk',
): Verdict {
  switch (inspectStatus(decision.state)) {
    case 'DRAFT':
      return { ok: false, message: 'Decision in draft (no policy attached)' };
    case 'PENDING_APPROVAL': {
      const missing =
        decision.policy !== null ? decision.policy.minApprovals - decision.activeApprovalCount : 0;
      return {
        ok: false,
        message: `Decision not executable (missing ${plural(missing, 'approval')})`,
      };
    }
    case 'APPROVED':
      return { ok: true, message: 'Decision approved (ready to execute)' };
    case 'EXECUTING':
      return flavor === 'proofdesk'
        ? { ok: false, message: 'Execution stalled (started, no outcome recorded)' }
        : { ok: true, message: 'Execution in progress' };
    case 'EXECUTED':
      return { ok: true, message: 'Executed (router run completed)' };
    case 'FAILED': {
      const error = decision.latestExecution?.errorMessage;
      return {
        ok: false,
        message:
          error !== undefined && error !== null && error !== ''
            ? `Execution failed: ${error}`
            : 'Execution failed',
      };
    }
  }
}

/** The verdict Proofdesk shows for a decision that cannot be replayed. */
export function unreplayableVerdict(failure: ReplayFailure): Verdict {
  return { ok: false, message: `Decision cannot be replayed (${failure.message})` };
}
