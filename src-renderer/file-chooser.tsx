/**
 * The twin's file dialog: main lists folders and files by handle ('workspace/browse'), and the
 * chosen handle goes back to main (to open it, or to trust a keyring), so the page never names a
 * path. The app uses the system's dialog instead. A modal <dialog> traps focus and closes on
 * Escape by itself.
 *
 * With `save`, it is the twin's Save dialog: the folder shown is the choice, the file name is
 * typed, and main joins the two, so a path still never leaves main. Files stay listed (but not
 * choosable) so the user can see which names are taken.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import { formatBytes } from './check-presentation';
import { proofdeskApi } from './proofdesk-api';
import type { WorkspaceDescription } from './workspace-state';

type FolderListing = ChannelOutput<'workspace/browse'>;

export interface SaveChoice {
  /** The file name offered first. */
  readonly defaultName: string;
  /** Saves into the folder shown; an error keeps the chooser open and shows it. */
  readonly onSave: (folder: string, fileName: string, replace: boolean) => Promise<IpcError | null>;
}

export function FileChooser(props: {
  readonly title: string;
  readonly hint: string;
  readonly recent?: WorkspaceDescription['recent'];
  /** Uses the chosen file; an error keeps the chooser open and shows it. */
  readonly onChoose?: (handle: string) => Promise<IpcError | null>;
  /** Makes this a Save dialog for the folder shown, instead of choosing a file. */
  readonly save?: SaveChoice;
  /** Shown under the folder while busy, e.g. the progress of making what is saved. */
  readonly busyContent?: ReactNode;
  readonly onClose: () => void;
}) {
  const { title, hint, recent = [], onChoose, save, busyContent, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const [fileName, setFileName] = useState(save?.defaultName ?? '');
  const [replace, setReplace] = useState(false);

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
    if (onChoose === undefined) return;
    setBusy(true);
    const failure = await onChoose(handle);
    setBusy(false);
    if (failure !== null) setError(failure);
  };

  const saveHere = async (): Promise<void> => {
    if (save === undefined || listing === null) return;
    setBusy(true);
    const failure = await save.onSave(listing.folder.handle, fileName.trim(), replace);
    setBusy(false);
    setError(failure);
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
      <h2 id="file-chooser-title">{title}</h2>
      <p className="file-chooser-hint">{hint}</p>
      {save === undefined && recent.length > 0 && (
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
                  // Saving chooses a folder, so files are there to see, not to pick.
                  disabled={busy || (save !== undefined && entry.kind === 'file')}
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
      {save !== undefined && (
        <form
          className="file-chooser-save"
          onSubmit={(event) => {
            event.preventDefault();
            void saveHere();
          }}
        >
          <label>
            File name{' '}
            <input
              value={fileName}
              required
              spellCheck={false}
              onChange={(event) => setFileName(event.target.value)}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={replace}
              onChange={(event) => setReplace(event.target.checked)}
            />{' '}
            Replace a file of that name
          </label>
          <button type="submit" disabled={busy || listing === null || fileName.trim() === ''}>
            Save here
          </button>
        </form>
      )}
      {busy && busyContent}
      <div className="file-chooser-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
