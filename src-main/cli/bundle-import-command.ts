/**
 * `proofdesk bundle import <bundle.json> --db DB [--conflict MODE] [--at ISO] [--json] [--create]`:
 * verifies a nexus-attest decision bundle and imports it (src-main/decisions/bundle-import.ts).
 *
 * Exit codes:
 *  - 0: imported; stdout says what was written, then the checks.
 *  - 1: not imported: the bundle fails verification (the checks are listed on stdout) or, with
 *    reject_on_conflict, its decision is already in the store. Either way nothing was written,
 *    and stderr carries the refusal as one sentence with its code.
 *  - 2: usage or I/O: bad options, a missing or unreadable bundle file, a file that is not JSON
 *    (BUNDLE_FILE_MALFORMED), a missing store without --create, a file that is not a decision
 *    store, a locked or damaged database. One sentence on stderr, nothing on stdout.
 * A JSON document that is not a valid bundle (an array, missing fields) is a verification
 * failure, exit 1: it was read, and it fails the schema check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  parsePythonJson,
  PyJsonError,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import { ProofdeskError } from '../../src-shared/check-code';
import { EXIT_CODES } from '../../src-shared/verification-report';
import { nowEpochMicros } from '../wall-clock';
import {
  importDecisionBundle,
  IMPORT_CONFLICT_MODES,
  isImportConflictMode,
  type BundleImportResult,
  type ImportConflictMode,
} from '../decisions/bundle-import';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';
import { parseInstant } from './decision-commands';
import {
  escapeUntrustedText,
  renderEvidenceVerificationJson,
  renderEvidenceVerificationText,
  type EvidenceFileVerification,
} from './verification-output';

const COMMAND = 'bundle import';

interface BundleFile {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly value: PyJsonValue;
}

function readBundleFile(path: string): BundleFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new ProofdeskError('FILE_NOT_FOUND', `There is no bundle file at ${path}.`);
    }
    if (code === 'EISDIR') {
      throw new ProofdeskError(
        'FILE_IS_DIRECTORY',
        `The bundle ${path} is a directory, not a file.`,
      );
    }
    throw new ProofdeskError(
      'FILE_UNREADABLE',
      `The bundle ${path} cannot be read: ${(error as Error).message}.`,
    );
  }
  let text: string;
  try {
    // A BOM is kept, so json.loads' refusal of it is reproduced.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ProofdeskError('BUNDLE_FILE_MALFORMED', `The bundle ${path} is not UTF-8 text.`);
  }
  let value: PyJsonValue;
  try {
    value = parsePythonJson(text);
  } catch (error) {
    if (!(error instanceof PyJsonError)) throw error;
    throw new ProofdeskError(
      'BUNDLE_FILE_MALFORMED',
      `The bundle ${path} is not JSON: ${error.message.replace(/\.$/, '')}.`,
    );
  }
  return {
    path: resolve(path),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    value,
  };
}

function conflictModeOf(value: string | undefined): ImportConflictMode {
  if (value === undefined) return 'reject_on_conflict';
  if (!isImportConflictMode(value)) {
    throw new ProofdeskError(
      'USAGE',
      `--conflict must be ${IMPORT_CONFLICT_MODES.join(', ').replace(/, ([^,]+)$/, ' or $1')}, not ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function asOfOf(value: string | undefined): bigint {
  if (value === undefined) return nowEpochMicros();
  const micros = parseInstant(value, '--at');
  if (micros < 0n) throw new ProofdeskError('USAGE', '--at must not be before 1970.');
  return micros;
}

function verificationOf(file: BundleFile, result: BundleImportResult): EvidenceFileVerification {
  const decisionId = result.ok
    ? (result.imported.original_decision_id ?? result.imported.decision_id)
    : result.decision_id;
  return {
    subject: 'decision-bundle',
    verdict: result.verdict,
    file: { path: file.path, sha256: file.sha256, bytes: file.bytes },
    ...(decisionId === undefined ? {} : { decisionId }),
    checks: result.checks,
  };
}

function renderJson(file: BundleFile, store: string, result: BundleImportResult): string {
  const document = JSON.parse(
    renderEvidenceVerificationJson(verificationOf(file, result)),
  ) as Record<string, unknown>;
  // checks and verdict are already in the verification document.
  const importResult: Record<string, unknown> = { ...result };
  delete importResult['checks'];
  delete importResult['verdict'];
  return `${JSON.stringify(
    { ...document, store: resolve(store), imported: result.ok, import: importResult },
    null,
    2,
  )}\n`;
}

function renderText(file: BundleFile, store: string, result: BundleImportResult): string {
  const lines: string[] = [];
  const clean = escapeUntrustedText;
  if (result.ok) {
    const imported = result.imported;
    lines.push(
      `imported  decision ${clean(imported.decision_id)} (${imported.events_imported} events) into ${result.store.path}${result.store.created ? ', a new store' : ''}`,
    );
    if (imported.original_decision_id !== undefined) {
      lines.push(
        `          conflict mode new_decision_id: ${clean(imported.original_decision_id)} was already in the store, so the events were written under a new id`,
      );
    } else if (result.store.replaced) {
      lines.push(
        '          conflict mode overwrite: the decision already in the store was replaced',
      );
    } else {
      lines.push(`          conflict mode ${result.conflict_mode}`);
    }
    const reasons = result.lifecycle.blocking_reasons;
    lines.push(
      `replay    as of ${result.as_of}: ${result.lifecycle.state}, ${
        reasons.length === 0
          ? result.lifecycle.ready_to_execute
            ? 'ready to execute'
            : 'not blocked'
          : reasons.map((reason) => `${reason.code} (${clean(reason.message)})`).join('; ')
      }`,
    );
    lines.push('');
  }
  const report = renderEvidenceVerificationText(verificationOf(file, result));
  const trailer = result.ok
    ? ''
    : `not imported: ${result.error_code}; nothing was written to ${resolve(store)}\n`;
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${report}${trailer}`;
}

function runImport(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      db: { type: 'string' },
      conflict: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean' },
      create: { type: 'boolean' },
    },
    COMMAND,
  );
  const bundlePath = onePositional(positionals, 'bundle file', COMMAND);
  const store = values.db;
  if (store === undefined) {
    throw new ProofdeskError(
      'USAGE',
      `${COMMAND} needs --db DB, the decision store to import into.`,
    );
  }
  const conflictMode = conflictModeOf(values.conflict);
  const asOf = asOfOf(values.at);
  const file = readBundleFile(bundlePath);
  const result = importDecisionBundle(store, file.value, {
    conflictMode,
    asOf,
    createStore: values.create ?? false,
  });
  io.stdout(values.json ? renderJson(file, store, result) : renderText(file, store, result));
  if (result.ok) return EXIT_CODES.pass;
  io.stderr(
    `proofdesk: not imported: ${result.error_code}: ${escapeUntrustedText(result.error)}.\n`,
  );
  return result.error_code === 'USAGE' ? EXIT_CODES.usage : EXIT_CODES.fail;
}

/**
 * `proofdesk bundle import`; `args` are the arguments after `bundle import`. Usage and I/O
 * errors are printed here as one sentence (exit 2), so callers need not catch them.
 */
export function runBundleImport(args: string[], io: CliIo): number {
  try {
    return runImport(args, io);
  } catch (error) {
    if (!(error instanceof ProofdeskError)) throw error;
    io.stderr(`proofdesk: ${error.message}\n`);
    return EXIT_CODES.usage;
  }
}
