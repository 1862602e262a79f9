/** How a check result is worded in the UI; status is always spelled out, never colour alone. */
import type { CheckStatus } from '../src-shared/check-code';
import type { CheckResult } from '../src-shared/verification-report';

/** The record a check line is about, as a reader would name it. */
export function recordLabel(check: CheckResult): string | null {
  if (check.anchorId !== undefined) return `anchor ${check.anchorId}`;
  if (check.attestationId !== undefined) return `attestation ${check.attestationId}`;
  if (check.entryId !== undefined) return `entry ${check.entryId}`;
  return null;
}

const STATUS_ORDER: readonly CheckStatus[] = ['FAIL', 'WARN', 'PENDING', 'SKIP', 'PASS'];

/** "2 FAIL · 1 WARN · 9 PASS", most serious first. */
export function statusTally(checks: readonly CheckResult[]): string {
  return STATUS_ORDER.map(
    (status) => [status, checks.filter((check) => check.status === status).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(' · ');
}

// The headline is shared with the report's renderings, so the app and the PDF say the same.
export { verdictHeadline } from '../src-shared/report/report-text';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * The words a screen reader hears while a verification runs. They change in steps of a tenth, so a
 * polite live region is not flooded with one announcement per progress event.
 */
export function progressAnnouncement(rowsDone: number, rowsTotal: number): string {
  if (rowsTotal <= 0) return 'Verifying…';
  const tenths = Math.min(Math.floor((rowsDone / rowsTotal) * 10), 10);
  return `Verifying ${rowsTotal.toLocaleString('en-US')} entries: ${tenths * 10}% checked.`;
}
