/**
 * Where a bundled worker entry is: beside the running bundle (the CLI in out/cli, Electron main
 * in out/main, perhaps from a chunk one folder down), or, when running from source in tests,
 * the CLI bundle that `npm run build:cli` makes.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProofdeskError } from '../src-shared/check-code';

export function workerScriptPath(name: 'verify-worker' | 'anchor-worker'): string {
  const candidates = [
    new URL(`./${name}.mjs`, import.meta.url),
    new URL(`./${name}.js`, import.meta.url),
    new URL(`../${name}.js`, import.meta.url),
    new URL(`../out/cli/${name}.mjs`, import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new ProofdeskError('INTERNAL', `The ${name} is not built; run \`npm run build:cli\`.`);
  }
  return found;
}
