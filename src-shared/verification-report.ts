/**
 * The result model shared by every verifier, the CLI, the IPC contract and reports.
 */
import type { CheckName, CheckStatus, FindingCode } from './check-code';
import { FINDING_CODE_INFO } from './check-code';

export interface CheckResult {
  readonly check: CheckName;
  readonly status: CheckStatus;
  /** Absent only on PASS lines. */
  readonly code?: FindingCode;
  readonly entryId?: number;
  readonly anchorId?: number;
  readonly attestationId?: number;
  readonly witnessId?: number;
  /** A nexus-attest decision, and the seq of one of its events. */
  readonly decisionId?: string;
  readonly seq?: number;
  readonly message: string;
  readonly expected?: string;
  readonly actual?: string;
  /**
   * The user asked for this check, so a SKIP or PENDING makes the verdict inconclusive rather than
   * a quiet pass.
   */
  readonly required?: boolean;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** A finding before it becomes a check line: its code fixes the check and default status. */
export interface Finding {
  readonly code: FindingCode;
  readonly message: string;
  readonly entryId?: number;
  readonly anchorId?: number;
  readonly attestationId?: number;
  readonly witnessId?: number;
  readonly decisionId?: string;
  readonly seq?: number;
  readonly expected?: string;
  readonly actual?: string;
}

export function checkFromFinding(
  finding: Finding,
  overrides: { status?: CheckStatus; required?: boolean } = {},
): CheckResult {
  const info = FINDING_CODE_INFO[finding.code];
  return {
    check: info.check,
    status: overrides.status ?? info.status,
    ...finding,
    ...(overrides.required ? { required: true } : {}),
  };
}

/** fail beats inconclusive beats pass; WARN never changes the verdict. */
export function computeVerdict(checks: readonly CheckResult[]): Verdict {
  if (checks.some((check) => check.status === 'FAIL')) return 'fail';
  if (
    checks.some(
      (check) => check.required && (check.status === 'SKIP' || check.status === 'PENDING'),
    )
  ) {
    return 'inconclusive';
  }
  return 'pass';
}

/** CLI exit codes: 0 pass, 1 verification failed, 3 inconclusive (2 is usage or I/O error). */
export const EXIT_CODES = { pass: 0, fail: 1, usage: 2, inconclusive: 3 } as const;

export function exitCodeOfVerdict(verdict: Verdict): number {
  return EXIT_CODES[verdict];
}
