/**
 * Tells a nexuscone ledger from a nexus-attest decision store by its tables, reading the file
 * read-only (openEvidenceDatabase leaves nothing beside it).
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { openEvidenceDatabase } from '../sqlite/evidence-database';

export type EvidenceKind = 'ledger' | 'decision-store';

export function detectEvidenceKind(path: string): EvidenceKind {
  const evidence = openEvidenceDatabase(path);
  let tables: Set<string>;
  try {
    tables = new Set(
      evidence.db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')",
        )
        .all()
        .map((row) => row.name),
    );
  } finally {
    evidence.close();
  }
  if (tables.has('decisions') && tables.has('decision_events')) return 'decision-store';
  if (tables.has('entries')) return 'ledger';
  throw new ProofdeskError(
    'NOT_A_LEDGER',
    `${evidence.location.path} is an SQLite database, but neither a nexuscone ledger (no entries table) nor a nexus-attest decision store (no decisions and decision_events tables).`,
  );
}
