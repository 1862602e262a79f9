/**
 * The ledger table channels: keyset pages, positions and entry details of the session's ledger,
 * served from one lazily opened read-only connection (see ledger-browser.ts). Inputs arrive
 * already validated by dispatchIpcCall; the path is the session's, never the renderer's.
 */
import type { ChannelInput, ChannelOutput } from '../../src-shared/ipc/ipc-contract';
import type { Keyring } from '../../src-shared/keyring';
import { LedgerBrowser } from '../ledger/ledger-browser';

type BrowseChannel = 'ledger/page' | 'ledger/entry' | 'ledger/locate';
type BrowseHandlers = {
  [C in BrowseChannel]: (input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
};

export function createLedgerBrowseHandlers(session: {
  readonly ledgerPath: string;
  readonly keyring: Keyring | null;
}): BrowseHandlers {
  const browser = new LedgerBrowser(session.ledgerPath);
  // better-sqlite3 is synchronous; a throw inside the executor becomes the promise's rejection.
  const run = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));
  return {
    'ledger/page': (input) => run(() => browser.page(input)),
    'ledger/entry': (input) => run(() => browser.entry(input.entryId, session.keyring)),
    'ledger/locate': (input) => run(() => browser.locate(input.entryId, input.sort, input.filter)),
  };
}
