/**
 * `proofdesk report <db> [--decision ID] [--at ISO] [--keys FILE] [anchor trust options]
 * [--out FILE.pdf|.json|.md [--force]]`: the narrative report of a ledger, or of a decision in a
 * decision store (with its bound ledger). JSON and Markdown go to stdout without --out; a PDF
 * needs --out. The format follows the --out extension (default JSON).
 */
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { Keyring } from '../../src-shared/keyring';
import { certificateSubject } from '../../src-shared/anchors/rfc3161-verification';
import { renderReportMarkdown } from '../../src-shared/report/report-markdown';
import { renderReportJson, reportDigest } from '../../src-shared/report/report-json';
import type { NarrativeReport } from '../../src-shared/report/report-model';
import { buildReport } from '../report/build-report';
import { PACKAGE_ROOT } from '../serve/renderer-bundle';
import { detectEvidenceKind } from '../workspace/evidence-kind';
import { anchorTrustFrom, ANCHOR_TRUST_OPTIONS } from './anchor-trust-options';
import { checkOutputTarget, writeFileAtomically } from './bundle-commands';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';
import { asOfOption } from './decision-commands';
import { readKeyringFile } from '../settings/trusted-keyrings';

export type ReportFormat = 'json' | 'md' | 'pdf';

/** Renders a PDF; supplied by the PDF module so the CLI stays free of it until it is used. */
export type PdfRenderer = (report: NarrativeReport) => Promise<Uint8Array>;

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
  const anchorProofs = await anchorTrustFrom(db, values);
  const report = await buildReport({
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
  });
  let content: string | Uint8Array;
  if (format === 'pdf') {
    if (renderPdf === null) throw new ProofdeskError('INTERNAL', 'PDF rendering is not available.');
    content = await renderPdf(report);
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
