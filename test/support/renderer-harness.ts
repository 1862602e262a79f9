/**
 * Runs the built renderer in Debian's Chromium, wired to the real main-side IPC handlers: the
 * page gets `window.proofdesk` with one method per contract operation, each forwarded to
 * `dispatchIpcCall` in this process. Only the transport differs from Electron's preload.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PRELOAD_EVENT_METHODS, PRELOAD_METHODS } from '../../src-shared/ipc/ipc-contract';
import { CONTENT_SECURITY_POLICY } from '../../src-main/app/window-security';
import {
  createLedgerHandlers,
  dispatchIpcCall,
  type LedgerSessionOptions,
} from '../../src-main/ipc/ipc-handlers';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
const root = fileURLToPath(new URL('../../', import.meta.url));
export const rendererDir = join(root, 'out', 'renderer');
export const screenshotDir = join(root, 'test-results');

export function buildRenderer(): void {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: 'pipe',
    },
  );
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Serves out/renderer on 127.0.0.1 with the app's Content-Security-Policy header. */
export function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(rendererDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(rendererDir) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    });
    response.end(readFileSync(file));
  });
  return new Promise((resolvePromise) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Opens the renderer in a new page whose window.proofdesk reaches handlers for `session`. */
export async function openRenderer(
  browser: Browser,
  url: string,
  session: LedgerSessionOptions,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
  const handlers = createLedgerHandlers(session);
  await page.exposeFunction('__proofdeskInvoke', (channel: string, input: unknown) =>
    dispatchIpcCall(handlers, channel, input, (event, payload) => {
      void page
        .evaluate(([name, data]) => window.__proofdeskEmit?.(name, data), [event, payload] as const)
        .catch(() => undefined);
    }),
  );
  await page.addInitScript(
    ({ methods, eventMethods }) => {
      const listeners = new Map<string, Set<(payload: unknown) => void>>();
      const invoke = (
        window as unknown as { __proofdeskInvoke: (c: string, i: unknown) => Promise<unknown> }
      ).__proofdeskInvoke;
      const api: Record<string, unknown> = {};
      for (const [channel, method] of Object.entries(methods))
        api[method] = (input: unknown) => invoke(channel, input);
      for (const [event, method] of Object.entries(eventMethods)) {
        api[method] = (listener: (payload: unknown) => void) => {
          const set = listeners.get(event) ?? new Set();
          set.add(listener);
          listeners.set(event, set);
          return () => set.delete(listener);
        };
      }
      Object.defineProperty(window, 'proofdesk', { value: Object.freeze(api) });
      Object.defineProperty(window, '__proofdeskEmit', {
        value: (event: string, payload: unknown) =>
          listeners.get(event)?.forEach((listener) => listener(payload)),
      });
    },
    { methods: PRELOAD_METHODS, eventMethods: PRELOAD_EVENT_METHODS },
  );
  await page.goto(url);
  return page;
}

declare global {
  interface Window {
    __proofdeskEmit?: (event: string, payload: unknown) => void;
  }
}
