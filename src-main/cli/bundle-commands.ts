/**
 * `proofdesk bundle export|verify|import`: nexus-attest decision bundles (v0.5).
 *
 * export writes the canonical bundle bytes exactly as nexus-attest's export_decision would, with
 * decision.status replayed as of `--at` (default now) and meta.exported_at set to that instant.
 * verify runs nexus-attest's import-time checks (under their own names) and Proofdesk's stricter
 * ones; with `--db` the decision is replayed from its store so the header and status can be
 * compared with it.
 *
 * Also the pieces package-commands shares: reading a file under verification, atomic output, and
 * the replay that supplies a replayed header.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  parsePythonJson,
  PyJsonError,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import { canonicalAttestJson } from '../../src-shared/decisions/decision-event';
import {
  buildDecisionBundle,
  DecisionBundleError,
  findingLine,
  isPyObject,
  replayedHeaderOf,
  verifyDecisionBundle,
  type DecisionCheckResult,
  type ReplayedDecisionHeader,
} from '../../src-shared/decisions/decision-bundle';
import type { StoredDecisionEvent } from '../../src-shared/decisions/decision-event';
import { replayDecision, type DecisionState } from '../../src-shared/decisions/decision-replay';
import { tryParsePythonIsoformat } from '../../src-shared/decisions/python-datetime';
import {
  computeVerdict,
  exitCodeOfVerdict,
  EXIT_CODES,
} from '../../src-shared/verification-report';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import type { DecisionStoreReader, LoadedDecision } from '../decisions/decision-store';
import { nowEpochMicros } from '../wall-clock';
import { runBundleImport } from './bundle-import-command';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';
import {
  asOfOption,
  isoformatUtc,
  openDecisionStore,
  parseInstant,
  replayLoaded,
  twoPositionals,
  type AsOf,
} from './decision-commands';
import {
  renderEvidenceVerificationJson,
  renderEvidenceVerificationText,
  type EvidenceFileVerification,
  type VerificationCheck,
} from './verification-output';

// ---------------------------------------------------------------------------------------------
// Reading a file under verification

export interface EvidenceFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  /** The parsed JSON, or why the file is not JSON (a verification failure, not a usage error). */
  readonly parsed: { ok: true; value: PyJsonValue } | { ok: false; problem: string };
}

function fileError(error: unknown, path: string, what: string): ProofdeskError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT')
    return new ProofdeskError('FILE_NOT_FOUND', `There is no file at ${path}.`);
  if (code === 'EISDIR') {
    return new ProofdeskError('FILE_IS_DIRECTORY', `${path} is a directory, not ${what}.`);
  }
  return new ProofdeskError(
    'FILE_UNREADABLE',
    `${path} cannot be read: ${(error as Error).message.replace(/\.$/, '')}.`,
  );
}

/** A whole evidence file's bytes; a missing or unreadable file is one sentence (exit 2). */
export function readBytes(userPath: string, what: string): { path: string; data: Buffer } {
  const path = resolve(userPath);
  try {
    return { path, data: readFileSync(path) };
  } catch (error) {
    throw fileError(error, path, what);
  }
}

/** Strict UTF-8 (a BOM is kept, so json.loads' refusal of it is reproduced), then json.loads. */
function parseJsonBytes(data: Buffer): EvidenceFile['parsed'] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return { ok: false, problem: 'the file is not UTF-8 text' };
  }
  try {
    return { ok: true, value: parsePythonJson(text) };
  } catch (error) {
    if (error instanceof PyJsonError) {
      return { ok: false, problem: `the file is not JSON: ${error.message.replace(/\.$/, '')}` };
    }
    throw error;
  }
}

/** Reads the file under verification: missing or unreadable is exit 2, not-JSON is a finding. */
export function readEvidenceFile(userPath: string, what: string): EvidenceFile {
  const { path, data } = readBytes(userPath, what);
  return {
    path,
    sha256: createHash('sha256').update(data).digest('hex'),
    bytes: data.length,
    parsed: parseJsonBytes(data),
  };
}

/** An input JSON file (a router bundle to embed): anything wrong with it is exit 2. */
export function readInputJson(userPath: string, what: string): PyJsonValue {
  const { path, data } = readBytes(userPath, what);
  const parsed = parseJsonBytes(data);
  if (!parsed.ok)
    throw new ProofdeskError('USAGE', `${what} ${path} is unusable: ${parsed.problem}.`);
  return parsed.value;
}

// ---------------------------------------------------------------------------------------------
// Writing an export

const LONE_SURROGATE = /\p{Surrogate}/u;

/** Canonical nexus-attest JSON; Python's UTF-8 encoding step refuses lone surrogates, so do we. */
export function canonicalExportText(value: PyJsonValue, what: string): string {
  const text = canonicalAttestJson(value);
  if (LONE_SURROGATE.test(text)) {
    throw new ProofdeskError(
      'USAGE',
      `The ${what} holds a lone UTF-16 surrogate, which nexus-attest cannot encode as UTF-8 either.`,
    );
  }
  return text;
}

export interface OutputOptions {
  readonly out: string | undefined;
  readonly force: boolean;
  /** Files --out must never replace (the database being read, and its WAL side files). */
  readonly protectedPaths: readonly string[];
}

/** Refuses a bad --out before any work is done (writeExport checks again, atomically). */
export function checkOutputTarget(options: OutputOptions): void {
  if (options.out === undefined) {
    if (options.force) throw new ProofdeskError('USAGE', '--force only applies with --out FILE.');
    return;
  }
  const target = resolve(options.out);
  for (const path of options.protectedPaths) {
    const own = resolve(path);
    if ([own, `${own}-wal`, `${own}-shm`, `${own}-journal`].includes(target)) {
      throw new ProofdeskError('USAGE', `--out ${target} would overwrite the database being read.`);
    }
  }
  if (!options.force && existsSync(target)) {
    throw new ProofdeskError(
      'USAGE',
      `${target} already exists; choose another --out file or add --force to replace it.`,
    );
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone, or never created.
  }
}

/**
 * Writes `content` (text as UTF-8, or bytes) to `out` atomically: a temporary file beside it, flushed, then linked into
 * place (which fails if the target exists) or, with --force, renamed over it. A reader never sees
 * a partial file, and an existing file is never replaced without --force.
 */
export function writeFileAtomically(
  out: string,
  content: string | Uint8Array,
  force: boolean,
  /** What to do about a file already there, worded for where the request came from. */
  existsAdvice = 'choose another --out file or add --force to replace it',
): string {
  const target = resolve(out);
  const folder = dirname(target);
  const temporary = join(
    folder,
    `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let fd: number;
  try {
    fd = openSync(temporary, 'wx', 0o644);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ProofdeskError('FILE_NOT_FOUND', `The folder ${folder} for --out does not exist.`);
    }
    throw new ProofdeskError(
      'FILE_UNREADABLE',
      `${target} cannot be written: ${(error as Error).message.replace(/\.$/, '')}.`,
    );
  }
  try {
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (force) {
      renameSync(temporary, target);
    } else {
      try {
        linkSync(temporary, target);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'EEXIST') throw error;
        // A file system without hard links: check, then rename (a narrow race, but no link).
        if (existsSync(target)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        renameSync(temporary, target);
      }
    }
  } catch (error) {
    removeQuietly(temporary);
    const code = (error as { code?: string }).code;
    if (code === 'EEXIST') {
      throw new ProofdeskError('USAGE', `${target} already exists; ${existsAdvice}.`);
    }
    if (code === 'EISDIR') {
      throw new ProofdeskError('FILE_IS_DIRECTORY', `--out ${target} is a directory.`);
    }
    throw new ProofdeskError(
      'FILE_UNREADABLE',
      `${target} cannot be written: ${(error as Error).message.replace(/\.$/, '')}.`,
    );
  }
  removeQuietly(temporary);
  try {
    const dirFd = openSync(folder, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directory fsync is not available everywhere (Windows); the rename is still atomic.
  }
  return target;
}

/** The export on stdout, or written to --out with a one-line note on stderr. */
export function emitExport(io: CliIo, text: string, options: OutputOptions, note: string): void {
  if (options.out === undefined) {
    io.stdout(text);
    return;
  }
  const target = writeFileAtomically(options.out, text, options.force);
  io.stderr(`${note} written to ${target} (${Buffer.byteLength(text, 'utf8')} bytes).\n`);
}

// ---------------------------------------------------------------------------------------------
// Replaying a decision for export

/** A decision loaded and replayed; UNREPLAYABLE is refused with one sentence. */
export function replayForExport(
  store: DecisionStoreReader,
  decisionId: string,
  asOf: AsOf,
  what: string,
): { decision: DecisionState; events: readonly StoredDecisionEvent[] } {
  const loaded = store.loadDecision(decisionId);
  const result = replayLoaded(loaded, asOf.micros, asOf.trustedSigners);
  if (!result.ok || !loaded.ok) {
    const message = result.ok ? '' : result.message.replace(/\.$/, '');
    throw new ProofdeskError(
      'USAGE',
      `Decision ${decisionId} is corrupt, so no ${what} can be exported: its events cannot be replayed (${message}).`,
    );
  }
  return { decision: result.decision, events: loaded.events };
}

/** The bundle export_decision would write, as a PyJsonObject. */
export function exportBundle(
  decision: DecisionState,
  events: readonly StoredDecisionEvent[],
  asOf: AsOf,
  flags: { includeTemplateSnapshot: boolean; includeRouterLink: boolean },
): ReturnType<typeof buildDecisionBundle> {
  try {
    return buildDecisionBundle(
      {
        decisionId: decision.decisionId,
        events,
        status: replayedHeaderOf(decision).status,
        exportedAt: asOf.isoformat,
        includeTemplateSnapshot: flags.includeTemplateSnapshot,
        includeRouterLink: flags.includeRouterLink,
      },
      createNodeCryptoProvider(),
    );
  } catch (error) {
    if (error instanceof DecisionBundleError) {
      throw new ProofdeskError(
        'USAGE',
        `Decision ${decision.decisionId} cannot be exported: ${error.message.replace(/\.$/, '')}.`,
      );
    }
    throw error;
  }
}

function runExport(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      at: { type: 'string' },
      signers: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'no-template-snapshot': { type: 'boolean' },
      'no-router-link': { type: 'boolean' },
    },
    'bundle export',
  );
  const [dbPath, decisionId] = twoPositionals(positionals, 'bundle export');
  const asOf = asOfOption(values.at, values.signers);
  const output: OutputOptions = {
    out: values.out,
    force: values.force ?? false,
    protectedPaths: [dbPath],
  };
  checkOutputTarget(output);
  const store = openDecisionStore(dbPath);
  let text: string;
  try {
    const { decision, events } = replayForExport(store, decisionId, asOf, 'bundle');
    const bundle = exportBundle(decision, events, asOf, {
      includeTemplateSnapshot: !(values['no-template-snapshot'] ?? false),
      includeRouterLink: !(values['no-router-link'] ?? false),
    });
    text = canonicalExportText(bundle, 'bundle');
  } finally {
    store.close();
  }
  emitExport(io, text, output, `Decision bundle for ${decisionId}`);
  return EXIT_CODES.pass;
}

// ---------------------------------------------------------------------------------------------
// Verifying: the replayed header from a store

export interface StoreReplay {
  /** Absent when the decision could not be replayed from the store; `note` says why. */
  readonly header?: ReplayedDecisionHeader;
  /** How (or why not) the header was obtained, appended to the status line. */
  readonly note: string;
}

/**
 * Replays the decision a bundle names from `dbPath`, as of `--at`, else the bundle's
 * meta.exported_at (the instant nexus-attest computed the status at), else now. When the store
 * has gone on to record more events than the bundle holds, only the bundle's first N are replayed,
 * so a bundle exported before later events is not mistaken for a tampered one.
 */
export function replayFromStore(
  dbPath: string,
  bundle: PyJsonValue | undefined,
  at: string | undefined,
): StoreReplay {
  const store = openDecisionStore(dbPath);
  try {
    const decisionField = isPyObject(bundle) ? bundle.get('decision') : undefined;
    const decisionId = isPyObject(decisionField) ? decisionField.get('decision_id') : undefined;
    if (typeof decisionId !== 'string') {
      return { note: `the bundle names no decision_id string to look up in ${store.path}` };
    }
    let loaded: LoadedDecision;
    try {
      loaded = store.loadDecision(decisionId);
    } catch (error) {
      if (error instanceof ProofdeskError && error.code === 'DECISION_NOT_FOUND') {
        return { note: `${store.path} has no decision ${decisionId}` };
      }
      throw error;
    }
    const instant = replayInstant(bundle, at);
    if (!loaded.ok) {
      return {
        note: `decision ${decisionId} in ${store.path} is corrupt: event ${loaded.seq}: ${loaded.message}`,
      };
    }
    const eventsField = isPyObject(bundle) ? bundle.get('events') : undefined;
    const bundled = Array.isArray(eventsField) ? eventsField.length : loaded.events.length;
    const events = loaded.events.length > bundled ? loaded.events.slice(0, bundled) : loaded.events;
    const result = replayDecision(decisionId, events, instant.micros);
    if (!result.ok) {
      return {
        note: `decision ${decisionId} in ${store.path} cannot be replayed: ${result.message.replace(/\.$/, '')}`,
      };
    }
    const later =
      loaded.events.length > bundled
        ? `; the store holds ${loaded.events.length - bundled} later event(s) the bundle does not, so its first ${bundled} were replayed`
        : loaded.events.length < bundled
          ? `; the store holds only ${loaded.events.length} of the bundle's ${bundled} events`
          : '';
    return {
      header: replayedHeaderOf(result.decision),
      note: `replayed from ${store.path} as of ${instant.isoformat}, ${instant.source}${later}`,
    };
  } finally {
    store.close();
  }
}

function replayInstant(
  bundle: PyJsonValue | undefined,
  at: string | undefined,
): { micros: bigint; isoformat: string; source: string } {
  if (at !== undefined) {
    const micros = parseInstant(at, '--at');
    return { micros, isoformat: isoformatUtc(micros), source: 'given by --at' };
  }
  const meta = isPyObject(bundle) ? bundle.get('meta') : undefined;
  const exportedAt = isPyObject(meta) ? meta.get('exported_at') : undefined;
  if (typeof exportedAt === 'string') {
    const parsed = tryParsePythonIsoformat(exportedAt);
    if (parsed.ok && parsed.value.hasOffset) {
      return {
        micros: parsed.value.epochMicros,
        isoformat: isoformatUtc(parsed.value.epochMicros),
        source: "the bundle's meta.exported_at, which no digest covers",
      };
    }
  }
  const micros = nowEpochMicros();
  return {
    micros,
    isoformat: isoformatUtc(micros),
    source: 'now, since the bundle has no usable meta.exported_at',
  };
}

/**
 * Says on the status lines whether and how the decision was replayed. With --db, a status that
 * could not be compared is a requested check left undone, so the verdict is inconclusive.
 */
export function annotateStatusLines(
  checks: readonly DecisionCheckResult[],
  replay: StoreReplay | undefined,
): VerificationCheck[] {
  return checks.map((check) => {
    if (check.code === 'BUNDLE_STATUS_NOT_REPLAYED') {
      return replay === undefined
        ? {
            ...check,
            message: `${check.message}: give --db DB to replay the decision from its store`,
          }
        : { ...check, message: `${check.message}: ${replay.note}`, required: true };
    }
    if (replay !== undefined && check.check === 'bundle.status') {
      return { ...check, message: `${check.message} (${replay.note})` };
    }
    return check;
  });
}

function decisionIdOf(value: PyJsonValue | undefined): string | undefined {
  const decision = isPyObject(value) ? value.get('decision') : undefined;
  const id = isPyObject(decision) ? decision.get('decision_id') : undefined;
  return typeof id === 'string' ? id : undefined;
}

export interface VerifyFlags {
  readonly db: string | undefined;
  readonly at: string | undefined;
  readonly json: boolean;
}

export function parseVerifyFlags(
  args: string[],
  command: string,
  what: string,
): { file: string; flags: VerifyFlags } {
  const { values, positionals } = parseCommandLine(
    args,
    { db: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' } },
    command,
  );
  const file = onePositional(positionals, what, command);
  if (values.at !== undefined && values.db === undefined) {
    throw new ProofdeskError(
      'USAGE',
      `--at needs --db DB: it is the instant the store is replayed at.`,
    );
  }
  if (values.at !== undefined) parseInstant(values.at, '--at');
  return { file, flags: { db: values.db, at: values.at, json: values.json ?? false } };
}

export function emitVerification(
  io: CliIo,
  result: EvidenceFileVerification,
  json: boolean,
): number {
  io.stdout(json ? renderEvidenceVerificationJson(result) : renderEvidenceVerificationText(result));
  return exitCodeOfVerdict(result.verdict);
}

function runVerify(args: string[], io: CliIo): number {
  const { file, flags } = parseVerifyFlags(args, 'bundle verify', 'bundle file');
  const evidence = readEvidenceFile(file, 'a decision bundle');
  let checks: VerificationCheck[];
  if (!evidence.parsed.ok) {
    checks = [findingLine('BUNDLE_INVALID_SCHEMA', evidence.parsed.problem)];
  } else {
    const value = evidence.parsed.value;
    const replay = flags.db === undefined ? undefined : replayFromStore(flags.db, value, flags.at);
    const verification = verifyDecisionBundle(value, {
      ...(replay?.header === undefined ? {} : { replayedHeader: replay.header }),
      crypto: createNodeCryptoProvider(),
    });
    checks = annotateStatusLines(verification.checks, replay);
  }
  const decisionId = evidence.parsed.ok ? decisionIdOf(evidence.parsed.value) : undefined;
  return emitVerification(
    io,
    {
      subject: 'decision-bundle',
      verdict: computeVerdict(checks),
      file: { path: evidence.path, sha256: evidence.sha256, bytes: evidence.bytes },
      ...(decisionId === undefined ? {} : { decisionId }),
      checks,
    },
    flags.json,
  );
}

// ---------------------------------------------------------------------------------------------

/** `proofdesk bundle <subcommand> …`. */
export function runBundle(args: string[], io: CliIo): number {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'export':
      return runExport(rest, io);
    case 'verify':
      return runVerify(rest, io);
    case 'import':
      return runBundleImport(rest, io);
    case undefined:
      throw new ProofdeskError(
        'USAGE',
        'bundle needs a subcommand: export, verify or import; run `proofdesk help` for usage.',
      );
    default:
      throw new ProofdeskError(
        'USAGE',
        `bundle has no subcommand ${JSON.stringify(subcommand)}; use export, verify or import.`,
      );
  }
}
