/**
 * Renders a verification for people (text) and programs (--json): a ledger (`proofdesk verify`),
 * or a nexus-attest decision bundle or audit package (`proofdesk bundle verify`, `package verify`).
 * The status word and the code on each line come from the check result, never from its message.
 * A check that reproduces one of nexus-attest's own checks carries nexus-attest's name for it
 * (`compat_name` in JSON, in brackets after the check name in text).
 */
import type { CheckResult, Verdict } from '../../src-shared/verification-report';
import type { LedgerVerificationResult } from '../ledger/ledger-verification';

export const VERIFY_JSON_SCHEMA_VERSION = 1;

/** A check line, possibly reproducing a nexus-attest check under nexus-attest's own name. */
export interface VerificationCheck extends CheckResult {
  readonly compatName?: string;
}

/** A verified nexus-attest file: a decision bundle or an audit package. */
export interface EvidenceFileVerification {
  readonly subject: 'decision-bundle' | 'audit-package' | 'decision-store' | 'report';
  readonly verdict: Verdict;
  readonly file: { readonly path: string; readonly sha256: string; readonly bytes: number };
  /** The decision the file is about, when it names one as a string. */
  readonly decisionId?: string;
  readonly checks: readonly VerificationCheck[];
}

function checkToJson(check: VerificationCheck): Record<string, unknown> {
  return {
    check: check.check,
    status: check.status,
    ...(check.code !== undefined ? { code: check.code } : {}),
    ...(check.compatName !== undefined ? { compat_name: check.compatName } : {}),
    ...(check.entryId !== undefined ? { entry_id: check.entryId } : {}),
    ...(check.anchorId !== undefined ? { anchor_id: check.anchorId } : {}),
    ...(check.attestationId !== undefined ? { attestation_id: check.attestationId } : {}),
    ...(check.witnessId !== undefined ? { witness_id: check.witnessId } : {}),
    ...(check.decisionId !== undefined ? { decision_id: check.decisionId } : {}),
    ...(check.seq !== undefined ? { seq: check.seq } : {}),
    message: check.message,
    ...(check.expected !== undefined ? { expected: check.expected } : {}),
    ...(check.actual !== undefined ? { actual: check.actual } : {}),
    ...(check.required ? { required: true } : {}),
  };
}

export function renderVerificationJson(result: LedgerVerificationResult): string {
  const document = {
    schema_version: VERIFY_JSON_SCHEMA_VERSION,
    verdict: result.verdict,
    file: { path: result.file.path, sha256: result.file.sha256, bytes: result.file.bytes },
    entries: result.entries,
    head:
      result.head === null
        ? null
        : { entry_id: result.head.entryId, entry_hash: result.head.entryHash },
    trusted_head_recorded: result.trustedHeadRecorded,
    checks: result.checks.map(checkToJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function renderEvidenceVerificationJson(result: EvidenceFileVerification): string {
  const document = {
    schema_version: VERIFY_JSON_SCHEMA_VERSION,
    verdict: result.verdict,
    file: { path: result.file.path, sha256: result.file.sha256, bytes: result.file.bytes },
    subject: result.subject,
    ...(result.decisionId !== undefined ? { decision_id: result.decisionId } : {}),
    checks: result.checks.map(checkToJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function recordOf(check: CheckResult): string {
  if (check.anchorId !== undefined) return `anchor ${check.anchorId}`;
  if (check.attestationId !== undefined) return `attestation ${check.attestationId}`;
  if (check.entryId !== undefined) return `entry ${check.entryId}`;
  return '';
}

/** Text taken from the file under verification is shown through `clean` (identity for ledgers). */
type TextCleaner = (text: string) => string;

function checkLabel(check: VerificationCheck): string {
  return check.compatName === undefined ? check.check : `${check.check} [${check.compatName}]`;
}

function renderCheckLines(
  lines: string[],
  checks: readonly VerificationCheck[],
  clean: TextCleaner,
): void {
  const checkWidth = Math.max(0, ...checks.map((check) => checkLabel(check).length));
  for (const check of checks) {
    const record = recordOf(check);
    const code = check.code !== undefined && check.status !== 'PASS' ? `${check.code}: ` : '';
    lines.push(
      `${check.status.padEnd(7)} ${checkLabel(check).padEnd(checkWidth)}  ${code}${clean(check.message)}${record && !check.message.includes(record) ? ` (${record})` : ''}`,
    );
    const indent = ' '.repeat(8 + checkWidth + 2);
    if (check.status !== 'PASS') {
      if (check.expected !== undefined) lines.push(`${indent}expected: ${clean(check.expected)}`);
      if (check.actual !== undefined) lines.push(`${indent}actual:   ${clean(check.actual)}`);
    }
  }
}

function renderVerdictLines(
  lines: string[],
  verdict: Verdict,
  checks: readonly VerificationCheck[],
  clean: TextCleaner,
): void {
  const count = (status: CheckResult['status']): number =>
    checks.filter((check) => check.status === status).length;
  const tally = (['FAIL', 'WARN', 'SKIP', 'PENDING'] as const)
    .map((status) => [status, count(status)] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  lines.push(`verdict: ${verdict.toUpperCase()}${tally ? ` (${tally})` : ''}`);
  for (const check of checks) {
    if (check.required && (check.status === 'SKIP' || check.status === 'PENDING')) {
      lines.push(
        verdict === 'inconclusive'
          ? `  inconclusive because a requested check could not be completed: ${check.check}: ${clean(check.message)}`
          : `  also not completed, though requested: ${check.check}: ${clean(check.message)}`,
      );
    }
  }
}

const keepText: TextCleaner = (text) => text;

/**
 * Control characters (terminal escapes included) and bidirectional overrides from a file under
 * verification are shown escaped, so the file cannot rewrite or reorder what the reader sees.
 */
export function escapeUntrustedText(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}

export function renderEvidenceVerificationText(result: EvidenceFileVerification): string {
  const lines: string[] = [];
  lines.push(`file     ${escapeUntrustedText(result.file.path)}`);
  lines.push(`sha256   ${result.file.sha256}`);
  lines.push(
    `subject  ${result.subject}${result.decisionId !== undefined ? `   decision ${escapeUntrustedText(result.decisionId)}` : ''}`,
  );
  lines.push('');
  renderCheckLines(lines, result.checks, escapeUntrustedText);
  lines.push('');
  renderVerdictLines(lines, result.verdict, result.checks, escapeUntrustedText);
  return `${lines.join('\n')}\n`;
}

export function renderVerificationText(result: LedgerVerificationResult): string {
  const lines: string[] = [];
  lines.push(`file     ${result.file.path}`);
  lines.push(`sha256   ${result.file.sha256}`);
  lines.push(
    `entries  ${result.entries.toLocaleString('en-US')}${result.head ? `   head: entry ${result.head.entryId} ${result.head.entryHash}` : ''}`,
  );
  lines.push('');
  renderCheckLines(lines, result.checks, keepText);
  lines.push('');
  renderVerdictLines(lines, result.verdict, result.checks, keepText);
  if (result.trustedHeadRecorded && result.head) {
    lines.push(`trusted head recorded: entry ${result.head.entryId}`);
  }
  return `${lines.join('\n')}\n`;
}
