/**
 * Exporting the narrative report (the ledger's, or one decision's) as PDF, JSON or Markdown. Main
 * decides where the file goes: in the app it shows the system's Save dialog; in the twin the page
 * shows the in-app chooser as a Save dialog and sends a folder handle and a plain file name, so a
 * path never comes from the page. One flow, shared by every view with an export button, so they
 * all save, report progress and fail the same way.
 */
import { useEffect, useRef, useState } from 'react';
import type { ChannelInput, IpcError } from '../src-shared/ipc/ipc-contract';
import { FileChooser } from './file-chooser';
import { proofdeskApi } from './proofdesk-api';
import './narrative.css';

export type ReportFormat = ChannelInput<'report/export'>['format'];

const FORMAT_LABELS: Record<ReportFormat, string> = { pdf: 'PDF', json: 'JSON', md: 'Markdown' };

/** The name offered in the twin's Save dialog; main offers the same in the system's. */
export function suggestedReportName(subject: string, format: ReportFormat): string {
  const base = subject.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'report';
  return `${base}-report.${format}`;
}

type ExportState =
  | { phase: 'idle' }
  | { phase: 'choosing'; format: ReportFormat }
  | { phase: 'exporting'; format: ReportFormat; rowsDone: number; rowsTotal: number };

export function ReportProgress(props: { rowsDone: number; rowsTotal: number; label: string }) {
  const { rowsDone, rowsTotal, label } = props;
  return (
    <span className="report-progress">
      {/* Indeterminate until main has counted the rows, so it never shows a false 0%. */}
      {rowsTotal > 0 ? (
        <progress aria-label={label} max={rowsTotal} value={rowsDone} />
      ) : (
        <progress aria-label={label} />
      )}
      <span className="progress-text">
        {rowsTotal > 0
          ? `${rowsDone.toLocaleString('en-US')} / ${rowsTotal.toLocaleString('en-US')} entries`
          : 'Preparing…'}
      </span>
    </span>
  );
}

export function ReportExport(props: {
  /** The decision to report; omitted: the open ledger. */
  readonly decisionId?: string;
  /** What the offered file name is made from: the ledger's file name or the decision id. */
  readonly subject: string;
  readonly formats?: readonly ReportFormat[];
  /** Off while something else (building the report, say) holds main's one report slot. */
  readonly disabled?: boolean;
}) {
  const { decisionId, subject, formats = ['pdf'], disabled = false } = props;
  const [fileDialog, setFileDialog] = useState<'native' | 'in-app' | null>(null);
  const [state, setState] = useState<ExportState>({ phase: 'idle' });
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const buttons = useRef(new Map<ReportFormat, HTMLButtonElement | null>());
  // The chooser can be closed (Escape) while a save runs; its outcome is then shown here instead.
  const chooserOpen = useRef(false);
  const focusAfter = useRef<ReportFormat | null>(null);
  const exporting = state.phase === 'exporting';

  // The button was disabled, or behind the chooser, while saving: a keyboard user goes back to it
  // once it can take focus again.
  useEffect(() => {
    if (state.phase !== 'idle' || focusAfter.current === null) return;
    buttons.current.get(focusAfter.current)?.focus();
    focusAfter.current = null;
  }, [state.phase]);

  useEffect(() => {
    void proofdeskApi()
      .describeWorkspace({})
      .then((reply) => {
        if (reply.ok) setFileDialog(reply.data.fileDialog);
        else setError(reply.error);
      });
    return proofdeskApi().onReportProgress(({ rowsDone, rowsTotal }) =>
      setState((current) =>
        current.phase === 'exporting' ? { ...current, rowsDone, rowsTotal } : current,
      ),
    );
  }, []);

  /** Exports; the error is returned so the in-app chooser can keep itself open and show it. */
  const runExport = async (
    format: ReportFormat,
    place: { folder: string; fileName: string; replace: boolean } | null,
  ): Promise<IpcError | null> => {
    setState({ phase: 'exporting', format, rowsDone: 0, rowsTotal: 0 });
    setSaved('');
    setError(null);
    const reply = await proofdeskApi().exportReport({
      format,
      ...(decisionId === undefined ? {} : { decisionId }),
      ...(place === null ? {} : place),
    });
    if (!reply.ok) {
      if (place !== null && chooserOpen.current) {
        setState({ phase: 'choosing', format });
      } else {
        focusAfter.current = format;
        setState({ phase: 'idle' });
        setError(reply.error);
      }
      return reply.error;
    }
    chooserOpen.current = false;
    focusAfter.current = format;
    setState({ phase: 'idle' });
    setSaved(
      reply.data.saved
        ? `Saved ${reply.data.fileName ?? ''} (${reply.data.digest ?? ''})`
        : 'Export cancelled; nothing was saved.',
    );
    return null;
  };

  const start = (format: ReportFormat): void => {
    if (fileDialog === 'in-app') {
      setSaved('');
      setError(null);
      chooserOpen.current = true;
      setState({ phase: 'choosing', format });
    } else {
      void runExport(format, null);
    }
  };

  const chooserFormat =
    state.phase === 'choosing' || (state.phase === 'exporting' && fileDialog === 'in-app')
      ? state.format
      : null;
  return (
    <div className="report-export">
      <div className="report-export-buttons">
        {formats.map((format) => (
          <button
            key={format}
            ref={(element) => {
              buttons.current.set(format, element);
            }}
            type="button"
            disabled={disabled || fileDialog === null || state.phase !== 'idle'}
            onClick={() => start(format)}
          >
            Export {FORMAT_LABELS[format]}
          </button>
        ))}
        {exporting && fileDialog !== 'in-app' && (
          <ReportProgress
            label={`Exporting the ${FORMAT_LABELS[state.format]} report`}
            rowsDone={state.rowsDone}
            rowsTotal={state.rowsTotal}
          />
        )}
      </div>
      {error !== null && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <p role="status" className="report-export-status">
        {saved}
      </p>
      {chooserFormat !== null && (
        <FileChooser
          title={`Save the ${FORMAT_LABELS[chooserFormat]} report`}
          hint="Open the folder to save into, name the file, then choose Save here."
          save={{
            defaultName: suggestedReportName(subject, chooserFormat),
            onSave: (folder, fileName, replace) =>
              runExport(chooserFormat, { folder, fileName, replace }),
          }}
          busyContent={
            state.phase === 'exporting' ? (
              <ReportProgress
                label={`Exporting the ${FORMAT_LABELS[chooserFormat]} report`}
                rowsDone={state.rowsDone}
                rowsTotal={state.rowsTotal}
              />
            ) : null
          }
          onClose={() => {
            chooserOpen.current = false;
            focusAfter.current = chooserFormat;
            setState((current) => (current.phase === 'choosing' ? { phase: 'idle' } : current));
          }}
        />
      )}
    </div>
  );
}
