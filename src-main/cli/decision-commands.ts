/**
 * `proofdesk decisions list|show|timeline`: a nexus-attest decision database, read-only, with every
 * decision replayed as of one instant (`--at`, default now) in the Proofdesk flavour: a decision
 * left executing is blocked by EXECUTION_STALLED, and a decision whose events cannot be replayed
 * is shown as corrupt (UNREPLAYABLE, with the reason) without hiding the others.
 *
 * Also the pieces the bundle and package commands share: `--at` parsing, opening a store, replaying
 * a loaded decision, and pretty JSON for views that hold Python numbers.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { portableCryptoProvider } from '../../src-shared/crypto/ed25519-portable';
import { checkApprovalSignature } from '../../src-shared/decisions/approval-signature';
import type { Keyring } from '../../src-shared/keyring';
import { runDecisionsVerify } from './decision-verify-command';
import {
  escapePythonJsonString,
  serializePythonJson,
  type PyJsonDialect,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import {
  computeLifecycle,
  DEFAULT_TIMELINE_LIMIT,
  inspectStatus,
  inspectVerdict,
  lifecycleOfReplay,
  unreplayableVerdict,
  type BlockingReason,
  type Lifecycle,
  type TimelineEntry,
  type UnreplayableLifecycle,
} from '../../src-shared/decisions/decision-lifecycle';
import {
  isApprovalActive,
  replayDecision,
  type DecisionState,
  type ReplayResult,
} from '../../src-shared/decisions/decision-replay';
import {
  inspectToolView,
  lifecycleView,
  timelineEntryView,
  viewToPyJson,
  type ViewValue,
} from '../../src-shared/decisions/decision-views';
import {
  formatPythonIsoformat,
  tryParsePythonIsoformat,
  utcDateTimeFromEpochMicros,
} from '../../src-shared/decisions/python-datetime';
import { EXIT_CODES } from '../../src-shared/verification-report';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { DecisionStoreReader, type LoadedDecision } from '../decisions/decision-store';
import { nowEpochMicros } from '../wall-clock';
import { onePositional, parseCommandLine, readSignersKeyring, type CliIo } from './cli-arguments';
import { escapeUntrustedText } from './verification-output';

export const DECISIONS_JSON_SCHEMA_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// Shared with the bundle and package commands

/** The instant expiry is judged at: `--at` (ISO 8601 with a UTC offset), or now. */
export interface AsOf {
  readonly micros: bigint;
  /** Python's `isoformat()` of the instant in UTC, as nexus-attest writes exported_at. */
  readonly isoformat: string;
  readonly given: boolean;
  /** Officers whose signed approvals count (--signers); replay needs them under require_signed_approvals. */
  readonly trustedSigners: Keyring | null;
}

export function isoformatUtc(micros: bigint): string {
  return formatPythonIsoformat(utcDateTimeFromEpochMicros(micros));
}

/** Parses an ISO 8601 timestamp that must carry a UTC offset; `option` names it in errors. */
export function parseInstant(text: string, option: string): bigint {
  const parsed = tryParsePythonIsoformat(text);
  if (!parsed.ok || !parsed.value.hasOffset) {
    throw new ProofdeskError(
      'USAGE',
      `${option} needs an ISO 8601 timestamp with a UTC offset, such as 2026-11-22T21:22:57Z, but got ${JSON.stringify(text)}${parsed.ok ? ' (it has no offset)' : ''}.`,
    );
  }
  return parsed.value.epochMicros;
}

export function asOfOption(at: string | undefined, signers?: string): AsOf {
  const micros = at === undefined ? nowEpochMicros() : parseInstant(at, '--at');
  return {
    micros,
    isoformat: isoformatUtc(micros),
    given: at !== undefined,
    trustedSigners: readSignersKeyring(signers),
  };
}

/** Opens a decision store read-only; the caller closes it. */
export function openDecisionStore(path: string): DecisionStoreReader {
  return DecisionStoreReader.open(path);
}

/** A loaded decision replayed; a row that could not even be read is UNREPLAYABLE at its seq. */
export function replayLoaded(
  loaded: LoadedDecision,
  asOfMicros: bigint,
  trustedSigners: Keyring | null = null,
): ReplayResult {
  if (!loaded.ok) {
    return {
      ok: false,
      code: 'UNREPLAYABLE',
      message: `Event ${loaded.seq}: ${loaded.message}`,
      seq: loaded.seq,
    };
  }
  return replayDecision(loaded.decisionId, loaded.events, asOfMicros, {
    isTrustedApproval: (event) =>
      checkApprovalSignature(event, trustedSigners, portableCryptoProvider).kind === 'valid',
  });
}

const PRETTY_DIALECT: PyJsonDialect = Object.freeze({
  name: 'proofdesk --json',
  // ASCII output is lossless (a lone surrogate stays \udXXX) and cannot carry terminal escapes.
  ensureAscii: true,
  allowNan: true,
});

/** A PyJsonValue as indented JSON (insertion order), Python numbers kept exactly as written. */
export function prettyPyJson(value: PyJsonValue, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => inner + prettyPyJson(item, inner)).join(',\n')}\n${indent}]`;
  }
  if (value instanceof Map) {
    if (value.size === 0) return '{}';
    const members = [...value].map(
      ([key, item]) => `${inner}${escapePythonJsonString(key, true)}: ${prettyPyJson(item, inner)}`,
    );
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return serializePythonJson(value, PRETTY_DIALECT);
}

export function viewJson(view: ViewValue): string {
  return `${prettyPyJson(viewToPyJson(view))}\n`;
}

// ---------------------------------------------------------------------------------------------
// Text helpers

const show = escapeUntrustedText;

function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : show(value);
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '—' : values.map(show).join(', ');
}

function blockingLine(reason: BlockingReason): string {
  return `${reason.code}: ${show(reason.message)}`;
}

function timelineLines(
  timeline: readonly TimelineEntry[],
  total: number,
  truncated: boolean,
  allHint: string,
): string[] {
  const lines: string[] = [];
  if (truncated) {
    lines.push(
      `  (showing the last ${timeline.length} of ${total} entries; ${allHint} shows every entry)`,
    );
  }
  if (timeline.length === 0) lines.push('  (no events)');
  const labelWidth = Math.max(0, ...timeline.map((e) => `${e.category}/${e.label}`.length));
  for (const entry of timeline) {
    const actor = entry.actor === null ? '' : `  [${show(entry.actor)}]`;
    lines.push(
      `  ${String(entry.seq).padStart(3)}  ${show(entry.ts)}  ${`${entry.category}/${entry.label}`.padEnd(labelWidth)}  ${show(entry.summary)}${actor}`,
    );
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// decisions list

interface ListedDecision {
  readonly decisionId: string;
  readonly createdAt: string;
  readonly result: ReplayResult;
  readonly lifecycle: Lifecycle | UnreplayableLifecycle;
}

function listedJson(entry: ListedDecision): ViewValue {
  const { result, lifecycle } = entry;
  const reasons = lifecycle.blockingReasons.map((reason) => ({
    code: reason.code,
    message: reason.message,
    details: { ...reason.details },
  }));
  if (!result.ok) {
    return {
      decision_id: entry.decisionId,
      created_at: entry.createdAt,
      state: 'unreplayable',
      status: 'UNREPLAYABLE',
      corrupt: true,
      goal: null,
      approvals: null,
      is_approved: false,
      is_blocked: true,
      blocking_reasons: reasons,
      error: result.message,
    };
  }
  const decision = result.decision;
  const progress = lifecycle.progress;
  return {
    decision_id: entry.decisionId,
    created_at: entry.createdAt,
    state: decision.state,
    status: inspectStatus(decision.state),
    corrupt: false,
    goal: decision.goal,
    approvals:
      progress === null ? null : `${progress.approvalsCurrent}/${progress.approvalsRequired}`,
    is_approved: decision.isApproved,
    is_blocked: lifecycle.isBlocked,
    blocking_reasons: reasons,
  };
}

function renderListText(path: string, asOf: AsOf, entries: readonly ListedDecision[]): string {
  const lines = [
    `store    ${show(path)}`,
    `as of    ${asOf.isoformat}${asOf.given ? '' : ' (now)'}`,
    `decisions ${entries.length}${entries.some((e) => !e.result.ok) ? `, ${entries.filter((e) => !e.result.ok).length} corrupt` : ''}`,
    '',
  ];
  const rows = entries.map((entry) => {
    const reason = entry.lifecycle.blockingReasons[0];
    const progress = entry.lifecycle.progress;
    return {
      id: show(entry.decisionId),
      state: entry.result.ok ? entry.result.decision.state : 'CORRUPT (unreplayable)',
      approvals:
        progress === null ? '—' : `${progress.approvalsCurrent}/${progress.approvalsRequired}`,
      blocked: reason === undefined ? '—' : reason.code,
      created: show(entry.createdAt),
      goal: entry.result.ok ? orDash(entry.result.decision.goal) : '—',
      reason,
    };
  });
  const header = {
    id: 'DECISION',
    state: 'STATE',
    approvals: 'APPROVALS',
    blocked: 'BLOCKED BY',
    created: 'CREATED AT',
    goal: 'GOAL',
  };
  const width = (key: 'id' | 'state' | 'approvals' | 'blocked' | 'created'): number =>
    Math.max(header[key].length, ...rows.map((row) => row[key].length));
  const w = {
    id: width('id'),
    state: width('state'),
    approvals: width('approvals'),
    blocked: width('blocked'),
    created: width('created'),
  };
  const line = (row: typeof header): string =>
    `${row.id.padEnd(w.id)}  ${row.state.padEnd(w.state)}  ${row.approvals.padEnd(w.approvals)}  ${row.blocked.padEnd(w.blocked)}  ${row.created.padEnd(w.created)}  ${row.goal}`;
  if (rows.length === 0) {
    lines.push('(no decisions)');
  } else {
    lines.push(line(header));
    for (const row of rows) {
      lines.push(line(row));
      if (row.reason !== undefined) lines.push(`    ${show(row.reason.message)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** What every read-only decisions command accepts: an as-of time, the trusted signers, JSON. */
const READ_OPTIONS = {
  at: { type: 'string' },
  signers: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function runList(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(args, READ_OPTIONS, 'decisions list');
  const dbPath = onePositional(positionals, 'decision database', 'decisions list');
  const asOf = asOfOption(values.at, values.signers);
  const store = openDecisionStore(dbPath);
  try {
    // listDecisions is newest first (created_at descending), as nexus-attest's list_requests.
    const entries: ListedDecision[] = store.loadAll().map((loaded) => {
      const result = replayLoaded(loaded, asOf.micros, asOf.trustedSigners);
      return {
        decisionId: loaded.decisionId,
        createdAt: loaded.createdAt,
        result,
        lifecycle: lifecycleOfReplay(result, loaded.ok ? loaded.events : [], {
          flavor: 'proofdesk',
        }),
      };
    });
    if (values.json) {
      io.stdout(
        viewJson({
          schema_version: DECISIONS_JSON_SCHEMA_VERSION,
          store: store.path,
          as_of: asOf.isoformat,
          count: entries.length,
          decisions: entries.map(listedJson),
        }),
      );
    } else {
      io.stdout(renderListText(store.path, asOf, entries));
    }
    return EXIT_CODES.pass;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// decisions show

function loadOne(
  store: DecisionStoreReader,
  decisionId: string,
  asOf: AsOf,
): { loaded: LoadedDecision; result: ReplayResult } {
  const loaded = store.loadDecision(decisionId);
  return { loaded, result: replayLoaded(loaded, asOf.micros, asOf.trustedSigners) };
}

function approvalsLines(decision: DecisionState): string[] {
  const required = decision.policy?.minApprovals ?? 1;
  const current = decision.activeApprovalCount;
  const lines = [
    `approvals  ${current} of ${required} required${decision.policy === null ? ' (no policy attached)' : current >= required ? ' (threshold met)' : ` (missing ${required - current})`}`,
  ];
  for (const approval of decision.approvals.values()) {
    const expiry =
      approval.expiresAt === null ? 'no expiry' : `expires ${show(approval.expiresAt)}`;
    const state = approval.revoked
      ? `REVOKED at ${orDash(approval.revokedAt)}${approval.revokeReason ? `: "${show(approval.revokeReason)}"` : ''}`
      : isApprovalActive(approval, decision.asOfMicros)
        ? 'active'
        : 'EXPIRED';
    lines.push(
      `  - ${show(approval.actorId)} (${show(approval.actorType)}), granted ${show(approval.grantedAt)}, ${expiry}: ${state}${approval.comment ? `; comment "${show(approval.comment)}"` : ''}`,
    );
  }
  return lines;
}

function executionLines(decision: DecisionState): string[] {
  if (decision.executions.length === 0) return ['executions none'];
  const lines = [`executions ${decision.executions.length}`];
  decision.executions.forEach((e, index) => {
    lines.push(
      `  ${index + 1}. via ${show(e.adapterId)} (${e.dryRun ? 'dry-run' : 'apply'}), requested ${show(e.requestedAt)}`,
    );
    if (e.startedAt !== null) {
      lines.push(
        `     started ${show(e.startedAt)}, router request digest ${orDash(e.requestDigest)}`,
      );
    }
    if (e.errorCode !== null || e.errorMessage !== null) {
      lines.push(
        `     FAILED ${orDash(e.completedAt)}: ${orDash(e.errorCode)}: ${orDash(e.errorMessage)}${e.runId !== null ? ` (run ${show(e.runId)})` : ''}`,
      );
    } else if (e.completedAt !== null) {
      lines.push(
        `     completed ${show(e.completedAt)}, run ${orDash(e.runId)}${e.stepsExecuted !== null ? `, ${e.stepsExecuted.lexeme} steps` : ''}, response digest ${orDash(e.responseDigest)}`,
      );
    } else if (e.startedAt !== null) {
      lines.push('     no outcome recorded');
    } else {
      lines.push('     not started');
    }
  });
  return lines;
}

function renderShowText(path: string, asOf: AsOf, decision: DecisionState): string {
  const lifecycle = computeLifecycle(decision, { flavor: 'proofdesk' });
  const verdict = inspectVerdict(decision, 'proofdesk');
  const policy = decision.policy;
  const template = decision.templateRef;
  const lines = [
    `decision   ${show(decision.decisionId)}`,
    `store      ${show(path)}`,
    `as of      ${asOf.isoformat}${asOf.given ? '' : ' (now)'}`,
    `status     ${inspectStatus(decision.state)}`,
    `verdict    ${verdict.ok ? '✓' : '✗'} ${show(verdict.message)}`,
    `goal       ${orDash(decision.goal)}`,
    `plan       ${orDash(decision.plan)}`,
    `mode       ${decision.requestedMode ?? 'dry_run'}`,
    `labels     ${list(decision.labels)}`,
    `created    ${orDash(decision.createdAt)}`,
    `last event ${orDash(decision.lastEventAt)} (${decision.eventCount} events)`,
    '',
    policy === null
      ? 'policy     none attached'
      : `policy     min_approvals ${policy.minApprovals}; allowed modes ${list(policy.allowedModes)}; required capabilities ${list(policy.requireAdapterCapabilities)}; max_steps ${policy.maxSteps === null ? '—' : policy.maxSteps.lexeme}; labels ${list(policy.labels)}`,
    template === null
      ? 'template   none'
      : `template   ${show(template.name)} ${template.digest === '' ? '(no digest recorded)' : `sha256:${show(template.digest)}`}${template.overridesApplied.size > 0 ? `; overrides ${show(serializePythonJson(template.overridesApplied, PRETTY_DIALECT))}` : ''}`,
    '',
    ...approvalsLines(decision),
    '',
    lifecycle.blockingReasons.length === 0
      ? `blocking   none${lifecycle.progress.readyToExecute ? ' (ready to execute)' : ''}`
      : `blocking   ${lifecycle.blockingReasons.map(blockingLine).join('\n           ')}`,
    '',
    ...executionLines(decision),
    '',
    'timeline',
    ...timelineLines(
      lifecycle.timeline,
      lifecycle.timelineTotal,
      lifecycle.timelineTruncated,
      '`proofdesk decisions timeline --all`',
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function renderCorruptText(
  path: string,
  asOf: AsOf,
  loaded: LoadedDecision,
  result: Extract<ReplayResult, { ok: false }>,
  lifecycle: UnreplayableLifecycle | Lifecycle,
): string {
  const lines = [
    `decision   ${show(loaded.decisionId)}`,
    `store      ${show(path)}`,
    `as of      ${asOf.isoformat}${asOf.given ? '' : ' (now)'}`,
    'status     CORRUPT (UNREPLAYABLE)',
    `verdict    ✗ ${show(unreplayableVerdict(result).message)}`,
    `created    ${show(loaded.createdAt)}`,
    ...(result.pythonError !== undefined
      ? [`nexus-attest raises ${show(result.pythonError)} on every replay of this decision`]
      : []),
    '',
    `blocking   ${lifecycle.blockingReasons.map(blockingLine).join('\n           ')}`,
    '',
    'timeline (the events that can still be described)',
    ...timelineLines(
      lifecycle.timeline,
      lifecycle.timelineTotal,
      lifecycle.timelineTruncated,
      '`proofdesk decisions timeline --all`',
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function runShow(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(args, READ_OPTIONS, 'decisions show');
  const [dbPath, decisionId] = twoPositionals(positionals, 'decisions show');
  const asOf = asOfOption(values.at, values.signers);
  const store = openDecisionStore(dbPath);
  try {
    const { loaded, result } = loadOne(store, decisionId, asOf);
    if (result.ok) {
      io.stdout(
        values.json
          ? viewJson(
              inspectToolView(result.decision, createNodeCryptoProvider(), { flavor: 'proofdesk' }),
            )
          : renderShowText(store.path, asOf, result.decision),
      );
      return EXIT_CODES.pass;
    }
    const lifecycle = lifecycleOfReplay(result, loaded.ok ? loaded.events : [], {
      flavor: 'proofdesk',
    });
    if (values.json) {
      io.stdout(
        viewJson({
          success: true,
          ok: false,
          decision: {
            decision_id: loaded.decisionId,
            status: 'UNREPLAYABLE',
            created_at: loaded.createdAt,
          },
          lifecycle: lifecycleView(lifecycle),
          verdict: { ok: false, message: unreplayableVerdict(result).message },
          error: result.message,
          python_error: result.pythonError ?? null,
        }),
      );
    } else {
      io.stdout(renderCorruptText(store.path, asOf, loaded, result, lifecycle));
    }
    return EXIT_CODES.pass;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// decisions timeline

function runTimeline(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    { ...READ_OPTIONS, all: { type: 'boolean' } },
    'decisions timeline',
  );
  const [dbPath, decisionId] = twoPositionals(positionals, 'decisions timeline');
  const asOf = asOfOption(values.at, values.signers);
  const store = openDecisionStore(dbPath);
  try {
    const { loaded, result } = loadOne(store, decisionId, asOf);
    const lifecycle = lifecycleOfReplay(result, loaded.ok ? loaded.events : [], {
      flavor: 'proofdesk',
      timelineLimit: values.all ? null : DEFAULT_TIMELINE_LIMIT,
    });
    if (values.json) {
      io.stdout(
        viewJson({
          decision_id: loaded.decisionId,
          as_of: asOf.isoformat,
          state: lifecycle.state,
          timeline: lifecycle.timeline.map(timelineEntryView),
          timeline_total: lifecycle.timelineTotal,
          timeline_truncated: lifecycle.timelineTruncated,
          ...(result.ok ? {} : { error: result.message }),
        }),
      );
    } else {
      const lines = [
        `decision   ${show(loaded.decisionId)}`,
        `state      ${result.ok ? result.decision.state : 'CORRUPT (unreplayable)'}`,
        ...(result.ok ? [] : [`error      ${show(result.message)}`]),
        `entries    ${lifecycle.timelineTotal}`,
        '',
        ...timelineLines(
          lifecycle.timeline,
          lifecycle.timelineTotal,
          lifecycle.timelineTruncated,
          '--all',
        ),
      ];
      io.stdout(`${lines.join('\n')}\n`);
    }
    return EXIT_CODES.pass;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------

export function twoPositionals(positionals: string[], command: string): [string, string] {
  const [first, second] = positionals;
  if (first === undefined || second === undefined || positionals.length > 2) {
    throw new ProofdeskError(
      'USAGE',
      `${command} takes a decision database and a decision id, but ${positionals.length} argument${positionals.length === 1 ? ' was' : 's were'} given.`,
    );
  }
  return [first, second];
}

/** `proofdesk decisions <subcommand> …`. */
export function runDecisions(args: string[], io: CliIo): number | Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return runList(rest, io);
    case 'show':
      return runShow(rest, io);
    case 'timeline':
      return runTimeline(rest, io);
    case 'verify':
      return runDecisionsVerify(rest, io);
    case undefined:
      throw new ProofdeskError(
        'USAGE',
        'decisions needs a subcommand: list, show, timeline or verify; run `proofdesk help` for usage.',
      );
    default:
      throw new ProofdeskError(
        'USAGE',
        `decisions has no subcommand ${JSON.stringify(subcommand)}; use list, show, timeline or verify.`,
      );
  }
}
