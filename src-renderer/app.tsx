/**
 * The app shell: a header, one tab per view, and the views. Views register here; each talks to
 * main only through window.proofdesk (the typed contract). A view mounts the first time it is shown
 * (so it measures itself while visible) and then stays mounted, hidden when inactive, so switching
 * tabs — or jumping from a finding to its ledger row — never throws away verification results.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { DecisionsView } from './decisions-view';
import { onShowLedgerEntry } from './ledger-navigation';
import { LedgerView } from './ledger-view';
import { SettingsView } from './settings-view';
import { VerificationView } from './verification-view';

interface AppView {
  readonly id: string;
  readonly label: string;
  readonly render: () => ReactElement;
}

const VIEWS: readonly AppView[] = [
  { id: 'verification', label: 'Verification', render: () => <VerificationView /> },
  { id: 'decisions', label: 'Decisions', render: () => <DecisionsView /> },
  { id: 'ledger', label: 'Ledger', render: () => <LedgerView /> },
  { id: 'settings', label: 'Settings', render: () => <SettingsView /> },
];

export function App() {
  const [active, setActive] = useState(VIEWS[0]?.id ?? '');
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set([active]));
  const view = VIEWS.find((candidate) => candidate.id === active) ?? VIEWS[0];
  useEffect(
    () => setVisited((seen) => (seen.has(active) ? seen : new Set([...seen, active]))),
    [active],
  );
  // "Show entry N" from any view (ledger-navigation.ts) opens the Ledger tab.
  useEffect(() => onShowLedgerEntry(() => setActive('ledger')), []);
  return (
    <div className="app">
      <header className="app-header">
        <h1>Proofdesk</h1>
        <nav aria-label="Views" role="tablist" className="view-tabs">
          {VIEWS.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              aria-controls={`panel-${candidate.id}`}
              aria-selected={candidate.id === view?.id}
              onClick={() => setActive(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </nav>
      </header>
      <main>
        {VIEWS.filter((candidate) => visited.has(candidate.id) || candidate.id === active).map(
          (candidate) => (
            <section
              key={candidate.id}
              id={`panel-${candidate.id}`}
              role="tabpanel"
              aria-labelledby={`tab-${candidate.id}`}
              hidden={candidate.id !== view?.id}
            >
              {candidate.render()}
            </section>
          ),
        )}
      </main>
    </div>
  );
}
