/**
 * The browser twin's `window.proofdesk`: the same contract as Electron's preload, over HTTP to
 * `proofdesk serve`. Each channel is `POST /api/<channel>` answering the IpcResult envelope; push
 * events arrive over one Server-Sent-Events stream, `GET /api/events`. Both are same-origin, so
 * the CSP's `connect-src 'self'` allows them, and the session cookie goes with them.
 *
 * Like the preload it is built from PRELOAD_METHODS and PRELOAD_EVENT_METHODS, so a new channel
 * needs no edit here, and `satisfies ProofdeskApi` checks the result against the contract.
 */
import {
  IPC_EVENTS,
  PRELOAD_EVENT_METHODS,
  PRELOAD_METHODS,
  type ChannelInput,
  type ChannelOutput,
  type EventPayload,
  type IpcChannel,
  type IpcError,
  type IpcEvent,
  type IpcResult,
  type ProofdeskApi,
} from '../src-shared/ipc/ipc-contract';
import { installNavigationGuard } from './navigation-guard';

function failure(code: IpcError['code'], message: string): { ok: false; error: IpcError } {
  return { ok: false, error: { code, message } };
}

function isEnvelope(value: unknown): value is IpcResult<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  if (value.ok === true) return 'data' in value;
  return value.ok === false && 'error' in value && typeof value.error === 'object';
}

/** The method for one channel: its input and output types are the contract's. */
function invoke<C extends IpcChannel>(channel: C) {
  return async (input: ChannelInput<C>): Promise<IpcResult<ChannelOutput<C>>> => {
    let response: Response;
    try {
      response = await fetch(`/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
        redirect: 'error',
      });
    } catch {
      return failure(
        'INTERNAL',
        'Proofdesk is not reachable: the `proofdesk serve` process has stopped.',
      );
    }
    if (response.status === 403) {
      return failure(
        'USAGE',
        'This page is no longer signed in to Proofdesk; open the address `proofdesk serve` printed.',
      );
    }
    const body: unknown = await response.json().catch(() => null);
    if (isEnvelope(body)) return body as IpcResult<ChannelOutput<C>>;
    return failure('INTERNAL', `Proofdesk answered ${channel} with HTTP ${response.status}.`);
  };
}

type Listener = (payload: unknown) => void;
const listeners = new Map<IpcEvent, Set<Listener>>();
let source: EventSource | null = null;

function eventSource(): EventSource {
  if (source !== null) return source;
  const opened = new EventSource('/api/events');
  for (const event of Object.keys(IPC_EVENTS) as IpcEvent[]) {
    opened.addEventListener(event, (message: MessageEvent<string>) => {
      let payload: unknown;
      try {
        payload = JSON.parse(message.data);
      } catch {
        return;
      }
      const parsed = IPC_EVENTS[event].safeParse(payload);
      if (!parsed.success) return;
      listeners.get(event)?.forEach((listener) => listener(parsed.data));
    });
  }
  source = opened;
  return opened;
}

/** The subscription for one event; the stream opens with the first and closes after the last. */
function subscribe<E extends IpcEvent>(event: E) {
  return (listener: (payload: EventPayload<E>) => void): (() => void) => {
    const forward: Listener = (payload) => listener(payload as EventPayload<E>);
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(forward);
    listeners.set(event, set);
    eventSource();
    return () => {
      set.delete(forward);
      if ([...listeners.values()].every((remaining) => remaining.size === 0)) {
        source?.close();
        source = null;
      }
    };
  };
}

type ChannelMethods = {
  [C in IpcChannel as (typeof PRELOAD_METHODS)[C]]: ReturnType<typeof invoke<C>>;
};
type EventMethods = {
  [E in IpcEvent as (typeof PRELOAD_EVENT_METHODS)[E]]: ReturnType<typeof subscribe<E>>;
};

/** One entry per key of `names`, under the method name it maps to. */
function methodTable<K extends string, V>(
  names: Readonly<Record<K, string>>,
  make: (key: K) => V,
): Record<string, V> {
  const table: Record<string, V> = {};
  for (const key of Object.keys(names) as K[]) table[names[key]] = make(key);
  return table;
}

export const browserBridge = {
  // The tables' keys are the contract's method names, so they have the mapped types' shape.
  ...(methodTable(PRELOAD_METHODS, invoke) as unknown as ChannelMethods),
  ...(methodTable(PRELOAD_EVENT_METHODS, subscribe) as unknown as EventMethods),
} satisfies ProofdeskApi;

/** Makes the twin's bridge `window.proofdesk`, as the preload does in Electron. */
export function installBrowserBridge(): void {
  Object.defineProperty(window, 'proofdesk', {
    value: Object.freeze({ ...browserBridge }),
    enumerable: true,
  });
  installNavigationGuard(window);
}
