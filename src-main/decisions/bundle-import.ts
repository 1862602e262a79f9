/**
 * Importing a nexus-attest decision bundle into a decision store (../shared/specs/nexus-attest.md
 * §12, §13): nexus-attest's `import_bundle` order, conflict modes and result shape, but stricter.
 *
 * nexus-attest checks the schema, the conflict mode, the bundle digest and the seq run, writes,
 * and only then replays (deleting the decision again if the replay raises). It never recomputes an
 * event digest from its payload, never compares the header with the events, and lets events
 * through whose event_id or decision_id name another decision, so a forger who recomputes the
 * bundle digest can import edited payloads and a false status.
 *
 * Proofdesk verifies everything before it opens the store for writing, and refuses the bundle
 * (a typed refusal carrying the precise code; nothing written, the file untouched) when:
 *  - the schema nexus-attest requires is missing, or the bundle is not v0.5, has no events, or an
 *    event's ts, actor or payload is not in the form export writes (BUNDLE_INVALID_SCHEMA);
 *  - integrity.canonical_digest is not the digest of the content (BUNDLE_DIGEST_MISMATCH;
 *    always checked: there is no verify_digest=false);
 *  - seq is not 0, 1, …, n-1, integers, listed in that order (BUNDLE_SEQUENCE_INVALID);
 *  - an event's event_id or decision_id does not belong to the decision (BUNDLE_EVENT_ID_MISMATCH);
 *  - an event digest does not recompute from its type and payload (BUNDLE_EVENT_DIGEST_MISMATCH);
 *  - the events cannot be replayed (DECISION_UNREPLAYABLE);
 *  - goal, mode or created_at differ from the events and their replay (BUNDLE_HEADER_MISMATCH);
 *  - status differs from the replayed state at the instant the export computed it
 *    (BUNDLE_STATUS_MISMATCH), or that instant is not credible (BUNDLE_STATUS_NOT_REPLAYED);
 *  - router_link or template_snapshot are not what the events record;
 *  - the file was edited after export where no digest reaches: a forged provenance record
 *    (BUNDLE_PROVENANCE_INCONSISTENT) or fields export never writes (BUNDLE_UNCOVERED_FIELD).
 *    Verification only warns about these; an import refuses them.
 * Then the conflict mode is applied exactly as nexus-attest does (DECISION_EXISTS for
 * reject_on_conflict), and the decision is written in one transaction: decisions.created_at from
 * decision.created_at, each payload re-serialised with plain json.dumps, each digest as given
 * (which, verified, is the one the writer recomputes).
 *
 * Which instant decision.status is compared at: export computed it at meta.exported_at (§12), and
 * replay depends on the clock (approvals expire), so status is replayed as of meta.exported_at when
 * the bundle has one, otherwise as of `asOf`. meta is outside the digest, so exported_at must at
 * least be credible: an aware isoformat time no earlier than the last event (an export cannot
 * precede its events); otherwise the bundle is refused. An edited exported_at can only move the
 * comparison to another instant after the last event, and status is never stored: what is written
 * is the events, and the replay reported after import is always as of `asOf`.
 *
 * The store is opened read-only (a snapshot, for WAL files) to look for a conflict, and for writing
 * only once everything has passed; a missing store is created only then.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { PyNumber, type PyJsonValue } from '../../src-shared/canonical-json/python-json';
import { ProofdeskError, type ErrorCode, type FindingCode } from '../../src-shared/check-code';
import type { CryptoProvider } from '../../src-shared/crypto/crypto-provider';
import { portableCryptoProvider } from '../../src-shared/crypto/ed25519-portable';
import {
  BUNDLE_VERSION,
  describeValue,
  findingLine,
  isPyObject,
  parseNexusBundle,
  passLine,
  PythonException,
  replayedHeaderOf,
  validateBundleSchema,
  verifyDecisionBundle,
  type DecisionCheckResult,
  type NexusBundle,
  type NexusImportVerdict,
  type ReplayedDecisionHeader,
} from '../../src-shared/decisions/decision-bundle';
import type { StoredDecisionEvent } from '../../src-shared/decisions/decision-event';
import { formatPythonIsoformatUtc } from '../../src-shared/decisions/isoformat-clock';
import {
  computeLifecycle,
  type BlockingReason,
  type LifecycleFlavor,
} from '../../src-shared/decisions/decision-lifecycle';
import {
  replayDecision,
  type DecisionStateName,
  type ReplayResult,
} from '../../src-shared/decisions/decision-replay';
import {
  epochMicrosFromDate,
  tryParsePythonIsoformat,
} from '../../src-shared/decisions/python-datetime';
import { computeVerdict, type Verdict } from '../../src-shared/verification-report';
import { DecisionStoreReader, DecisionStoreWriter, type NewDecisionEvent } from './decision-store';

export const IMPORT_CONFLICT_MODES = [
  'reject_on_conflict',
  'new_decision_id',
  'overwrite',
] as const;
export type ImportConflictMode = (typeof IMPORT_CONFLICT_MODES)[number];

export function isImportConflictMode(value: string): value is ImportConflictMode {
  return (IMPORT_CONFLICT_MODES as readonly string[]).includes(value);
}

export interface BundleImportOptions {
  /** nexus-attest's conflict_mode; default reject_on_conflict. Checked at run time too. */
  readonly conflictMode?: ImportConflictMode;
  /**
   * The instant the import happens at: approval expiry in the replay reported after import is
   * judged here, and so is decision.status when the bundle has no meta.exported_at.
   */
  readonly asOf: bigint | Date;
  /** Create the store (nexus-attest's schema, WAL) when the file does not exist. */
  readonly createStore?: boolean;
  /** The id for new_decision_id when the bundle's id is taken; default crypto.randomUUID (uuid4). */
  readonly newDecisionId?: () => string;
  /**
   * nexus-attest's replay_after_import (default true): whether `replay` is reported. Proofdesk's
   * own replay before writing always runs.
   */
  readonly replayAfterImport?: boolean;
  readonly crypto?: CryptoProvider;
}

/** ImportResult.replay: compute_lifecycle after import, in nexus-attest's flavour. */
export interface ImportReplay {
  readonly ok: true;
  readonly blocking_reasons: readonly BlockingReason[];
  readonly timeline_truncated: boolean;
}

export interface ImportedDecision {
  readonly decision_id: string;
  readonly events_imported: number;
  /** Only when new_decision_id remapped the decision. */
  readonly original_decision_id?: string;
  readonly new_decision_id?: string;
}

/** What nexus-attest's import_bundle would return for this bundle and store (verify_digest on). */
export type NexusImportOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** null where nexus-attest raises instead of returning a result. */
      readonly error_code: string | null;
      readonly error: string;
    };

/** The instant decision.status was replayed at, and where it came from. */
export interface StatusInstant {
  readonly instant: string;
  readonly source: 'meta.exported_at' | 'as_of';
}

interface ImportReport {
  /** nexus-attest's import-time checks, then Proofdesk's (see the module comment). */
  readonly checks: readonly DecisionCheckResult[];
  /** fail exactly when the bundle was refused by verification. */
  readonly verdict: Verdict;
  /** `asOf` as a Python isoformat UTC string. */
  readonly as_of: string;
  readonly status_as_of?: StatusInstant;
  readonly nexus_attest: NexusImportOutcome;
}

/** nexus-attest's ImportResult on success, plus Proofdesk's report. */
export interface BundleImportSuccess extends ImportReport {
  readonly ok: true;
  readonly imported: ImportedDecision;
  /** Always true: Proofdesk has no verify_digest=false. */
  readonly digest_verified: true;
  readonly conflict_mode: ImportConflictMode;
  readonly replay_ran: boolean;
  readonly replay?: ImportReplay;
  /** Proofdesk's lifecycle as of `asOf` (a crashed execution is blocked by EXECUTION_STALLED). */
  readonly lifecycle: {
    readonly state: DecisionStateName;
    readonly blocking_reasons: readonly BlockingReason[];
    readonly ready_to_execute: boolean;
  };
  readonly store: {
    readonly path: string;
    /** The store file did not exist and was created. */
    readonly created: boolean;
    /** overwrite deleted an existing decision with this id. */
    readonly replaced: boolean;
  };
}

/** A finding code for a bundle that fails verification; DECISION_EXISTS; USAGE (conflict mode). */
export type BundleImportRefusalCode = FindingCode | 'DECISION_EXISTS' | 'USAGE';

/** Nothing was written, and the store file is as it was. */
export interface BundleImportRefusal extends ImportReport {
  readonly ok: false;
  readonly error_code: BundleImportRefusalCode;
  /** One sentence (without the code or a final period). */
  readonly error: string;
  /** The bundle's decision id, when it has a string one. */
  readonly decision_id?: string;
}

export type BundleImportResult = BundleImportSuccess | BundleImportRefusal;

/** A refusal as an error envelope code: IMPORT_REFUSED for a bundle that fails verification. */
export function refusalErrorCode(refusal: BundleImportRefusal): ErrorCode {
  return refusal.error_code === 'DECISION_EXISTS' || refusal.error_code === 'USAGE'
    ? refusal.error_code
    : 'IMPORT_REFUSED';
}

/** A refusal as a ProofdeskError, for callers that report failures as exceptions (IPC). */
export function refusalAsError(refusal: BundleImportRefusal): ProofdeskError {
  const code = refusalErrorCode(refusal);
  const prefix = code === 'IMPORT_REFUSED' ? `${refusal.error_code}: ` : '';
  return new ProofdeskError(code, `The bundle was not imported: ${prefix}${refusal.error}.`);
}

// ---------------------------------------------------------------------------------------------
// Verification before anything is written

/** Which failing finding names the refusal, most fundamental first. */
const REFUSAL_PRIORITY: readonly FindingCode[] = [
  'BUNDLE_INVALID_SCHEMA',
  'BUNDLE_DIGEST_MISMATCH',
  'BUNDLE_SEQUENCE_INVALID',
  'BUNDLE_EVENT_ID_MISMATCH',
  'BUNDLE_EVENT_DIGEST_MISMATCH',
  'DECISION_UNREPLAYABLE',
  'BUNDLE_HEADER_MISMATCH',
  'BUNDLE_STATUS_NOT_REPLAYED',
  'BUNDLE_STATUS_MISMATCH',
  'BUNDLE_ROUTER_LINK_MISMATCH',
  'BUNDLE_LINK_DIGEST_MISMATCH',
  'BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH',
  'BUNDLE_UNCOVERED_FIELD',
  'BUNDLE_PROVENANCE_INCONSISTENT',
];

interface Prepared {
  readonly checks: DecisionCheckResult[];
  readonly nexusVerdict: NexusImportVerdict;
  readonly decisionId?: string;
  readonly createdAt?: string;
  /** The events as they would be stored (under the bundle's decision id). */
  readonly events?: StoredDecisionEvent[];
  /** The replay as of asOf, when the events could be replayed. */
  readonly replay?: ReplayResult;
  readonly statusAsOf?: StatusInstant;
}

function isString(value: PyJsonValue | undefined): value is string {
  return typeof value === 'string';
}

/** The bundle's events as decision_events rows would hold them, or the shape findings. */
function eventsOfBundle(
  bundle: NexusBundle,
  decisionId: string,
): { events?: StoredDecisionEvent[]; lines: DecisionCheckResult[] } {
  const lines: DecisionCheckResult[] = [];
  const events: StoredDecisionEvent[] = [];
  let convertible = true;
  for (const [i, event] of bundle.events.entries()) {
    const problems: string[] = [];
    if (!isString(event.ts)) problems.push(`ts is ${describeValue(event.ts)}, not a string`);
    const actor = event.actor;
    const actorType = isPyObject(actor) ? actor.get('type') : undefined;
    const actorId = isPyObject(actor) ? actor.get('id') : undefined;
    if (!isPyObject(actor) || actor.size !== 2 || !isString(actorType) || !isString(actorId)) {
      problems.push(`actor is ${describeValue(actor)}, not {"type": string, "id": string}`);
    }
    if (!isPyObject(event.payload)) {
      problems.push(`payload is ${describeValue(event.payload)}, not an object`);
    }
    if (!isString(event.digest)) {
      problems.push(`digest is ${describeValue(event.digest)}, not a string`);
    }
    if (problems.length > 0) {
      lines.push(
        findingLine(
          'BUNDLE_INVALID_SCHEMA',
          `events[${i}]: ${problems.join('; ')}, as export writes it`,
        ),
      );
    }
    const seqNumber =
      event.seq instanceof PyNumber && event.seq.isInteger ? Number(event.seq.lexeme) : NaN;
    if (
      problems.length > 0 ||
      !Number.isSafeInteger(seqNumber) ||
      !isString(event.type) ||
      !isString(actorType) ||
      !isString(actorId) ||
      !isString(event.ts) ||
      !isString(event.digest)
    ) {
      convertible = false;
      continue;
    }
    events.push({
      decisionId,
      seq: seqNumber,
      eventType: event.type,
      ts: event.ts,
      actor: { type: actorType, id: actorId },
      payload: event.payload,
      digest: event.digest,
    });
  }
  return convertible ? { events, lines } : { lines };
}

/**
 * When decision.status is to be replayed: meta.exported_at if the bundle has a credible one, as of
 * `asOfMicros` if it has none; a FAIL line when it has one that cannot be the export time.
 */
function statusInstant(
  bundle: NexusBundle,
  events: readonly StoredDecisionEvent[],
  asOfMicros: bigint,
): { micros: bigint; instant: StatusInstant } | { line: DecisionCheckResult } {
  const meta = bundle.meta;
  const exportedAt = isPyObject(meta) ? meta.get('exported_at') : undefined;
  if (exportedAt === undefined) {
    return {
      micros: asOfMicros,
      instant: { instant: formatPythonIsoformatUtc(asOfMicros), source: 'as_of' },
    };
  }
  const refuse = (why: string): { line: DecisionCheckResult } => ({
    line: findingLine(
      'BUNDLE_STATUS_NOT_REPLAYED',
      `meta.exported_at ${describeValue(exportedAt)} ${why}, so it is not when export computed decision.status (meta is outside the digest: it was edited)`,
      {},
      'FAIL',
    ),
  });
  if (!isString(exportedAt)) return refuse('is not a string');
  const parsed = tryParsePythonIsoformat(exportedAt);
  if (!parsed.ok) return refuse(`is not a Python isoformat time (${parsed.message})`);
  if (!parsed.value.hasOffset) return refuse('has no UTC offset');
  const last = events[events.length - 1];
  const lastTs = last === undefined ? undefined : tryParsePythonIsoformat(last.ts);
  if (
    last !== undefined &&
    lastTs?.ok === true &&
    lastTs.value.hasOffset &&
    parsed.value.epochMicros < lastTs.value.epochMicros
  ) {
    return refuse(`is before the last event (seq ${last.seq} at ${last.ts})`);
  }
  return {
    micros: parsed.value.epochMicros,
    instant: { instant: exportedAt, source: 'meta.exported_at' },
  };
}

function replayLine(
  replay: ReplayResult,
  instant: string,
  decisionId: string,
): DecisionCheckResult {
  if (replay.ok) {
    return passLine(
      'decision.replay',
      `the ${replay.decision.eventCount} events replay as of ${instant}: state ${replay.decision.state}`,
    );
  }
  return {
    ...findingLine(
      'DECISION_UNREPLAYABLE',
      `the events cannot be replayed: ${replay.message}${replay.pythonError === undefined ? '' : ` (nexus-attest raises ${replay.pythonError})`}`,
    ),
    decisionId,
    ...(replay.seq === undefined ? {} : { seq: replay.seq }),
  };
}

/** Notes on the status line which instant it was replayed at. */
function annotateStatusLine(
  line: DecisionCheckResult,
  statusAsOf: StatusInstant | undefined,
): DecisionCheckResult {
  if (line.check !== 'bundle.status' || statusAsOf === undefined) return line;
  if (line.code === 'BUNDLE_STATUS_NOT_REPLAYED') return line;
  const source =
    statusAsOf.source === 'meta.exported_at'
      ? 'meta.exported_at, when export computed it'
      : 'the import time: the bundle has no meta.exported_at';
  return { ...line, message: `${line.message} as of ${statusAsOf.instant} (${source})` };
}

/**
 * Warnings in verification that an import refuses: a forged provenance record or fields export
 * never writes prove the file was edited after export, even where no digest reaches.
 */
function refuseWarning(line: DecisionCheckResult): DecisionCheckResult {
  if (line.status !== 'WARN') return line;
  if (line.code === 'BUNDLE_PROVENANCE_INCONSISTENT') {
    return {
      ...line,
      status: 'FAIL',
      message:
        'provenance is not the record export_decision writes, so the file was edited after export (no digest covers provenance, but an import takes nothing edited)',
    };
  }
  if (line.code === 'BUNDLE_UNCOVERED_FIELD') {
    return {
      ...line,
      status: 'FAIL',
      message: `${line.message}; export never writes them, so the file was edited after export`,
    };
  }
  return line;
}

function prepare(
  bundleValue: PyJsonValue,
  conflictMode: string,
  asOfMicros: bigint,
  crypto: CryptoProvider,
): Prepared {
  let bundle: NexusBundle | undefined;
  if (isPyObject(bundleValue) && validateBundleSchema(bundleValue).length === 0) {
    try {
      bundle = parseNexusBundle(bundleValue);
    } catch (error) {
      if (!(error instanceof PythonException)) throw error;
    }
  }
  const extra: DecisionCheckResult[] = [];
  let decisionId: string | undefined;
  let createdAt: string | undefined;
  let events: StoredDecisionEvent[] | undefined;
  let replay: ReplayResult | undefined;
  let statusAsOf: StatusInstant | undefined;
  let replayedHeader: ReplayedDecisionHeader | undefined;

  if (bundle !== undefined) {
    if (bundle.bundleVersion !== BUNDLE_VERSION) {
      extra.push(
        findingLine(
          'BUNDLE_INVALID_SCHEMA',
          `bundle_version is ${describeValue(bundle.bundleVersion)}; Proofdesk imports version ${BUNDLE_VERSION} only`,
        ),
      );
    }
    if (isString(bundle.decision.createdAt)) createdAt = bundle.decision.createdAt;
    else {
      extra.push(
        findingLine(
          'BUNDLE_INVALID_SCHEMA',
          `decision.created_at is ${describeValue(bundle.decision.createdAt)}, not a string`,
        ),
      );
    }
    if (bundle.events.length === 0) {
      extra.push(
        findingLine(
          'BUNDLE_SEQUENCE_INVALID',
          'the bundle has no events; every exported decision starts with DECISION_CREATED at seq 0',
        ),
      );
    }
    if (isString(bundle.decision.decisionId)) {
      decisionId = bundle.decision.decisionId;
      const converted = eventsOfBundle(bundle, decisionId);
      extra.push(...converted.lines);
      events = converted.events;
    }
    if (decisionId !== undefined && events !== undefined && events.length > 0) {
      replay = replayDecision(decisionId, events, asOfMicros);
      const when = statusInstant(bundle, events, asOfMicros);
      if ('line' in when) {
        extra.push(when.line);
      } else {
        statusAsOf = when.instant;
        const atStatus =
          when.micros === asOfMicros ? replay : replayDecision(decisionId, events, when.micros);
        if (atStatus.ok) replayedHeader = replayedHeaderOf(atStatus.decision);
        else if (replay.ok) replay = atStatus;
      }
      extra.push(replayLine(replay, formatPythonIsoformatUtc(asOfMicros), decisionId));
    }
  }

  const verification = verifyDecisionBundle(bundleValue, {
    conflictMode,
    crypto,
    ...(replayedHeader === undefined ? {} : { replayedHeader }),
  });
  const instantRefused = extra.some((line) => line.code === 'BUNDLE_STATUS_NOT_REPLAYED');
  const checks = [...verification.checks, ...extra]
    // When exported_at is refused, the FAIL line says why status was not replayed.
    .filter((line) => !(instantRefused && line.status === 'SKIP' && line.check === 'bundle.status'))
    .map((line) => annotateStatusLine(line, statusAsOf))
    .map(refuseWarning);
  return {
    checks,
    nexusVerdict: verification.nexusImport,
    ...(decisionId === undefined ? {} : { decisionId }),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(events === undefined ? {} : { events }),
    ...(replay === undefined ? {} : { replay }),
    ...(statusAsOf === undefined ? {} : { statusAsOf }),
  };
}

function firstBlockingLine(
  checks: readonly DecisionCheckResult[],
): DecisionCheckResult | undefined {
  const failing = checks.filter((line) => line.status === 'FAIL');
  for (const code of REFUSAL_PRIORITY) {
    const line = failing.find((candidate) => candidate.code === code);
    if (line !== undefined) return line;
  }
  return failing[0];
}

/** Longer values stay in the check list; the sentence names them only when they are short. */
const SENTENCE_VALUE_LIMIT = 100;

function sentenceOf(line: DecisionCheckResult, others: number): string {
  const expected = line.expected ?? 'nothing';
  const actual = line.actual ?? 'nothing';
  const detail =
    (line.expected !== undefined || line.actual !== undefined) &&
    expected.length <= SENTENCE_VALUE_LIMIT &&
    actual.length <= SENTENCE_VALUE_LIMIT
      ? ` (expected ${expected}, found ${actual})`
      : '';
  const more = others > 0 ? `; ${others} other check${others === 1 ? '' : 's'} failed too` : '';
  return `${line.message}${detail}${more}`;
}

/** import_bundle's outcome, given what the emulation, the store and the replay found. */
function nexusOutcome(
  prepared: Prepared,
  conflictMode: string,
  existing: boolean,
): NexusImportOutcome {
  const verdict = prepared.nexusVerdict;
  if (!verdict.ok) return { ok: false, error_code: verdict.errorCode, error: verdict.error };
  if (existing && conflictMode === 'reject_on_conflict') {
    return {
      ok: false,
      error_code: 'DECISION_EXISTS',
      error: `Decision already exists: ${prepared.decisionId ?? ''}`,
    };
  }
  const replay = prepared.replay;
  if (replay !== undefined && !replay.ok && replay.pythonError !== undefined) {
    // import_bundle inserts, replays, and deletes the decision again: REPLAY_INVALID: str(e).
    const error = replay.pythonError.replace(/^[A-Za-z]+Error: /, '');
    return { ok: false, error_code: 'REPLAY_INVALID', error };
  }
  return { ok: true };
}

function asOfMicrosOf(asOf: bigint | Date): bigint {
  const micros = typeof asOf === 'bigint' ? asOf : epochMicrosFromDate(asOf);
  if (micros < 0n) throw new ProofdeskError('USAGE', 'The import time must not be before 1970.');
  return micros;
}

function decisionExists(reader: DecisionStoreReader, decisionId: string): boolean {
  try {
    reader.loadDecision(decisionId);
    return true;
  } catch (error) {
    if (error instanceof ProofdeskError && error.code === 'DECISION_NOT_FOUND') return false;
    throw error;
  }
}

function lifecycleSummary(
  replay: ReplayResult,
  flavor: LifecycleFlavor,
): { state: DecisionStateName; blocking: BlockingReason[]; ready: boolean; truncated: boolean } {
  if (!replay.ok) throw new ProofdeskError('INTERNAL', 'An imported decision did not replay.');
  const lifecycle = computeLifecycle(replay.decision, { flavor });
  return {
    state: lifecycle.state,
    blocking: [...lifecycle.blockingReasons],
    ready: lifecycle.progress.readyToExecute,
    truncated: lifecycle.timelineTruncated,
  };
}

// ---------------------------------------------------------------------------------------------
// The import

/**
 * Imports a parsed `*.bundle.json` (a lossless PyJsonValue) into the decision store at
 * `storePath`. Returns a refusal (nothing written) for a bundle that fails verification, an
 * invalid conflict mode, or DECISION_EXISTS; throws ProofdeskError when the store cannot be used
 * (missing without createStore, not a decision store, locked, damaged).
 */
export function importDecisionBundle(
  storePath: string,
  bundleValue: PyJsonValue,
  options: BundleImportOptions,
): BundleImportResult {
  const crypto = options.crypto ?? portableCryptoProvider;
  const conflictMode: string = options.conflictMode ?? 'reject_on_conflict';
  const asOfMicros = asOfMicrosOf(options.asOf);
  const asOf = formatPythonIsoformatUtc(asOfMicros);
  const path = resolve(storePath);
  const storeExisted = existsSync(path);
  if (!storeExisted && options.createStore !== true) {
    throw new ProofdeskError(
      'FILE_NOT_FOUND',
      `There is no decision store at ${path}; ask for it to be created (--create) to import into a new one.`,
    );
  }

  // Read-only first: a bad store is reported before any work, and nothing is written beside it.
  const reader = storeExisted ? DecisionStoreReader.open(path) : undefined;
  let prepared: Prepared;
  let existing = false;
  try {
    prepared = prepare(bundleValue, conflictMode, asOfMicros, crypto);
    if (reader !== undefined && prepared.decisionId !== undefined) {
      existing = decisionExists(reader, prepared.decisionId);
    }
  } finally {
    reader?.close();
  }

  const report = {
    checks: prepared.checks,
    verdict: computeVerdict(prepared.checks),
    as_of: asOf,
    ...(prepared.statusAsOf === undefined ? {} : { status_as_of: prepared.statusAsOf }),
    nexus_attest: nexusOutcome(prepared, conflictMode, existing),
  };
  const idPart = prepared.decisionId === undefined ? {} : { decision_id: prepared.decisionId };
  const refuse = (error_code: BundleImportRefusalCode, error: string): BundleImportRefusal => ({
    ok: false,
    error_code,
    error,
    ...idPart,
    ...report,
  });

  // nexus-attest's order: schema, then conflict mode, then the rest.
  const blocking = firstBlockingLine(prepared.checks);
  const failures = prepared.checks.filter((line) => line.status === 'FAIL').length;
  const verdict = prepared.nexusVerdict;
  if (blocking !== undefined && !verdict.ok && verdict.errorCode === 'BUNDLE_INVALID_SCHEMA') {
    return refuse(blocking.code ?? 'BUNDLE_INVALID_SCHEMA', sentenceOf(blocking, failures - 1));
  }
  if (!isImportConflictMode(conflictMode)) {
    return refuse(
      'USAGE',
      `Invalid conflict_mode: ${conflictMode} (use ${IMPORT_CONFLICT_MODES.join(', ')})`,
    );
  }
  if (blocking !== undefined) {
    return refuse(blocking.code ?? 'BUNDLE_INVALID_SCHEMA', sentenceOf(blocking, failures - 1));
  }
  const { decisionId, createdAt, events, replay } = prepared;
  if (decisionId === undefined || createdAt === undefined || events === undefined || !replay?.ok) {
    // Every way to get here is a FAIL line above; this guards the types.
    throw new ProofdeskError('INTERNAL', 'A bundle passed verification without replayable events.');
  }
  if (existing && conflictMode === 'reject_on_conflict') {
    return refuse(
      'DECISION_EXISTS',
      `Decision already exists: ${decisionId} (conflict mode reject_on_conflict; new_decision_id or overwrite would import it)`,
    );
  }

  const remap = existing && conflictMode === 'new_decision_id';
  const targetId = remap ? (options.newDecisionId ?? randomUUID)() : decisionId;
  const toWrite: NewDecisionEvent[] = events.map((event) => ({
    eventType: event.eventType,
    actor: event.actor,
    payload: event.payload,
    ts: event.ts,
  }));
  const writer = DecisionStoreWriter.open(path, { create: options.createStore === true });
  let written: StoredDecisionEvent[];
  try {
    if (conflictMode === 'overwrite') {
      written = writer.replaceDecision(targetId, createdAt, toWrite);
    } else {
      written = writer.append(
        targetId,
        (_stored, nextSeq) => {
          if (nextSeq !== 0) {
            throw new ProofdeskError('INTERNAL', `Decision ${targetId} already has events.`);
          }
          return toWrite;
        },
        { createdAt },
      );
    }
  } catch (error) {
    // Another writer created the decision between the read-only look and this transaction.
    if (error instanceof ProofdeskError && error.code === 'USAGE') {
      return refuse('DECISION_EXISTS', `Decision already exists: ${targetId}`);
    }
    throw error;
  } finally {
    writer.close();
  }
  // The writer recomputes each digest with the formula the event digest check used, over the
  // same payload, so the stored digests are the bundle's (the tests re-export to prove it).

  const afterImport = remap ? replayDecision(targetId, written, asOfMicros) : replay;
  const nexusView = lifecycleSummary(afterImport, 'nexus-attest');
  const proofdeskView = lifecycleSummary(afterImport, 'proofdesk');
  const replayAfterImport = options.replayAfterImport ?? true;
  return {
    ok: true,
    imported: {
      decision_id: targetId,
      events_imported: written.length,
      ...(remap ? { original_decision_id: decisionId, new_decision_id: targetId } : {}),
    },
    digest_verified: true,
    conflict_mode: conflictMode,
    replay_ran: replayAfterImport,
    ...(replayAfterImport
      ? {
          replay: {
            ok: true,
            blocking_reasons: nexusView.blocking,
            timeline_truncated: nexusView.truncated,
          },
        }
      : {}),
    lifecycle: {
      state: proofdeskView.state,
      blocking_reasons: proofdeskView.blocking,
      ready_to_execute: proofdeskView.ready,
    },
    store: { path, created: !storeExisted, replaced: existing && conflictMode === 'overwrite' },
    ...report,
  };
}
