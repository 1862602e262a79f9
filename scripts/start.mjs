// `npm start`: verifies the bundled demo ledger with its keyring and prints the checklist.
// The desktop window (Electron) takes over this script when the app lands.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** @param {string[]} args */
const cli = (args) =>
  spawnSync(process.execPath, ['bin/proofdesk.mjs', ...args], { cwd: root, stdio: 'inherit' })
    .status ?? 2;

const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 2);
process.exit(
  cli([
    'verify',
    'resources/demo/demo-ledger.db',
    '--keys',
    'resources/demo/demo-keyring.json',
    '--require-signatures',
  ]),
);
