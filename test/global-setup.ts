import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** CLI and worker tests run the bundles users run, so build them once per test run. */
export default function buildCliBundles(): void {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../scripts/build-cli.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
}
