// Bundles the Node entry points (CLI, verification and anchoring workers, demo generator, bench) into out/cli.
// They run under plain Node, so `npx proofdesk` works straight after `npm install`.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: {
    proofdesk: 'src-main/cli/proofdesk.ts',
    'verify-worker': 'src-main/ledger/verify-worker.ts',
    'anchor-worker': 'src-main/anchoring/anchor-worker.ts',
    'demo-generator': 'src-main/demo/demo-generator.ts',
    bench: 'src-main/bench/bench.ts',
    'bench-worker': 'src-main/bench/bench-worker.ts',
  },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
