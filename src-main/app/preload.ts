/**
 * Sandboxed preload (bundled as CommonJS): exposes exactly one method per contract operation on
 * window.proofdesk, and no generic invoke or send.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  PRELOAD_EVENT_METHODS,
  PRELOAD_METHODS,
  type IpcChannel,
  type IpcEvent,
} from '../../src-shared/ipc/ipc-contract';

const api: Record<string, unknown> = {};
for (const [channel, method] of Object.entries(PRELOAD_METHODS) as [IpcChannel, string][]) {
  api[method] = (input: unknown) => ipcRenderer.invoke(channel, input);
}
for (const [event, method] of Object.entries(PRELOAD_EVENT_METHODS) as [IpcEvent, string][]) {
  api[method] = (listener: (payload: unknown) => void) => {
    const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(event, forward);
    return () => ipcRenderer.removeListener(event, forward);
  };
}
// Complete by construction: one method per entry of the contract's preload maps.
contextBridge.exposeInMainWorld('proofdesk', Object.freeze(api));
