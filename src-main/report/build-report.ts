/**
 * Builds the narrative report (src-shared/report/report-model.ts) from evidence files: verifies
 * the ledger with the trust material given, reads its anchors, witnesses and record-keeping
 * facts, and, for a decision, replays it as of the report's instant and verifies its store.
 * Reading only: files are opened read-only, and no trusted head is recorded, so building the same
 * report twice from the same files gives the same report.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { ProofdeskError } from '../../src-shared/check-code';
import type { Keyring } from '../../src-shared/keyring';
import { describeLimitations } from '../../src-shared/report/report-limitations';
import {
  REPORT_FORMAT,
  REPORT_VERSION,
  type NarrativeReport,
  type ReportCheck,
  type ReportDecision,
} from '../../src-shared/report/report-model';
import { computeVerdict, type CheckResult } from '../../src-shared/verification-report';
import { isoformatUtc } from '../cli/decision-commands';
import { decisionEvidenceForReport } from '../cli/package-commands';
import { verifyDecisionStore } from '../decisions/decision-verification';
import { defaultLedgerPathFor } from '../decisions/decision-operations';
import { readAnchorRows } from '../ipc/anchor-handlers';
import { readDecisionDetail } from '../ipc/decision-handlers';
import { openLedger } from '../ledger/ledger-database';
import { verifyLedgerFile } from '../ledger/ledger-verification';

export type ReportSelection = NonNullable<NarrativeReport['scope']['selection']>;

/** SQL conditions and parameters for a selection of entries. */
function selectionSql(selection: ReportSelection | null): {
  where: string;
  params: (string | number)[];
} {
  if (selection === null) return { where: '', params: [] };
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  if (selection.fromEntryId !== null) {
    conditions.push('entry_id >= ?');
    params.push(selection.fromEntryId);
  }
  if (selection.toEntryId !== null) {
    conditions.push('entry_id <= ?');
    params.push(selection.toEntryId);
  }
  if (selection.actor !== null) {
    conditions.push('actor = ?');
    params.push(selection.actor);
  }
  if (selection.eventType !== null) {
    conditions.push('event_type = ?');
    params.push(selection.eventType);
  }
  return { where: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

export interface ReportRequest {
  /** The ledger to report on; for a decision, its bound ledger when omitted and present. */
  readonly ledgerPath: string | null;
  readonly decision: { readonly storePath: string; readonly decisionId: string } | null;
  /** The report's instant, epoch microseconds. */
  readonly asOfMicros: bigint;
  readonly keyring: Keyring | null;
  readonly anchorProofs: AnchorProofTrust;
  readonly generatorVersion: string;
  /** Subjects of the TSA roots given, for the scope section. */
  readonly tsaRootSubjects?: readonly string[] | null;
  readonly blockHeaderHeights?: readonly number[] | null;
  /** Which entries the record-keeping facts describe; absent or null: all of them. */
  readonly selection?: ReportSelection | null;
  /** Ledger verification progress, for a progress bar on large ledgers. */
  readonly onProgress?: (progress: { rowsDone: number; rowsTotal: number }) => void;
  readonly signal?: AbortSignal;
}

function recordOf(check: CheckResult): string | null {
  if (check.decisionId !== undefined)
    return check.seq === undefined
      ? `decision ${check.decisionId}`
      : `decision ${check.decisionId} event ${check.seq}`;
  if (check.anchorId !== undefined) return `anchor ${check.anchorId}`;
  if (check.attestationId !== undefined) return `attestation ${check.attestationId}`;
  if (check.witnessId !== undefined) return `witness ${check.witnessId}`;
  if (check.entryId !== undefined) return `entry ${check.entryId}`;
  return null;
}

function reportCheckOf(check: CheckResult): ReportCheck {
  return {
    check: check.check,
    status: check.status,
    code: check.code ?? null,
    record: recordOf(check),
    message: check.message,
    expected: check.expected ?? null,
    actual: check.actual ?? null,
  };
}

function isoOfMicros(micros: bigint): string {
  return new Date(Number(micros / 1000n)).toISOString();
}

interface LedgerFacts {
  witnesses: NarrativeReport['witnesses'];
  recordKeeping: NonNullable<NarrativeReport['recordKeeping']>;
  newestExternalHeadEntryId: number | null;
}

function readLedgerFacts(
  ledgerPath: string,
  anchors: ReturnType<typeof readAnchorRows>,
  checks: readonly CheckResult[],
  selection: ReportSelection | null,
): LedgerFacts {
  const ledger = openLedger(ledgerPath);
  try {
    const { db, schema } = ledger;
    if (selection !== null && selection.eventType !== null && !schema.hasFormatColumns) {
      throw new ProofdeskError(
        'USAGE',
        `${basename(ledgerPath)} uses nexuscone v0.1's schema, which records no event types to select by.`,
      );
    }
    const { where, params } = selectionSql(selection);
    const counts = db
      .prepare<(string | number)[], { event_type: string | null; entries: number }>(
        schema.hasFormatColumns
          ? `SELECT event_type, COUNT(*) AS entries FROM entries ${where} GROUP BY event_type ORDER BY event_type`
          : `SELECT 'request' AS event_type, COUNT(*) AS entries FROM entries ${where}`,
      )
      .all(...params)
      .filter((row) => row.entries > 0)
      .map((row) => ({ eventType: String(row.event_type), entries: row.entries }));
    const span = db
      .prepare<
        (string | number)[],
        { first: string | null; last: string | null; selected: number }
      >(
        `SELECT MIN(timestamp) AS first, MAX(timestamp) AS last, COUNT(*) AS selected FROM entries ${where}`,
      )
      .get(...params);
    const head =
      db.prepare<[], { head: number | null }>('SELECT MAX(entry_id) AS head FROM entries').get()
        ?.head ?? null;
    const witnesses = schema.hasWitnesses
      ? db
          .prepare<
            [],
            {
              witness_id: number;
              label: string;
              role: string | null;
              retired_at: string | null;
              attestations: number;
              last_entry: number | null;
            }
          >(
            `SELECT w.witness_id, w.label, w.role, w.retired_at,
                    COUNT(a.attestation_id) AS attestations, MAX(a.chain_head_entry_id) AS last_entry
             FROM witnesses w LEFT JOIN witness_attestations a ON a.witness_id = w.witness_id
             GROUP BY w.witness_id ORDER BY w.witness_id`,
          )
          .all()
          .map((row) => ({
            witnessId: row.witness_id,
            label: String(row.label),
            role: String(row.role ?? 'consortium'),
            retired: row.retired_at !== null,
            attestations: row.attestations,
            lastAttestedEntryId: row.last_entry,
          }))
      : [];
    const newestAnchored = anchors.reduce<number | null>(
      (newest, anchor) =>
        anchor.chainHeadEntryId === null ? newest : Math.max(newest ?? 0, anchor.chainHeadEntryId),
      null,
    );
    const newestWitnessed = witnesses.reduce<number | null>(
      (newest, witness) =>
        witness.lastAttestedEntryId === null
          ? newest
          : Math.max(newest ?? 0, witness.lastAttestedEntryId),
      null,
    );
    return {
      witnesses,
      newestExternalHeadEntryId:
        newestAnchored === null && newestWitnessed === null
          ? null
          : Math.max(newestAnchored ?? 0, newestWitnessed ?? 0),
      recordKeeping: {
        selectedEntries: span?.selected ?? 0,
        countsByEventType: counts,
        firstTimestamp: span?.first ?? null,
        lastTimestamp: span?.last ?? null,
        entryIdsContiguous: !checks.some(
          (check) => check.code === 'LEDGER_ID_GAP' || check.code === 'LEDGER_TRUNCATED',
        ),
        entriesAfterNewestAnchor: head === null ? 0 : head - (newestAnchored ?? 0),
        newestAnchoredEntryId: newestAnchored,
      },
    };
  } finally {
    ledger.close();
  }
}

function decisionOf(detail: ReturnType<typeof readDecisionDetail>): ReportDecision {
  return {
    decisionId: detail.decisionId,
    goal: detail.goal,
    state: detail.state,
    mode: detail.mode,
    createdAt: detail.createdAt,
    approvalsCurrent: detail.approvalsCurrent,
    approvalsRequired: detail.approvalsRequired,
    blocking: detail.blocking,
    approvals: detail.approvals.map((approval) => ({
      actorId: approval.actorId,
      grantedAt: approval.grantedAt,
      expiresAt: approval.expiresAt,
      comment: approval.comment,
      revoked: approval.revoked,
      active: approval.active,
      signature: approval.signature,
    })),
    executions: detail.executions.map((execution) => ({
      adapterId: execution.adapterId,
      dryRun: execution.dryRun,
      requestedAt: execution.requestedAt,
      outcome: execution.outcome,
      errorMessage: execution.errorMessage,
    })),
    timeline: detail.timeline,
  };
}

/** A file embedded beside the report in a PDF: the evidence the report speaks about. */
export interface ReportAttachment {
  readonly name: string;
  readonly content: Uint8Array;
  readonly description: string;
}

const sha256Text = (text: string): string =>
  `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

/** The decision's bundle and audit package, as `bundle export` and `package export` write them. */
function decisionEvidence(
  request: ReportRequest,
): { digests: { bundle: string; package: string | null }; attachments: ReportAttachment[] } | null {
  if (request.decision === null) return null;
  const { storePath, decisionId } = request.decision;
  const evidence = decisionEvidenceForReport(storePath, decisionId, {
    micros: request.asOfMicros,
    isoformat: isoformatUtc(request.asOfMicros),
    given: true,
    trustedSigners: request.keyring,
  });
  const attachments: ReportAttachment[] = [
    {
      name: 'decision-bundle.json',
      content: Buffer.from(evidence.bundleText, 'utf8'),
      description: `The nexus-attest bundle of decision ${decisionId} as of the report`,
    },
  ];
  if (evidence.packageText !== null) {
    attachments.push({
      name: 'audit-package.json',
      content: Buffer.from(evidence.packageText, 'utf8'),
      description: `The nexus-attest audit package of decision ${decisionId} as of the report`,
    });
  }
  return {
    digests: {
      bundle: sha256Text(evidence.bundleText),
      package: evidence.packageText === null ? null : sha256Text(evidence.packageText),
    },
    attachments,
  };
}

export async function buildReport(request: ReportRequest): Promise<NarrativeReport> {
  return (await buildReportWithEvidence(request)).report;
}

/** The report, and for a decision the bundle and audit package to embed beside it. */
export async function buildReportWithEvidence(
  request: ReportRequest,
): Promise<{ report: NarrativeReport; attachments: ReportAttachment[] }> {
  const evidence = decisionEvidence(request);
  const boundLedger =
    request.decision === null ? null : defaultLedgerPathFor(request.decision.storePath);
  const ledgerPath = request.ledgerPath ?? boundLedger;
  if (ledgerPath === null && request.decision === null) {
    throw new ProofdeskError('USAGE', 'A report needs a ledger, a decision, or both.');
  }
  const checks: CheckResult[] = [];
  let scopeLedger: NarrativeReport['scope']['ledger'] = null;
  let facts: LedgerFacts | null = null;
  let anchors: NarrativeReport['anchors'] = [];
  let ledgerExists = ledgerPath !== null;
  if (ledgerPath !== null && request.ledgerPath === null) {
    // A decision's bound ledger is optional: nexus-attest itself writes none.
    try {
      openLedger(ledgerPath).close();
    } catch {
      ledgerExists = false;
    }
  }
  if (ledgerPath !== null && ledgerExists) {
    const verification = await verifyLedgerFile(ledgerPath, {
      keyring: request.keyring,
      requireSignatures: false,
      trustedHeads: null,
      anchorProofs: request.anchorProofs,
      onProgress: request.onProgress,
      signal: request.signal,
    });
    checks.push(...verification.checks.filter((check) => check.check !== 'trusted_head'));
    scopeLedger = {
      fileName: basename(verification.file.path),
      sha256: verification.file.sha256,
      bytes: verification.file.bytes,
      entries: verification.entries,
      head: verification.head,
    };
    const anchorRows = readAnchorRows(ledgerPath);
    facts = readLedgerFacts(ledgerPath, anchorRows, verification.checks, request.selection ?? null);
    anchors = anchorRows.map((anchor) => ({
      anchorId: anchor.anchorId,
      state: anchor.state,
      chainHeadEntryId: anchor.chainHeadEntryId,
      submittedAt: anchor.submittedAt,
      bitcoinBlockHeight: anchor.bitcoinBlockHeight,
      tsaUrl: anchor.tsaUrl,
      tsaGenTime: anchor.tsaGenTime,
    }));
  }

  let decision: ReportDecision | null = null;
  let scopeStore: NarrativeReport['scope']['decisionStore'] = null;
  if (request.decision !== null) {
    const { storePath, decisionId } = request.decision;
    const detail = readDecisionDetail(
      {
        storePath,
        ledgerPath: boundLedger ?? storePath,
        trustedSigners: request.keyring,
        officer: null,
      },
      decisionId,
      request.asOfMicros,
    );
    decision = decisionOf(detail);
    const storeVerification = await verifyDecisionStore(storePath, {
      ledgerPath: ledgerExists ? boundLedger : null,
      trustedSigners: request.keyring,
      asOf: new Date(Number(request.asOfMicros / 1000n)),
      trustedHeads: null,
    });
    checks.push(
      ...storeVerification.checks.filter(
        (check) =>
          check.check.startsWith('decision.') &&
          (check.decisionId === undefined || check.decisionId === decisionId),
      ),
    );
    scopeStore = {
      fileName: basename(storeVerification.file.path),
      sha256: storeVerification.file.sha256,
      decisionId,
    };
  }

  const verdict = computeVerdict(checks);
  const keyIds = request.keyring === null ? null : [...request.keyring.keys()].sort();
  const limitations = describeLimitations({
    checks,
    keyringGiven: request.keyring !== null,
    trustedHeadCompared: false,
    entries: scopeLedger?.entries ?? 0,
    headEntryId: scopeLedger?.head?.entryId ?? null,
    newestExternalHeadEntryId: facts?.newestExternalHeadEntryId ?? null,
    decisionIncluded: decision !== null,
  });
  const report: NarrativeReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    generator: { name: 'proofdesk', version: request.generatorVersion },
    asOf: isoOfMicros(request.asOfMicros),
    title:
      decision !== null
        ? `Decision ${decision.decisionId}${decision.goal === null ? '' : `: ${decision.goal}`}`
        : `Ledger ${scopeLedger?.fileName ?? ''}`,
    verdict,
    scope: {
      selection: request.selection ?? null,
      ledger: scopeLedger,
      decisionStore: scopeStore,
      trust: {
        keyIds,
        tsaRoots:
          request.tsaRootSubjects === undefined || request.tsaRootSubjects === null
            ? null
            : [...request.tsaRootSubjects],
        blockHeaderHeights:
          request.blockHeaderHeights === undefined || request.blockHeaderHeights === null
            ? null
            : [...request.blockHeaderHeights],
        trustedHeadCompared: false,
      },
    },
    checks: checks.map(reportCheckOf),
    decision,
    anchors,
    witnesses: facts?.witnesses ?? [],
    evidence: {
      fileSha256: scopeLedger?.sha256 ?? null,
      headHash: scopeLedger?.head?.entryHash ?? null,
      decisionStoreSha256: scopeStore?.sha256 ?? null,
      bundleDigest: evidence?.digests.bundle ?? null,
      packageDigest: evidence?.digests.package ?? null,
    },
    limitations,
    recordKeeping: facts?.recordKeeping ?? null,
  };
  return { report, attachments: evidence?.attachments ?? [] };
}
