/**
 * nexus-attest's Policy (../shared/specs/nexus-attest.md §6, `nexus_attest/policy.py`): the model,
 * its validation (run by nexus-attest whenever a POLICY_ATTACHED event is replayed), the execution
 * pre-check with its exact error strings, and the router request whose digest EXECUTION_STARTED
 * records.
 *
 * Numbers: `min_approvals` goes through Python's `int()` on replay, so it is a plain integer here;
 * `max_steps` is kept exactly as the payload had it (a PyNumber), because a float `10.0` stays a
 * float in `Policy.to_dict()` and in the router request digest.
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
import type { CryptoProvider } from '../crypto/crypto-provider';
import { attestDigest } from './decision-event';

export const EXECUTION_MODES = ['dry_run', 'apply'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

export function isExecutionMode(value: unknown): value is ExecutionMode {
  return value === 'dry_run' || value === 'apply';
}

export interface DecisionPolicy {
  /** Python int; always >= 1 in a valid policy. */
  readonly minApprovals: number;
  /** Non-empty, each dry_run or apply, in payload order (duplicates kept, as Python's tuple). */
  readonly allowedModes: readonly ExecutionMode[];
  readonly requireAdapterCapabilities: readonly string[];
  /** null, or the payload's number exactly as written (int or float), >= 1. */
  readonly maxSteps: PyNumber | null;
  /** Governance metadata; never sent to the router. */
  readonly labels: readonly string[];
  /**
   * Proofdesk's addition (an extra POLICY_ATTACHED field nexus-attest ignores): only approvals
   * signed by a trusted signer count toward min_approvals.
   */
  readonly requireSignedApprovals: boolean;
}

export interface PolicyFields {
  readonly minApprovals?: number;
  readonly allowedModes?: readonly string[];
  readonly requireAdapterCapabilities?: readonly string[];
  readonly maxSteps?: PyNumber | null;
  readonly labels?: readonly string[];
  readonly requireSignedApprovals?: boolean;
}

/** Python's ValueError from `Policy.__post_init__`, message verbatim. */
export class PolicyValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyValidationError';
  }
}

/**
 * The first error `Policy.__post_init__` raises for these fields, in its order: min_approvals,
 * empty allowed_modes, each mode, max_steps. Undefined when the policy is valid.
 */
export function policyValidationProblem(fields: PolicyFields): string | undefined {
  const minApprovals = fields.minApprovals ?? 1;
  const allowedModes = fields.allowedModes ?? ['dry_run'];
  if (minApprovals < 1) return 'min_approvals must be at least 1';
  if (allowedModes.length === 0) return 'allowed_modes cannot be empty';
  for (const mode of allowedModes) {
    if (!isExecutionMode(mode)) return `Invalid mode: ${mode}`;
  }
  const maxSteps = fields.maxSteps ?? null;
  if (maxSteps !== null && Number(maxSteps.lexeme) < 1) {
    return 'max_steps must be at least 1 if specified';
  }
  return undefined;
}

/** `Policy(...)` with Python's defaults; throws PolicyValidationError as Python raises ValueError. */
export function createPolicy(fields: PolicyFields = {}): DecisionPolicy {
  const problem = policyValidationProblem(fields);
  if (problem !== undefined) throw new PolicyValidationError(problem);
  return Object.freeze({
    minApprovals: fields.minApprovals ?? 1,
    allowedModes: Object.freeze([...(fields.allowedModes ?? ['dry_run'])] as ExecutionMode[]),
    requireAdapterCapabilities: Object.freeze([...(fields.requireAdapterCapabilities ?? [])]),
    maxSteps: fields.maxSteps ?? null,
    labels: Object.freeze([...(fields.labels ?? [])]),
    requireSignedApprovals: fields.requireSignedApprovals ?? false,
  });
}

// ---------------------------------------------------------------------------------------------
// From a POLICY_ATTACHED payload, as Decision.apply_event builds it

export type PolicyFromPayload =
  | { readonly ok: true; readonly policy: DecisionPolicy }
  | {
      readonly ok: false;
      readonly message: string;
      /** What nexus-attest raises on replay, when it raises (e.g. `ValueError: …`). */
      readonly pythonError?: string;
    };

function stringList(
  payload: PyJsonObject,
  key: string,
): { ok: true; value: string[] } | { ok: false; message: string } {
  const value = payload.has(key) ? payload.get(key) : [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return {
      ok: false,
      message: `${key} must be a list of strings, got ${describePythonJsonType(value)}`,
    };
  }
  return { ok: true, value };
}

/**
 * The Policy that replaying this POLICY_ATTACHED payload builds, or why it cannot be built:
 * Python's own ValueError (min_approvals=0, max_steps=0, bad modes), or a payload whose field
 * types nexus-attest's writers never produce.
 */
export function policyFromPayload(payload: PyJsonValue): PolicyFromPayload {
  if (!(payload instanceof Map)) {
    return {
      ok: false,
      message: `the payload is ${describePythonJsonType(payload)}, not an object`,
    };
  }
  if (!payload.has('min_approvals')) {
    return {
      ok: false,
      message: 'min_approvals is missing',
      pythonError: "KeyError: 'min_approvals'",
    };
  }
  const rawMin = payload.get('min_approvals');
  if (!(rawMin instanceof PyNumber)) {
    return {
      ok: false,
      message: `min_approvals must be a number, got ${describePythonJsonType(rawMin)}`,
    };
  }
  const minValue = Number(rawMin.lexeme);
  if (!Number.isFinite(minValue)) {
    return {
      ok: false,
      message: `min_approvals ${rawMin.lexeme} is not finite`,
      pythonError: 'OverflowError: cannot convert float infinity to integer',
    };
  }
  // Python's int(): exact for ints, truncation toward zero for floats. Anything below 1 fails
  // validation below; anything beyond 2**53 cannot be counted to and is refused here.
  const truncated = Math.trunc(minValue);
  if (truncated > Number.MAX_SAFE_INTEGER) {
    return { ok: false, message: `min_approvals ${rawMin.lexeme} is too large to be satisfied` };
  }
  const minApprovals = truncated < 1 ? 0 : truncated;
  if (!payload.has('allowed_modes')) {
    return {
      ok: false,
      message: 'allowed_modes is missing',
      pythonError: "KeyError: 'allowed_modes'",
    };
  }
  const rawModes = payload.get('allowed_modes');
  if (!Array.isArray(rawModes) || !rawModes.every((mode) => typeof mode === 'string')) {
    return {
      ok: false,
      message: `allowed_modes must be a list of strings, got ${describePythonJsonType(rawModes)}`,
    };
  }
  const capabilities = stringList(payload, 'require_adapter_capabilities');
  if (!capabilities.ok) return capabilities;
  const rawMaxSteps = payload.has('max_steps') ? payload.get('max_steps') : null;
  let maxSteps: PyNumber | null = null;
  if (rawMaxSteps !== null && rawMaxSteps !== undefined) {
    if (!(rawMaxSteps instanceof PyNumber)) {
      return {
        ok: false,
        message: `max_steps must be a number or null, got ${describePythonJsonType(rawMaxSteps)}`,
      };
    }
    if (!Number.isFinite(Number(rawMaxSteps.lexeme))) {
      return {
        ok: false,
        message: `max_steps ${rawMaxSteps.lexeme} is not finite, so no router request could be digested`,
      };
    }
    maxSteps = rawMaxSteps;
  }
  const labels = stringList(payload, 'labels');
  if (!labels.ok) return labels;
  const fields: PolicyFields = {
    minApprovals,
    allowedModes: rawModes,
    requireAdapterCapabilities: capabilities.value,
    maxSteps,
    labels: labels.value,
    requireSignedApprovals: pythonTruthy(payload.get('require_signed_approvals')),
  };
  const problem = policyValidationProblem(fields);
  if (problem !== undefined) {
    return { ok: false, message: problem, pythonError: `ValueError: ${problem}` };
  }
  return { ok: true, policy: createPolicy(fields) };
}

// ---------------------------------------------------------------------------------------------
// Python reprs used in the error strings

const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

/** Python's `repr(str)`: quote choice, backslash escapes, and `str.isprintable()` for the rest. */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp === 0x20 || !NON_PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + quote;
}

/** `repr(tuple_of_str)`: `('dry_run',)`, `('dry_run', 'apply')`, `()`. */
export function pythonTupleRepr(items: readonly string[]): string {
  if (items.length === 1) return `(${pythonStrRepr(items[0] ?? '')},)`;
  return `(${items.map(pythonStrRepr).join(', ')})`;
}

/**
 * `repr(set_of_str)`, e.g. `{'external'}`. Python orders a set by string hash, which is salted per
 * process (PYTHONHASHSEED), so with two or more members nexus-attest's own order varies from run
 * to run; this keeps the order given.
 */
export function pythonSetRepr(items: readonly string[]): string {
  return items.length === 0 ? 'set()' : `{${items.map(pythonStrRepr).join(', ')}}`;
}

// ---------------------------------------------------------------------------------------------
// Execution pre-check and router request

export interface PolicyValidationResult {
  readonly valid: boolean;
  /** All problems, in nexus-attest's order; `execute()` joins them with "; ". */
  readonly errors: readonly string[];
}

/**
 * `validate_execution_request(policy, mode, approval_count, adapter_capabilities)`: every error,
 * in order (mode, approvals, capabilities). Capabilities are checked only when the adapter
 * reports some (not null/undefined) and the policy requires some.
 */
export function validateExecutionRequest(
  policy: DecisionPolicy,
  mode: string,
  approvalCount: number,
  adapterCapabilities?: ReadonlySet<string> | null,
): PolicyValidationResult {
  const errors: string[] = [];
  if (!policy.allowedModes.includes(mode as ExecutionMode)) {
    errors.push(
      `Mode '${mode}' not allowed by policy (allowed: ${pythonTupleRepr(policy.allowedModes)})`,
    );
  }
  if (approvalCount < policy.minApprovals) {
    errors.push(`Insufficient approvals: ${approvalCount} < ${policy.minApprovals} required`);
  }
  if (
    adapterCapabilities !== null &&
    adapterCapabilities !== undefined &&
    policy.requireAdapterCapabilities.length > 0
  ) {
    const missing = [...new Set(policy.requireAdapterCapabilities)].filter(
      (capability) => !adapterCapabilities.has(capability),
    );
    if (missing.length > 0) {
      errors.push(`Adapter missing required capabilities: ${pythonSetRepr(missing)}`);
    }
  }
  return { valid: errors.length === 0, errors };
}

/**
 * `policy.compile_to_router_request(goal, plan, adapter_id, dry_run)`: `{goal, adapter_id,
 * dry_run}`, then `plan` if not null, `max_steps` if not null, `require_capabilities` if non-empty
 * (insertion order as Python builds it; canonical JSON sorts anyway).
 */
export function compileToRouterRequest(
  goal: string,
  plan: string | null,
  adapterId: string,
  dryRun: boolean,
  policy: DecisionPolicy,
): PyJsonObject {
  const request: PyJsonObject = new Map<string, PyJsonValue>([
    ['goal', goal],
    ['adapter_id', adapterId],
    ['dry_run', dryRun],
  ]);
  if (plan !== null) request.set('plan', plan);
  if (policy.maxSteps !== null) request.set('max_steps', policy.maxSteps);
  if (policy.requireAdapterCapabilities.length > 0) {
    request.set('require_capabilities', [...policy.requireAdapterCapabilities]);
  }
  return request;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * `content_digest(compile_to_router_request(...))`: raw hex, as EXECUTION_STARTED stores it.
 * Undefined when a string holds a lone surrogate, where Python's `.encode("utf-8")` raises.
 */
export function routerRequestDigest(
  request: PyJsonObject,
  crypto: CryptoProvider,
): string | undefined {
  for (const value of request.values()) {
    const strings = Array.isArray(value) ? value : [value];
    if (strings.some((s) => typeof s === 'string' && LONE_SURROGATE.test(s))) return undefined;
  }
  return attestDigest(request, crypto);
}

/** `Policy.to_dict()` as a PyJson object (min_approvals an int, max_steps as stored). */
export function policyToDict(policy: DecisionPolicy): PyJsonObject {
  return new Map<string, PyJsonValue>([
    ['min_approvals', new PyNumber(String(policy.minApprovals))],
    ['allowed_modes', [...policy.allowedModes]],
    ['require_adapter_capabilities', [...policy.requireAdapterCapabilities]],
    ['max_steps', policy.maxSteps],
    ['labels', [...policy.labels]],
  ]);
}
