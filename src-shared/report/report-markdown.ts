/**
 * The report as Markdown: the same sections, in the same order, as the PDF and the Narrative
 * view, for reading in a terminal or pasting into a ticket. Pure.
 */
import { describeSelection, verdictHeadline } from './report-text';
import type { NarrativeReport } from './report-model';

/** Text in a table cell: pipes and line breaks would end the cell. */
function cell(text: string | null): string {
  return (text ?? '').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderReportMarkdown(report: NarrativeReport, digest: string): string {
  const lines: string[] = [];
  const push = (...more: string[]): void => {
    lines.push(...more);
  };
  push(
    `# ${report.title}`,
    '',
    `**${verdictHeadline(report.verdict)}** — as of ${report.asOf}`,
    '',
  );
  push('## Scope', '');
  const { ledger, decisionStore, trust } = report.scope;
  if (ledger !== null) {
    push(
      `- Ledger: ${ledger.fileName} (${ledger.bytes} bytes, ${ledger.entries} entries), SHA-256 \`${ledger.sha256}\``,
      `- Head: ${ledger.head === null ? 'none (empty)' : `entry ${ledger.head.entryId}, \`${ledger.head.entryHash}\``}`,
    );
  }
  if (decisionStore !== null) {
    push(
      `- Decision store: ${decisionStore.fileName}, SHA-256 \`${decisionStore.sha256}\`${decisionStore.decisionId === null ? '' : `; decision ${decisionStore.decisionId}`}`,
    );
  }
  push(
    `- Trusted signers: ${trust.keyIds === null ? 'none given' : trust.keyIds.join(', ') || 'an empty keyring'}`,
    `- TSA roots: ${trust.tsaRoots === null ? 'none supplied' : trust.tsaRoots.join('; ')}`,
    `- Block headers: ${trust.blockHeaderHeights === null ? 'none supplied' : `${trust.blockHeaderHeights.length} (heights ${trust.blockHeaderHeights.join(', ')})`}`,
    '',
  );
  push('## Checks', '', '| Status | Check | Record | Finding |', '|---|---|---|---|');
  for (const check of report.checks) {
    const detail = [
      check.code === null ? '' : `${check.code}: `,
      check.message,
      check.expected === null ? '' : ` — expected \`${check.expected}\``,
      check.actual === null ? '' : `, actual \`${check.actual}\``,
    ].join('');
    push(`| ${check.status} | ${check.check} | ${cell(check.record)} | ${cell(detail)} |`);
  }
  push('');
  if (report.decision !== null) {
    const decision = report.decision;
    push(
      '## Decision',
      '',
      `- ${decision.decisionId}: ${decision.goal ?? '(no goal)'} — ${decision.state}, ${decision.approvalsCurrent} of ${decision.approvalsRequired} approvals`,
      '',
      '### Blocking reasons',
      '',
      ...(decision.blocking.length === 0
        ? ['None.']
        : decision.blocking.map((reason) => `- ${reason.code}: ${reason.message}`)),
      '',
      '### Approvals',
      '',
      ...(decision.approvals.length === 0
        ? ['None.']
        : decision.approvals.map(
            (approval) =>
              `- ${approval.actorId} at ${approval.grantedAt}: ${approval.signature}${approval.revoked ? ', revoked' : ''}${approval.active ? ', counted' : ''}${approval.comment === null ? '' : ` — “${approval.comment}”`}`,
          )),
      '',
      '### Executions',
      '',
      ...(decision.executions.length === 0
        ? ['None.']
        : decision.executions.map(
            (execution) =>
              `- ${execution.adapterId} at ${execution.requestedAt}: ${execution.outcome}${execution.dryRun ? ' (dry run)' : ''}${execution.errorMessage === null ? '' : ` — ${execution.errorMessage}`}`,
          )),
      '',
      '### Timeline',
      '',
      ...decision.timeline.map(
        (entry) =>
          `- ${entry.ts} · ${entry.category} · ${entry.summary}${entry.actor === null ? '' : ` (${entry.actor})`}`,
      ),
      '',
    );
  }
  if (report.anchors.length > 0 || report.witnesses.length > 0) {
    push('## Anchors and witnesses', '');
    for (const anchor of report.anchors) {
      push(
        `- Anchor ${anchor.anchorId}: ${anchor.state}, entry ${anchor.chainHeadEntryId ?? '?'}${anchor.bitcoinBlockHeight === null ? '' : `, Bitcoin block ${anchor.bitcoinBlockHeight}`}${anchor.tsaUrl === null ? '' : `, TSA ${anchor.tsaUrl} at ${anchor.tsaGenTime ?? '?'}`}`,
      );
    }
    for (const witness of report.witnesses) {
      push(
        `- Witness ${witness.witnessId} ${witness.label} (${witness.role}${witness.retired ? ', retired' : ''}): ${witness.attestations} attestations${witness.lastAttestedEntryId === null ? '' : `, last at entry ${witness.lastAttestedEntryId}`}`,
      );
    }
    push('');
  }
  const { evidence } = report;
  push(
    '## Evidence digests',
    '',
    `- Report: \`${digest}\``,
    ...(evidence.fileSha256 === null ? [] : [`- Ledger file SHA-256: \`${evidence.fileSha256}\``]),
    ...(evidence.headHash === null ? [] : [`- Head hash: \`${evidence.headHash}\``]),
    ...(evidence.decisionStoreSha256 === null
      ? []
      : [`- Decision store SHA-256: \`${evidence.decisionStoreSha256}\``]),
    ...(evidence.bundleDigest === null ? [] : [`- Bundle digest: \`${evidence.bundleDigest}\``]),
    ...(evidence.packageDigest === null ? [] : [`- Package digest: \`${evidence.packageDigest}\``]),
    '',
    '## What this result does NOT prove',
    '',
    ...report.limitations.map((line) => `- ${line}`),
    '',
  );
  if (report.recordKeeping !== null) {
    const facts = report.recordKeeping;
    push(
      '## Record-keeping (EU AI Act Article 12)',
      '',
      'Facts about the records only; this is not a statement of conformity.',
      '',
      `- Entries described: ${describeSelection(report.scope.selection, facts.selectedEntries)}`,
      `- Period covered: ${facts.firstTimestamp ?? '—'} to ${facts.lastTimestamp ?? '—'}`,
      `- Entries by event type: ${facts.countsByEventType.map((row) => `${row.eventType} ${row.entries}`).join(', ') || 'none'}`,
      `- Completeness: entry ids ${facts.entryIdsContiguous ? 'are contiguous' : 'have gaps or a truncated tail'}`,
      `- Anchoring coverage: ${facts.newestAnchoredEntryId === null ? 'no anchor' : `anchored up to entry ${facts.newestAnchoredEntryId}; ${facts.entriesAfterNewestAnchor} entries after it`}`,
      '',
    );
  }
  push(`Generated by ${report.generator.name} ${report.generator.version}.`, '');
  return lines.join('\n');
}
