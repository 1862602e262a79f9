/**
 * The app shell: a header, one tab per view, and the active view. Views register here; each talks
 * to main only through window.proofdesk (the typed contract).
 */
import { useState, type ReactElement } from 'react';
import { DecisionsView } from './decisions-view';
import { VerificationView } from './verification-view';

interface AppView {
  readonly id: string;
  readonly label: string;
  readonly render: () => ReactElement;
}

const VIEWS: readonly AppView[] = [
  { id: 'verification', label: 'Verification', render: () => <VerificationView /> },
  { id: 'decisions', label: 'Decisions', render: () => <DecisionsView /> },
];

export function App() {
  const [active, setActive] = useState(VIEWS[0]?.id ?? '');
  const view = VIEWS.find((candidate) => candidate.id === active) ?? VIEWS[0];
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
              aria-selected={candidate.id === view?.id}
              onClick={() => setActive(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </nav>
      </header>
      <main role="tabpanel" aria-label={view?.label}>
        {view?.render()}
      </main>
    </div>
  );
}
