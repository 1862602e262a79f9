/** What main has open, as the renderer sees it, and which views that makes available. */
import type { ChannelOutput } from '../src-shared/ipc/ipc-contract';

export type WorkspaceDescription = ChannelOutput<'workspace/describe'>;
export type ViewId = 'verification' | 'decisions' | 'ledger' | 'anchors' | 'narrative' | 'settings';

/**
 * The views with something to show: a decision store without a ledger has no ledger views, and
 * until main has said what is open there are none, so no tab can be chosen and then taken away.
 */
export function availableViews(workspace: WorkspaceDescription | null): ViewId[] {
  if (workspace === null) return [];
  return [
    ...(workspace.ledger !== null ? (['verification'] as const) : []),
    ...(workspace.decisionStore !== null ? (['decisions'] as const) : []),
    ...(workspace.ledger !== null ? (['ledger', 'anchors'] as const) : []),
    // A ledger or a decision store is all a report needs; the view then offers what is open.
    ...(workspace.ledger !== null || workspace.decisionStore !== null
      ? (['narrative'] as const)
      : []),
    'settings',
  ];
}

/** The view shown first: a decision store opens on its decisions. */
export function defaultView(workspace: WorkspaceDescription | null): ViewId {
  return workspace?.kind === 'decision-store'
    ? 'decisions'
    : (availableViews(workspace)[0] ?? 'settings');
}

/** What the header says the open file is. */
export function describeWorkspace(workspace: WorkspaceDescription): string {
  const kind =
    workspace.kind === 'demo' ? 'Demo' : workspace.kind === 'ledger' ? 'Ledger' : 'Decision store';
  return workspace.origin === 'drop' ? `${kind} · read-only copy of a dropped file` : kind;
}
