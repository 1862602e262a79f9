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
