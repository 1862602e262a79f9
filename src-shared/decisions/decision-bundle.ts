/**
 * nexus-attest decision bundles v0.5 (../shared/specs/nexus-attest.md §11, §12, §13): building
 * them byte for byte as `export_decision` does, reproducing the checks `import_bundle` runs before
 * it touches a store, and Proofdesk's stricter checks, which catch what nexus-attest lets through
 * (an edited event payload with the bundle digest recomputed, a header that disagrees with its
 * events, a router link that is not the one the execution events record).
 *
 * Bundles are handled as lossless PyJsonValue trees (objects are Maps, numbers keep their lexeme),
 * so digests are computed over exactly the bytes Python would hash. Where nexus-attest reads a
 * bundle through `DecisionBundle.from_dict`, this module does the same (`parseNexusBundle`): the
 * digest covers the from_dict/to_dict form, so a key from_dict ignores is not covered, and a
 * missing `goal` is hashed as null.
 *
 * Where Python would raise, the emulation throws `PythonException` carrying Python's exception
 * type and `str(e)`, because nexus-attest puts `str(e)` into its own error messages.
 *
 * Platform-free: no Node, no DOM.
 */
import {
  PyJsonError,
  PyNumber,
  compareByCodePoint,
  pythonFloatRepr,
  type PyJsonObject,
  type PyJsonValue,
  pythonTruthy,
} from '../canonical-json/python-json';
import type { CheckName, CheckStatus, FindingCode } from '../check-code';
import { FINDING_CODE_INFO } from '../check-code';
import type { CryptoProvider } from '../crypto/crypto-provider';
import { portableCryptoProvider } from '../crypto/ed25519-portable';
import { computeVerdict, type CheckResult, type Verdict } from '../verification-report';
import {
  DECISION_EVENT_TYPES,
  attestDigest,
  canonicalAttestJson,
  computeEventDigest,
} from './decision-event';

export const BUNDLE_VERSION = '0.5';
export const BUNDLE_EXPORT_METHOD_ID = 'nexus-control.export_v0_5';
export const DIGEST_PREFIX = 'sha256:';

// ---------------------------------------------------------------------------------------------
// Python semantics over PyJsonValue

export type PythonExceptionType =
  'KeyError' | 'TypeError' | 'AttributeError' | 'ValueError' | 'AssertionError';

/** An exception nexus-attest's Python code raises at this point: `message` is `Type: str(e)`. */
export class PythonException extends Error {
  constructor(
    readonly pyType: PythonExceptionType,
    /** `str(e)`: for a KeyError the repr of the key, e.g. `'router_digest'`. */
    readonly pyMessage: string,
  ) {
    super(`${pyType}: ${pyMessage}`);
    this.name = 'PythonException';
  }
}

/** A decision whose events nexus-attest itself could not export (it would raise). */
export class DecisionBundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionBundleError';
  }
}

export function isPyObject(value: PyJsonValue | undefined): value is PyJsonObject {
  return value instanceof Map;
}

/** `type(x).__name__` of a json.loads value. */
export function pyTypeName(value: PyJsonValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (value instanceof PyNumber) return value.isInteger ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

// Python's str.isprintable(): categories Other (Cc, Cf, Cs, Co, Cn) and Separator, except ' '.
const PY_NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

/** Python 3 `repr(str)`. */
export function pyStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code < 0x7f) out += ch;
    else if (ch !== ' ' && PY_NON_PRINTABLE.test(ch)) {
      if (code <= 0xff) out += '\\x' + code.toString(16).padStart(2, '0');
      else if (code <= 0xffff) out += '\\u' + code.toString(16).padStart(4, '0');
      else out += '\\U' + code.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

function pyNumberText(n: PyNumber): string {
  if (n.isInteger) return n.lexeme === '-0' ? '0' : n.lexeme;
  return pythonFloatRepr(Number(n.lexeme));
}

/** Python `repr(x)` of a json.loads value. */
export function pyRepr(value: PyJsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pyStringRepr(value);
  if (value instanceof PyNumber) return pyNumberText(value);
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  const items: string[] = [];
  for (const [key, item] of value) items.push(`${pyStringRepr(key)}: ${pyRepr(item)}`);
  return '{' + items.join(', ') + '}';
}

/** Python `str(x)` (what an f-string prints). */
export function pyStr(value: PyJsonValue): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

type PyNumeric = { readonly int: bigint } | { readonly float: number };

function pyNumeric(value: PyJsonValue | undefined): PyNumeric | undefined {
  if (value === true) return { int: 1n };
  if (value === false) return { int: 0n };
  if (value instanceof PyNumber) {
    if (value.isInteger) return { int: BigInt(value.lexeme) };
    return { float: Number(value.lexeme) };
  }
  return undefined;
}

function numericAsNumber(n: PyNumeric): number {
  return 'int' in n ? Number(n.int) : n.float;
}

function compareNumeric(a: PyNumeric, b: PyNumeric): number {
  if ('int' in a && 'int' in b) return a.int < b.int ? -1 : a.int > b.int ? 1 : 0;
  const x = numericAsNumber(a);
  const y = numericAsNumber(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Python `a == b` for json.loads values (True == 1 == 1.0; NaN is unequal to itself). */
export function pyEquals(a: PyJsonValue | undefined, b: PyJsonValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const na = pyNumeric(a);
  const nb = pyNumeric(b);
  if (na !== undefined || nb !== undefined) {
    if (na === undefined || nb === undefined) return false;
    if ('int' in na && 'int' in nb) return na.int === nb.int;
    return numericAsNumber(na) === numericAsNumber(nb);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => pyEquals(item, b[i]));
  }
  if (!isPyObject(a) || !isPyObject(b) || a.size !== b.size) return false;
  for (const [key, item] of a) {
    if (!b.has(key) || !pyEquals(item, b.get(key))) return false;
  }
  return true;
}

/** `container[key]` with a str key, raising what Python raises. */
export function pySubscript(container: PyJsonValue | undefined, key: string): PyJsonValue {
  const value = container ?? null;
  if (isPyObject(value)) {
    const item = value.get(key);
    if (item === undefined) throw new PythonException('KeyError', pyStringRepr(key));
    return item;
  }
  if (typeof value === 'string') {
    throw new PythonException('TypeError', "string indices must be integers, not 'str'");
  }
  if (Array.isArray(value)) {
    throw new PythonException('TypeError', 'list indices must be integers or slices, not str');
  }
  throw new PythonException('TypeError', `'${pyTypeName(value)}' object is not subscriptable`);
}

/** `container.get(key, default)`: only a dict has `.get`. */
export function pyGet(
  container: PyJsonValue | undefined,
  key: string,
  fallback: PyJsonValue = null,
): PyJsonValue {
  const value = container ?? null;
  if (!isPyObject(value)) {
    throw new PythonException(
      'AttributeError',
      `'${pyTypeName(value)}' object has no attribute 'get'`,
    );
  }
  const item = value.get(key);
  return item === undefined ? fallback : item;
}

/** `for x in value`: a dict iterates its keys, a str its characters. */
export function pyIterate(value: PyJsonValue): PyJsonValue[] {
  if (Array.isArray(value)) return value;
  if (isPyObject(value)) return [...value.keys()];
  if (typeof value === 'string') return [...value];
  throw new PythonException('TypeError', `'${pyTypeName(value)}' object is not iterable`);
}

/** `s.startswith("sha256:")`, raising for a non-str as Python does. */
function pyStartsWithPrefix(value: PyJsonValue): boolean {
  if (typeof value !== 'string') {
    throw new PythonException(
      'AttributeError',
      `'${pyTypeName(value)}' object has no attribute 'startswith'`,
    );
  }
  return value.startsWith(DIGEST_PREFIX);
}

/** `s[:n]` over code points. */
export function pySlice(value: string, n: number): string {
  return Array.from(value).slice(0, n).join('');
}

/** Removes a leading `sha256:` (nexus-attest strips it before comparing digests). */
export function stripDigestPrefix(digest: string): string {
  return digest.startsWith(DIGEST_PREFIX) ? digest.slice(DIGEST_PREFIX.length) : digest;
}

/** `{}`. */
export function emptyPyObject(): PyJsonObject {
  return new Map<string, PyJsonValue>();
}

/** Builds a dict in insertion order (canonical output sorts keys anyway). */
export function pyObject(entries: readonly (readonly [string, PyJsonValue])[]): PyJsonObject {
  return new Map<string, PyJsonValue>(entries);
}

function pyInt(n: number): PyNumber {
  return new PyNumber(String(n));
}

/** Canonical JSON when the value can be canonicalised, else Python's repr (for messages only). */
export function describeValue(value: PyJsonValue | undefined): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return value;
  try {
    return canonicalAttestJson(value);
  } catch {
    return pyRepr(value);
  }
}

function canonicalEquals(a: PyJsonValue, b: PyJsonValue): boolean {
  try {
    return canonicalAttestJson(a) === canonicalAttestJson(b);
  } catch {
    return false;
  }
}

/** Converts a canonical-JSON failure (NaN, Infinity) into the ValueError Python raises. */
function digestOrRaise(value: PyJsonValue, crypto: CryptoProvider): string {
  try {
    return attestDigest(value, crypto);
  } catch (error) {
    if (error instanceof PyJsonError) throw new PythonException('ValueError', error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Digest formulas (§11)

/**
 * control_router_link_digest (raw hex): H over the decision id, the run id and the RAW (unprefixed)
 * request and result digests; undefined when there is no run_id.
 */
export function computeRouterLinkDigest(
  decisionId: PyJsonValue,
  runId: PyJsonValue,
  routerRequestDigest: PyJsonValue,
  routerResultDigest: PyJsonValue,
  crypto: CryptoProvider = portableCryptoProvider,
): string | undefined {
  if (runId === null) return undefined;
  return attestDigest(
    pyObject([
      ['decision_id', decisionId],
      ['run_id', runId],
      ['router_request_digest', routerRequestDigest],
      ['router_result_digest', routerResultDigest],
    ]),
    crypto,
  );
}

/** `"prov_" + sha256_hex((decision_id + ":" + raw hex).encode())[:12]`. */
export function computeProvenanceId(
  decisionId: string,
  rawDigest: string,
  crypto: CryptoProvider = portableCryptoProvider,
): string {
  return 'prov_' + crypto.sha256HexOfUtf8(`${decisionId}:${rawDigest}`).slice(0, 12);
}

// ---------------------------------------------------------------------------------------------
// DecisionBundle.from_dict / to_dict

export interface NexusBundleEvent {
  readonly eventId: PyJsonValue;
  readonly decisionId: PyJsonValue;
  readonly seq: PyJsonValue;
  readonly type: PyJsonValue;
  readonly payload: PyJsonValue;
  readonly ts: PyJsonValue;
  readonly actor: PyJsonValue;
  readonly digest: PyJsonValue;
}

/** A bundle as `DecisionBundle.from_dict` reads it: the fields it keeps, with its defaults. */
export interface NexusBundle {
  readonly bundleVersion: PyJsonValue;
  readonly decision: {
    readonly decisionId: PyJsonValue;
    readonly goal: PyJsonValue;
    readonly mode: PyJsonValue;
    readonly createdAt: PyJsonValue;
    readonly status: PyJsonValue;
  };
  readonly events: readonly NexusBundleEvent[];
  /** `BundleTemplateSnapshot.to_dict()`. */
  readonly templateSnapshot: PyJsonObject;
  readonly routerLink: {
    readonly runId: PyJsonValue;
    readonly adapterId: PyJsonValue;
    readonly routerRequestDigest: PyJsonValue;
    readonly routerResultDigest: PyJsonValue;
    readonly controlRouterLinkDigest: PyJsonValue;
  };
  readonly integrity: { readonly alg: PyJsonValue; readonly canonicalDigest: PyJsonValue };
  readonly provenance: readonly PyJsonObject[];
  readonly meta: PyJsonValue;
}

function parseTemplateSnapshot(data: PyJsonValue): PyJsonObject {
  if (!pythonTruthy(pyGet(data, 'present', false))) return pyObject([['present', false]]);
  return pyObject([
    ['present', true],
    ['name', pyGet(data, 'name')],
    ['digest', pyGet(data, 'digest')],
    ['snapshot', pyGet(data, 'snapshot')],
    ['overrides', pyGet(data, 'overrides')],
  ]);
}

/**
 * `DecisionBundle.from_dict(data)`, in Python's evaluation order, so the first failure raises the
 * same exception. Throws PythonException.
 */
export function parseNexusBundle(data: PyJsonValue): NexusBundle {
  const bundleVersion = pyGet(data, 'bundle_version', BUNDLE_VERSION);
  const decisionData = pySubscript(data, 'decision');
  const decision = {
    decisionId: pySubscript(decisionData, 'decision_id'),
    goal: pyGet(decisionData, 'goal'),
    mode: pyGet(decisionData, 'mode', 'dry_run'),
    createdAt: pySubscript(decisionData, 'created_at'),
    status: pySubscript(decisionData, 'status'),
  };
  const events = pyIterate(pyGet(data, 'events', [])).map((e): NexusBundleEvent => ({
    eventId: pySubscript(e, 'event_id'),
    decisionId: pySubscript(e, 'decision_id'),
    seq: pySubscript(e, 'seq'),
    type: pySubscript(e, 'type'),
    payload: pyGet(e, 'payload', emptyPyObject()),
    ts: pySubscript(e, 'ts'),
    actor: pyGet(e, 'actor', emptyPyObject()),
    digest: pyGet(e, 'digest', ''),
  }));
  const templateSnapshot = parseTemplateSnapshot(
    pyGet(data, 'template_snapshot', pyObject([['present', false]])),
  );
  const linkData = pyGet(data, 'router_link');
  const routerLink =
    linkData === null
      ? {
          runId: null,
          adapterId: null,
          routerRequestDigest: null,
          routerResultDigest: null,
          controlRouterLinkDigest: null,
        }
      : {
          runId: pyGet(linkData, 'run_id'),
          adapterId: pyGet(linkData, 'adapter_id'),
          routerRequestDigest: pyGet(linkData, 'router_request_digest'),
          routerResultDigest: pyGet(linkData, 'router_result_digest'),
          controlRouterLinkDigest: pyGet(linkData, 'control_router_link_digest'),
        };
  const integrityData = pySubscript(data, 'integrity');
  const integrity = {
    alg: pyGet(integrityData, 'alg', 'sha256'),
    canonicalDigest: pySubscript(integrityData, 'canonical_digest'),
  };
  const provenanceData = pyGet(data, 'provenance', pyObject([['records', []]]));
  const provenance = pyIterate(pyGet(provenanceData, 'records', [])).map((r) =>
    pyObject([
      ['prov_id', pySubscript(r, 'prov_id')],
      ['method_id', pySubscript(r, 'method_id')],
      ['inputs', pyGet(r, 'inputs', [])],
      ['outputs', pyGet(r, 'outputs', [])],
    ]),
  );
  const meta = pyGet(data, 'meta', emptyPyObject());
  return {
    bundleVersion,
    decision,
    events,
    templateSnapshot,
    routerLink,
    integrity,
    provenance,
    meta,
  };
}

function decisionToDict(bundle: NexusBundle): PyJsonObject {
  const d = bundle.decision;
  return pyObject([
    ['decision_id', d.decisionId],
    ['goal', d.goal],
    ['mode', d.mode],
    ['created_at', d.createdAt],
    ['status', d.status],
  ]);
}

function eventToDict(e: NexusBundleEvent): PyJsonObject {
  return pyObject([
    ['event_id', e.eventId],
    ['decision_id', e.decisionId],
    ['seq', e.seq],
    ['type', e.type],
    ['payload', e.payload],
    ['ts', e.ts],
    ['actor', e.actor],
    ['digest', e.digest],
  ]);
}

/** `BundleRouterLink.to_dict()`: keys whose value is None are omitted. */
export function routerLinkToDict(link: NexusBundle['routerLink']): PyJsonObject {
  const out = emptyPyObject();
  if (link.runId !== null) out.set('run_id', link.runId);
  if (link.adapterId !== null) out.set('adapter_id', link.adapterId);
  if (link.routerRequestDigest !== null) out.set('router_request_digest', link.routerRequestDigest);
  if (link.routerResultDigest !== null) out.set('router_result_digest', link.routerResultDigest);
  if (link.controlRouterLinkDigest !== null) {
    out.set('control_router_link_digest', link.controlRouterLinkDigest);
  }
  return out;
}

/** The dict the bundle digest covers (`compute_canonical_payload`). */
export function bundleCanonicalPayload(bundle: NexusBundle): PyJsonObject {
  return pyObject([
    ['bundle_version', bundle.bundleVersion],
    ['decision', decisionToDict(bundle)],
    ['events', bundle.events.map(eventToDict)],
    ['template_snapshot', bundle.templateSnapshot],
    ['router_link', routerLinkToDict(bundle.routerLink)],
  ]);
}

/** `DecisionBundle.to_dict()` of a parsed bundle (meta only when truthy). */
export function bundleToDict(bundle: NexusBundle): PyJsonObject {
  const out = bundleCanonicalPayload(bundle);
  out.set(
    'integrity',
    pyObject([
      ['alg', bundle.integrity.alg],
      ['canonical_digest', bundle.integrity.canonicalDigest],
    ]),
  );
  out.set('provenance', pyObject([['records', [...bundle.provenance]]]));
  if (pythonTruthy(bundle.meta)) out.set('meta', bundle.meta);
  return out;
}

/**
 * The bundle digest (raw hex) exactly as nexus-attest recomputes it: from_dict, then H of the
 * canonical payload. Throws PythonException where nexus-attest would raise.
 */
export function computeBundleDigest(
  bundle: PyJsonValue | NexusBundle,
  crypto: CryptoProvider = portableCryptoProvider,
): string {
  const parsed = isNexusBundle(bundle) ? bundle : parseNexusBundle(bundle);
  return digestOrRaise(bundleCanonicalPayload(parsed), crypto);
}

function isNexusBundle(value: PyJsonValue | NexusBundle): value is NexusBundle {
  return (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Map) &&
    !Array.isArray(value) &&
    !(value instanceof PyNumber)
  );
}

// ---------------------------------------------------------------------------------------------
// Deriving the exported sections from the events (Decision.apply_event, export.py)

/** The parts of a stored event that exporting reads. StoredDecisionEvent satisfies it. */
export interface DecisionEventLike {
  readonly seq: number;
  readonly eventType: string;
  readonly ts: string;
  readonly payload: PyJsonValue;
}

/** What export_decision derives from the events, apart from the replayed status. */
export interface DerivedDecisionSections {
  /** `str(payload["goal"])` of the last DECISION_CREATED, or null. */
  readonly goal: string | null;
  /** `requested_mode or "dry_run"`. */
  readonly mode: PyJsonValue;
  /** events[0].ts, or "" without events. */
  readonly createdAt: string;
  /** `BundleTemplateSnapshot.to_dict()` as export writes it with include_template_snapshot. */
  readonly templateSnapshot: PyJsonObject;
  /** `BundleRouterLink.to_dict()` as export writes it with include_router_link. */
  readonly routerLink: PyJsonObject;
  readonly executionCount: number;
}

interface ExecutionRecord {
  readonly adapterId: string;
  requestDigest: string | null;
  responseDigest: string | null;
  runId: string | null;
}

interface TemplateRef {
  readonly name: string;
  readonly digest: string;
  readonly snapshot: PyJsonObject;
  readonly overrides: PyJsonObject;
}

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<string>([
  ...DECISION_EVENT_TYPES,
  'TEMPLATE_CREATED',
]);

function sortedBySeq<T extends { readonly seq: number }>(events: readonly T[]): T[] {
  return [...events].sort((a, b) => a.seq - b.seq);
}

/**
 * Replays the events as far as exporting needs (goal, mode, template reference, executions).
 * Throws DecisionBundleError where nexus-attest's replay would raise (unknown event type, a
 * payload key it indexes is missing).
 */
export function deriveDecisionSections(
  decisionId: string,
  events: readonly DecisionEventLike[],
  crypto: CryptoProvider = portableCryptoProvider,
): DerivedDecisionSections {
  const ordered = sortedBySeq(events);
  let goal: string | null = null;
  let requestedMode: PyJsonValue = null;
  let templateRef: TemplateRef | null = null;
  const executions: ExecutionRecord[] = [];

  for (const event of ordered) {
    try {
      if (!KNOWN_EVENT_TYPES.has(event.eventType)) {
        throw new PythonException(
          'ValueError',
          `${pyStringRepr(event.eventType)} is not a valid EventType`,
        );
      }
      const payload = event.payload;
      const latest = executions[executions.length - 1];
      switch (event.eventType) {
        case 'DECISION_CREATED':
          goal = pyStr(pySubscript(payload, 'goal'));
          requestedMode = pySubscript(payload, 'requested_mode');
          break;
        case 'POLICY_ATTACHED': {
          pySubscript(payload, 'min_approvals');
          pySubscript(payload, 'allowed_modes');
          const templateName = pyGet(payload, 'template_name');
          if (pythonTruthy(templateName)) {
            const snapshot = pyGet(payload, 'template_snapshot', emptyPyObject());
            const overrides = pyGet(payload, 'overrides_applied', emptyPyObject());
            templateRef = {
              name: pyStr(templateName),
              digest: pyStr(pyGet(payload, 'template_digest', '')),
              snapshot: isPyObject(snapshot) ? snapshot : emptyPyObject(),
              overrides: isPyObject(overrides) ? overrides : emptyPyObject(),
            };
          }
          break;
        }
        case 'EXECUTION_REQUESTED':
          pySubscript(payload, 'dry_run');
          executions.push({
            adapterId: pyStr(pySubscript(payload, 'adapter_id')),
            requestDigest: null,
            responseDigest: null,
            runId: null,
          });
          break;
        case 'EXECUTION_STARTED':
          if (latest !== undefined) {
            latest.requestDigest = pyStr(pySubscript(payload, 'router_request_digest'));
          }
          break;
        case 'EXECUTION_COMPLETED':
          if (latest !== undefined) {
            latest.runId = pyStr(pySubscript(payload, 'run_id'));
            latest.responseDigest = pyStr(pySubscript(payload, 'response_digest'));
          }
          break;
        case 'EXECUTION_FAILED':
          if (latest !== undefined) {
            pySubscript(payload, 'error_code');
            pySubscript(payload, 'error_message');
            const runId = pyGet(payload, 'run_id');
            latest.runId = pythonTruthy(runId) ? pyStr(runId) : null;
          }
          break;
        default:
          // APPROVAL_* only change approvals and state, which the caller's replay computes;
          // TEMPLATE_CREATED is ignored by decision replay.
          break;
      }
    } catch (error) {
      if (error instanceof PythonException) {
        throw new DecisionBundleError(
          `event seq ${event.seq} (${event.eventType}) cannot be replayed as nexus-attest does: ${error.message}`,
        );
      }
      throw error;
    }
  }

  const templateSnapshot: PyJsonObject =
    templateRef === null
      ? pyObject([['present', false]])
      : pyObject([
          ['present', true],
          ['name', templateRef.name],
          ['digest', DIGEST_PREFIX + templateRef.digest],
          ['snapshot', templateRef.snapshot.size > 0 ? templateRef.snapshot : null],
          ['overrides', templateRef.overrides.size > 0 ? templateRef.overrides : null],
        ]);

  const latest = executions[executions.length - 1];
  let routerLink = emptyPyObject();
  if (latest !== undefined) {
    const linkDigest = computeRouterLinkDigest(
      decisionId,
      latest.runId,
      latest.requestDigest,
      latest.responseDigest,
      crypto,
    );
    routerLink = routerLinkToDict({
      runId: latest.runId,
      adapterId: latest.adapterId,
      routerRequestDigest: latest.requestDigest ? DIGEST_PREFIX + latest.requestDigest : null,
      routerResultDigest: latest.responseDigest ? DIGEST_PREFIX + latest.responseDigest : null,
      controlRouterLinkDigest: linkDigest === undefined ? null : DIGEST_PREFIX + linkDigest,
    });
  }

  return {
    goal,
    mode: pythonTruthy(requestedMode) ? requestedMode : 'dry_run',
    createdAt: ordered[0]?.ts ?? '',
    templateSnapshot,
    routerLink,
    executionCount: executions.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Building a bundle (export_decision)

export interface DecisionBundleInput {
  readonly decisionId: string;
  /** The decision's events, in any order (they are sorted by seq). */
  readonly events: readonly {
    readonly decisionId: string;
    readonly seq: number;
    readonly eventType: string;
    readonly ts: string;
    readonly actor: { readonly type: string; readonly id: string };
    readonly payload: PyJsonValue;
    readonly digest: string;
  }[];
  /** The replayed state, uppercased (DRAFT, PENDING_APPROVAL, …, COMPLETED, FAILED). */
  readonly status: string;
  /** meta.exported_at (outside the digest); meta is omitted when absent. */
  readonly exportedAt?: string;
  /** Default true. */
  readonly includeTemplateSnapshot?: boolean;
  /** Default true. */
  readonly includeRouterLink?: boolean;
}

/**
 * `DecisionBundle.to_dict()` of `export_decision(...)`: canonical JSON of the result
 * (`canonicalAttestJson`) is the exported file's bytes. Throws DecisionBundleError where
 * nexus-attest could not export the decision.
 */
export function buildDecisionBundle(
  input: DecisionBundleInput,
  crypto: CryptoProvider = portableCryptoProvider,
): PyJsonObject {
  const decisionId = input.decisionId;
  for (const event of input.events) {
    if (event.decisionId !== decisionId) {
      throw new DecisionBundleError(
        `event seq ${event.seq} belongs to decision ${event.decisionId}, not ${decisionId}`,
      );
    }
    if (!Number.isSafeInteger(event.seq)) {
      throw new DecisionBundleError(`event seq ${event.seq} is not an integer`);
    }
    if (!isPyObject(event.payload)) {
      throw new DecisionBundleError(
        `event seq ${event.seq} has a ${pyTypeName(event.payload)} payload; nexus-attest payloads are objects`,
      );
    }
  }
  const events = sortedBySeq(input.events);
  const derived = deriveDecisionSections(decisionId, events, crypto);

  const bundle: NexusBundle = {
    bundleVersion: BUNDLE_VERSION,
    decision: {
      decisionId,
      goal: derived.goal,
      mode: derived.mode,
      createdAt: derived.createdAt,
      status: input.status,
    },
    events: events.map((event) => ({
      eventId: `evt_${decisionId}_${event.seq}`,
      decisionId: event.decisionId,
      seq: pyInt(event.seq),
      type: event.eventType,
      payload: event.payload,
      ts: event.ts,
      actor: pyObject([
        ['type', event.actor.type],
        ['id', event.actor.id],
      ]),
      digest: event.digest,
    })),
    templateSnapshot:
      input.includeTemplateSnapshot === false
        ? pyObject([['present', false]])
        : derived.templateSnapshot,
    routerLink: parseRouterLinkDict(
      input.includeRouterLink === false ? emptyPyObject() : derived.routerLink,
    ),
    integrity: { alg: 'sha256', canonicalDigest: '' },
    provenance: [],
    meta: null,
  };
  let digest: string;
  try {
    digest = computeBundleDigest(bundle, crypto);
  } catch (error) {
    if (error instanceof PythonException) {
      throw new DecisionBundleError(`the bundle cannot be canonicalised: ${error.message}`);
    }
    throw error;
  }
  return bundleToDict({
    ...bundle,
    integrity: { alg: 'sha256', canonicalDigest: DIGEST_PREFIX + digest },
    provenance: [expectedBundleProvenanceRecord(decisionId, digest, crypto)],
    meta: input.exportedAt === undefined ? null : pyObject([['exported_at', input.exportedAt]]),
  });
}

function parseRouterLinkDict(link: PyJsonObject): NexusBundle['routerLink'] {
  return {
    runId: link.get('run_id') ?? null,
    adapterId: link.get('adapter_id') ?? null,
    routerRequestDigest: link.get('router_request_digest') ?? null,
    routerResultDigest: link.get('router_result_digest') ?? null,
    controlRouterLinkDigest: link.get('control_router_link_digest') ?? null,
  };
}

function expectedBundleProvenanceRecord(
  decisionId: string,
  rawDigest: string,
  crypto: CryptoProvider,
): PyJsonObject {
  return pyObject([
    ['prov_id', computeProvenanceId(decisionId, rawDigest, crypto)],
    ['method_id', BUNDLE_EXPORT_METHOD_ID],
    ['inputs', [`decision:${decisionId}`]],
    ['outputs', [`bundle:sha256:${rawDigest}`]],
  ]);
}

// ---------------------------------------------------------------------------------------------
// import_bundle's checks, before it touches a store (§13)

/** `validate_bundle_schema`: every message, in nexus-attest's order. */
export function validateBundleSchema(data: PyJsonObject): string[] {
  const errors: string[] = [];
  if (!data.has('bundle_version')) errors.push('Missing required field: bundle_version');

  const decision = data.get('decision');
  if (decision === undefined) {
    errors.push('Missing required field: decision');
  } else if (!isPyObject(decision)) {
    errors.push("Field 'decision' must be an object");
  } else {
    for (const field of ['decision_id', 'created_at', 'status']) {
      if (!decision.has(field)) errors.push(`Missing required field: decision.${field}`);
    }
  }

  const events = data.get('events');
  if (events === undefined) {
    errors.push('Missing required field: events');
  } else if (!Array.isArray(events)) {
    errors.push("Field 'events' must be an array");
  } else {
    events.forEach((event, i) => {
      if (!isPyObject(event)) {
        errors.push(`Event at index ${i} must be an object`);
        return;
      }
      for (const field of ['event_id', 'seq', 'type', 'ts']) {
        if (!event.has(field)) errors.push(`Missing required field: events[${i}].${field}`);
      }
    });
  }

  const integrity = data.get('integrity');
  if (integrity === undefined) {
    errors.push('Missing required field: integrity');
  } else if (!isPyObject(integrity)) {
    errors.push("Field 'integrity' must be an object");
  } else if (!integrity.has('canonical_digest')) {
    errors.push('Missing required field: integrity.canonical_digest');
  }
  return errors;
}

export const NEXUS_IMPORT_ERROR_CODES = [
  'BUNDLE_INVALID_SCHEMA',
  'CONFLICT_MODE_INVALID',
  'INTEGRITY_MISMATCH',
  'REPLAY_INVALID',
] as const;
export type NexusImportErrorCode = (typeof NEXUS_IMPORT_ERROR_CODES)[number];

/**
 * What `import_bundle(store, bundle, verify_digest, conflict_mode)` returns for this bundle into an
 * empty store, up to (not including) the insert and the replay after import. `errorCode: null`
 * means nexus-attest raises instead of returning; `error` is then `Type: str(e)`.
 */
export type NexusImportVerdict =
  | { readonly ok: true; readonly digestVerified: boolean }
  | {
      readonly ok: false;
      readonly errorCode: NexusImportErrorCode | null;
      /** ImportResult.error_message (without the code). */
      readonly error: string;
    };

export interface NexusImportOptions {
  /** import_bundle's verify_digest; default true. */
  readonly verifyDigest?: boolean;
  /** import_bundle's conflict_mode; default "reject_on_conflict". */
  readonly conflictMode?: string;
}

const CONFLICT_MODES: ReadonlySet<string> = new Set([
  'reject_on_conflict',
  'new_decision_id',
  'overwrite',
]);

/** `sorted(events, key=lambda e: e.seq)`: stable, `<` only, TypeError across unorderable types. */
function pySortBySeq(events: readonly NexusBundleEvent[]): NexusBundleEvent[] {
  if (events.length < 2) return [...events];
  const category = (v: PyJsonValue): string =>
    pyNumeric(v) !== undefined ? 'number' : typeof v === 'string' ? 'str' : pyTypeName(v);
  const first = events[0];
  if (first === undefined) return [];
  const kind = category(first.seq);
  for (let i = 1; i < events.length; i++) {
    const current = events[i];
    const previous = events[i - 1];
    if (current === undefined || previous === undefined) continue;
    if (category(current.seq) !== kind || (kind !== 'number' && kind !== 'str')) {
      throw new PythonException(
        'TypeError',
        `'<' not supported between instances of '${pyTypeName(current.seq)}' and '${pyTypeName(previous.seq)}'`,
      );
    }
  }
  return [...events].sort((a, b) => {
    const na = pyNumeric(a.seq);
    const nb = pyNumeric(b.seq);
    if (na !== undefined && nb !== undefined) return compareNumeric(na, nb);
    return compareByCodePoint(a.seq as string, b.seq as string);
  });
}

/** `prev + 1` for a json.loads value. */
function pyPlusOne(value: PyJsonValue): PyJsonValue {
  const n = pyNumeric(value);
  if (n !== undefined) {
    if ('int' in n) return new PyNumber((n.int + 1n).toString());
    return new PyNumber(pythonFloatRepr(n.float + 1));
  }
  if (typeof value === 'string') {
    throw new PythonException('TypeError', 'can only concatenate str (not "int") to str');
  }
  if (Array.isArray(value)) {
    throw new PythonException('TypeError', 'can only concatenate list (not "int") to list');
  }
  throw new PythonException(
    'TypeError',
    `unsupported operand type(s) for +: '${pyTypeName(value)}' and 'int'`,
  );
}

/** `_prepare_events_for_import` then `_validate_event_sequence`. Throws PythonException. */
function nexusSequenceError(events: readonly NexusBundleEvent[]): string | null {
  const sorted = pySortBySeq(events);
  for (const event of sorted) {
    pyGet(event.actor, 'type', 'unknown');
    pyGet(event.actor, 'id', 'unknown');
  }
  const first = sorted[0];
  if (first === undefined) return null;
  if (!pyEquals(first.seq, new PyNumber('0'))) {
    return `Event sequence must start at 0, got ${pyStr(first.seq)}`;
  }
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (previous === undefined || current === undefined) continue;
    const expected = pyPlusOne(previous.seq);
    if (!pyEquals(current.seq, expected)) {
      return `Event sequence gap: expected ${pyStr(expected)}, got ${pyStr(current.seq)}`;
    }
  }
  return null;
}

interface ImportEmulation {
  readonly verdict: NexusImportVerdict;
  readonly bundle?: NexusBundle;
  readonly schemaErrors: readonly string[];
  readonly parseError?: string;
  /** The recomputed digest (raw hex) when it could be computed. */
  readonly computedDigest?: string;
  readonly digestError?: string;
  readonly sequenceError?: string;
  /** What nexus-attest raises while ordering the events, if it does. */
  readonly sequenceException?: string;
}

function failed(errorCode: NexusImportErrorCode | null, error: string): NexusImportVerdict {
  return { ok: false, errorCode, error };
}

function emulateImport(
  data: PyJsonValue,
  options: NexusImportOptions,
  crypto: CryptoProvider,
): ImportEmulation {
  const verifyDigest = options.verifyDigest ?? true;
  const conflictMode = options.conflictMode ?? 'reject_on_conflict';
  if (!isPyObject(data)) {
    // Not a dict: import_bundle treats it as a DecisionBundle object and fails on attribute access.
    const verdict = !CONFLICT_MODES.has(conflictMode)
      ? failed('CONFLICT_MODE_INVALID', `Invalid conflict_mode: ${conflictMode}`)
      : failed(
          null,
          `AttributeError: '${pyTypeName(data)}' object has no attribute '${verifyDigest ? 'integrity' : 'decision'}'`,
        );
    return {
      verdict,
      schemaErrors: [`the bundle is a JSON ${pyTypeName(data)}, not an object`],
    };
  }
  const schemaErrors = validateBundleSchema(data);
  if (schemaErrors.length > 0) {
    return {
      verdict: failed('BUNDLE_INVALID_SCHEMA', `Invalid bundle schema: ${schemaErrors.join('; ')}`),
      schemaErrors,
    };
  }
  let bundle: NexusBundle;
  try {
    bundle = parseNexusBundle(data);
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    return {
      verdict: failed('BUNDLE_INVALID_SCHEMA', `Failed to parse bundle: ${error.pyMessage}`),
      schemaErrors,
      parseError: error.message,
    };
  }

  let computedDigest: string | undefined;
  let digestError: string | undefined;
  try {
    computedDigest = computeBundleDigest(bundle, crypto);
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    digestError = error.message;
  }
  let sequenceError: string | undefined;
  let sequenceException: string | undefined;
  try {
    sequenceError = nexusSequenceError(bundle.events) ?? undefined;
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    sequenceException = error.message;
  }
  const base = {
    bundle,
    schemaErrors,
    computedDigest,
    digestError,
    sequenceError,
    sequenceException,
  };

  if (!CONFLICT_MODES.has(conflictMode)) {
    return {
      ...base,
      verdict: failed('CONFLICT_MODE_INVALID', `Invalid conflict_mode: ${conflictMode}`),
    };
  }
  if (verifyDigest) {
    const stored = bundle.integrity.canonicalDigest;
    let expected: string;
    try {
      expected = pyStartsWithPrefix(stored) ? (stored as string).slice(7) : (stored as string);
    } catch (error) {
      if (!(error instanceof PythonException)) throw error;
      return { ...base, verdict: failed(null, error.message) };
    }
    if (computedDigest === undefined) {
      return { ...base, verdict: failed(null, digestError ?? 'digest not computed') };
    }
    if (computedDigest !== expected) {
      return {
        ...base,
        verdict: failed(
          'INTEGRITY_MISMATCH',
          `Digest mismatch: expected ${pySlice(expected, 16)}..., got ${pySlice(computedDigest, 16)}...`,
        ),
      };
    }
  }
  if (sequenceException !== undefined) {
    return { ...base, verdict: failed(null, sequenceException) };
  }
  if (sequenceError !== undefined) {
    return { ...base, verdict: failed('REPLAY_INVALID', sequenceError) };
  }
  return { ...base, verdict: { ok: true, digestVerified: verifyDigest } };
}

/**
 * `import_bundle(...)` into an empty store, as far as it goes without a store: schema, parse,
 * conflict_mode, digest and sequence. The insert and the replay after import are not emulated.
 */
export function emulateNexusImport(
  bundle: PyJsonValue,
  options: NexusImportOptions = {},
  crypto: CryptoProvider = portableCryptoProvider,
): NexusImportVerdict {
  return emulateImport(bundle, options, crypto).verdict;
}

/** `CODE: message`, as nexus-attest's tools print an ImportResult error. */
export function formatNexusImportError(verdict: NexusImportVerdict): string | undefined {
  if (verdict.ok) return undefined;
  return verdict.errorCode === null ? verdict.error : `${verdict.errorCode}: ${verdict.error}`;
}

// ---------------------------------------------------------------------------------------------
// Check lines

/** A CheckResult that may reproduce one of nexus-attest's own checks. */
export interface DecisionCheckResult extends CheckResult {
  /** nexus-attest's name for the check this line reproduces, shown next to Proofdesk's. */
  readonly compatName?: string;
}

export interface LineExtras {
  readonly compatName?: string;
  readonly expected?: PyJsonValue;
  readonly actual?: PyJsonValue;
}

function withExtras(line: DecisionCheckResult, extras: LineExtras): DecisionCheckResult {
  return {
    ...line,
    ...(extras.compatName === undefined ? {} : { compatName: extras.compatName }),
    ...(extras.expected === undefined ? {} : { expected: describeValue(extras.expected) }),
    ...(extras.actual === undefined ? {} : { actual: describeValue(extras.actual) }),
  };
}

export function passLine(
  check: CheckName,
  message: string,
  extras: LineExtras = {},
): DecisionCheckResult {
  return withExtras({ check, status: 'PASS', message }, extras);
}

export function findingLine(
  code: FindingCode,
  message: string,
  extras: LineExtras = {},
  status?: CheckStatus,
): DecisionCheckResult {
  const info = FINDING_CODE_INFO[code];
  return withExtras({ check: info.check, status: status ?? info.status, code, message }, extras);
}

/** The header a replay of the events gives (the other three fields are derivable without one). */
export interface ReplayedDecisionHeader {
  readonly goal: string | null;
  readonly mode: string;
  readonly status: string;
  readonly created_at: string;
}

/**
 * The header fields of a replayed decision (decision-replay's DecisionState fits): status is the
 * state uppercased, mode `requested_mode or "dry_run"`, created_at events[0].ts.
 */
export function replayedHeaderOf(decision: {
  readonly state: string;
  readonly goal: string | null;
  readonly requestedMode: string | null;
  readonly createdAt: string | null;
}): ReplayedDecisionHeader {
  return {
    goal: decision.goal,
    mode: decision.requestedMode || 'dry_run',
    status: decision.state.toUpperCase(),
    created_at: decision.createdAt ?? '',
  };
}

/** Converts a bundle's events for deriving sections; an error when they cannot be. */
function bundleEventsForDerivation(bundle: NexusBundle): DecisionEventLike[] | string {
  const events: DecisionEventLike[] = [];
  for (const [i, event] of bundle.events.entries()) {
    const seq = event.seq;
    if (!(seq instanceof PyNumber) || !seq.isInteger || !Number.isSafeInteger(Number(seq.lexeme))) {
      return `events[${i}].seq is ${describeValue(seq)}, not an integer`;
    }
    if (typeof event.type !== 'string') {
      return `events[${i}].type is ${describeValue(event.type)}, not a string`;
    }
    events.push({
      seq: Number(seq.lexeme),
      eventType: event.type,
      ts: typeof event.ts === 'string' ? event.ts : pyStr(event.ts),
      payload: event.payload,
    });
  }
  return events;
}

/**
 * Proofdesk's own sequence rules: integer seqs, listed in ascending order, 0, 1, 2, … without gaps.
 * `nexusError` (already reported) suppresses the start/gap finding it covers.
 */
function sequenceLines(
  bundle: NexusBundle,
  nexus: { error?: string; exception?: string } | undefined,
): DecisionCheckResult[] {
  const lines: DecisionCheckResult[] = [];
  if (nexus?.error !== undefined) {
    lines.push(
      findingLine('BUNDLE_SEQUENCE_INVALID', `REPLAY_INVALID: ${nexus.error}`, {
        compatName: 'import_bundle.sequence',
      }),
    );
  } else if (nexus?.exception !== undefined) {
    lines.push(
      findingLine(
        'BUNDLE_SEQUENCE_INVALID',
        `nexus-attest's import raises ${nexus.exception} while ordering the events`,
        { compatName: 'import_bundle.sequence' },
      ),
    );
  }
  const seqs: number[] = [];
  for (const [i, event] of bundle.events.entries()) {
    const seq = event.seq;
    if (!(seq instanceof PyNumber) || !seq.isInteger || !Number.isSafeInteger(Number(seq.lexeme))) {
      lines.push(
        findingLine(
          'BUNDLE_SEQUENCE_INVALID',
          `events[${i}].seq is ${describeValue(seq)}; nexus-attest writes integers`,
          { actual: seq },
        ),
      );
      continue;
    }
    seqs.push(Number(seq.lexeme));
  }
  if (seqs.length === bundle.events.length) {
    const outOfOrder = seqs.findIndex((seq, i) => i > 0 && seq < (seqs[i - 1] ?? seq));
    if (outOfOrder > 0) {
      lines.push(
        findingLine(
          'BUNDLE_SEQUENCE_INVALID',
          `events[${outOfOrder}] (seq ${seqs[outOfOrder]}) is listed after seq ${seqs[outOfOrder - 1]}; an export lists events by ascending seq`,
        ),
      );
    }
    if (nexus?.error === undefined && nexus?.exception === undefined) {
      const sorted = [...seqs].sort((a, b) => a - b);
      const broken = sorted.findIndex((seq, i) => seq !== i);
      if (broken >= 0) {
        lines.push(
          findingLine(
            'BUNDLE_SEQUENCE_INVALID',
            broken === 0
              ? `the first event has seq ${sorted[0]}, not 0: events before it are missing`
              : `seq ${broken} is missing or repeated (found ${sorted[broken]} after ${sorted[broken - 1]})`,
            { expected: pyInt(broken), actual: pyInt(sorted[broken] ?? 0) },
          ),
        );
      }
    }
  }
  if (lines.length === 0) {
    lines.push(
      passLine(
        'bundle.sequence',
        bundle.events.length === 0
          ? 'no events'
          : `seq runs 0 to ${bundle.events.length - 1} in order without a gap`,
        nexus === undefined ? {} : { compatName: 'import_bundle.sequence' },
      ),
    );
  }
  return lines;
}

function eventIdLines(bundle: NexusBundle): DecisionCheckResult[] {
  const lines: DecisionCheckResult[] = [];
  const decisionId = bundle.decision.decisionId;
  if (typeof decisionId !== 'string') {
    return [
      findingLine(
        'BUNDLE_EVENT_ID_MISMATCH',
        `decision.decision_id is ${describeValue(decisionId)}, not a string`,
      ),
    ];
  }
  for (const [i, event] of bundle.events.entries()) {
    if (event.decisionId !== decisionId) {
      lines.push(
        findingLine(
          'BUNDLE_EVENT_ID_MISMATCH',
          `events[${i}].decision_id is not the bundle's decision_id`,
          { expected: decisionId, actual: event.decisionId },
        ),
      );
    }
    const expectedId = `evt_${decisionId}_${pyStr(event.seq)}`;
    if (event.eventId !== expectedId) {
      lines.push(
        findingLine(
          'BUNDLE_EVENT_ID_MISMATCH',
          `events[${i}].event_id is not evt_<decision_id>_<seq>`,
          { expected: expectedId, actual: event.eventId },
        ),
      );
    }
  }
  if (lines.length === 0) {
    lines.push(
      passLine(
        'bundle.event_ids',
        `every event belongs to decision ${decisionId} and is named evt_<decision_id>_<seq>`,
      ),
    );
  }
  return lines;
}

function eventDigestLines(bundle: NexusBundle, crypto: CryptoProvider): DecisionCheckResult[] {
  const lines: DecisionCheckResult[] = [];
  for (const [i, event] of bundle.events.entries()) {
    const where = `events[${i}] (seq ${describeValue(event.seq)}, ${describeValue(event.type)})`;
    if (typeof event.type !== 'string') {
      lines.push(
        findingLine('BUNDLE_EVENT_DIGEST_MISMATCH', `${where}: type is not a string`, {
          actual: event.type,
        }),
      );
      continue;
    }
    let recomputed: string;
    try {
      recomputed = computeEventDigest(event.type, event.payload, crypto);
    } catch (error) {
      if (!(error instanceof PyJsonError)) throw error;
      lines.push(
        findingLine(
          'BUNDLE_EVENT_DIGEST_MISMATCH',
          `${where}: the payload cannot be canonicalised (${error.message})`,
        ),
      );
      continue;
    }
    if (event.digest !== recomputed) {
      lines.push(
        findingLine(
          'BUNDLE_EVENT_DIGEST_MISMATCH',
          `${where}: digest is not H({event_type, payload}) of the event as bundled`,
          { expected: recomputed, actual: event.digest },
        ),
      );
    }
  }
  if (lines.length === 0) {
    lines.push(
      passLine(
        'bundle.event_digests',
        `${bundle.events.length} event digest(s) recomputed from type and payload and matched`,
      ),
    );
  }
  return lines;
}

function routerLinkLines(
  bundle: NexusBundle,
  derived: DerivedDecisionSections | string,
  crypto: CryptoProvider,
): DecisionCheckResult[] {
  const lines: DecisionCheckResult[] = [];
  const stored = routerLinkToDict(bundle.routerLink);
  const link = bundle.routerLink;

  // The link digest against the link's own fields (what binding_link_match never does).
  if (link.runId !== null) {
    const raw = (v: PyJsonValue): PyJsonValue => (typeof v === 'string' ? stripDigestPrefix(v) : v);
    let recomputed: string | undefined;
    try {
      recomputed = computeRouterLinkDigest(
        bundle.decision.decisionId,
        link.runId,
        raw(link.routerRequestDigest),
        raw(link.routerResultDigest),
        crypto,
      );
    } catch (error) {
      if (!(error instanceof PyJsonError)) throw error;
    }
    const storedLink = link.controlRouterLinkDigest;
    if (recomputed === undefined) {
      lines.push(
        findingLine(
          'BUNDLE_LINK_DIGEST_MISMATCH',
          'control_router_link_digest cannot be recomputed: the link fields cannot be canonicalised',
        ),
      );
    } else if (typeof storedLink !== 'string' || stripDigestPrefix(storedLink) !== recomputed) {
      lines.push(
        findingLine(
          'BUNDLE_LINK_DIGEST_MISMATCH',
          storedLink === null
            ? 'router_link has a run_id but no control_router_link_digest'
            : 'control_router_link_digest is not H({decision_id, run_id, raw request digest, raw result digest})',
          { expected: DIGEST_PREFIX + recomputed, actual: storedLink },
        ),
      );
    }
  } else if (link.controlRouterLinkDigest !== null) {
    lines.push(
      findingLine(
        'BUNDLE_LINK_DIGEST_MISMATCH',
        'router_link has a control_router_link_digest but no run_id to link',
        { actual: link.controlRouterLinkDigest },
      ),
    );
  }

  if (typeof derived === 'string') {
    lines.push(
      findingLine(
        'BUNDLE_ROUTER_LINK_MISMATCH',
        `router_link cannot be recomputed from the events: ${derived}`,
      ),
    );
  } else if (stored.size > 0 && !canonicalEquals(stored, derived.routerLink)) {
    lines.push(
      findingLine(
        'BUNDLE_ROUTER_LINK_MISMATCH',
        derived.executionCount === 0
          ? 'router_link names an execution, but the events record none'
          : 'router_link is not the link of the latest execution the events record',
        { expected: derived.routerLink, actual: stored },
      ),
    );
  }

  if (lines.length === 0) {
    const executions = typeof derived === 'string' ? 0 : derived.executionCount;
    lines.push(
      passLine(
        'bundle.router_link',
        stored.size > 0
          ? `router_link recomputed from the latest of ${executions} execution(s), link digest included`
          : executions > 0
            ? `router_link is empty: exported with include_router_link=false (the events record ${executions} execution(s))`
            : 'no execution recorded and router_link is empty',
      ),
    );
  }
  return lines;
}

function templateSnapshotLines(
  bundle: NexusBundle,
  derived: DerivedDecisionSections | string,
): DecisionCheckResult[] {
  const stored = bundle.templateSnapshot;
  if (stored.get('present') !== true) {
    const recorded =
      typeof derived !== 'string' && derived.templateSnapshot.get('present') === true
        ? ` (the events record template ${describeValue(derived.templateSnapshot.get('name'))}: exported with include_template_snapshot=false)`
        : '';
    return [passLine('bundle.template_snapshot', `no template snapshot${recorded}`)];
  }
  if (typeof derived === 'string') {
    return [
      findingLine(
        'BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH',
        `template_snapshot cannot be recomputed from the events: ${derived}`,
      ),
    ];
  }
  if (!canonicalEquals(stored, derived.templateSnapshot)) {
    return [
      findingLine(
        'BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH',
        derived.templateSnapshot.get('present') === true
          ? 'template_snapshot is not what the POLICY_ATTACHED event records'
          : 'template_snapshot names a template, but no POLICY_ATTACHED event records one',
        { expected: derived.templateSnapshot, actual: stored },
      ),
    ];
  }
  return [
    passLine(
      'bundle.template_snapshot',
      `template_snapshot of ${describeValue(stored.get('name'))} recomputed from POLICY_ATTACHED`,
    ),
  ];
}

function headerLines(
  bundle: NexusBundle,
  derived: DerivedDecisionSections | string,
  replayed: ReplayedDecisionHeader | undefined,
): DecisionCheckResult[] {
  const lines: DecisionCheckResult[] = [];
  const header = bundle.decision;
  const fields: [string, PyJsonValue][] = [
    ['goal', header.goal],
    ['mode', header.mode],
    ['created_at', header.createdAt],
  ];
  if (typeof derived === 'string') {
    lines.push(
      findingLine(
        'BUNDLE_HEADER_MISMATCH',
        `the header cannot be recomputed from the events: ${derived}`,
      ),
    );
  } else {
    const fromEvents: Record<string, PyJsonValue> = {
      goal: derived.goal,
      mode: derived.mode,
      created_at: derived.createdAt,
    };
    for (const [name, value] of fields) {
      const expected = fromEvents[name] ?? null;
      if (!canonicalEquals(value, expected)) {
        lines.push(
          findingLine('BUNDLE_HEADER_MISMATCH', `decision.${name} is not what the events record`, {
            expected,
            actual: value,
          }),
        );
      }
    }
  }
  if (replayed !== undefined) {
    const fromReplay: Record<string, PyJsonValue> = {
      goal: replayed.goal,
      mode: replayed.mode,
      created_at: replayed.created_at,
    };
    for (const [name, value] of fields) {
      const expected = fromReplay[name] ?? null;
      if (!canonicalEquals(value, expected)) {
        lines.push(
          findingLine('BUNDLE_HEADER_MISMATCH', `decision.${name} is not the replayed ${name}`, {
            expected,
            actual: value,
          }),
        );
      }
    }
  }
  if (lines.length === 0) {
    lines.push(
      passLine(
        'bundle.header',
        `goal, mode and created_at match the events${replayed === undefined ? '' : ' and the replay'}`,
      ),
    );
  }

  if (replayed === undefined) {
    lines.push(
      findingLine(
        'BUNDLE_STATUS_NOT_REPLAYED',
        `decision.status ${describeValue(header.status)} was not compared with a replay of the events`,
      ),
    );
  } else if (header.status !== replayed.status) {
    lines.push(
      findingLine('BUNDLE_STATUS_MISMATCH', 'decision.status is not the replayed state', {
        expected: replayed.status,
        actual: header.status,
      }),
    );
  } else {
    lines.push(passLine('bundle.status', `decision.status ${replayed.status} equals the replay`));
  }
  return lines;
}

function bundleProvenanceLines(
  raw: PyJsonObject,
  bundle: NexusBundle,
  crypto: CryptoProvider,
): DecisionCheckResult[] {
  const digest = bundle.integrity.canonicalDigest;
  const decisionId = bundle.decision.decisionId;
  if (typeof digest !== 'string' || typeof decisionId !== 'string') {
    return [
      findingLine(
        'BUNDLE_PROVENANCE_INCONSISTENT',
        'provenance cannot be recomputed without a string decision_id and canonical_digest',
      ),
    ];
  }
  const expected = pyObject([
    ['records', [expectedBundleProvenanceRecord(decisionId, stripDigestPrefix(digest), crypto)]],
  ]);
  const actual = raw.get('provenance');
  if (actual === undefined || !canonicalEquals(actual, expected)) {
    return [
      findingLine(
        'BUNDLE_PROVENANCE_INCONSISTENT',
        'provenance is not the record export_decision writes (it is outside every digest, so this alone proves nothing)',
        { expected, actual: actual ?? null },
      ),
    ];
  }
  return [passLine('bundle.provenance', 'provenance is the record export_decision writes')];
}

/** Proofdesk's strict checks on a bundle nexus-attest could parse. */
export function strictBundleChecks(
  raw: PyJsonObject,
  bundle: NexusBundle,
  options: {
    readonly replayedHeader?: ReplayedDecisionHeader;
    /** Sequence verdict nexus-attest reached, when this is an import. */
    readonly nexusSequence?: { error?: string; exception?: string };
  },
  crypto: CryptoProvider,
): DecisionCheckResult[] {
  let derived: DerivedDecisionSections | string;
  const events = bundleEventsForDerivation(bundle);
  if (typeof events === 'string') {
    derived = events;
  } else {
    try {
      derived = deriveDecisionSections(pyStr(bundle.decision.decisionId), events, crypto);
    } catch (error) {
      if (!(error instanceof DecisionBundleError)) throw error;
      derived = error.message;
    }
  }
  return [
    ...sequenceLines(bundle, options.nexusSequence),
    ...eventIdLines(bundle),
    ...eventDigestLines(bundle, crypto),
    ...routerLinkLines(bundle, derived, crypto),
    ...templateSnapshotLines(bundle, derived),
    ...headerLines(bundle, derived, options.replayedHeader),
    ...bundleProvenanceLines(raw, bundle, crypto),
  ];
}

export interface VerifyDecisionBundleOptions extends NexusImportOptions {
  /** The header a replay of the bundle's events gives; without it decision.status is SKIPped. */
  readonly replayedHeader?: ReplayedDecisionHeader;
  readonly crypto?: CryptoProvider;
}

export interface DecisionBundleVerification {
  /** What nexus-attest's import_bundle returns for this bundle (before insert and replay). */
  readonly nexusImport: NexusImportVerdict;
  /**
   * nexus-attest's import-time checks (compatName `import_bundle.*`, nexus wording), then
   * Proofdesk's. The digest is always verified: verify_digest=false changes nexusImport only.
   */
  readonly checks: readonly DecisionCheckResult[];
  readonly verdict: Verdict;
}

/** Verifies a decision bundle (a parsed `*.bundle.json`). Never throws for malformed input. */
export function verifyDecisionBundle(
  bundleValue: PyJsonValue,
  options: VerifyDecisionBundleOptions = {},
): DecisionBundleVerification {
  const crypto = options.crypto ?? portableCryptoProvider;
  const emulation = emulateImport(bundleValue, options, crypto);
  const checks: DecisionCheckResult[] = [];
  const schemaCompat = { compatName: 'import_bundle.schema' };

  if (emulation.schemaErrors.length > 0) {
    checks.push(
      findingLine(
        'BUNDLE_INVALID_SCHEMA',
        isPyObject(bundleValue)
          ? `BUNDLE_INVALID_SCHEMA: Invalid bundle schema: ${emulation.schemaErrors.join('; ')}`
          : `Invalid bundle: ${emulation.schemaErrors.join('; ')}`,
        schemaCompat,
      ),
    );
  } else if (emulation.parseError !== undefined || emulation.bundle === undefined) {
    const message = emulation.verdict.ok ? '' : emulation.verdict.error;
    checks.push(
      findingLine('BUNDLE_INVALID_SCHEMA', `BUNDLE_INVALID_SCHEMA: ${message}`, schemaCompat),
    );
  }
  const bundle = emulation.bundle;
  if (bundle === undefined || !isPyObject(bundleValue)) {
    return { nexusImport: emulation.verdict, checks, verdict: computeVerdict(checks) };
  }

  checks.push(
    passLine('bundle.schema', 'the bundle has every field nexus-attest requires', schemaCompat),
    ...uncoveredFieldLines(bundleValue),
  );

  // The digest, always (verify_digest=false only changes what nexus-attest would do).
  const digestCompat = { compatName: 'import_bundle.verify_digest' };
  const stored = bundle.integrity.canonicalDigest;
  if (emulation.computedDigest === undefined) {
    checks.push(
      findingLine(
        'BUNDLE_DIGEST_MISMATCH',
        `the bundle digest cannot be computed: nexus-attest raises ${emulation.digestError ?? 'an error'}`,
        digestCompat,
      ),
    );
  } else if (typeof stored !== 'string') {
    checks.push(
      findingLine(
        'BUNDLE_DIGEST_MISMATCH',
        `integrity.canonical_digest is a ${pyTypeName(stored)}, not a digest string`,
        { ...digestCompat, actual: stored },
      ),
    );
  } else {
    const expected = stripDigestPrefix(stored);
    const computed = emulation.computedDigest;
    if (computed !== expected) {
      checks.push(
        findingLine(
          'BUNDLE_DIGEST_MISMATCH',
          `INTEGRITY_MISMATCH: Digest mismatch: expected ${pySlice(expected, 16)}..., got ${pySlice(computed, 16)}...`,
          { ...digestCompat, expected: stored, actual: DIGEST_PREFIX + computed },
        ),
      );
    } else {
      checks.push(
        passLine(
          'bundle.digest',
          `bundle digest recomputed: ${DIGEST_PREFIX}${computed}${stored.startsWith(DIGEST_PREFIX) ? '' : ' (stored without the sha256: prefix, which nexus-attest accepts)'}`,
          digestCompat,
        ),
      );
    }
  }

  checks.push(
    ...strictBundleChecks(
      bundleValue,
      bundle,
      {
        ...(options.replayedHeader === undefined ? {} : { replayedHeader: options.replayedHeader }),
        nexusSequence: nexusSequenceOutcome(emulation),
      },
      crypto,
    ),
  );
  return { nexusImport: emulation.verdict, checks, verdict: computeVerdict(checks) };
}

function nexusSequenceOutcome(emulation: ImportEmulation): { error?: string; exception?: string } {
  if (emulation.sequenceError !== undefined) return { error: emulation.sequenceError };
  if (emulation.sequenceException !== undefined) return { exception: emulation.sequenceException };
  return {};
}

const BUNDLE_TOP_KEYS = new Set([
  'bundle_version',
  'decision',
  'events',
  'template_snapshot',
  'router_link',
  'integrity',
  'provenance',
  'meta',
]);
const DECISION_KEYS = new Set(['decision_id', 'goal', 'mode', 'created_at', 'status']);
const EVENT_KEYS = new Set([
  'event_id',
  'decision_id',
  'seq',
  'type',
  'payload',
  'ts',
  'actor',
  'digest',
]);
const TEMPLATE_KEYS = new Set(['present', 'name', 'digest', 'snapshot', 'overrides']);
const ROUTER_LINK_KEYS = new Set([
  'run_id',
  'adapter_id',
  'router_request_digest',
  'router_result_digest',
  'control_router_link_digest',
]);

/** Content nexus-attest's from_dict drops, so no digest covers it. */
export function uncoveredFields(bundle: PyJsonObject): string[] {
  const found: string[] = [];
  const extra = (where: string, value: PyJsonValue | undefined, allowed: ReadonlySet<string>) => {
    if (!isPyObject(value)) return;
    for (const key of value.keys()) {
      if (!allowed.has(key)) found.push(where === '' ? key : `${where}.${key}`);
    }
  };
  extra('', bundle, BUNDLE_TOP_KEYS);
  extra('decision', bundle.get('decision'), DECISION_KEYS);
  const events = bundle.get('events');
  if (Array.isArray(events)) events.forEach((e, i) => extra(`events[${i}]`, e, EVENT_KEYS));
  const template = bundle.get('template_snapshot');
  extra(
    'template_snapshot',
    template,
    isPyObject(template) && pythonTruthy(template.get('present'))
      ? TEMPLATE_KEYS
      : new Set(['present']),
  );
  extra('router_link', bundle.get('router_link'), ROUTER_LINK_KEYS);
  return found;
}

function uncoveredFieldLines(bundle: PyJsonObject): DecisionCheckResult[] {
  const fields = uncoveredFields(bundle);
  if (fields.length === 0) return [];
  return [
    findingLine(
      'BUNDLE_UNCOVERED_FIELD',
      `fields outside every digest (nexus-attest ignores them, so they prove nothing): ${fields.join(', ')}`,
    ),
  ];
}
