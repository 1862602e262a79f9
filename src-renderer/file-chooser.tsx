/**
 * The twin's Open… dialog: main lists folders and files by handle ('workspace/browse') and opens
 * the chosen handle ('workspace/open'), so the page never names a path. The app uses the system's
 * dialog instead. A modal <dialog> traps focus and closes on Escape by itself.
 */
import { useEffect, useRef, useState } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import { formatBytes } from './check-presentation';
import { proofdeskApi } from './proofdesk-api';
import type { WorkspaceDescription } from './workspace-state';

type FolderListing = ChannelOutput<'workspace/browse'>;

export function FileChooser(props: {
  readonly recent: WorkspaceDescription['recent'];
  readonly onOpened: (workspace: WorkspaceDescription) => void;
  readonly onClose: () => void;
}) {
  const { recent, onOpened, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  const browse = async (folder?: string): Promise<void> => {
    setBusy(true);
    const reply = await proofdeskApi().browseFolder(folder === undefined ? {} : { folder });
    setBusy(false);
    if (reply.ok) {
      setListing(reply.data);
      setError(null);
    } else {
      setError(reply.error);
    }
  };

  const open = async (handle: string): Promise<void> => {
    setBusy(true);
    const reply = await proofdeskApi().openFile({ handle });
    setBusy(false);
    if (reply.ok) onOpened(reply.data);
    else setError(reply.error);
  };

  useEffect(() => {
    dialog.current?.showModal();
    void browse();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="file-chooser"
      aria-labelledby="file-chooser-title"
      onClose={onClose}
    >
      <h2 id="file-chooser-title">Open an audit database</h2>
      <p className="file-chooser-hint">
        A nexuscone ledger or a nexus-attest decision store. It is opened read-only.
      </p>
      {recent.length > 0 && (
        <section aria-labelledby="file-chooser-recent">
          <h3 id="file-chooser-recent">Recent</h3>
          <ul className="file-list recent-list">
            {recent.map((file) => (
              <li key={file.handle}>
                <button type="button" disabled={busy} onClick={() => void open(file.handle)}>
                  <span className="file-name">{file.fileName}</span>
                  <span className="file-detail">{file.folder}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="file-chooser-folder">
        <h3 id="file-chooser-folder">
          Folder <span className="file-folder-path">{listing?.folder.display ?? '…'}</span>
        </h3>
        <div className="file-chooser-toolbar">
          <button
            type="button"
            disabled={busy || listing === null || listing.parent === null}
            onClick={() => {
              if (listing !== null && listing.parent !== null) void browse(listing.parent);
            }}
          >
            Up one folder
          </button>
        </div>
        {error !== null && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        {listing !== null && (
          <ul className="file-list" aria-label={`Contents of ${listing.folder.display}`}>
            {listing.entries.length === 0 && <li className="file-empty">This folder is empty.</li>}
            {listing.entries.map((entry) => (
              <li key={entry.handle}>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void (entry.kind === 'folder' ? browse(entry.handle) : open(entry.handle))
                  }
                >
                  <span className="file-kind">{entry.kind === 'folder' ? 'Folder' : 'File'}</span>
                  <span className="file-name">{entry.name}</span>
                  {entry.bytes !== null && (
                    <span className="file-detail">{formatBytes(entry.bytes)}</span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        )}
        {listing?.truncated === true && (
          <p className="file-detail">Only the first 1,000 entries are listed.</p>
        )}
      </section>
      <div className="file-chooser-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
