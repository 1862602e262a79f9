/**
 * The head Proofdesk verified last time, kept outside the audit file. Comparing against it is the
 * only way to see truncation or a re-hashed tail that leaves no trace inside the file.
 */
import type { CheckResult } from '../verification-report';
import { checkFromFinding } from '../verification-report';

export interface TrustedHead {
  readonly entryId: number;
  readonly entryHash: string;
  readonly count: number;
  readonly genesisHash: string;
  /** ISO-8601 UTC instant of the verification that recorded this head. */
  readonly verifiedAt: string;
}

export interface CurrentLedgerFacts {
  readonly count: number;
  readonly head: { readonly entryId: number; readonly entryHash: string } | null;
  readonly genesisHash: string | null;
  /** entry_hash now stored at the trusted head's entry_id; null when that row is gone. */
  readonly hashAtTrustedEntryId: string | null;
}

/**
 * PASS proves the file still contains the previously verified head unchanged and has at least as
 * many entries, i.e. it extends what was verified. It does not prove anything about changes made
 * before the first verification (trust on first use).
 */
export function compareWithTrustedHead(
  trusted: TrustedHead | null,
  current: CurrentLedgerFacts,
): CheckResult {
  if (trusted === null) {
    if (current.head === null) {
      return {
        check: 'trusted_head',
        status: 'PASS',
        message: 'empty ledger: there is no head to record yet',
      };
    }
    return checkFromFinding({
      code: 'TRUSTED_HEAD_FIRST_USE',
      entryId: current.head.entryId,
      message: `first verification of this file: head entry ${current.head.entryId} is recorded now (trust on first use); later verifications will detect truncation or rewriting against it`,
      actual: current.head.entryHash,
    });
  }
  const since = `verified ${trusted.verifiedAt}`;
  if (current.hashAtTrustedEntryId === null || current.count < trusted.count) {
    return checkFromFinding({
      code: 'TRUSTED_HEAD_ROLLBACK',
      entryId: trusted.entryId,
      message:
        current.hashAtTrustedEntryId === null
          ? `entry ${trusted.entryId}, the head ${since}, is gone`
          : `the ledger has ${current.count} entries, fewer than the ${trusted.count} ${since}`,
      expected: `entry ${trusted.entryId} ${trusted.entryHash} (${trusted.count} entries)`,
      actual:
        current.head === null
          ? 'no entries'
          : `head entry ${current.head.entryId} ${current.head.entryHash} (${current.count} entries)`,
    });
  }
  if (current.hashAtTrustedEntryId !== trusted.entryHash) {
    return checkFromFinding({
      code: 'TRUSTED_HEAD_FORK',
      entryId: trusted.entryId,
      message: `entry ${trusted.entryId}, the head ${since}, now has a different entry_hash: history was rewritten`,
      expected: trusted.entryHash,
      actual: current.hashAtTrustedEntryId,
    });
  }
  if (current.genesisHash !== trusted.genesisHash) {
    return checkFromFinding({
      code: 'TRUSTED_HEAD_FORK',
      entryId: 1,
      message: `the first entry's hash differs from the one ${since}`,
      expected: trusted.genesisHash,
      actual: current.genesisHash ?? '(no entries)',
    });
  }
  const head = current.head;
  const grown = head === null ? 0 : head.entryId - trusted.entryId;
  return {
    check: 'trusted_head',
    status: 'PASS',
    entryId: trusted.entryId,
    message: `extends the head ${since} (entry ${trusted.entryId})${grown > 0 ? `, ${current.count - trusted.count} entries appended since` : ''}`,
    expected: trusted.entryHash,
    actual: current.hashAtTrustedEntryId,
  };
}
