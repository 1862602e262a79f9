/**
 * The `proofdesk` command line. Exit codes: 0 pass, 1 verification failed, 2 usage or I/O error,
 * 3 inconclusive (a requested check could not be completed). Errors are one sentence on stderr;
 * stdout carries only results, so `--json` output stays parseable whatever happens.
 */
import { readFileSync } from 'node:fs';
import { ProofdeskError } from '../../src-shared/check-code';
import { parseKeyring, type Keyring } from '../../src-shared/keyring';
import { EXIT_CODES, exitCodeOfVerdict } from '../../src-shared/verification-report';
import { verifyLedgerFile } from '../ledger/ledger-verification';
import { defaultUserDataDir, TrustedHeadStore } from '../ledger/trusted-head-store';
import { renderVerificationJson, renderVerificationText } from './verification-output';
import { anchorTrustFrom, ANCHOR_TRUST_OPTIONS } from './anchor-trust-options';
import { runAnchor, runAnchors } from './anchor-commands';
import { runAppend } from './append-command';
import { runBundle } from './bundle-commands';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';
import { runDecisions } from './decision-commands';
import { runApprove, runExecute, runRequest, runRevoke } from './decision-write-commands';
import { runKeygen } from './keygen-command';
import { runPackage } from './package-commands';
import { runServe } from './serve-command';
import { renderReportPdf } from '../report/report-pdf';
import { runReport, runVerifyReport } from './report-commands';
import { runWitness } from './witness-commands';

const USAGE = `Usage:
  proofdesk verify <db> [--keys FILE] [--require-signatures] [--state-dir DIR] [--json]
      [--check-tst [--tsa-roots PEM]] [--check-anchors [--headers FILE | --bitcoin-rpc URL | --esplora URL]]
  proofdesk append <db> --actor A --action B [--event-type T] [--payload JSON] [--key FILE [--key-id ID]]
  proofdesk append <db> [--key FILE [--key-id ID]] < entries.jsonl
  proofdesk keygen --key-id ID --out FILE [--passphrase-file FILE]
  proofdesk decisions list <db> [--at ISO] [--json]
  proofdesk decisions show <db> <id> [--at ISO] [--json]
  proofdesk decisions timeline <db> <id> [--at ISO] [--all] [--json]
  proofdesk decisions verify <db> [--ledger FILE] [--signers FILE] [--at ISO] [--state-dir DIR] [--json]
  proofdesk request <db> --goal TEXT --actor ID [--mode dry_run|apply] [--plan TEXT] [--template NAME]
      [--min-approvals N] [--allowed-modes M,M] [--require-capabilities C,C] [--max-steps N]
      [--labels L,L] [--require-signed-approvals] [--ledger FILE]
  proofdesk approve <db> <id> --key FILE [--comment TEXT] [--expires ISO] [--signers FILE] [--ledger FILE]
  proofdesk revoke <db> <id> --key FILE [--reason TEXT] [--signers FILE] [--ledger FILE]
  proofdesk execute <db> <id> --actor ID --adapter ID [--mode M] [--timeout S] [--capabilities C,C]
      [--signers FILE] [--ledger FILE] -- PROGRAM [ARGS...]
  proofdesk bundle export <db> <id> [--at ISO] [--no-template-snapshot] [--no-router-link] [--out FILE [--force]]
  proofdesk bundle verify <file> [--db DB [--at ISO]] [--json]
  proofdesk bundle import <bundle.json> --db DB [--conflict reject_on_conflict|new_decision_id|overwrite] [--at ISO] [--create] [--json]
  proofdesk package export <db> <id> [--at ISO] [--router-bundle FILE --embed [--no-verify-router-digest] | --router-digest sha256:HEX] [--out FILE [--force]]
  proofdesk package verify <file> [--db DB [--at ISO]] [--json]
  proofdesk serve [db] [--port N] [--keys FILE] [--key FILE] [--state-dir DIR]
  proofdesk report <db> [--decision ID] [--at ISO] [--keys FILE] [anchor options as for verify]
      [--from-entry N] [--to-entry M] [--actor A] [--event-type T]
      [--out FILE.pdf|.json|.md [--force]]
  proofdesk verify-report <file.pdf> [--db DB] [--keys FILE] [anchor options as for verify] [--json]
  proofdesk witness add <db> --label L --public-key HEX [--role consortium|regulator|self]
  proofdesk witness retire <db> <label|id>
  proofdesk witness attest <db> <label|id> --key FILE
  proofdesk anchor <db> [--tsa URL]... [--calendar URL]... [--timeout S]
  proofdesk anchors upgrade <db> [--calendar URL]... [--headers FILE | --bitcoin-rpc URL | --esplora URL]
  proofdesk anchors show <db> <id> [--json]

--at ISO is the instant approval expiry is judged at (ISO 8601 with a UTC offset; default now);
every recorded event is replayed whatever its time. Exports also record it as meta.exported_at.
verify --db replays the decision from its store, with expiry judged at --at or else at the file's
meta.exported_at. Exports go to stdout, or to --out FILE written atomically (an existing file is
replaced only with --force).

Every decision event Proofdesk writes is also recorded in a ledger (default: decisions.db →
decisions.ledger.db). Approvals and revocations are signed with the officer's key (keygen
--key-id <officer id>); --signers FILE names the officers' public keys that count.

--check-tst verifies each anchor's RFC 3161 token (signature, imprint; signer trust against
--tsa-roots). --check-anchors verifies each OpenTimestamps proof; a Bitcoin confirmation is
checked only against block headers you supply, and without them it is inconclusive (exit 3).
Headers from --bitcoin-rpc or --esplora are fetched before verification, for the claimed heights.

anchor timestamps the head with the --calendar and --tsa servers given (nothing else is contacted)
and writes one nexuscone anchor row if either track succeeded. anchors upgrade asks the calendars
named in each pending proof for its Bitcoin confirmation, whatever the anchor's age.

Encrypted key files take their passphrase from --passphrase-file FILE or PROOFDESK_PASSPHRASE.

Exit codes: 0 pass, 1 verification failed, 2 usage or I/O error, 3 inconclusive.
`;

function readKeyring(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT')
      throw new ProofdeskError('FILE_NOT_FOUND', `There is no keyring file at ${path}.`);
    if (code === 'EISDIR')
      throw new ProofdeskError(
        'FILE_IS_DIRECTORY',
        `The keyring ${path} is a directory, not a file.`,
      );
    throw new ProofdeskError(
      'FILE_UNREADABLE',
      `The keyring ${path} cannot be read: ${(error as Error).message}.`,
    );
  }
  return parseKeyring(text, path);
}

async function runVerify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      keys: { type: 'string' },
      'require-signatures': { type: 'boolean' },
      'state-dir': { type: 'string' },
      json: { type: 'boolean' },
      ...ANCHOR_TRUST_OPTIONS,
    },
    'verify',
  );
  const dbPath = onePositional(positionals, 'ledger file', 'verify');
  const keyring = values.keys === undefined ? null : readKeyring(values.keys);
  const anchorProofs = await anchorTrustFrom(dbPath, values);
  const trustedHeads = new TrustedHeadStore(values['state-dir'] ?? defaultUserDataDir());
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  const showProgress = io.stderrIsTty && !values.json;
  try {
    const result = await verifyLedgerFile(dbPath, {
      keyring,
      requireSignatures: values['require-signatures'] ?? false,
      trustedHeads,
      anchorProofs,
      signal: abort.signal,
      onProgress: showProgress
        ? ({ rowsDone, rowsTotal }) =>
            io.stderr(
              `\rverifying ${rowsDone.toLocaleString('en-US')} / ${rowsTotal.toLocaleString('en-US')} entries`,
            )
        : undefined,
    });
    if (showProgress) io.stderr('\r\x1b[K');
    io.stdout(values.json ? renderVerificationJson(result) : renderVerificationText(result));
    return exitCodeOfVerdict(result.verdict);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'verify':
        return await runVerify(rest, io);
      case 'append':
        return runAppend(rest, io);
      case 'keygen':
        return runKeygen(rest, io);
      case 'decisions':
        return await runDecisions(rest, io);
      case 'request':
        return runRequest(rest, io);
      case 'approve':
        return runApprove(rest, io);
      case 'revoke':
        return runRevoke(rest, io);
      case 'execute':
        return await runExecute(rest, io);
      case 'bundle':
        return runBundle(rest, io);
      case 'package':
        return runPackage(rest, io);
      case 'serve':
        return await runServe(rest, io);
      case 'witness':
        return runWitness(rest, io);
      case 'report':
        return await runReport(rest, io, (report, attachments) =>
          renderReportPdf(report, { attachments }),
        );
      case 'verify-report':
        return await runVerifyReport(rest, io);
      case 'anchor':
        return await runAnchor(rest, io);
      case 'anchors':
        return await runAnchors(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        // Asked-for help is a result; help shown because nothing was asked is a usage error.
        if (command === undefined) {
          io.stderr(USAGE);
          return EXIT_CODES.usage;
        }
        io.stdout(USAGE);
        return EXIT_CODES.pass;
      default:
        throw new ProofdeskError(
          'USAGE',
          `there is no command ${JSON.stringify(command)}; run \`proofdesk help\` for usage.`,
        );
    }
  } catch (error) {
    if (error instanceof ProofdeskError) {
      io.stderr(`proofdesk: ${error.message}\n`);
      return error.code === 'CANCELLED' ? 130 : EXIT_CODES.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`proofdesk: unexpected error: ${message}\n`);
    if (process.env.PROOFDESK_DEBUG && error instanceof Error) io.stderr(`${error.stack}\n`);
    return EXIT_CODES.usage;
  }
}

function readAllStdin(): string | null {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return null;
  }
}

/** Entry point for bin/proofdesk.mjs. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: readAllStdin,
    stdinIsTty: Boolean(process.stdin.isTTY),
    stderrIsTty: Boolean(process.stderr.isTTY),
  });
}
