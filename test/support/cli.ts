/**
 * Runs the built `proofdesk` CLI as a real subprocess (`node bin/proofdesk.mjs …`, cwd = repo
 * root), with a private config home so no test ever reads or writes the user's real Proofdesk
 * state. The bundle itself is built once per run by test/global-setup.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { temporaryDirectory } from './ledger-fixtures';

export const repoRoot: string = fileURLToPath(new URL('../..', import.meta.url));
export const cliEntry: string = join(repoRoot, 'bin', 'proofdesk.mjs');

/** Exit codes documented by `proofdesk help`. */
export const EXIT = { pass: 0, fail: 1, usage: 2, inconclusive: 3 } as const;

/** The exit code each verdict of a `--json` verification document must come with. */
export const EXIT_OF_VERDICT = {
  pass: EXIT.pass,
  fail: EXIT.fail,
  inconclusive: EXIT.inconclusive,
} as const;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface CliResult {
  /** Exit code, or null when the process was killed by a signal. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

export interface CliOptions {
  /** Text written to standard input (otherwise stdin is an empty pipe). */
  readonly input?: string;
  /** Home for the default state directory (XDG_CONFIG_HOME, HOME, APPDATA all point inside it). */
  readonly configHome: string;
  readonly timeoutMs?: number;
}

/** A temporary config home for one test file, removed when the file finishes. */
export function temporaryConfigHome(): string {
  return temporaryDirectory('proofdesk-cli-home-');
}

/** The environment the CLI runs with: the real one minus debugging, plus a private home. */
export function cliEnvironment(configHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['PROOFDESK_DEBUG'];
  delete env['NODE_OPTIONS'];
  const xdg = join(configHome, 'xdg');
  const home = join(configHome, 'home');
  const appData = join(configHome, 'appdata');
  for (const directory of [xdg, home, appData]) mkdirSync(directory, { recursive: true });
  env['XDG_CONFIG_HOME'] = xdg;
  env['HOME'] = home;
  env['USERPROFILE'] = home;
  env['APPDATA'] = appData;
  return env;
}

/** Runs `proofdesk <args>` to completion. */
export function runCli(args: readonly string[], options: CliOptions): CliResult {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cliEntry, ...args], {
    cwd: repoRoot,
    env: cliEnvironment(options.configHome),
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    elapsedMs: performance.now() - started,
  };
}

/** Runs `proofdesk <args>` without blocking, so several can run at once. */
export function runCliAsync(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliEntry, ...args], {
      cwd: repoRoot,
      env: cliEnvironment(options.configHome),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, elapsedMs: performance.now() - started });
    });
    child.stdin.on('error', () => {
      // The CLI may exit before reading all of stdin (a usage error); that is not a test failure.
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A readable summary for assertion messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.status ?? result.signal}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

/**
 * Asserts the CLI's contract for bad input: exit 2, nothing on stdout, and exactly one line on
 * stderr that starts with `proofdesk: ` and carries no stack trace. Returns that line.
 */
export function expectOneSentenceError(result: CliResult, mentions?: RegExp): string {
  const context = describeRun(result);
  expect(result.status, context).toBe(EXIT.usage);
  expect(result.stdout, context).toBe('');
  const lines = result.stderr.replace(/\n$/, '').split('\n');
  expect(lines, context).toHaveLength(1);
  expect(result.stderr.endsWith('\n'), context).toBe(true);
  expect(
    lines.filter((line) => /^\s+at /.test(line)),
    context,
  ).toEqual([]);
  const line = lines[0] ?? '';
  expect(line, context).toMatch(/^proofdesk: \S/);
  expect(line, context).not.toMatch(/\bat .+:\d+:\d+\)?$/);
  if (mentions !== undefined) expect(line, context).toMatch(mentions);
  return line;
}
