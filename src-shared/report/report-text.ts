/** Words the report's renderings share, so the PDF, Markdown and the app say the same thing. */
import type { NarrativeReport } from './report-model';

export function verdictHeadline(verdict: NarrativeReport['verdict']): string {
  switch (verdict) {
    case 'pass':
      return 'Evidence intact';
    case 'fail':
      return 'Evidence failed verification';
    case 'inconclusive':
      return 'Inconclusive: a requested check could not be completed';
  }
}

/** Which entries the record-keeping facts describe, in words. */
export function describeSelection(
  selection: NarrativeReport['scope']['selection'],
  selectedEntries: number,
): string {
  if (selection === null) return `all ${selectedEntries} entries`;
  const parts: string[] = [];
  if (selection.fromEntryId !== null || selection.toEntryId !== null)
    parts.push(`entries ${selection.fromEntryId ?? 'first'} to ${selection.toEntryId ?? 'last'}`);
  if (selection.actor !== null) parts.push(`actor ${selection.actor}`);
  if (selection.eventType !== null) parts.push(`event type ${selection.eventType}`);
  return `${selectedEntries} entries selected by ${parts.join(', ') || 'nothing'}`;
}
