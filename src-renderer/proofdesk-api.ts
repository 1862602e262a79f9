import type { ProofdeskApi } from '../src-shared/ipc/ipc-contract';

declare global {
  interface Window {
    /** Exposed by the preload (Electron) or the browser twin; one method per contract operation. */
    readonly proofdesk: ProofdeskApi;
  }
}

export function proofdeskApi(): ProofdeskApi {
  return window.proofdesk;
}
