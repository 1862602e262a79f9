/**
 * "Show this entry in the ledger", from anywhere in the renderer: one window event,
 * `proofdesk:show-entry` with `{ entryId }`. The app switches to the Ledger tab; the ledger view
 * scrolls to the row, highlights it and opens its drawer.
 *
 * The ledger view may not exist yet when the event fires (it mounts when its tab is chosen), so
 * the last requested entry is also kept here until the view has shown it.
 */
export const SHOW_ENTRY_EVENT = 'proofdesk:show-entry';

let pendingEntryId: number | null = null;

function entryIdOf(event: Event): number | null {
  const detail = (event as CustomEvent<unknown>).detail;
  if (typeof detail !== 'object' || detail === null) return null;
  const entryId = (detail as { entryId?: unknown }).entryId;
  return typeof entryId === 'number' && Number.isSafeInteger(entryId) ? entryId : null;
}

// Registered on import, before any view's listener, so the pending entry is always recorded.
window.addEventListener(SHOW_ENTRY_EVENT, (event) => {
  const entryId = entryIdOf(event);
  if (entryId !== null) pendingEntryId = entryId;
});

/** Asks the app to show an entry in the Ledger view. */
export function showLedgerEntry(entryId: number): void {
  window.dispatchEvent(new CustomEvent(SHOW_ENTRY_EVENT, { detail: { entryId } }));
}

/** Calls `listener` for every show-entry request; returns the unsubscribe function. */
export function onShowLedgerEntry(listener: (entryId: number) => void): () => void {
  const handle = (event: Event): void => {
    const entryId = entryIdOf(event);
    if (entryId !== null) listener(entryId);
  };
  window.addEventListener(SHOW_ENTRY_EVENT, handle);
  return () => window.removeEventListener(SHOW_ENTRY_EVENT, handle);
}

/** The entry requested but not yet shown, if any. */
export function pendingLedgerEntry(): number | null {
  return pendingEntryId;
}

/** Marks a request as handled (unless a newer one has arrived since). */
export function settlePendingLedgerEntry(entryId: number): void {
  if (pendingEntryId === entryId) pendingEntryId = null;
}
