import type { CheckResult } from '../src-shared/verification-report';
import { recordLabel } from './check-presentation';
import { showLedgerEntry } from './ledger-navigation';

/**
 * The verification checklist. Each line is a listitem whose text starts with its status word, so
 * the status is read out by screen readers and never carried by colour alone.
 */
export function CheckList({ checks }: { checks: readonly CheckResult[] }) {
  return (
    <ul className="check-list" aria-label="Verification checks">
      {checks.map((check, index) => {
        const record = recordLabel(check);
        return (
          <li
            key={`${check.check}-${check.code ?? 'pass'}-${index}`}
            className={`check check-${check.status.toLowerCase()}`}
          >
            <span className={`badge badge-${check.status.toLowerCase()}`}>{check.status}</span>
            <div className="check-body">
              <div className="check-title">
                <span className="check-name">{check.check}</span>
                {check.code !== undefined && check.status !== 'PASS' && (
                  <span className="check-code">{check.code}</span>
                )}
                {record !== null &&
                  (check.entryId !== undefined && record === `entry ${check.entryId}` ? (
                    <button
                      type="button"
                      className="check-record record-link"
                      aria-label={`Show ${record} in the ledger`}
                      onClick={() => showLedgerEntry(check.entryId ?? 0)}
                    >
                      {record}
                    </button>
                  ) : (
                    <span className="check-record">{record}</span>
                  ))}
              </div>
              <p className="check-message">{check.message}</p>
              {check.status !== 'PASS' && (
                <ExpectedActual expected={check.expected} actual={check.actual} />
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** A finding's expected and actual values, when it has either; the report view shows them too. */
export function ExpectedActual(props: {
  readonly expected: string | null | undefined;
  readonly actual: string | null | undefined;
}) {
  const { expected, actual } = props;
  if ((expected ?? null) === null && (actual ?? null) === null) return null;
  return (
    <dl className="check-values">
      {expected !== undefined && expected !== null && (
        <>
          <dt>expected</dt>
          <dd>{expected}</dd>
        </>
      )}
      {actual !== undefined && actual !== null && (
        <>
          <dt>actual</dt>
          <dd>{actual}</dd>
        </>
      )}
    </dl>
  );
}
