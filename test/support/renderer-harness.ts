/**
 * Runs the renderer in Debian's Chromium against the browser twin: a real `proofdesk serve`
 * subprocess (`node bin/proofdesk.mjs serve <db> --port 0 …`) serving the built renderer and the
 * real main-side handlers over HTTP. The page's `window.proofdesk` is the twin's browser bridge,
 * so only the transport differs from Electron's preload. `serve` rebuilds out/renderer itself
 * when it is stale.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { bytesToHex } from '../../src-shared/crypto/hex';
import type { LedgerSessionOptions } from '../../src-main/ipc/ipc-handlers';
import { loadRenderer } from '../../src-main/serve/renderer-bundle';
import { cliEntry, cliEnvironment, repoRoot } from './cli';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
const root = fileURLToPath(new URL('../../', import.meta.url));
export const rendererDir = join(root, 'out', 'renderer');
export const screenshotDir = join(root, 'test-results');

/** The line `proofdesk serve` prints on stdout. */
export const SERVE_URL_PATTERN = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})$/m;

export interface ServeOptions {
  /** The ledger to serve; omitted: the bundled demo. */
  readonly db?: string;
  readonly keys?: string;
  /**
   * Trusted heads (and the demo's decision copies) go here, never to the user's folder; the
   * process's private config home is made inside it too.
   */
  readonly stateDir: string;
  readonly extraArgs?: readonly string[];
  readonly timeoutMs?: number;
}

export interface ServeProcess {
  /** The printed address, token included. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `proofdesk serve` and resolves once it has printed its address. */
export function startServe(options: ServeOptions): Promise<ServeProcess> {
  const args = [
    cliEntry,
    'serve',
    ...(options.db === undefined ? [] : [options.db]),
    '--port',
    '0',
    '--state-dir',
    options.stateDir,
    ...(options.keys === undefined ? [] : ['--keys', options.keys]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: cliEnvironment(join(options.stateDir, 'config-home')),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    // 'close': exited and its output read to the end.
    child.on('close', (code, signal) => done({ code, signal })),
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`proofdesk serve printed no address in time.\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (): void => {
      const match = SERVE_URL_PATTERN.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      const port = Number(match[1]);
      resolvePromise({
        url: match[0],
        origin: `http://127.0.0.1:${port}`,
        port,
        token: match[2] ?? '',
        child,
        output: () => ({ stdout, stderr }),
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`proofdesk serve ended (${code ?? signal}) before serving:\n${stderr}`));
    });
  });
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

const consoleErrors = new WeakMap<Page, string[]>();

/**
 * Opens the twin's printed address in a fresh browser context (its own cookie jar); the server
 * exchanges the token for a cookie and redirects to the app.
 *
 * The older form, `openRenderer(browser, url, session, colorScheme)`, still works: it starts a
 * `proofdesk serve` for that session (its keyring written to a file in session.stateDir) and
 * stops it when the page closes. New tests should call startServe themselves.
 */
export async function openRenderer(
  browser: Browser,
  url: string,
  colorScheme?: 'light' | 'dark',
): Promise<Page>;
export async function openRenderer(
  browser: Browser,
  url: string,
  session: LedgerSessionOptions,
  colorScheme?: 'light' | 'dark',
): Promise<Page>;
export async function openRenderer(
  browser: Browser,
  url: string,
  sessionOrScheme?: LedgerSessionOptions | 'light' | 'dark',
  scheme?: 'light' | 'dark',
): Promise<Page> {
  let address = url;
  let colorScheme = typeof sessionOrScheme === 'string' ? sessionOrScheme : (scheme ?? 'light');
  let twin: ServeProcess | null = null;
  if (typeof sessionOrScheme === 'object') {
    twin = await startServeForSession(sessionOrScheme);
    address = twin.url;
    colorScheme = scheme ?? 'light';
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  if (twin !== null) page.once('close', () => void twin.stop());
  await page.goto(address);
  return page;
}

const sessionTwins = new Set<ServeProcess>();

async function startServeForSession(session: LedgerSessionOptions): Promise<ServeProcess> {
  mkdirSync(session.stateDir, { recursive: true });
  let keys: string | undefined;
  if (session.keyring !== null) {
    keys = join(session.stateDir, 'keyring.json');
    const entries = [...session.keyring].map(([id, key]) => [id, bytesToHex(key)]);
    writeFileSync(keys, JSON.stringify(Object.fromEntries(entries)));
  }
  const twin = await startServe({ db: session.ledgerPath, keys, stateDir: session.stateDir });
  sessionTwins.add(twin);
  twin.child.once('exit', () => sessionTwins.delete(twin));
  return twin;
}

/**
 * @deprecated The renderer is no longer served in-process: `proofdesk serve` builds it when stale.
 * Kept for tests written against the old harness; it only makes sure out/renderer is current.
 */
export function buildRenderer(): void {
  loadRenderer();
}

/**
 * @deprecated Use startServe. Kept for tests written against the old harness: the address is a
 * placeholder that openRenderer(browser, url, session) ignores, and closing the returned server
 * stops every twin those calls started.
 */
export function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  // close() on a server that never listened still emits 'close'.
  server.once('close', () => {
    for (const twin of sessionTwins) void twin.stop();
  });
  return Promise.resolve({ server, url: 'about:blank#per-session-twin' });
}

/** The page's console errors and uncaught exceptions so far (CSP violations among them). */
export function consoleErrorsOf(page: Page): readonly string[] {
  return consoleErrors.get(page) ?? [];
}

/** A describe block that needs Chromium: skipped without it, failed without it under CI. */
export function describeWithChromium(name: string, fn: () => void): void {
  if (chromiumAvailable) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('has Chromium', () => {
        throw new Error(`CI requires Debian's chromium at ${CHROMIUM_PATH}; .ci/run installs it.`);
      });
    });
  } else {
    console.warn(
      `Skipping "${name}": no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium).`,
    );
    describe.skip(name, () => it('needs Chromium', () => {}));
  }
}
