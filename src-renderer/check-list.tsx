import type { ReactNode } from 'react';
import type { CheckResult } from '../src-shared/verification-report';
import { recordLabel } from './check-presentation';
import { showLedgerEntry } from './ledger-navigation';

/** The line's record: entries are links to their ledger row, other records plain text. */
function recordNode(check: CheckResult, record: string | null): ReactNode {
  if (record === null) return null;
  if (check.entryId === undefined || record !== `entry ${check.entryId}`)
    return <span className="check-record">{record}</span>;
  const entryId = check.entryId;
  return (
    <button
      type="button"
      className="check-record record-link"
      aria-label={`Show ${record} in the ledger`}
      onClick={() => showLedgerEntry(entryId)}
    >
      {record}
    </button>
  );
}

/**
 * The verification checklist. Each line is a listitem whose text starts with its status word, so
 * the status is read out by screen readers and never carried by colour alone.
 */
export function CheckList({ checks }: { checks: readonly CheckResult[] }) {
  return (
    <ul className="check-list" aria-label="Verification checks">
      {checks.map((check, index) => (
        <CheckRow
          key={`${check.check}-${check.code ?? 'pass'}-${index}`}
          status={check.status}
          check={check.check}
          code={check.code ?? null}
          record={recordNode(check, recordLabel(check))}
          message={check.message}
          expected={check.expected}
          actual={check.actual}
        />
      ))}
    </ul>
  );
}

/**
 * One line of a checklist: the status word first, so screen readers read it and colour never
 * carries it alone. The Verification view and the report's Narrative view both draw with it.
 */
export function CheckRow(props: {
  readonly status: CheckResult['status'];
  readonly check: string;
  readonly code: string | null;
  readonly record: ReactNode;
  readonly message: string;
  readonly expected: string | null | undefined;
  readonly actual: string | null | undefined;
}) {
  const { status } = props;
  return (
    <li className={`check check-${status.toLowerCase()}`}>
      <span className={`badge badge-${status.toLowerCase()}`}>{status}</span>
      <div className="check-body">
        <div className="check-title">
          <span className="check-name">{props.check}</span>
          {props.code !== null && status !== 'PASS' && (
            <span className="check-code">{props.code}</span>
          )}
          {props.record}
        </div>
        <p className="check-message">{props.message}</p>
        {status !== 'PASS' && <ExpectedActual expected={props.expected} actual={props.actual} />}
      </div>
    </li>
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
