/**
 * The report channels for what is open: the narrative report as of now, and its export as PDF,
 * JSON or Markdown to a place main chose (the Save dialog in the app; in the twin a folder handle
 * and a plain file name). Evidence is only read; the export is written atomically and an
 * existing file is replaced only when asked.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { ProofdeskError } from '../../src-shared/check-code';
import type { IpcChannel } from '../../src-shared/ipc/ipc-contract';
import type { Keyring } from '../../src-shared/keyring';
import { renderReportJson, reportDigest } from '../../src-shared/report/report-json';
import { renderReportMarkdown } from '../../src-shared/report/report-markdown';
import type { NarrativeReport } from '../../src-shared/report/report-model';
import { writeFileAtomically } from '../cli/bundle-commands';
import { buildReportWithEvidence, type ReportAttachment } from '../report/build-report';
import { renderReportPdf } from '../report/report-pdf';
import { nowEpochMicros } from '../wall-clock';
import type { FileHandles } from '../workspace/file-handles';
import type { ChannelHandlers, Emit } from './ipc-handlers';

type ReportChannel = Extract<IpcChannel, `report/${string}`>;
export type ReportFormat = 'pdf' | 'json' | 'md';

export interface ReportSessionOptions {
  readonly ledgerPath: string | null;
  /** The decision store open, when decisions can be reported. */
  readonly storePath: string | null;
  readonly trust: () => { keyring: Keyring | null; anchorProofs?: AnchorProofTrust };
  readonly handles: FileHandles;
  /** The system's Save dialog (the app); absent in the twin. */
  readonly chooseSavePath?: (suggestedName: string, format: ReportFormat) => Promise<string | null>;
  readonly generatorVersion: string;
}

function suggestedName(report: NarrativeReport, format: ReportFormat): string {
  const subject =
    report.decision?.decisionId ??
    report.scope.ledger?.fileName.replace(/\.[^.]*$/, '') ??
    'report';
  return `${subject.replace(/[^\w.-]+/g, '_')}-report.${format}`;
}

export function createReportHandlers(
  session: ReportSessionOptions,
): ChannelHandlers<ReportChannel> {
  let running: AbortController | null = null;
  const build = async (
    decisionId: string | undefined,
    emit: Emit,
  ): Promise<{ report: NarrativeReport; attachments: ReportAttachment[] }> => {
    if (decisionId !== undefined && session.storePath === null) {
      throw new ProofdeskError(
        'USAGE',
        'No decision store is open, so there is no decision to report.',
      );
    }
    if (running !== null) {
      throw new ProofdeskError('USAGE', 'A report is already being made; wait for it to finish.');
    }
    const { keyring, anchorProofs } = session.trust();
    running = new AbortController();
    try {
      return await buildReportWithEvidence({
        ledgerPath: decisionId === undefined ? session.ledgerPath : null,
        decision:
          decisionId === undefined || session.storePath === null
            ? null
            : { storePath: session.storePath, decisionId },
        asOfMicros: nowEpochMicros(),
        keyring,
        anchorProofs: anchorProofs ?? { ots: null, tsa: null },
        generatorVersion: session.generatorVersion,
        tsaRootSubjects: null,
        blockHeaderHeights: anchorProofs?.ots?.headers?.heights ?? null,
        onProgress: (progress) => emit('report/progress', progress),
        signal: running.signal,
      });
    } finally {
      running = null;
    }
  };
  return {
    'report/build': async ({ decisionId }, emit) => {
      const { report } = await build(decisionId, emit);
      return { report, digest: reportDigest(report) };
    },
    'report/export': async ({ decisionId, format, folder, fileName, replace }, emit) => {
      const { report, attachments } = await build(decisionId, emit);
      let target: string | null;
      if (folder !== undefined || fileName !== undefined) {
        if (folder === undefined || fileName === undefined) {
          throw new ProofdeskError(
            'USAGE',
            'Choose both a folder and a file name to save the report.',
          );
        }
        const directory = session.handles.resolve(folder);
        if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
          throw new ProofdeskError('USAGE', 'That folder no longer exists; choose another.');
        }
        target = join(directory, fileName);
      } else if (session.chooseSavePath !== undefined) {
        target = await session.chooseSavePath(suggestedName(report, format), format);
      } else {
        throw new ProofdeskError('USAGE', 'Choose a folder and a file name to save the report.');
      }
      if (target === null) return { saved: false, fileName: null, digest: null, bytes: null };
      const content =
        format === 'pdf'
          ? await renderReportPdf(report, { attachments })
          : format === 'md'
            ? renderReportMarkdown(report, reportDigest(report))
            : renderReportJson(report);
      const written = writeFileAtomically(
        target,
        content,
        replace ?? session.chooseSavePath !== undefined,
        'choose another name, or tick "Replace a file of that name"',
      );
      return {
        saved: true,
        fileName: written.split(/[\\/]/).pop() ?? written,
        digest: reportDigest(report),
        bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.length,
      };
    },
  };
}
