/**
 * Renders a ledger verification for people (text) and programs (--json). The status word and the
 * code on each line come from the check result, never from its message.
 */
import type { CheckResult } from '../../src-shared/verification-report';
import type { LedgerVerificationResult } from '../ledger/ledger-verification';

export const VERIFY_JSON_SCHEMA_VERSION = 1;

function checkToJson(check: CheckResult): Record<string, unknown> {
  return {
    check: check.check,
    status: check.status,
    ...(check.code !== undefined ? { code: check.code } : {}),
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

function recordOf(check: CheckResult): string {
  if (check.anchorId !== undefined) return `anchor ${check.anchorId}`;
  if (check.attestationId !== undefined) return `attestation ${check.attestationId}`;
  if (check.entryId !== undefined) return `entry ${check.entryId}`;
  return '';
}

export function renderVerificationText(result: LedgerVerificationResult): string {
  const lines: string[] = [];
  lines.push(`file     ${result.file.path}`);
  lines.push(`sha256   ${result.file.sha256}`);
  lines.push(
    `entries  ${result.entries.toLocaleString('en-US')}${result.head ? `   head: entry ${result.head.entryId} ${result.head.entryHash}` : ''}`,
  );
  lines.push('');
  const checkWidth = Math.max(...result.checks.map((check) => check.check.length));
  for (const check of result.checks) {
    const record = recordOf(check);
    const code = check.code !== undefined && check.status !== 'PASS' ? `${check.code}: ` : '';
    lines.push(
      `${check.status.padEnd(7)} ${check.check.padEnd(checkWidth)}  ${code}${check.message}${record && !check.message.includes(record) ? ` (${record})` : ''}`,
    );
    const indent = ' '.repeat(8 + checkWidth + 2);
    if (check.status !== 'PASS') {
      if (check.expected !== undefined) lines.push(`${indent}expected: ${check.expected}`);
      if (check.actual !== undefined) lines.push(`${indent}actual:   ${check.actual}`);
    }
  }
  lines.push('');
  const count = (status: CheckResult['status']): number =>
    result.checks.filter((check) => check.status === status).length;
  const tally = (['FAIL', 'WARN', 'SKIP', 'PENDING'] as const)
    .map((status) => [status, count(status)] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  lines.push(`verdict: ${result.verdict.toUpperCase()}${tally ? ` (${tally})` : ''}`);
  for (const check of result.checks) {
    if (check.required && (check.status === 'SKIP' || check.status === 'PENDING')) {
      lines.push(
        `  inconclusive because a requested check could not be completed: ${check.check}: ${check.message}`,
      );
    }
  }
  if (result.trustedHeadRecorded && result.head) {
    lines.push(`trusted head recorded: entry ${result.head.entryId}`);
  }
  return `${lines.join('\n')}\n`;
}
