/**
 * Verifies a nexus-attest decision store: every event digest, every decision's replay, every
 * approval signature, and the store against its ledger — plus the ledger's own verification,
 * since the binding is only as strong as the chain that holds it.
 */
import { existsSync } from 'node:fs';
import {
  checkFromFinding,
  computeVerdict,
  type CheckResult,
  type Finding,
  type Verdict,
} from '../../src-shared/verification-report';
import type { Keyring } from '../../src-shared/keyring';
import { checkApprovalSignature } from '../../src-shared/decisions/approval-signature';
import { computeEventDigest } from '../../src-shared/decisions/decision-event';
import {
  crossCheckDecisionLedger,
  DECISION_LEDGER_EVENT_TYPE,
  parseRecordedDecisionEvent,
  type RecordedDecisionEvent,
} from '../../src-shared/decisions/decision-ledger-binding';
import { replayDecision } from '../../src-shared/decisions/decision-replay';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { openLedger } from '../ledger/ledger-database';
import { readLedgerPages } from '../ledger/ledger-reader';
import { verifyLedgerFile, type LedgerVerificationResult } from '../ledger/ledger-verification';
import type { TrustedHeadStore } from '../ledger/trusted-head-store';
import { sha256OfFile } from '../ledger/file-digest';
import { DecisionStoreReader } from './decision-store';

const ENTRY_ID = 0;
const EVENT_TYPE = 4;
const PAYLOAD = 6;

/** The decision events a ledger records (entries of event_type `decision` that Proofdesk wrote). */
export function readRecordedDecisionEvents(ledgerPath: string): RecordedDecisionEvent[] {
  const ledger = openLedger(ledgerPath);
  try {
    const recorded: RecordedDecisionEvent[] = [];
    for (const page of readLedgerPages(ledger.db, ledger.schema, null)) {
      for (const row of page) {
        const entryId = row[ENTRY_ID];
        const payload = row[PAYLOAD];
        if (
          row[EVENT_TYPE] !== DECISION_LEDGER_EVENT_TYPE ||
          typeof entryId !== 'number' ||
          typeof payload !== 'string'
        )
          continue;
        const parsed = parseRecordedDecisionEvent(entryId, payload);
        if (parsed !== null) recorded.push(parsed);
      }
    }
    return recorded;
  } finally {
    ledger.close();
  }
}

export interface DecisionStoreVerificationOptions {
  readonly ledgerPath: string | null;
  readonly trustedSigners: Keyring | null;
  /** The instant approvals' expiry is judged at. */
  readonly asOf: Date;
  readonly trustedHeads: TrustedHeadStore | null;
}

export interface DecisionStoreVerification {
  readonly file: { readonly path: string; readonly sha256: string; readonly bytes: number };
  readonly decisions: number;
  readonly events: number;
  readonly checks: CheckResult[];
  readonly verdict: Verdict;
  readonly ledger: LedgerVerificationResult | null;
}

/**
 * A pass proves every stored event digest matches its payload, every decision replays, every
 * signed approval or revocation verifies with its approver's trusted key, and every event
 * recorded in the ledger is still in the store unchanged, with no event slipped in between
 * recorded ones, in a ledger that itself verifies. It does not prove who ran the tools that wrote
 * unsigned events, nor anything about events no ledger entry covers (reported as WARN).
 */
export async function verifyDecisionStore(
  storePath: string,
  options: DecisionStoreVerificationOptions,
): Promise<DecisionStoreVerification> {
  const crypto = createNodeCryptoProvider();
  const store = DecisionStoreReader.open(storePath);
  let loaded;
  try {
    loaded = store.loadAll();
  } finally {
    store.close();
  }
  const findings: Finding[] = [];
  const readable = loaded.filter((decision) => decision.ok);
  let events = 0;
  let signed = 0;
  for (const decision of loaded) {
    if (!decision.ok) {
      findings.push({
        code: 'DECISION_UNREPLAYABLE',
        decisionId: decision.decisionId,
        seq: decision.seq,
        message: `decision ${decision.decisionId} cannot be read: ${decision.message}`,
      });
      continue;
    }
    events += decision.events.length;
    for (const event of decision.events) {
      const recomputed = computeEventDigest(event.eventType, event.payload, crypto);
      if (recomputed !== event.digest) {
        findings.push({
          code: 'DECISION_EVENT_DIGEST_MISMATCH',
          decisionId: decision.decisionId,
          seq: event.seq,
          message: `decision ${decision.decisionId} event ${event.seq} (${event.eventType}): the stored digest is not the digest of its payload`,
          expected: recomputed,
          actual: event.digest,
        });
      }
      const signature = checkApprovalSignature(event, options.trustedSigners, crypto);
      if (signature.kind === 'invalid')
        findings.push({ ...signature.finding, decisionId: decision.decisionId, seq: event.seq });
      if (signature.kind !== 'unsigned') signed++;
    }
    const replayed = replayDecision(decision.decisionId, decision.events, options.asOf);
    if (!replayed.ok) {
      findings.push({
        code: 'DECISION_UNREPLAYABLE',
        decisionId: decision.decisionId,
        seq: replayed.seq,
        message: `decision ${decision.decisionId} cannot be replayed: ${replayed.message}`,
      });
    }
  }

  const checks: CheckResult[] = [];
  const emit = (check: CheckResult['check'], passMessage: string): void => {
    const own = findings.filter((finding) => checkFromFinding(finding).check === check);
    if (own.length === 0) checks.push({ check, status: 'PASS', message: passMessage });
    else for (const finding of own) checks.push(checkFromFinding(finding));
  };
  emit(
    'decision.event_digests',
    `${events} events in ${loaded.length} decisions: every digest recomputed and matched`,
  );
  emit('decision.replay', `all ${loaded.length} decisions replay`);
  if (signed === 0) {
    checks.push({
      check: 'decision.approval_signatures',
      status: 'PASS',
      message: 'no approval or revocation is signed',
    });
  } else {
    emit(
      'decision.approval_signatures',
      `${signed} signed approvals and revocations verified with their approvers' trusted keys`,
    );
  }

  let ledger: LedgerVerificationResult | null = null;
  if (options.ledgerPath === null || !existsSync(options.ledgerPath)) {
    checks.push({
      check: 'decision.ledger_binding',
      status: 'WARN',
      code: 'DECISION_EVENT_UNRECORDED',
      message: `no ledger records this store's events${options.ledgerPath === null ? '' : ` (${options.ledgerPath} does not exist)`}: nothing protects them from later edits`,
    });
  } else {
    const binding = crossCheckDecisionLedger(
      readable,
      readRecordedDecisionEvents(options.ledgerPath),
      crypto,
    );
    for (const finding of binding.failures) checks.push(checkFromFinding(finding));
    if (binding.failures.length === 0) {
      checks.push({
        check: 'decision.ledger_binding',
        status: 'PASS',
        message: `${binding.recordedEvents} recorded events are in the store unchanged, with nothing inserted between them`,
      });
    }
    // Events outside a decision's recorded stretch are listed once per decision, as a warning.
    const byDecision = new Map<string, number[]>();
    for (const finding of binding.unrecordedOutside) {
      byDecision.set(finding.decisionId ?? '', [
        ...(byDecision.get(finding.decisionId ?? '') ?? []),
        finding.seq ?? -1,
      ]);
    }
    for (const [decisionId, seqs] of byDecision) {
      checks.push(
        checkFromFinding(
          {
            code: 'DECISION_EVENT_UNRECORDED',
            decisionId,
            message: `decision ${decisionId}: ${seqs.length === 1 ? `event ${seqs[0]} has` : `events ${seqs.join(', ')} have`} no ledger entry (written by a tool that does not record), so nothing protects ${seqs.length === 1 ? 'it' : 'them'} from later edits`,
          },
          { status: 'WARN' },
        ),
      );
    }
    ledger = await verifyLedgerFile(options.ledgerPath, {
      keyring: options.trustedSigners,
      requireSignatures: false,
      trustedHeads: options.trustedHeads,
    });
    checks.push(...ledger.checks);
  }
  const file = await sha256OfFile(storePath);
  return {
    file: { path: store.path, sha256: file.sha256, bytes: file.bytes },
    decisions: loaded.length,
    events,
    checks,
    verdict: computeVerdict(checks),
    ledger,
  };
}
