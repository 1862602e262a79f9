import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadRenderer } from '../src-main/serve/renderer-bundle';

/**
 * CLI and worker tests run the bundles users run, so build them once per test run; and the
 * renderer once, so the `proofdesk serve` processes the browser tests start in parallel find it
 * fresh instead of each rebuilding it at the same time.
 */
export default function buildBundles(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../scripts/build-cli.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
  loadRenderer();
}
