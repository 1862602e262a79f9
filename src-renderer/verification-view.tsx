import { useEffect, useState } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import { CheckList } from './check-list';
import { formatBytes, statusTally, verdictHeadline } from './check-presentation';
import { proofdeskApi } from './proofdesk-api';

type LedgerSummary = ChannelOutput<'ledger/describe'>;
type Verification = ChannelOutput<'ledger/verify'>;
type VerifyState =
  | { phase: 'idle' }
  | { phase: 'running'; rowsDone: number; rowsTotal: number }
  | { phase: 'done'; result: Verification }
  | { phase: 'failed'; error: IpcError };

export function VerificationView() {
  const [ledger, setLedger] = useState<LedgerSummary | null>(null);
  const [openError, setOpenError] = useState<IpcError | null>(null);
  const [verify, setVerify] = useState<VerifyState>({ phase: 'idle' });

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
    setVerify(
      reply.ok ? { phase: 'done', result: reply.data } : { phase: 'failed', error: reply.error },
    );
  };

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
        <section className="toolbar" aria-label="Verification">
          <button
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
              <span className="progress-text" aria-live="polite">
                {verify.rowsDone.toLocaleString('en-US')} /{' '}
                {verify.rowsTotal.toLocaleString('en-US')} entries
              </span>
              <button type="button" onClick={() => void proofdeskApi().cancelVerification({})}>
                Cancel
              </button>
            </>
          )}
        </section>
        {verify.phase === 'failed' && (
          <p role="alert" className="error">
            {verify.error.message}
          </p>
        )}
        {verify.phase === 'done' && (
          <section aria-label="Verification result">
            <div className={`verdict verdict-${verify.result.verdict}`} role="status">
              <strong>{verdictHeadline(verify.result.verdict)}</strong>
              <span>
                {verify.result.entries.toLocaleString('en-US')} entries
                {verify.result.head !== null &&
                  ` · head entry ${verify.result.head.entryId}`} ·{' '}
                {statusTally(verify.result.checks)}
              </span>
            </div>
            <CheckList checks={verify.result.checks} />
          </section>
        )}
      </div>
    </>
  );
}
