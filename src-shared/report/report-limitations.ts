/**
 * "What this result does NOT prove", worked out from what was checked and with what: one plain
 * sentence per gap, so a reader never takes a PASS for more than it is. Pure.
 */
import type { CheckResult } from '../verification-report';

export interface LimitationFacts {
  readonly checks: readonly CheckResult[];
  readonly keyringGiven: boolean;
  readonly trustedHeadCompared: boolean;
  readonly entries: number;
  readonly headEntryId: number | null;
  /** The highest entry an anchor or witness attestation commits to, or null. */
  readonly newestExternalHeadEntryId: number | null;
  readonly decisionIncluded: boolean;
}

const has = (checks: readonly CheckResult[], code: string): boolean =>
  checks.some((check) => check.code === code);
const count = (checks: readonly CheckResult[], code: string): number =>
  checks.filter((check) => check.code === code).length;

export function describeLimitations(facts: LimitationFacts): string[] {
  const { checks } = facts;
  const lines: string[] = [];
  if (facts.headEntryId !== null) {
    if (facts.newestExternalHeadEntryId === null) {
      lines.push(
        'No anchor or witness commits to any entry, so deleting or rewriting entries from the end of the ledger would leave no trace in this file.',
      );
    } else if (facts.newestExternalHeadEntryId < facts.headEntryId) {
      const uncovered = facts.headEntryId - facts.newestExternalHeadEntryId;
      lines.push(
        `No anchor or witness covers the last ${uncovered} ${uncovered === 1 ? 'entry' : 'entries'} (after entry ${facts.newestExternalHeadEntryId}), so their removal or rewriting would leave no trace in this file.`,
      );
    }
  }
  if (!facts.trustedHeadCompared) {
    lines.push(
      'The ledger was not compared with a head recorded at an earlier verification, so a rollback of the whole file to an older state is not excluded.',
    );
  }
  if (!facts.keyringGiven && has(checks, 'LEDGER_SIGNATURES_NOT_CHECKED')) {
    lines.push(
      'Entry signatures were not checked, because no keyring of trusted signers was given.',
    );
  }
  if (has(checks, 'LEDGER_UNSIGNED')) {
    lines.push('No entry is signed, so nothing shows who wrote the entries.');
  }
  if (has(checks, 'ANCHOR_TST_NOT_CHECKED') || has(checks, 'ANCHOR_PROOF_NOT_CHECKED')) {
    lines.push("The anchors' RFC 3161 timestamps or OpenTimestamps proofs were not verified.");
  }
  if (has(checks, 'ANCHOR_TSA_ROOTS_MISSING')) {
    lines.push(
      'No TSA trust roots were supplied, so who signed the RFC 3161 timestamps is not established.',
    );
  }
  if (has(checks, 'ANCHOR_OTS_HEADERS_MISSING')) {
    lines.push(
      'No Bitcoin block headers were supplied, so the claimed Bitcoin confirmations were not checked.',
    );
  }
  const pending = count(checks, 'ANCHOR_OTS_PENDING');
  if (pending > 0) {
    lines.push(
      `${pending} OpenTimestamps ${pending === 1 ? 'proof is' : 'proofs are'} still pending and prove no time yet.`,
    );
  }
  if (checks.some((check) => check.check.startsWith('witnesses.') && check.status === 'PASS')) {
    lines.push(
      'Witness keys come from the ledger file itself, so witness signatures show those keys signed, not who holds them.',
    );
  }
  if (facts.decisionIncluded) {
    lines.push(
      'Unsigned decision events (requests, executions) show what the store records, not who performed them.',
    );
  }
  lines.push(
    'Verification says nothing about whether the recorded actions were appropriate, only whether the records are intact.',
  );
  return lines;
}
