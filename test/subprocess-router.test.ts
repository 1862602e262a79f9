/** The built-in subprocess router: JSON in on stdin, one JSON object out, and every failure named. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PyNumber } from '../src-shared/canonical-json/python-json';
import { fromJsValue, type PyJsonObject } from '../src-shared/canonical-json/python-json';
import { createSubprocessRouter, RouterRunError } from '../src-main/decisions/subprocess-router';
import { temporaryDirectory } from './support/ledger-fixtures';

const request = fromJsValue({
  goal: 'Rotate keys',
  adapter_id: 'ops',
  dry_run: true,
}) as PyJsonObject;

describe('subprocess router', () => {
  const directory = temporaryDirectory();
  const script = (name: string, body: string): string[] => {
    const path = join(directory, name);
    writeFileSync(path, body);
    return [process.execPath, path];
  };

  it('passes the compiled request on stdin and returns the response losslessly', async () => {
    const command = script(
      'echo.mjs',
      `let input = '';
       process.stdin.on('data', (c) => (input += c));
       process.stdin.on('end', () => {
         const request = JSON.parse(input);
         process.stdout.write('{"run_id": "run-42", "steps_executed": 3, "cost": 10.0, "echo": ' + JSON.stringify(request.goal) + '}');
       });`,
    );
    const response = await createSubprocessRouter({ command, timeoutMs: 10_000 }).run(request);
    expect(response.get('run_id')).toBe('run-42');
    expect(response.get('echo')).toBe('Rotate keys');
    // 10.0 stays a float, so the response digest matches what Python would compute.
    expect((response.get('cost') as PyNumber).lexeme).toBe('10.0');
  });

  it.each([
    [
      'a non-zero exit',
      "console.error('adapter exploded'); process.exit(3);",
      /exited with code 3: adapter exploded/,
    ],
    ['output that is not JSON', "process.stdout.write('ok');", /not a JSON object/],
    ['a JSON array', "process.stdout.write('[1]');", /not a JSON object/],
    ['a hang', 'setInterval(() => {}, 1000);', /timed out after 300 ms/],
  ])('reports %s as a RouterRunError', async (_what, body, message) => {
    const router = createSubprocessRouter({
      command: script(`case-${message.source.length}.mjs`, body),
      timeoutMs: 300,
    });
    await expect(router.run(request)).rejects.toThrow(RouterRunError);
    await expect(router.run(request)).rejects.toThrow(message);
  });

  it('a command that does not exist cannot start', async () => {
    const router = createSubprocessRouter({
      command: [join(directory, 'no-such-program')],
      timeoutMs: 1000,
    });
    await expect(router.run(request)).rejects.toThrow(/could not start/);
  });

  it('declares the configured capabilities, or null', async () => {
    expect(
      await createSubprocessRouter({ command: ['true'], timeoutMs: 1000 }).getAdapterCapabilities(
        'x',
      ),
    ).toBeNull();
    const caps = await createSubprocessRouter({
      command: ['true'],
      timeoutMs: 1000,
      capabilities: new Set(['write']),
    }).getAdapterCapabilities('x');
    expect([...(caps ?? [])]).toEqual(['write']);
  });
});
