/**
 * Governed AI actions: every decision with its state, blocking reason and N-of-M progress; the
 * detail of one (timeline, blocking reasons in triage order, approvals, policy, executions); and
 * Approve / Revoke, signed by the session's officer, disabled with the reason when not allowed.
 */
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import { proofdeskApi } from './proofdesk-api';
import { ReportExport } from './report-export';

type DecisionList = ChannelOutput<'decision/list'>;
type DecisionDetail = ChannelOutput<'decision/get'>;

const STATE_LABELS: Record<string, string> = {
  draft: 'DRAFT',
  pending_approval: 'PENDING APPROVAL',
  approved: 'APPROVED',
  executing: 'EXECUTING',
  completed: 'EXECUTED',
  failed: 'FAILED',
  unreplayable: 'CORRUPT',
};

function StateBadge({ state }: { state: string }) {
  return (
    <span className={`state state-${state}`}>{STATE_LABELS[state] ?? state.toUpperCase()}</span>
  );
}

export function DecisionsView() {
  const [list, setList] = useState<DecisionList | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<DecisionDetail | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const detailHeadingRef = useRef<HTMLHeadingElement>(null);
  // Approve and Revoke replace the panel holding the pressed button; focus then goes to its heading.
  const focusDetailHeadingRef = useRef(false);

  const refreshList = useCallback(async () => {
    const reply = await proofdeskApi().listDecisions({});
    if (reply.ok) setList(reply.data);
    else setError(reply.error);
  }, []);

  useEffect(() => {
    void refreshList();
  }, [refreshList]);

  useEffect(() => {
    if (!focusDetailHeadingRef.current) return;
    focusDetailHeadingRef.current = false;
    detailHeadingRef.current?.focus();
  }, [detail]);

  useEffect(() => {
    if (selected === null) return;
    void proofdeskApi()
      .getDecision({ decisionId: selected })
      .then((reply) => (reply.ok ? setDetail(reply.data) : setError(reply.error)));
  }, [selected]);

  const applyChange = async (
    reply: Promise<{ ok: true; data: DecisionDetail } | { ok: false; error: IpcError }>,
    done: string,
  ) => {
    const result = await reply;
    if (result.ok) {
      focusDetailHeadingRef.current = true;
      setDetail(result.data);
      setError(null);
      setAnnouncement(
        `${done} ${result.data.approvalsCurrent} of ${result.data.approvalsRequired} approvals counted.`,
      );
      await refreshList();
    } else {
      setError(result.error);
    }
  };

  if (error !== null && list === null) {
    return (
      <p role="alert" className="error">
        {error.message}
      </p>
    );
  }
  return (
    <div className="decisions">
      <section aria-label="Decisions" className="decision-list">
        {list !== null && (
          <p className="muted">
            {list.storeName} · {list.decisions.length} decisions · as of {list.asOf}
          </p>
        )}
        <ul>
          {list?.decisions.map((decision) => (
            <li key={decision.decisionId}>
              <button
                type="button"
                className="decision-row"
                aria-current={decision.decisionId === selected ? 'true' : undefined}
                onClick={() => {
                  setSelected(decision.decisionId);
                  setAnnouncement('');
                }}
              >
                <StateBadge state={decision.state} />
                <span className="decision-goal">{decision.goal ?? decision.decisionId}</span>
                <span
                  className="decision-progress"
                  aria-label={`${decision.approvalsCurrent} of ${decision.approvalsRequired} approvals`}
                >
                  {decision.approvalsCurrent}/{decision.approvalsRequired}
                </span>
                <span className="decision-blocking">{decision.blocking[0]?.code ?? 'READY'}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label="Decision detail" className="decision-detail">
        {error !== null && list !== null && (
          <p role="alert" className="error">
            {error.message}
          </p>
        )}
        {detail !== null && (
          <div className="decision-export">
            {/* Keyed by decision, so a saved-file status never outlives the decision it names. */}
            <ReportExport
              key={detail.decisionId}
              decisionId={detail.decisionId}
              subject={detail.decisionId}
            />
          </div>
        )}
        {detail === null ? (
          <p className="muted">
            Select a decision to see its timeline, approvals and blocking reasons.
          </p>
        ) : (
          <DecisionDetailPanel
            // A new event remounts the panel, so a sent comment does not linger in the field.
            key={`${detail.decisionId}:${detail.timeline.length}`}
            detail={detail}
            headingRef={detailHeadingRef}
            onApprove={(comment, expiresAt) =>
              void applyChange(
                proofdeskApi().approveDecision({
                  decisionId: detail.decisionId,
                  ...(comment ? { comment } : {}),
                  ...(expiresAt ? { expiresAt } : {}),
                }),
                'Approval recorded.',
              )
            }
            onRevoke={(reason) =>
              void applyChange(
                proofdeskApi().revokeApproval({
                  decisionId: detail.decisionId,
                  ...(reason ? { reason } : {}),
                }),
                'Approval revoked.',
              )
            }
          />
        )}
        <p role="status" className="visually-hidden">
          {announcement}
        </p>
      </section>
    </div>
  );
}

function DecisionDetailPanel({
  detail,
  headingRef,
  onApprove,
  onRevoke,
}: {
  detail: DecisionDetail;
  headingRef: RefObject<HTMLHeadingElement | null>;
  onApprove: (comment: string, expiresAt: string) => void;
  onRevoke: (reason: string) => void;
}) {
  const [comment, setComment] = useState('');
  const [expiresAt, setExpiresAt] = useState('');
  return (
    <article>
      <h2 ref={headingRef} tabIndex={-1}>
        <StateBadge state={detail.state} /> {detail.goal ?? detail.decisionId}
      </h2>
      <p className="muted">
        <code>{detail.decisionId}</code> · mode {detail.mode ?? '—'} · created {detail.createdAt}
        {detail.labels.length > 0 && ` · labels ${detail.labels.join(', ')}`}
      </p>
      {detail.corruptReason !== null && (
        <p role="alert" className="error">
          This decision cannot be replayed: {detail.corruptReason}
        </p>
      )}

      <h3>Blocking reasons</h3>
      {detail.blocking.length === 0 ? (
        <p>None: ready to execute.</p>
      ) : (
        <ol className="blocking-reasons">
          {detail.blocking.map((reason) => (
            <li key={reason.code}>
              <strong>{reason.code}</strong> {reason.message}
            </li>
          ))}
        </ol>
      )}

      <h3>
        Approvals{' '}
        <span
          role="meter"
          aria-valuemin={0}
          aria-valuemax={detail.approvalsRequired}
          aria-valuenow={detail.approvalsCurrent}
          aria-valuetext={`${detail.approvalsCurrent} of ${detail.approvalsRequired}`}
          aria-label={`${detail.approvalsCurrent} of ${detail.approvalsRequired} approvals counted`}
        >
          {detail.approvalsCurrent}/{detail.approvalsRequired}
        </span>
      </h3>
      <ul className="approvals">
        {detail.approvals.map((approval) => (
          <li key={approval.actorId}>
            {approval.revoked ? 'REVOKED' : approval.active ? 'COUNTED' : 'NOT COUNTED'} ·{' '}
            {approval.actorId} ·{' '}
            {approval.signature === 'valid'
              ? 'signed, verified'
              : approval.signature === 'invalid'
                ? 'signature INVALID'
                : 'unsigned'}{' '}
            · {approval.grantedAt}
            {approval.expiresAt !== null && ` · expires ${approval.expiresAt}`}
            {approval.comment !== null && ` · “${approval.comment}”`}
            {approval.revokeReason && ` · revoked: “${approval.revokeReason}”`}
          </li>
        ))}
      </ul>

      <div className="decision-actions" role="group" aria-label="Your decision">
        <p className="muted">
          {detail.officer === null
            ? 'No officer key: viewing only.'
            : `Signing as ${detail.officer}`}
        </p>
        <label>
          Comment <input value={comment} onChange={(event) => setComment(event.target.value)} />
        </label>
        <label>
          Expires (ISO 8601 with offset, optional){' '}
          <input
            value={expiresAt}
            placeholder="2026-12-31T23:59:59+00:00"
            onChange={(event) => setExpiresAt(event.target.value)}
          />
        </label>
        <button
          type="button"
          disabled={!detail.canApprove.allowed}
          onClick={() => onApprove(comment, expiresAt)}
          aria-describedby="approve-why"
        >
          Approve
        </button>
        <button
          type="button"
          disabled={!detail.canRevoke.allowed}
          onClick={() => onRevoke(comment)}
          aria-describedby="revoke-why"
        >
          Revoke
        </button>
        <p id="approve-why" className="muted">
          {detail.canApprove.reason ?? ''}
        </p>
        <p id="revoke-why" className="muted">
          {detail.canRevoke.reason ?? ''}
        </p>
      </div>

      {detail.policy !== null && (
        <>
          <h3>Policy{detail.template !== null && ` (template ${detail.template.name})`}</h3>
          <p>
            {detail.policy.minApprovals} approval(s) · modes {detail.policy.allowedModes.join(', ')}
            {detail.policy.requireAdapterCapabilities.length > 0 &&
              ` · capabilities ${detail.policy.requireAdapterCapabilities.join(', ')}`}
            {detail.policy.maxSteps !== null && ` · max steps ${detail.policy.maxSteps}`}
            {detail.policy.requireSignedApprovals && ' · signed approvals required'}
          </p>
        </>
      )}

      {detail.executions.length > 0 && (
        <>
          <h3>Executions</h3>
          <ul>
            {detail.executions.map((execution) => (
              <li key={execution.requestedAt}>
                {execution.outcome.toUpperCase()} · {execution.adapterId} (
                {execution.dryRun ? 'dry run' : 'apply'}) · {execution.requestedAt}
                {execution.runId !== null && ` · run ${execution.runId}`}
                {execution.errorMessage !== null && ` · ${execution.errorMessage}`}
              </li>
            ))}
          </ul>
        </>
      )}

      <h3>Timeline</h3>
      <ol className="timeline">
        {detail.timeline.map((entry, index) => (
          <li key={`${entry.seq}-${index}`}>
            <time>{entry.ts}</time> <span className="muted">{entry.category}</span> {entry.summary}
          </li>
        ))}
      </ol>
    </article>
  );
}
