/**
 * The header's file controls: what is open (name, kind), Open… (the system's dialog in the app,
 * the in-app chooser in the twin), and dropping a file anywhere on the window, which sends its
 * bytes with progress and Cancel (file-drop.ts).
 */
import { useEffect, useRef, useState } from 'react';
import type { IpcError } from '../src-shared/ipc/ipc-contract';
import { FileChooser } from './file-chooser';
import { sendDroppedFile } from './file-drop';
import { proofdeskApi } from './proofdesk-api';
import { describeWorkspace, type WorkspaceDescription } from './workspace-state';
import './workspace.css';

type DropState =
  | { phase: 'idle' }
  | { phase: 'hovering' }
  | { phase: 'sending'; fileName: string; bytesSent: number; bytesTotal: number };

const carriesFiles = (event: DragEvent): boolean =>
  event.dataTransfer?.types.includes('Files') ?? false;

export function WorkspaceBar(props: {
  readonly workspace: WorkspaceDescription | null;
  readonly onOpened: (workspace: WorkspaceDescription) => void;
}) {
  const { workspace, onOpened } = props;
  const [choosing, setChoosing] = useState(false);
  const [drop, setDrop] = useState<DropState>({ phase: 'idle' });
  const [error, setError] = useState<IpcError | null>(null);
  const sending = useRef<AbortController | null>(null);

  const showOpen = async (): Promise<void> => {
    setError(null);
    if (workspace?.fileDialog !== 'native') {
      setChoosing(true);
      return;
    }
    const reply = await proofdeskApi().showOpenDialog({});
    if (!reply.ok) setError(reply.error);
    else if (reply.data.opened) onOpened(reply.data.workspace);
  };

  useEffect(() => {
    const receive = async (file: File): Promise<void> => {
      const controller = new AbortController();
      sending.current = controller;
      setError(null);
      setDrop({ phase: 'sending', fileName: file.name, bytesSent: 0, bytesTotal: file.size });
      const reply = await sendDroppedFile(
        proofdeskApi(),
        file,
        (bytesSent, bytesTotal) =>
          setDrop({ phase: 'sending', fileName: file.name, bytesSent, bytesTotal }),
        controller.signal,
      );
      sending.current = null;
      setDrop({ phase: 'idle' });
      if (reply.ok) onOpened(reply.data);
      else if (reply.error.code !== 'CANCELLED') setError(reply.error);
    };
    const over = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      // Without this the browser would navigate to the file, which the app blocks anyway.
      event.preventDefault();
      if (event.dataTransfer !== null) event.dataTransfer.dropEffect = 'copy';
      setDrop((state) => (state.phase === 'idle' ? { phase: 'hovering' } : state));
    };
    const leave = (event: DragEvent): void => {
      // Leaving the window reports no element to go to.
      if (event.relatedTarget === null)
        setDrop((state) => (state.phase === 'hovering' ? { phase: 'idle' } : state));
    };
    const dropped = (event: DragEvent): void => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      const files = event.dataTransfer?.files;
      if (sending.current !== null) return;
      if (files === undefined || files.length !== 1) {
        setDrop({ phase: 'idle' });
        setError({ code: 'USAGE', message: 'Drop one audit database at a time.' });
        return;
      }
      void receive(files[0] as File);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', dropped);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', dropped);
    };
  }, [onOpened]);

  return (
    <div className="workspace-bar">
      {workspace !== null && (
        <p className="workspace-identity" aria-label="Open file">
          <span className="workspace-title">{workspace.title}</span>
          <span className="workspace-kind">{describeWorkspace(workspace)}</span>
        </p>
      )}
      <button type="button" onClick={() => void showOpen()} disabled={drop.phase === 'sending'}>
        Open…
      </button>
      {drop.phase === 'sending' && (
        <div className="workspace-progress" role="status">
          <span>Receiving {drop.fileName}</span>
          <progress
            aria-label={`Receiving ${drop.fileName}`}
            max={Math.max(drop.bytesTotal, 1)}
            value={drop.bytesSent}
          />
          <button type="button" onClick={() => sending.current?.abort()}>
            Cancel
          </button>
        </div>
      )}
      {error !== null && (
        <p role="alert" className="error workspace-error">
          {error.message}
        </p>
      )}
      {drop.phase === 'hovering' && (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop an audit database to open a read-only copy of it</p>
        </div>
      )}
      {choosing && workspace !== null && (
        <FileChooser
          title="Open an audit database"
          hint="A nexuscone ledger or a nexus-attest decision store. It is opened read-only."
          recent={workspace.recent}
          onChoose={async (handle) => {
            const reply = await proofdeskApi().openFile({ handle });
            if (!reply.ok) return reply.error;
            setChoosing(false);
            onOpened(reply.data);
            return null;
          }}
          onClose={() => setChoosing(false)}
        />
      )}
    </div>
  );
}
