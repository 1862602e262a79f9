/**
 * Replays a nexus-attest decision's events into its state (../shared/specs/nexus-attest.md §5, §7;
 * `Decision.apply_event` in `nexus_attest/decision.py`), rule for rule, with two differences that
 * make the result a verifiable report instead of a live view:
 *
 *  - Time is an input. nexus-attest judges approval expiry against `datetime.now(UTC)` at replay
 *    time, so its answer changes as the clock moves; here `asOf` (microseconds since the Unix
 *    epoch, or a Date) is that "now", and the same events and the same `asOf` always give the same
 *    state.
 *  - Nothing throws. Wherever nexus-attest raises (an unknown event type, a policy that fails
 *    validation such as min_approvals=0 or max_steps=0, an expires_at without a UTC offset that it
 *    then compares with an aware clock, a missing payload key), and wherever a payload holds field
 *    types its writers never produce, the result is `{ ok: false, code: 'UNREPLAYABLE' }` with the
 *    offending event's seq. Events must also be exactly seq 0, 1, 2, … of this decision, in order.
 *
 * Stored strings (ts, expires_at) are kept verbatim; Python re-serialises its parsed datetimes,
 * which gives the same text for everything nexus-attest writes.
 *
 * Platform-free.
 */
import {
  PyNumber,
  pythonTruthy,
  type PyJsonObject,
  type PyJsonValue,
  describePythonJsonType,
} from '../canonical-json/python-json';
import { DECISION_EVENT_TYPES, type StoredDecisionEvent } from './decision-event';
import { policyFromPayload, type DecisionPolicy, type ExecutionMode } from './decision-policy';
import {
  epochMicrosFromDate,
  tryParsePythonIsoformat,
  type PythonDateTime,
} from './python-datetime';

export const DECISION_STATES = [
  'draft',
  'pending_approval',
  'approved',
  'executing',
  'completed',
  'failed',
] as const;
export type DecisionStateName = (typeof DECISION_STATES)[number];

export interface TemplateRef {
  readonly name: string;
  /** Raw hex as POLICY_ATTACHED stored it ("" when absent). */
  readonly digest: string;
  readonly snapshot: PyJsonObject;
  readonly overridesApplied: PyJsonObject;
}

export interface ApprovalRecord {
  readonly actorId: string;
  readonly actorType: string;
  /** ts of the APPROVAL_GRANTED event, verbatim. */
  readonly grantedAt: string;
  readonly grantedSeq: number;
  /** The stored expires_at string, verbatim; null when absent or empty. */
  readonly expiresAt: string | null;
  readonly expiresAtParsed: PythonDateTime | null;
  readonly comment: string | null;
  /**
   * The grant was signed by a trusted signer (decided by ReplayOptions.isTrustedApproval). Only
   * such approvals count when the policy requires signed approvals.
   */
  readonly trusted: boolean;
  readonly revoked: boolean;
  readonly revokedAt: string | null;
  readonly revokedSeq: number | null;
  readonly revokeReason: string | null;
}

export interface ExecutionRecord {
  readonly adapterId: string;
  readonly dryRun: boolean;
  readonly requestedAt: string;
  readonly requestedSeq: number;
  readonly startedAt: string | null;
  /** router_request_digest from EXECUTION_STARTED, raw hex. */
  readonly requestDigest: string | null;
  readonly completedAt: string | null;
  readonly runId: string | null;
  /** response_digest from EXECUTION_COMPLETED, raw hex. */
  readonly responseDigest: string | null;
  /** Python int (as a PyNumber so no digit is lost); null when absent or 0, as nexus-attest. */
  readonly stepsExecuted: PyNumber | null;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
}

export interface DecisionState {
  readonly decisionId: string;
  readonly state: DecisionStateName;
  readonly goal: string | null;
  readonly plan: string | null;
  readonly requestedMode: ExecutionMode | null;
  readonly labels: readonly string[];
  readonly policy: DecisionPolicy | null;
  readonly templateRef: TemplateRef | null;
  /** Keyed by actor id, in Python dict order (a re-grant keeps its original slot). */
  readonly approvals: ReadonlyMap<string, ApprovalRecord>;
  readonly executions: readonly ExecutionRecord[];
  readonly latestExecution: ExecutionRecord | null;
  readonly events: readonly StoredDecisionEvent[];
  readonly eventCount: number;
  /** events[0].ts (what bundles and inspect call created_at), or null without events. */
  readonly createdAt: string | null;
  readonly lastEventAt: string | null;
  /** The instant expiry was judged at, in microseconds since the Unix epoch. */
  readonly asOfMicros: bigint;
  /** Non-revoked approvals that have no expiry or expire after asOf. */
  readonly activeApprovalCount: number;
  /** Policy attached and activeApprovalCount >= min_approvals (whatever the state). */
  readonly isApproved: boolean;
}

export interface ReplayFailure {
  readonly ok: false;
  readonly code: 'UNREPLAYABLE';
  readonly message: string;
  /** The event that cannot be replayed, when one can be named. */
  readonly seq?: number;
  /**
   * What nexus-attest itself raises when it replays these events, when it raises: e.g.
   * `TypeError: can't compare offset-naive and offset-aware datetimes`. Absent where only
   * Proofdesk's stricter checks object (nexus-attest would coerce or ignore the value).
   */
  readonly pythonError?: string;
}

export type ReplayResult = { readonly ok: true; readonly decision: DecisionState } | ReplayFailure;

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(DECISION_EVENT_TYPES);

class ReplayError extends Error {
  constructor(
    message: string,
    readonly seq: number | undefined,
    readonly pythonError?: string,
  ) {
    super(message);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableApproval = Mutable<ApprovalRecord>;
type MutableExecution = Mutable<ExecutionRecord>;

/** An approval counts when it is not revoked and has no expiry or expires strictly after asOf. */
export function isApprovalActive(approval: ApprovalRecord, asOfMicros: bigint): boolean {
  if (approval.revoked) return false;
  const expiry = approval.expiresAtParsed;
  return expiry === null || expiry.epochMicros > asOfMicros;
}

/** Non-revoked approvals whose expiry is at or before asOf (nexus-attest's `expires_at <= now`). */
export function countExpiredApprovals(decision: DecisionState): number {
  let expired = 0;
  for (const approval of decision.approvals.values()) {
    const expiry = approval.expiresAtParsed;
    if (!approval.revoked && expiry !== null && expiry.epochMicros <= decision.asOfMicros) {
      expired++;
    }
  }
  return expired;
}

class Replayer {
  state: DecisionStateName = 'draft';
  goal: string | null = null;
  plan: string | null = null;
  requestedMode: ExecutionMode | null = null;
  labels: string[] = [];
  policy: DecisionPolicy | null = null;
  templateRef: TemplateRef | null = null;
  readonly approvals = new Map<string, MutableApproval>();
  readonly executions: MutableExecution[] = [];

  constructor(
    private readonly asOfMicros: bigint,
    private readonly isTrustedApproval: (event: StoredDecisionEvent) => boolean,
  ) {}

  private fail(event: StoredDecisionEvent, detail: string, pythonError?: string): never {
    throw new ReplayError(
      `Event ${event.seq} (${event.eventType}): ${detail}`,
      event.seq,
      pythonError,
    );
  }

  private payload(event: StoredDecisionEvent): PyJsonObject {
    if (!(event.payload instanceof Map)) {
      this.fail(event, `the payload is ${describePythonJsonType(event.payload)}, not an object`);
    }
    return event.payload;
  }

  private required(event: StoredDecisionEvent, payload: PyJsonObject, key: string): PyJsonValue {
    if (!payload.has(key)) this.fail(event, `${key} is missing`, `KeyError: '${key}'`);
    return payload.get(key) ?? null;
  }

  private string(event: StoredDecisionEvent, key: string, value: PyJsonValue): string {
    if (typeof value !== 'string') {
      this.fail(event, `${key} must be a string, got ${describePythonJsonType(value)}`);
    }
    return value;
  }

  private stringOrNull(event: StoredDecisionEvent, key: string, value: PyJsonValue): string | null {
    if (value !== null && typeof value !== 'string') {
      this.fail(event, `${key} must be a string or null, got ${describePythonJsonType(value)}`);
    }
    return value;
  }

  private stringList(event: StoredDecisionEvent, payload: PyJsonObject, key: string): string[] {
    const value = payload.has(key) ? payload.get(key) : [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.fail(event, `${key} must be a list of strings, got ${describePythonJsonType(value)}`);
    }
    return [...value];
  }

  private latest(): MutableExecution | undefined {
    return this.executions[this.executions.length - 1];
  }

  /**
   * `active_approval_count` at asOf. A non-revoked approval whose expires_at has no UTC offset is
   * where Python raises TypeError (comparing it with the aware clock).
   */
  activeCount(): number {
    let active = 0;
    const signedOnly = this.policy?.requireSignedApprovals === true;
    for (const approval of this.approvals.values()) {
      if (approval.revoked || (signedOnly && !approval.trusted)) continue;
      const expiry = approval.expiresAtParsed;
      if (expiry === null) {
        active++;
        continue;
      }
      if (!expiry.hasOffset) {
        throw new ReplayError(
          `Event ${approval.grantedSeq} (APPROVAL_GRANTED by ${approval.actorId}): expires_at ` +
            `${JSON.stringify(approval.expiresAt)} has no UTC offset, so nexus-attest cannot compare ` +
            `it with the current time and every replay of this decision raises ` +
            `TypeError: can't compare offset-naive and offset-aware datetimes`,
          approval.grantedSeq,
          "TypeError: can't compare offset-naive and offset-aware datetimes",
        );
      }
      if (expiry.epochMicros > this.asOfMicros) active++;
    }
    return active;
  }

  private isApproved(): boolean {
    return this.policy !== null && this.activeCount() >= this.policy.minApprovals;
  }

  private updateApprovalState(): void {
    if (this.state === 'pending_approval' || this.state === 'approved') {
      this.state = this.isApproved() ? 'approved' : 'pending_approval';
    }
  }

  apply(event: StoredDecisionEvent): void {
    switch (event.eventType) {
      case 'DECISION_CREATED': {
        const payload = this.payload(event);
        this.goal = this.string(event, 'goal', this.required(event, payload, 'goal'));
        this.plan = this.stringOrNull(event, 'plan', payload.get('plan') ?? null);
        const mode = this.required(event, payload, 'requested_mode');
        if (mode !== 'dry_run' && mode !== 'apply') {
          this.fail(
            event,
            `requested_mode must be "dry_run" or "apply", got ${JSON.stringify(mode)}`,
          );
        }
        this.requestedMode = mode;
        this.labels = this.stringList(event, payload, 'labels');
        this.state = 'draft';
        return;
      }
      case 'POLICY_ATTACHED': {
        const payload = this.payload(event);
        const built = policyFromPayload(payload);
        if (!built.ok) this.fail(event, built.message, built.pythonError);
        const templateName = payload.get('template_name');
        if (pythonTruthy(templateName)) {
          const name = this.string(event, 'template_name', templateName ?? null);
          const digest = payload.has('template_digest') ? payload.get('template_digest') : '';
          const snapshot = payload.get('template_snapshot');
          const overrides = payload.get('overrides_applied');
          this.templateRef = {
            name,
            digest: this.string(event, 'template_digest', digest ?? null),
            snapshot: snapshot instanceof Map ? snapshot : new Map<string, PyJsonValue>(),
            overridesApplied: overrides instanceof Map ? overrides : new Map<string, PyJsonValue>(),
          };
        }
        this.policy = built.policy;
        this.state = 'pending_approval';
        return;
      }
      case 'APPROVAL_GRANTED': {
        const payload = this.payload(event);
        const rawExpiry = payload.get('expires_at');
        let expiresAt: string | null = null;
        let expiresAtParsed: PythonDateTime | null = null;
        if (pythonTruthy(rawExpiry)) {
          if (typeof rawExpiry !== 'string') {
            this.fail(
              event,
              `expires_at must be a timestamp string, got ${describePythonJsonType(rawExpiry)}`,
            );
          }
          const parsed = tryParsePythonIsoformat(rawExpiry);
          if (!parsed.ok) {
            this.fail(
              event,
              `expires_at is not a Python isoformat timestamp: ${parsed.message}`,
              `ValueError: ${parsed.message}`,
            );
          }
          expiresAt = rawExpiry;
          expiresAtParsed = parsed.value;
        }
        this.approvals.set(event.actor.id, {
          actorId: event.actor.id,
          actorType: event.actor.type,
          grantedAt: event.ts,
          grantedSeq: event.seq,
          expiresAt,
          expiresAtParsed,
          comment: this.stringOrNull(event, 'comment', payload.get('comment') ?? null),
          trusted: this.isTrustedApproval(event),
          revoked: false,
          revokedAt: null,
          revokedSeq: null,
          revokeReason: null,
        });
        this.updateApprovalState();
        return;
      }
      case 'APPROVAL_REVOKED': {
        const payload = this.payload(event);
        const reason = this.stringOrNull(event, 'reason', payload.get('reason') ?? null);
        // A revocation by someone who never approved is silently ignored, as in nexus-attest.
        const approval = this.approvals.get(event.actor.id);
        if (approval !== undefined) {
          approval.revoked = true;
          approval.revokedAt = event.ts;
          approval.revokedSeq = event.seq;
          approval.revokeReason = reason;
        }
        this.updateApprovalState();
        return;
      }
      case 'EXECUTION_REQUESTED': {
        const payload = this.payload(event);
        const adapterId = this.string(
          event,
          'adapter_id',
          this.required(event, payload, 'adapter_id'),
        );
        const dryRun = this.required(event, payload, 'dry_run');
        if (typeof dryRun !== 'boolean') {
          this.fail(event, `dry_run must be a boolean, got ${describePythonJsonType(dryRun)}`);
        }
        this.executions.push({
          adapterId,
          dryRun,
          requestedAt: event.ts,
          requestedSeq: event.seq,
          startedAt: null,
          requestDigest: null,
          completedAt: null,
          runId: null,
          responseDigest: null,
          stepsExecuted: null,
          errorCode: null,
          errorMessage: null,
        });
        return;
      }
      case 'EXECUTION_STARTED': {
        const payload = this.payload(event);
        const digest = this.string(
          event,
          'router_request_digest',
          this.required(event, payload, 'router_request_digest'),
        );
        const latest = this.latest();
        if (latest !== undefined) {
          latest.startedAt = event.ts;
          latest.requestDigest = digest;
        }
        this.state = 'executing';
        return;
      }
      case 'EXECUTION_COMPLETED': {
        const payload = this.payload(event);
        const runId = this.string(event, 'run_id', this.required(event, payload, 'run_id'));
        const responseDigest = this.string(
          event,
          'response_digest',
          this.required(event, payload, 'response_digest'),
        );
        const steps = payload.get('steps_executed');
        let stepsExecuted: PyNumber | null = null;
        if (pythonTruthy(steps)) {
          if (!(steps instanceof PyNumber) || !Number.isFinite(Number(steps.lexeme))) {
            this.fail(
              event,
              `steps_executed must be a number, got ${describePythonJsonType(steps)}`,
            );
          }
          stepsExecuted = pythonInt(steps);
        }
        const latest = this.latest();
        if (latest !== undefined) {
          latest.completedAt = event.ts;
          latest.runId = runId;
          latest.responseDigest = responseDigest;
          // int(steps) if steps else None: 0 becomes None.
          latest.stepsExecuted = stepsExecuted;
        }
        this.state = 'completed';
        return;
      }
      case 'EXECUTION_FAILED': {
        const payload = this.payload(event);
        const errorCode = this.string(
          event,
          'error_code',
          this.required(event, payload, 'error_code'),
        );
        const errorMessage = this.string(
          event,
          'error_message',
          this.required(event, payload, 'error_message'),
        );
        const runId = this.stringOrNull(event, 'run_id', payload.get('run_id') ?? null);
        const latest = this.latest();
        if (latest !== undefined) {
          latest.completedAt = event.ts;
          latest.errorCode = errorCode;
          latest.errorMessage = errorMessage;
          latest.runId = runId === '' ? null : runId;
        }
        this.state = 'failed';
        return;
      }
      default:
        this.fail(event, `'${event.eventType}' is not a valid EventType`);
    }
  }
}

/** Python's int() of a finite JSON number, as an exact integer PyNumber. */
function pythonInt(value: PyNumber): PyNumber {
  if (value.isInteger) return value.lexeme === '-0' ? new PyNumber('0') : value;
  const truncated = Math.trunc(Number(value.lexeme));
  const digits = Number.isSafeInteger(truncated)
    ? String(truncated === 0 ? 0 : truncated)
    : BigInt(truncated).toString();
  return new PyNumber(digits);
}

/**
 * What `store.get_events` does before replay: every event type must be one nexus-attest knows and
 * every ts must parse. Also the sequence: exactly seq 0, 1, 2, … of this decision, in order.
 */
function checkEvents(decisionId: string, events: readonly StoredDecisionEvent[]): void {
  events.forEach((event, index) => {
    if (event.decisionId !== decisionId) {
      throw new ReplayError(
        `Event ${event.seq} belongs to decision ${event.decisionId}, not ${decisionId}`,
        event.seq,
      );
    }
    if (event.seq !== index) {
      const message = !Number.isSafeInteger(event.seq)
        ? `Event sequence number ${String(event.seq)} is not an integer`
        : index === 0
          ? `Event sequence must start at 0, got ${event.seq}`
          : event.seq < index
            ? `Events are out of sequence order: seq ${event.seq} comes after seq ${index - 1}`
            : `Event sequence gap: expected ${index}, got ${event.seq}`;
      throw new ReplayError(message, Number.isSafeInteger(event.seq) ? event.seq : undefined);
    }
  });
  for (const event of events) {
    if (!KNOWN_EVENT_TYPES.has(event.eventType)) {
      const note =
        event.eventType === 'TEMPLATE_CREATED'
          ? ' (TEMPLATE_CREATED belongs in template_events, never in a decision)'
          : '';
      throw new ReplayError(
        `Event ${event.seq}: '${event.eventType}' is not a valid EventType${note}`,
        event.seq,
        event.eventType === 'TEMPLATE_CREATED'
          ? undefined
          : `ValueError: '${event.eventType}' is not a valid EventType`,
      );
    }
    const ts = tryParsePythonIsoformat(event.ts);
    if (!ts.ok) {
      throw new ReplayError(
        `Event ${event.seq} (${event.eventType}): ts is not a Python isoformat timestamp: ${ts.message}`,
        event.seq,
        `ValueError: ${ts.message}`,
      );
    }
  }
}

function freezeApproval(approval: MutableApproval): ApprovalRecord {
  return Object.freeze({ ...approval });
}

/**
 * Replays `events` (this decision's, in seq order) as nexus-attest's `Decision.load` does, with
 * approval expiry judged at `asOf`: a bigint of microseconds since the Unix epoch (UTC), or a
 * Date. Never throws for any content of `events`.
 */
export interface ReplayOptions {
  /**
   * Whether an APPROVAL_GRANTED event is signed by a trusted signer (trust material is the
   * caller's). Default: nothing is trusted, so under a policy that requires signed approvals no
   * approval counts until the caller supplies trusted signers.
   */
  readonly isTrustedApproval?: (event: StoredDecisionEvent) => boolean;
}

export function replayDecision(
  decisionId: string,
  events: readonly StoredDecisionEvent[],
  asOf: bigint | Date,
  options: ReplayOptions = {},
): ReplayResult {
  const asOfMicros = typeof asOf === 'bigint' ? asOf : epochMicrosFromDate(asOf);
  try {
    checkEvents(decisionId, events);
    const replayer = new Replayer(asOfMicros, options.isTrustedApproval ?? (() => false));
    for (const event of events) replayer.apply(event);
    // Decision.to_dict() and compute_lifecycle() always evaluate active_approval_count, so a
    // naive expiry that survived replay unrevoked still makes every view raise.
    const activeApprovalCount = replayer.activeCount();
    const executions = replayer.executions.map((e) => Object.freeze({ ...e }));
    const approvals = new Map<string, ApprovalRecord>();
    for (const [id, approval] of replayer.approvals) approvals.set(id, freezeApproval(approval));
    const decision: DecisionState = {
      decisionId,
      state: replayer.state,
      goal: replayer.goal,
      plan: replayer.plan,
      requestedMode: replayer.requestedMode,
      labels: Object.freeze([...replayer.labels]),
      policy: replayer.policy,
      templateRef: replayer.templateRef,
      approvals,
      executions: Object.freeze(executions),
      latestExecution: executions[executions.length - 1] ?? null,
      events: Object.freeze([...events]),
      eventCount: events.length,
      createdAt: events[0]?.ts ?? null,
      lastEventAt: events[events.length - 1]?.ts ?? null,
      asOfMicros,
      activeApprovalCount,
      isApproved: replayer.policy !== null && activeApprovalCount >= replayer.policy.minApprovals,
    };
    return { ok: true, decision: Object.freeze(decision) };
  } catch (error) {
    if (error instanceof ReplayError) {
      const failure: ReplayFailure = {
        ok: false,
        code: 'UNREPLAYABLE',
        message: error.message,
        ...(error.seq === undefined ? {} : { seq: error.seq }),
        ...(error.pythonError === undefined ? {} : { pythonError: error.pythonError }),
      };
      return failure;
    }
    // Anything else is a bug here, but one bad decision must still never break the others.
    return {
      ok: false,
      code: 'UNREPLAYABLE',
      message: `Internal error while replaying ${decisionId}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
