/**
 * `proofdesk report <db> [--decision ID] [--at ISO] [--keys FILE] [anchor trust options]
 * [--out FILE.pdf|.json|.md [--force]]`: the narrative report of a ledger, or of a decision in a
 * decision store (with its bound ledger). JSON and Markdown go to stdout without --out; a PDF
 * needs --out. The format follows the --out extension (default JSON).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { Keyring } from '../../src-shared/keyring';
import { certificateSubject } from '../../src-shared/anchors/rfc3161-verification';
import { renderReportMarkdown } from '../../src-shared/report/report-markdown';
import { renderReportJson, reportDigest } from '../../src-shared/report/report-json';
import type { NarrativeReport } from '../../src-shared/report/report-model';
import {
  buildReportWithEvidence,
  type ReportAttachment,
  type ReportSelection,
} from '../report/build-report';
import { PACKAGE_ROOT } from '../serve/renderer-bundle';
import { detectEvidenceKind } from '../workspace/evidence-kind';
import { anchorTrustFrom, ANCHOR_TRUST_OPTIONS } from './anchor-trust-options';
import {
  checkOutputTarget,
  emitVerification,
  readBytes,
  writeFileAtomically,
} from './bundle-commands';
import { verifyPdfReport } from '../report/pdf-evidence';
import { computeVerdict } from '../../src-shared/verification-report';
import { findingLine } from '../../src-shared/decisions/decision-bundle';
import type { VerificationCheck } from './verification-output';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';
import { asOfOption } from './decision-commands';
import { readKeyringFile } from '../settings/trusted-keyrings';

export type ReportFormat = 'json' | 'md' | 'pdf';

/** Renders a PDF with files embedded beside the report. */
export type PdfRenderer = (
  report: NarrativeReport,
  attachments: readonly ReportAttachment[],
) => Promise<Uint8Array>;

function formatOf(out: string | undefined): ReportFormat {
  if (out === undefined) return 'json';
  const extension = extname(out).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.md' || extension === '.markdown') return 'md';
  if (extension === '.pdf') return 'pdf';
  throw new ProofdeskError(
    'USAGE',
    `--out names the format by its extension: .pdf, .json or .md, not ${JSON.stringify(extension || out)}.`,
  );
}

export function generatorVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function entryIdOf(text: string | undefined, flag: string): number | null {
  if (text === undefined) return null;
  if (!/^[1-9]\d{0,15}$/.test(text)) {
    throw new ProofdeskError(
      'USAGE',
      `${flag} needs an entry id (a whole number from 1), not ${JSON.stringify(text)}.`,
    );
  }
  return Number(text);
}

/** --from-entry, --to-entry, --actor and --event-type: the entries the Article 12 facts describe. */
function selectionOf(values: {
  'from-entry'?: string;
  'to-entry'?: string;
  actor?: string;
  'event-type'?: string;
}): ReportSelection | null {
  const fromEntryId = entryIdOf(values['from-entry'], '--from-entry');
  const toEntryId = entryIdOf(values['to-entry'], '--to-entry');
  if (fromEntryId !== null && toEntryId !== null && toEntryId < fromEntryId) {
    throw new ProofdeskError(
      'USAGE',
      `--to-entry ${toEntryId} comes before --from-entry ${fromEntryId}.`,
    );
  }
  const actor = values.actor ?? null;
  const eventType = values['event-type'] ?? null;
  if (fromEntryId === null && toEntryId === null && actor === null && eventType === null)
    return null;
  return { fromEntryId, toEntryId, actor, eventType };
}

export async function runReport(
  args: string[],
  io: CliIo,
  renderPdf: PdfRenderer | null,
): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      decision: { type: 'string' },
      at: { type: 'string' },
      keys: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      'from-entry': { type: 'string' },
      'to-entry': { type: 'string' },
      actor: { type: 'string' },
      'event-type': { type: 'string' },
      ...ANCHOR_TRUST_OPTIONS,
    },
    'report',
  );
  const db = onePositional(positionals, 'ledger or decision store', 'report');
  const format = formatOf(values.out);
  if (format === 'pdf' && values.out === undefined)
    throw new ProofdeskError('USAGE', 'A PDF report needs --out FILE.pdf.');
  checkOutputTarget({
    out: values.out,
    force: values.force ?? false,
    protectedPaths: [db, `${db}-wal`, `${db}-shm`],
  });
  const kind = detectEvidenceKind(db);
  if (kind === 'ledger' && values.decision !== undefined) {
    throw new ProofdeskError(
      'USAGE',
      `${db} is a ledger; a decision report needs the decision store that holds ${values.decision}.`,
    );
  }
  if (kind === 'decision-store' && values.decision === undefined) {
    throw new ProofdeskError(
      'USAGE',
      'A decision store is reported one decision at a time: give --decision ID.',
    );
  }
  const keyring: Keyring | null = values.keys === undefined ? null : readKeyringFile(values.keys);
  const asOf = asOfOption(values.at);
  const selection = selectionOf(values);
  const anchorProofs = await anchorTrustFrom(db, values);
  const { report, attachments } = await buildReportWithEvidence({
    ledgerPath: kind === 'ledger' ? db : null,
    decision:
      kind === 'decision-store' && values.decision !== undefined
        ? { storePath: db, decisionId: values.decision }
        : null,
    asOfMicros: asOf.micros,
    keyring,
    anchorProofs,
    generatorVersion: generatorVersion(),
    tsaRootSubjects: anchorProofs.tsa?.roots?.map(certificateSubject) ?? null,
    blockHeaderHeights: anchorProofs.ots?.headers?.heights ?? null,
    selection,
  });
  let content: string | Uint8Array;
  if (format === 'pdf') {
    if (renderPdf === null) throw new ProofdeskError('INTERNAL', 'PDF rendering is not available.');
    content = await renderPdf(report, attachments);
  } else {
    content =
      format === 'md'
        ? renderReportMarkdown(report, reportDigest(report))
        : renderReportJson(report);
  }
  if (values.out === undefined) {
    io.stdout(content as string);
  } else {
    const written = writeFileAtomically(values.out, content, values.force ?? false);
    io.stderr(`wrote the ${format.toUpperCase()} report (${reportDigest(report)}) to ${written}\n`);
  }
  return 0;
}

/**
 * `proofdesk verify-report <file.pdf> [--db DB] [--keys FILE] [anchor options] [--json]`: checks
 * the report a PDF carries (the embedded JSON against the digest it names and the digest printed
 * on every page) and, given the database, re-runs the report as of its instant and says whether
 * the evidence and the checks still match. Exit 0 when everything matches, 1 when not.
 */
export async function runVerifyReport(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      db: { type: 'string' },
      keys: { type: 'string' },
      json: { type: 'boolean' },
      ...ANCHOR_TRUST_OPTIONS,
    },
    'verify-report',
  );
  const file = onePositional(positionals, 'report PDF', 'verify-report');
  const { path, data } = readBytes(file, 'a report PDF');
  const checks: VerificationCheck[] = [];
  const embedded = await verifyPdfReport(new Uint8Array(data));
  if (!embedded.ok) {
    checks.push(findingLine('REPORT_DIGEST_MISMATCH', embedded.reason));
  } else {
    checks.push({
      check: 'report.digest',
      status: 'PASS',
      message: `the embedded report hashes to ${embedded.digest}, the digest every page prints`,
    });
    if (values.db === undefined) {
      checks.push(
        findingLine(
          'REPORT_NOT_RECHECKED',
          'no --db was given, so the evidence and the checks were not compared with the report',
        ),
      );
    } else {
      checks.push(...(await recheckReport(embedded.report, values.db, values)));
    }
  }
  return emitVerification(
    io,
    {
      subject: 'report',
      verdict: computeVerdict(checks),
      file: { path, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length },
      ...(embedded.ok && embedded.report.decision !== null
        ? { decisionId: embedded.report.decision.decisionId }
        : {}),
      checks,
    },
    values.json ?? false,
  );
}

async function recheckReport(
  recorded: NarrativeReport,
  db: string,
  values: Parameters<typeof anchorTrustFrom>[1] & { keys?: string },
): Promise<VerificationCheck[]> {
  const kind = detectEvidenceKind(db);
  const decisionId = recorded.decision?.decisionId;
  if ((kind === 'decision-store') !== (decisionId !== undefined)) {
    throw new ProofdeskError(
      'USAGE',
      decisionId === undefined
        ? `The report is about a ledger, but ${db} is a decision store.`
        : `The report is about decision ${decisionId}, but ${db} is a ledger, not its decision store.`,
    );
  }
  const asOfMicros = BigInt(Date.parse(recorded.asOf)) * 1000n;
  const anchorProofs = await anchorTrustFrom(db, values);
  const current = await buildReportWithEvidence({
    ledgerPath: kind === 'ledger' ? db : null,
    decision: decisionId === undefined ? null : { storePath: db, decisionId },
    asOfMicros,
    keyring: values.keys === undefined ? null : readKeyringFile(values.keys),
    anchorProofs,
    generatorVersion: recorded.generator.version,
    tsaRootSubjects: anchorProofs.tsa?.roots?.map(certificateSubject) ?? null,
    blockHeaderHeights: anchorProofs.ots?.headers?.heights ?? null,
  });
  const lines: VerificationCheck[] = [];
  const pairs: [string, string | null, string | null][] = [
    ['ledger file SHA-256', recorded.evidence.fileSha256, current.report.evidence.fileSha256],
    ['head hash', recorded.evidence.headHash, current.report.evidence.headHash],
    [
      'decision store SHA-256',
      recorded.evidence.decisionStoreSha256,
      current.report.evidence.decisionStoreSha256,
    ],
  ];
  const changed = pairs.filter(([, before, now]) => before !== now);
  if (changed.length === 0) {
    lines.push({
      check: 'report.evidence',
      status: 'PASS',
      message: 'the evidence files are byte-identical to the ones the report describes',
    });
  }
  for (const [what, before, now] of changed) {
    lines.push(
      findingLine('REPORT_EVIDENCE_CHANGED', `the ${what} is not the one the report records`, {
        expected: before ?? '(none)',
        actual: now ?? '(none)',
      }),
    );
  }
  const recordedChecks = JSON.stringify(recorded.checks);
  const currentChecks = JSON.stringify(current.report.checks);
  if (recordedChecks === currentChecks) {
    lines.push({
      check: 'report.checks',
      status: 'PASS',
      message: `re-running the ${recorded.checks.length} checks as of ${recorded.asOf} gives the results the report records`,
    });
  } else {
    const index = recorded.checks.findIndex(
      (check, position) =>
        JSON.stringify(check) !== JSON.stringify(current.report.checks[position]),
    );
    const before = recorded.checks[index];
    const now = current.report.checks[index];
    lines.push(
      findingLine(
        'REPORT_CHECKS_CHANGED',
        `re-running the checks gives other results than the report records, first at line ${index + 1} (give the same trust material the report names)`,
        {
          expected:
            before === undefined
              ? '(no line)'
              : `${before.status} ${before.check} ${before.code ?? ''}`.trim(),
          actual:
            now === undefined ? '(no line)' : `${now.status} ${now.check} ${now.code ?? ''}`.trim(),
        },
      ),
    );
  }
  return lines;
}
