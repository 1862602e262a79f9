/**
 * Routers that execute approved decisions, shaped like nexus-attest's RouterProtocol
 * (../shared/specs/nexus-attest.md §10), and the built-in one: a configured command that receives
 * the compiled router request as JSON on stdin and prints its result as one JSON object.
 */
import { spawn } from 'node:child_process';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  NEXUS_ATTEST_DIALECT,
  parsePythonJson,
  serializePythonJson,
  type PyJsonObject,
} from '../../src-shared/canonical-json/python-json';

export interface DecisionRouter {
  /** Capabilities the adapter declares; null when the router does not say (nothing is checked). */
  getAdapterCapabilities(adapterId: string): Promise<ReadonlySet<string> | null>;
  /** Runs the compiled request; the response object is hashed exactly as returned. */
  run(request: PyJsonObject): Promise<PyJsonObject>;
}

export interface SubprocessRouterOptions {
  /** The program and its arguments; no shell is involved, so nothing is interpolated. */
  readonly command: readonly string[];
  readonly timeoutMs: number;
  readonly capabilities?: ReadonlySet<string> | null;
  /** Largest stdout accepted, so a runaway adapter cannot exhaust memory. */
  readonly maxOutputBytes?: number;
}

/** Why a router run failed; recorded as the EXECUTION_FAILED error message. */
export class RouterRunError extends Error {}

export function createSubprocessRouter(options: SubprocessRouterOptions): DecisionRouter {
  const [program, ...args] = options.command;
  if (program === undefined) throw new ProofdeskError('USAGE', 'The router command is empty.');
  const maxOutputBytes = options.maxOutputBytes ?? 16 * 1024 * 1024;
  return {
    getAdapterCapabilities: () => Promise.resolve(options.capabilities ?? null),
    run: (request) =>
      new Promise<PyJsonObject>((resolvePromise, reject) => {
        const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let outputBytes = 0;
        let settled = false;
        const finish = (outcome: () => void): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          outcome();
        };
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          finish(() =>
            reject(new RouterRunError(`router command timed out after ${options.timeoutMs} ms`)),
          );
        }, options.timeoutMs);
        child.on('error', (error) =>
          finish(() =>
            reject(new RouterRunError(`router command could not start: ${error.message}`)),
          ),
        );
        child.stdout.on('data', (chunk: Buffer) => {
          outputBytes += chunk.length;
          if (outputBytes > maxOutputBytes) {
            child.kill('SIGKILL');
            finish(() =>
              reject(new RouterRunError(`router output exceeded ${maxOutputBytes} bytes`)),
            );
            return;
          }
          stdout.push(chunk);
        });
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('close', (code, signal) =>
          finish(() => {
            if (code !== 0) {
              const detail = Buffer.concat(stderr).toString('utf8').trim().split('\n').at(-1) ?? '';
              reject(
                new RouterRunError(
                  `router command exited with ${signal ?? `code ${code}`}${detail ? `: ${detail}` : ''}`,
                ),
              );
              return;
            }
            try {
              const response = parsePythonJson(Buffer.concat(stdout).toString('utf8'));
              if (!(response instanceof Map)) throw new Error('the output is not a JSON object');
              resolvePromise(response);
            } catch (error) {
              reject(
                new RouterRunError(
                  `router output is not a JSON object: ${(error as Error).message}`,
                ),
              );
            }
          }),
        );
        // An adapter that exits without reading its input must not crash us with EPIPE.
        child.stdin.on('error', () => undefined);
        child.stdin.end(serializePythonJson(request, NEXUS_ATTEST_DIALECT));
      }),
  };
}
