/**
 * One ledger entry in full, in a modal side drawer: its fields, the payload indented, the exact
 * canonical hash input, stored and recomputed hashes (match or MISMATCH spelled out, never colour
 * alone), previous_hash, and the signature with its key. Escape or Close dismisses it; the caller
 * puts focus back on the row that opened it.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { IpcError } from '../src-shared/ipc/ipc-contract';
import type { LedgerEntryDetail } from '../src-shared/ipc/ledger-browse-contract';
import { proofdeskApi } from './proofdesk-api';

type DrawerState =
  | { phase: 'loading' }
  | { phase: 'done'; entry: LedgerEntryDetail }
  | { phase: 'failed'; error: IpcError };

const SIGNATURE_WORDS: Readonly<Record<LedgerEntryDetail['signatureStatus'], string>> = {
  unsigned: 'Unsigned',
  valid: 'Signature valid',
  invalid: 'Signature INVALID',
  'unknown-key': 'Unknown key',
  'not-checked': 'Signature not checked',
  malformed: 'Signature malformed',
};

/** Columns shown in their own sections rather than in the stored-columns list. */
const SHOWN_ELSEWHERE = new Set(['payload', 'entry_hash', 'previous_hash', 'signature']);

function focusableIn(root: HTMLElement): HTMLElement[] {
  return [
    ...root.querySelectorAll<HTMLElement>(
      'button:not([disabled]), [href], input, select, textarea, [tabindex]:not([tabindex="-1"])',
    ),
  ];
}

export function EntryDrawer({ entryId, onClose }: { entryId: number; onClose: () => void }) {
  const [state, setState] = useState<DrawerState>({ phase: 'loading' });
  const dialogRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let current = true;
    setState({ phase: 'loading' });
    void proofdeskApi()
      .readLedgerEntry({ entryId })
      .then((reply) => {
        if (!current) return;
        setState(
          reply.ok ? { phase: 'done', entry: reply.data } : { phase: 'failed', error: reply.error },
        );
      });
    return () => {
      current = false;
    };
  }, [entryId]);

  useEffect(() => {
    headingRef.current?.focus();
  }, [entryId]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
      return;
    }
    // Keep Tab inside the dialog: it is modal.
    if (event.key === 'Tab' && dialogRef.current !== null) {
      const focusable = focusableIn(dialogRef.current);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (first === undefined || last === undefined) return;
      const active = document.activeElement;
      if (event.shiftKey && (active === first || active === headingRef.current)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-label={`Entry ${entryId}`}
        className="entry-drawer"
        onKeyDown={onKeyDown}
        onClick={(event) => event.stopPropagation()}
      >
        <header className="drawer-header">
          <h2 ref={headingRef} tabIndex={-1}>
            Entry {entryId}
          </h2>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </header>
        {state.phase === 'loading' && <p className="muted">Loading entry {entryId}…</p>}
        {state.phase === 'failed' && (
          <p role="alert" className="error">
            {state.error.message}
          </p>
        )}
        {state.phase === 'done' && <EntryDetail entry={state.entry} />}
      </div>
    </div>
  );
}

/**
 * A long block of code in a box of its own height. It is a tab stop so the keyboard can scroll it,
 * and a named group so a screen reader says what it is on arriving there.
 */
function ScrollableCode({ label, text }: { label: string; text: string }) {
  return (
    <pre className="drawer-code" role="group" aria-label={label} tabIndex={0}>
      <code>{text}</code>
    </pre>
  );
}

function EntryDetail({ entry }: { entry: LedgerEntryDetail }) {
  const otherColumns = entry.columns.filter(
    (column) => !SHOWN_ELSEWHERE.has(column.name.toLowerCase()),
  );
  return (
    <div className="drawer-body">
      <section aria-labelledby="drawer-hash">
        <h3 id="drawer-hash">Hash</h3>
        <p className={`hash-status ${entry.hashMatches ? 'hash-ok' : 'hash-bad'}`} role="status">
          <strong>{entry.hashMatches ? 'Hash matches' : 'Hash MISMATCH'}</strong>
          {entry.hashMatches
            ? ': the stored entry_hash is the SHA-256 of the canonical input below.'
            : entry.hashInput === null
              ? ': a hashed field is a BLOB, so no hash can match.'
              : ': the stored entry_hash is not the SHA-256 of the canonical input below.'}
        </p>
        <dl className="drawer-fields">
          <dt>Stored entry_hash</dt>
          <dd>
            <code>{entry.storedHash}</code>
          </dd>
          <dt>Recomputed SHA-256</dt>
          <dd>
            <code>{entry.recomputedHash ?? '(none: no JSON form)'}</code>
          </dd>
          <dt>previous_hash</dt>
          <dd>
            <code>{entry.previousHash}</code>
          </dd>
        </dl>
        <h4>Canonical hash input (format {entry.hashFormat})</h4>
        {entry.hashInput === null ? (
          <p className="muted">None: a hashed field is a BLOB, which has no JSON form.</p>
        ) : (
          <ScrollableCode label="Canonical hash input" text={entry.hashInput} />
        )}
      </section>

      <section aria-labelledby="drawer-signature">
        <h3 id="drawer-signature">Signature</h3>
        <p className={`signature-status signature-${entry.signatureStatus}`}>
          <strong>{SIGNATURE_WORDS[entry.signatureStatus]}</strong>: {entry.signatureMessage}
        </p>
        <dl className="drawer-fields">
          <dt>signing_key_id</dt>
          <dd>
            <code>{entry.signingKeyId ?? 'NULL'}</code>
          </dd>
          <dt>signature</dt>
          <dd>
            <code>{entry.signature ?? 'NULL'}</code>
          </dd>
        </dl>
      </section>

      <section aria-labelledby="drawer-payload">
        <h3 id="drawer-payload">Payload</h3>
        {entry.payload.pretty !== null ? (
          <ScrollableCode label="Payload" text={entry.payload.pretty} />
        ) : (
          <>
            <p className="muted">
              Not valid JSON ({entry.payload.parseError}); shown exactly as stored.
            </p>
            <ScrollableCode label="Payload as stored" text={entry.payload.raw} />
          </>
        )}
      </section>

      <section aria-labelledby="drawer-columns">
        <h3 id="drawer-columns">Stored columns</h3>
        <dl className="drawer-fields">
          {otherColumns.map((column) => (
            <div key={column.name} className="drawer-field">
              <dt>
                {column.name} <span className="muted">{column.type}</span>
              </dt>
              <dd>
                <code>{column.text}</code>
              </dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}
