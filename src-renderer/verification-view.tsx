import { useEffect, useRef, useState } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import { CheckList } from './check-list';
import {
  formatBytes,
  progressAnnouncement,
  statusTally,
  verdictHeadline,
} from './check-presentation';
import { proofdeskApi } from './proofdesk-api';
import { ReportExport } from './report-export';

type LedgerSummary = ChannelOutput<'ledger/describe'>;
type Verification = ChannelOutput<'ledger/verify'>;
type VerifyState =
  | { phase: 'idle' }
  | { phase: 'running'; rowsDone: number; rowsTotal: number }
  | { phase: 'done'; result: Verification }
  | { phase: 'failed'; error: IpcError };

/** True when the focused control went away (removed or disabled) and focus fell to the page. */
const focusLost = (): boolean =>
  document.activeElement === null || document.activeElement === document.body;

export function VerificationView() {
  const [ledger, setLedger] = useState<LedgerSummary | null>(null);
  const [openError, setOpenError] = useState<IpcError | null>(null);
  const [verify, setVerify] = useState<VerifyState>({ phase: 'idle' });
  const verifyButtonRef = useRef<HTMLButtonElement>(null);
  const cancelButtonRef = useRef<HTMLButtonElement>(null);
  const returnFocusToVerifyRef = useRef(false);

  useEffect(() => {
    void proofdeskApi()
      .describeLedger({})
      .then((reply) => (reply.ok ? setLedger(reply.data) : setOpenError(reply.error)));
    return proofdeskApi().onVerifyProgress(({ rowsDone, rowsTotal }) =>
      setVerify((state) =>
        state.phase === 'running' ? { phase: 'running', rowsDone, rowsTotal } : state,
      ),
    );
  }, []);

  const runVerification = async (): Promise<void> => {
    setVerify({ phase: 'running', rowsDone: 0, rowsTotal: 0 });
    const reply = await proofdeskApi().verifyLedger({});
    // Verify is disabled during the run and Cancel goes with it: a keyboard user on either would
    // otherwise be dropped at the top of the page.
    returnFocusToVerifyRef.current =
      focusLost() || document.activeElement === cancelButtonRef.current;
    setVerify(
      reply.ok ? { phase: 'done', result: reply.data } : { phase: 'failed', error: reply.error },
    );
  };

  useEffect(() => {
    if (verify.phase === 'running' || !returnFocusToVerifyRef.current) return;
    returnFocusToVerifyRef.current = false;
    verifyButtonRef.current?.focus();
  }, [verify.phase]);

  return (
    <>
      {ledger !== null && (
        <div className="ledger-identity">
          <span className="ledger-name">{ledger.fileName}</span>
          <span className="ledger-size">{formatBytes(ledger.bytes)}</span>
          <span className="ledger-sha">
            SHA-256 <code>{ledger.sha256}</code>
          </span>
        </div>
      )}
      <div className="view-body">
        {openError !== null && (
          <p role="alert" className="error">
            {openError.message}
          </p>
        )}
        <div className="toolbar" role="group" aria-label="Verification controls">
          <button
            ref={verifyButtonRef}
            type="button"
            onClick={() => void runVerification()}
            disabled={ledger === null || verify.phase === 'running'}
          >
            Verify
          </button>
          {verify.phase === 'running' && (
            <>
              <progress
                aria-label="Verification progress"
                max={Math.max(verify.rowsTotal, 1)}
                value={verify.rowsDone}
              />
              <span className="progress-text">
                {verify.rowsDone.toLocaleString('en-US')} /{' '}
                {verify.rowsTotal.toLocaleString('en-US')} entries
              </span>
              <button
                ref={cancelButtonRef}
                type="button"
                onClick={() => void proofdeskApi().cancelVerification({})}
              >
                Cancel
              </button>
            </>
          )}
        </div>
        {ledger !== null && (
          <div className="verification-export">
            {/* Main runs one report or verification pass at a time, so export waits for Verify. */}
            <ReportExport subject={ledger.fileName} disabled={verify.phase === 'running'} />
          </div>
        )}
        {verify.phase === 'failed' && (
          <p role="alert" className="error">
            {verify.error.message}
          </p>
        )}
        {/* Always present, so screen readers hear what goes into it: progress, then the verdict. */}
        <div role="status" className="verification-status">
          {verify.phase === 'running' && (
            <span className="visually-hidden">
              {progressAnnouncement(verify.rowsDone, verify.rowsTotal)}
            </span>
          )}
          {verify.phase === 'done' && (
            <div className={`verdict verdict-${verify.result.verdict}`}>
              <h2>{verdictHeadline(verify.result.verdict)}</h2>
              <span>
                {verify.result.entries.toLocaleString('en-US')} entries
                {verify.result.head !== null &&
                  ` · head entry ${verify.result.head.entryId}`} ·{' '}
                {statusTally(verify.result.checks)}
              </span>
            </div>
          )}
        </div>
        {verify.phase === 'done' && (
          <section aria-label="Verification result">
            <CheckList checks={verify.result.checks} />
          </section>
        )}
      </div>
    </>
  );
}
