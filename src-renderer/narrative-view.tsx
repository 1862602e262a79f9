/**
 * The narrative report in the app: the same sections, in the same order, as the PDF and the
 * Markdown (report-markdown.ts), drawn from the one report model main builds, so the screen and
 * the exported file cannot say different things. Statuses and the verdict are words, never colour
 * alone.
 */
import { describeSelection } from '../src-shared/report/report-text';
import { CheckRow } from './check-list';
import { useEffect, useRef, useState } from 'react';
import type { ChannelOutput, IpcError } from '../src-shared/ipc/ipc-contract';
import type { NarrativeReport, ReportCheck } from '../src-shared/report/report-model';
import { verdictHeadline } from '../src-shared/report/report-text';
import { proofdeskApi } from './proofdesk-api';
import { ReportExport, ReportProgress } from './report-export';
import type { WorkspaceDescription } from './workspace-state';
import './narrative.css';

type DecisionList = ChannelOutput<'decision/list'>;
type BuiltReport = ChannelOutput<'report/build'>;
type BuildState =
  | { phase: 'idle' }
  | { phase: 'building'; rowsDone: number; rowsTotal: number }
  | { phase: 'done'; built: BuiltReport }
  | { phase: 'failed'; error: IpcError };

/** The select's value for the ledger itself; decision ids are never empty, so cannot clash. */
const LEDGER_SCOPE = '';

export function NarrativeView() {
  const [workspace, setWorkspace] = useState<WorkspaceDescription | null>(null);
  const [decisions, setDecisions] = useState<DecisionList | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [scope, setScope] = useState<string | null>(null);
  const [build, setBuild] = useState<BuildState>({ phase: 'idle' });
  const buildButton = useRef<HTMLButtonElement>(null);
  const refocusBuild = useRef(false);

  useEffect(() => {
    void proofdeskApi()
      .describeWorkspace({})
      .then(async (reply) => {
        if (!reply.ok) {
          setLoadError(reply.error);
          return;
        }
        setWorkspace(reply.data);
        if (reply.data.decisionStore === null) {
          setScope(LEDGER_SCOPE);
          return;
        }
        const listed = await proofdeskApi().listDecisions({});
        if (!listed.ok) {
          setLoadError(listed.error);
          return;
        }
        setDecisions(listed.data);
        // A store without its ledger can only report a decision.
        setScope(
          reply.data.ledger !== null
            ? LEDGER_SCOPE
            : (listed.data.decisions[0]?.decisionId ?? null),
        );
      });
    return proofdeskApi().onReportProgress(({ rowsDone, rowsTotal }) =>
      setBuild((state) => (state.phase === 'building' ? { ...state, rowsDone, rowsTotal } : state)),
    );
  }, []);

  useEffect(() => {
    if (build.phase === 'building' || !refocusBuild.current) return;
    refocusBuild.current = false;
    buildButton.current?.focus();
  }, [build.phase]);

  const decisionId = scope === null || scope === LEDGER_SCOPE ? undefined : scope;
  const runBuild = async (): Promise<void> => {
    setBuild({ phase: 'building', rowsDone: 0, rowsTotal: 0 });
    const reply = await proofdeskApi().buildReport(decisionId === undefined ? {} : { decisionId });
    // The button is disabled while building; a keyboard user on it would be dropped on the page.
    refocusBuild.current =
      document.activeElement === null || document.activeElement === document.body;
    setBuild(
      reply.ok ? { phase: 'done', built: reply.data } : { phase: 'failed', error: reply.error },
    );
  };

  const building = build.phase === 'building';
  const subject = decisionId ?? workspace?.ledger?.fileName ?? 'report';
  return (
    <div className="view-body narrative">
      {loadError !== null && (
        <p role="alert" className="error">
          {loadError.message}
        </p>
      )}
      <div className="toolbar narrative-toolbar" role="group" aria-label="Report controls">
        {decisions !== null && (
          <label className="narrative-scope">
            Report on{' '}
            <select
              value={scope ?? LEDGER_SCOPE}
              disabled={building}
              onChange={(event) => {
                setScope(event.target.value);
                // A report shown belongs to the scope it was built for.
                setBuild({ phase: 'idle' });
              }}
            >
              {workspace?.ledger !== null && (
                <option value={LEDGER_SCOPE}>the ledger ({workspace?.ledger.fileName})</option>
              )}
              {decisions.decisions.map((decision) => (
                <option key={decision.decisionId} value={decision.decisionId}>
                  Decision {decision.goal ?? decision.decisionId}
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          ref={buildButton}
          type="button"
          disabled={scope === null || building}
          onClick={() => void runBuild()}
        >
          Build report
        </button>
        {building && (
          <ReportProgress
            label="Report progress"
            rowsDone={build.rowsDone}
            rowsTotal={build.rowsTotal}
          />
        )}
        {scope !== null && (
          <ReportExport
            // Each scope has its own export state, so a status never names the other scope's file.
            key={scope}
            subject={subject}
            formats={['pdf', 'json', 'md']}
            disabled={building}
            {...(decisionId === undefined ? {} : { decisionId })}
          />
        )}
      </div>
      {build.phase === 'failed' && (
        <p role="alert" className="error">
          {build.error.message}
        </p>
      )}
      <div role="status" className="visually-hidden">
        {building
          ? 'Building the report…'
          : build.phase === 'done'
            ? `Report built: ${verdictHeadline(build.built.report.verdict)}.`
            : ''}
      </div>
      {build.phase === 'idle' && (
        <p className="muted">
          Build the report to read what was verified, with which trust material, what was found and
          what it does not prove: the same content, in the same order, as the exported PDF.
        </p>
      )}
      {build.phase === 'done' && (
        <NarrativeReportView report={build.built.report} digest={build.built.digest} />
      )}
    </div>
  );
}

function Digest({ value }: { value: string }) {
  return <code className="narrative-digest">{value}</code>;
}

function NarrativeReportView({ report, digest }: { report: NarrativeReport; digest: string }) {
  const { ledger, decisionStore, trust } = report.scope;
  const { evidence } = report;
  return (
    <article className="narrative-report" aria-labelledby="narrative-title">
      <h2 id="narrative-title">{report.title}</h2>
      <div className={`verdict verdict-${report.verdict}`}>
        <p className="narrative-headline">{verdictHeadline(report.verdict)}</p>
        <span>as of {report.asOf}</span>
      </div>

      <section aria-labelledby="narrative-scope">
        <h3 id="narrative-scope">Scope</h3>
        <dl className="narrative-facts">
          {ledger !== null && (
            <>
              <dt>Ledger</dt>
              <dd>
                {ledger.fileName} ({ledger.bytes.toLocaleString('en-US')} bytes,{' '}
                {ledger.entries.toLocaleString('en-US')} entries), SHA-256{' '}
                <Digest value={ledger.sha256} />
              </dd>
              <dt>Head</dt>
              <dd>
                {ledger.head === null ? (
                  'none (empty)'
                ) : (
                  <>
                    entry {ledger.head.entryId}, <Digest value={ledger.head.entryHash} />
                  </>
                )}
              </dd>
            </>
          )}
          {decisionStore !== null && (
            <>
              <dt>Decision store</dt>
              <dd>
                {decisionStore.fileName}, SHA-256 <Digest value={decisionStore.sha256} />
                {decisionStore.decisionId !== null && `; decision ${decisionStore.decisionId}`}
              </dd>
            </>
          )}
          <dt>Trusted signers</dt>
          <dd>
            {trust.keyIds === null ? 'none given' : trust.keyIds.join(', ') || 'an empty keyring'}
          </dd>
          <dt>TSA roots</dt>
          <dd>{trust.tsaRoots === null ? 'none supplied' : trust.tsaRoots.join('; ')}</dd>
          <dt>Block headers</dt>
          <dd>
            {trust.blockHeaderHeights === null
              ? 'none supplied'
              : `${trust.blockHeaderHeights.length} (heights ${trust.blockHeaderHeights.join(', ')})`}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="narrative-checks">
        <h3 id="narrative-checks">Checks</h3>
        <ReportCheckList checks={report.checks} />
      </section>

      {report.decision !== null && <DecisionSection decision={report.decision} />}

      {(report.anchors.length > 0 || report.witnesses.length > 0) && (
        <section aria-labelledby="narrative-anchors">
          <h3 id="narrative-anchors">Anchors and witnesses</h3>
          <ul className="narrative-list">
            {report.anchors.map((anchor) => (
              <li key={`anchor-${anchor.anchorId}`}>
                Anchor {anchor.anchorId}: {anchor.state}, entry {anchor.chainHeadEntryId ?? '?'}
                {anchor.bitcoinBlockHeight !== null &&
                  `, Bitcoin block ${anchor.bitcoinBlockHeight}`}
                {anchor.tsaUrl !== null && `, TSA ${anchor.tsaUrl} at ${anchor.tsaGenTime ?? '?'}`}
              </li>
            ))}
            {report.witnesses.map((witness) => (
              <li key={`witness-${witness.witnessId}`}>
                Witness {witness.witnessId} {witness.label} ({witness.role}
                {witness.retired && ', retired'}): {witness.attestations} attestations
                {witness.lastAttestedEntryId !== null &&
                  `, last at entry ${witness.lastAttestedEntryId}`}
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby="narrative-evidence">
        <h3 id="narrative-evidence">Evidence digests</h3>
        <dl className="narrative-facts">
          <dt>Report</dt>
          <dd>
            <Digest value={digest} />
          </dd>
          {evidence.fileSha256 !== null && (
            <>
              <dt>Ledger file SHA-256</dt>
              <dd>
                <Digest value={evidence.fileSha256} />
              </dd>
            </>
          )}
          {evidence.headHash !== null && (
            <>
              <dt>Head hash</dt>
              <dd>
                <Digest value={evidence.headHash} />
              </dd>
            </>
          )}
          {evidence.decisionStoreSha256 !== null && (
            <>
              <dt>Decision store SHA-256</dt>
              <dd>
                <Digest value={evidence.decisionStoreSha256} />
              </dd>
            </>
          )}
          {evidence.bundleDigest !== null && (
            <>
              <dt>Bundle digest</dt>
              <dd>
                <Digest value={evidence.bundleDigest} />
              </dd>
            </>
          )}
          {evidence.packageDigest !== null && (
            <>
              <dt>Package digest</dt>
              <dd>
                <Digest value={evidence.packageDigest} />
              </dd>
            </>
          )}
        </dl>
      </section>

      <section aria-labelledby="narrative-limitations" className="narrative-limitations">
        <h3 id="narrative-limitations">What this result does NOT prove</h3>
        <ul className="narrative-list">
          {report.limitations.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>

      {report.recordKeeping !== null && (
        <section aria-labelledby="narrative-article12">
          <h3 id="narrative-article12">Record-keeping (EU AI Act Article 12)</h3>
          <p className="muted">
            Facts about the records only; this is not a statement of conformity.
          </p>
          <dl className="narrative-facts">
            <dt>Entries described</dt>
            <dd>
              {describeSelection(report.scope.selection, report.recordKeeping.selectedEntries)}
            </dd>
            <dt>Period covered</dt>
            <dd>
              {report.recordKeeping.firstTimestamp ?? '—'} to{' '}
              {report.recordKeeping.lastTimestamp ?? '—'}
            </dd>
            <dt>Entries by event type</dt>
            <dd>
              {report.recordKeeping.countsByEventType
                .map((row) => `${row.eventType} ${row.entries}`)
                .join(', ') || 'none'}
            </dd>
            <dt>Completeness</dt>
            <dd>
              entry ids{' '}
              {report.recordKeeping.entryIdsContiguous
                ? 'are contiguous'
                : 'have gaps or a truncated tail'}
            </dd>
            <dt>Anchoring coverage</dt>
            <dd>
              {report.recordKeeping.newestAnchoredEntryId === null
                ? 'no anchor'
                : `anchored up to entry ${report.recordKeeping.newestAnchoredEntryId}; ${report.recordKeeping.entriesAfterNewestAnchor} entries after it`}
            </dd>
          </dl>
        </section>
      )}
      <p className="muted">
        Generated by {report.generator.name} {report.generator.version}.
      </p>
    </article>
  );
}

/**
 * The report's checks, laid out like the Verification view's CheckList; that list takes live
 * verification results (optional fields, entry links), the report has its own nullable shape.
 */
function ReportCheckList({ checks }: { checks: readonly ReportCheck[] }) {
  return (
    <ul className="check-list" aria-label="Report checks">
      {checks.map((check, index) => (
        <CheckRow
          key={`${check.check}-${check.code ?? 'pass'}-${index}`}
          status={check.status}
          check={check.check}
          code={check.code}
          record={
            check.record === null ? null : <span className="check-record">{check.record}</span>
          }
          message={check.message}
          expected={check.expected}
          actual={check.actual}
        />
      ))}
    </ul>
  );
}

function DecisionSection({ decision }: { decision: NonNullable<NarrativeReport['decision']> }) {
  return (
    <section aria-labelledby="narrative-decision">
      <h3 id="narrative-decision">Decision</h3>
      <p>
        <code>{decision.decisionId}</code>: {decision.goal ?? '(no goal)'} — {decision.state},{' '}
        {decision.approvalsCurrent} of {decision.approvalsRequired} approvals
      </p>
      <h4>Blocking reasons</h4>
      {decision.blocking.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul className="narrative-list">
          {decision.blocking.map((reason) => (
            <li key={reason.code}>
              <strong>{reason.code}</strong>: {reason.message}
            </li>
          ))}
        </ul>
      )}
      <h4>Approvals</h4>
      {decision.approvals.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul className="narrative-list">
          {decision.approvals.map((approval, index) => (
            <li key={`${approval.actorId}-${index}`}>
              {approval.actorId} at {approval.grantedAt}: {approval.signature}
              {approval.revoked && ', revoked'}
              {approval.active && ', counted'}
              {approval.comment !== null && ` — “${approval.comment}”`}
            </li>
          ))}
        </ul>
      )}
      <h4>Executions</h4>
      {decision.executions.length === 0 ? (
        <p>None.</p>
      ) : (
        <ul className="narrative-list">
          {decision.executions.map((execution, index) => (
            <li key={`${execution.requestedAt}-${index}`}>
              {execution.adapterId} at {execution.requestedAt}: {execution.outcome}
              {execution.dryRun && ' (dry run)'}
              {execution.errorMessage !== null && ` — ${execution.errorMessage}`}
            </li>
          ))}
        </ul>
      )}
      <h4>Timeline</h4>
      <ol className="timeline">
        {decision.timeline.map((entry, index) => (
          <li key={`${entry.seq}-${index}`}>
            <time>{entry.ts}</time> <span className="muted">{entry.category}</span> {entry.summary}
            {entry.actor !== null && ` (${entry.actor})`}
          </li>
        ))}
      </ol>
    </section>
  );
}
