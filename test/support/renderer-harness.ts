/**
 * Runs the renderer in Debian's Chromium against the browser twin: a real `proofdesk serve`
 * subprocess (`node bin/proofdesk.mjs serve <db> --port 0 …`) serving the built renderer and the
 * real main-side handlers over HTTP. The page's `window.proofdesk` is the twin's browser bridge,
 * so only the transport differs from Electron's preload. `serve` rebuilds out/renderer itself
 * when it is stale.
 */
import { describeWhenAvailable } from './requirements';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
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

export interface RendererPageOptions {
  /**
   * Lets the test add inline scripts of its own (an accessibility engine, say), which the app's
   * Content-Security-Policy would otherwise refuse. Tests of the policy itself leave it off.
   */
  readonly bypassCSP?: boolean;
}

/**
 * Opens the twin's printed address in a fresh browser context (its own cookie jar); the server
 * exchanges the token for a cookie and redirects to the app.
 */
export async function openRenderer(
  browser: Browser,
  url: string,
  colorScheme: 'light' | 'dark' = 'light',
  options: RendererPageOptions = {},
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    colorScheme,
    bypassCSP: options.bypassCSP ?? false,
  });
  const errors: string[] = [];
  consoleErrors.set(page, errors);
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return page;
}

/** The page's console errors and uncaught exceptions so far (CSP violations among them). */
export function consoleErrorsOf(page: Page): readonly string[] {
  return consoleErrors.get(page) ?? [];
}

/** A describe block that needs Chromium: skipped without it, failed without it under CI. */
export function describeWithChromium(name: string, fn: () => void): void {
  describeWhenAvailable(
    name,
    chromiumAvailable
      ? null
      : `there is no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium; .ci/run installs it)`,
    fn,
  );
}

/** What `useDemoTwin` starts; read its fields inside tests, once beforeAll has run. */
export interface DemoTwin {
  readonly browser: Browser;
  /** `proofdesk serve` on the bundled demo. */
  readonly server: ServeProcess;
  /** A private folder for further state directories the block's tests need. */
  readonly stateDir: string;
}

/** Chromium and a demo twin for one describe block: started before its tests, stopped after. */
export function useDemoTwin(): DemoTwin {
  const twin = { stateDir: mkdtempSync(join(tmpdir(), 'proofdesk-test-')) } as {
    browser: Browser;
    server: ServeProcess;
    stateDir: string;
  };
  beforeAll(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    twin.browser = await launchChromium();
    twin.server = await startServe({ stateDir: join(twin.stateDir, 'demo') });
  });
  afterAll(async () => {
    // Either may be missing when start-up itself failed.
    await (twin.browser as Browser | undefined)?.close();
    await (twin.server as ServeProcess | undefined)?.stop();
  });
  return twin;
}
