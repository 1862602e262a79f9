/**
 * The app shell: a header with what is open and Open…, one tab per view, and the views. Views
 * register here; each talks to main only through window.proofdesk (the typed contract). A view
 * mounts the first time it is shown (so it measures itself while visible) and then stays mounted,
 * hidden when inactive, so switching tabs — or jumping from a finding to its ledger row — never
 * throws away verification results. Opening another file remounts every view, so nothing shown
 * belongs to the file before.
 */
import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
} from 'react';
import type { IpcError } from '../src-shared/ipc/ipc-contract';
import { AnchorsView } from './anchors-view';
import { DecisionsView } from './decisions-view';
import { onShowLedgerEntry } from './ledger-navigation';
import { LedgerView } from './ledger-view';
import { NarrativeView } from './narrative-view';
import { proofdeskApi } from './proofdesk-api';
import { SettingsView } from './settings-view';
import { VerificationView } from './verification-view';
import { WorkspaceBar } from './workspace-bar';
import {
  availableViews,
  defaultView,
  type ViewId,
  type WorkspaceDescription,
} from './workspace-state';

interface AppView {
  readonly id: ViewId;
  readonly label: string;
  readonly render: () => ReactElement;
}

const VIEWS: readonly AppView[] = [
  { id: 'verification', label: 'Verification', render: () => <VerificationView /> },
  { id: 'decisions', label: 'Decisions', render: () => <DecisionsView /> },
  { id: 'ledger', label: 'Ledger', render: () => <LedgerView /> },
  { id: 'anchors', label: 'Anchors', render: () => <AnchorsView /> },
  { id: 'narrative', label: 'Narrative', render: () => <NarrativeView /> },
  { id: 'settings', label: 'Settings', render: () => <SettingsView /> },
];

export function App() {
  const [workspace, setWorkspace] = useState<WorkspaceDescription | null>(null);
  const [workspaceError, setWorkspaceError] = useState<IpcError | null>(null);
  // Bumped on every open, so each view is a fresh one for the new file.
  const [generation, setGeneration] = useState(0);
  const [active, setActive] = useState<ViewId>('verification');
  const [visited, setVisited] = useState<ReadonlySet<ViewId>>(() => new Set());

  const showWorkspace = useCallback((opened: WorkspaceDescription) => {
    const first = defaultView(opened);
    setWorkspace(opened);
    setGeneration((count) => count + 1);
    setActive(first);
    setVisited(new Set([first]));
  }, []);

  useEffect(() => {
    void proofdeskApi()
      .describeWorkspace({})
      .then((reply) => (reply.ok ? showWorkspace(reply.data) : setWorkspaceError(reply.error)));
    // The app's File menu and the OS open files without the page asking.
    return proofdeskApi().onWorkspaceChanged(showWorkspace);
  }, [showWorkspace]);

  const views = VIEWS.filter((view) => availableViews(workspace).includes(view.id));
  const view = views.find((candidate) => candidate.id === active) ?? views[0];
  useEffect(
    () => setVisited((seen) => (seen.has(active) ? seen : new Set([...seen, active]))),
    [active],
  );
  // "Show entry N" from any view (ledger-navigation.ts) opens the Ledger tab.
  useEffect(() => onShowLedgerEntry(() => setActive('ledger')), []);

  const tabBar = useRef<HTMLElement>(null);
  /** The tabs pattern: one Tab stop, arrows (and Home/End) move between tabs and show them. */
  const moveBetweenTabs = (event: KeyboardEvent): void => {
    const index = views.findIndex((candidate) => candidate.id === view?.id);
    const next =
      event.key === 'ArrowRight'
        ? (index + 1) % views.length
        : event.key === 'ArrowLeft'
          ? (index - 1 + views.length) % views.length
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? views.length - 1
              : null;
    const target = next === null ? undefined : views[next];
    if (target === undefined) return;
    event.preventDefault();
    setActive(target.id);
    tabBar.current?.querySelector<HTMLElement>(`#tab-${target.id}`)?.focus();
  };
  return (
    <div className="app">
      <header className="app-header">
        <h1>Proofdesk</h1>
        <nav
          ref={tabBar}
          aria-label="Views"
          role="tablist"
          className="view-tabs"
          onKeyDown={moveBetweenTabs}
        >
          {views.map((candidate) => (
            <button
              key={candidate.id}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              // A panel exists once its view has been shown.
              aria-controls={visited.has(candidate.id) ? `panel-${candidate.id}` : undefined}
              aria-selected={candidate.id === view?.id}
              tabIndex={candidate.id === view?.id ? 0 : -1}
              onClick={() => setActive(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </nav>
        <WorkspaceBar workspace={workspace} onOpened={showWorkspace} />
      </header>
      <main key={generation}>
        {workspaceError !== null && (
          <p role="alert" className="error">
            {workspaceError.message}
          </p>
        )}
        {workspace !== null &&
          views
            .filter((candidate) => visited.has(candidate.id) || candidate.id === view?.id)
            .map((candidate) => (
              <section
                key={candidate.id}
                id={`panel-${candidate.id}`}
                role="tabpanel"
                aria-labelledby={`tab-${candidate.id}`}
                hidden={candidate.id !== view?.id}
              >
                {candidate.render()}
              </section>
            ))}
      </main>
    </div>
  );
}
