#!/usr/bin/env node
// The installed entry point: runs the bundled CLI, which `npm install` builds (the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../out/cli/proofdesk.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write(
    'proofdesk: the CLI is not built yet; run `npm install` or `npm run build:cli` first.\n',
  );
  process.exit(2);
}
const { main } = await import(pathToFileURL(bundle).href);
await main();
