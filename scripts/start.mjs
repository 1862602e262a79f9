// `npm start`: builds and launches the desktop app. Where the Electron binary is missing (it is
// downloaded by electron's install script, which fails offline or behind some proxies), it says so
// in one sentence and starts the browser twin instead: `proofdesk serve` on the bundled demo (or
// on the arguments given), which prints the address to open and runs until Ctrl+C. The same
// happens when better-sqlite3 cannot be built for Electron (it needs Electron's headers, another
// download).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSqliteBuildIsCurrent } from './build-electron-sqlite.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
/** @param {string[]} args */
const run = (args) =>
  spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 2;

/** The Electron executable, read the way the electron package does, without triggering a download. */
function electronBinary() {
  const packageDir = join(root, 'node_modules', 'electron');
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** Builds better-sqlite3 for Electron when that build is missing or stale; false if it fails. */
function electronSqliteReady() {
  if (electronSqliteBuildIsCurrent() || run(['scripts/build-electron-sqlite.mjs']) === 0) {
    return true;
  }
  process.stderr.write(
    'Without an Electron build of better-sqlite3 the desktop app cannot open ledgers, so Proofdesk serves the app to your browser instead.\n\n',
  );
  return false;
}

const binary = electronBinary();
if (binary !== null && electronSqliteReady()) {
  const built = run([
    join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
    'build',
  ]);
  if (built !== 0) process.exit(built);
  process.exit(
    spawnSync(binary, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' }).status ??
      2,
  );
}

if (binary === null) {
  process.stderr.write(
    'The Electron binary is not installed (its download needs network access), so Proofdesk serves the app to your browser instead.\n\n',
  );
}
const builtCli = run(['scripts/build-cli.mjs']);
if (builtCli !== 0) process.exit(builtCli);
const serve = spawn(process.execPath, ['bin/proofdesk.mjs', 'serve', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl+C reaches the server from the terminal itself; a SIGTERM sent to this script is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => serve.kill('SIGTERM'));
serve.on('exit', (code) => process.exit(code ?? 1));
