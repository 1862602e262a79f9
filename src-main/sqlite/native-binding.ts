/**
 * Which compiled better-sqlite3 a connection loads. node_modules holds the build for Node (CLI,
 * `proofdesk serve`, tests); Electron's ABI differs, so the desktop app loads a second build that
 * scripts/build-electron-sqlite.mjs makes in .electron-native, passed as `nativeBinding`.
 *
 * In a checkout the app root is the nearest folder above this module holding package.json (the
 * bundler may put this code in out/main or out/main/chunks, so a fixed depth would be wrong). A
 * packaged app is assumed to ship the .electron-native folder as an extra resource, at the same
 * relative path under process.resourcesPath, outside app.asar since a .node file cannot be loaded
 * from inside an archive.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';

export const ELECTRON_SQLITE_BINDING = join(
  '.electron-native',
  'better-sqlite3',
  'build',
  'Release',
  'better_sqlite3.node',
);

/** The parts of `process` that decide which build to load. */
export interface SqliteRuntime {
  /** process.versions.electron: set only inside Electron, workers included. */
  readonly electronVersion: string | undefined;
  readonly execPath: string;
  readonly resourcesPath: string | undefined;
  readonly platform: NodeJS.Platform;
  /** The folder of the running module, where the search for the app root starts. */
  readonly moduleDir: string;
}

function currentRuntime(): SqliteRuntime {
  return {
    electronVersion: process.versions['electron'],
    execPath: process.execPath,
    resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
    platform: process.platform,
    moduleDir: import.meta.dirname,
  };
}

/** Electron's own app.isPackaged test, which needs no `electron` import and so works in workers. */
function isPackaged(runtime: SqliteRuntime): boolean {
  const executable = basename(runtime.execPath).toLowerCase();
  return executable !== (runtime.platform === 'win32' ? 'electron.exe' : 'electron');
}

function checkoutRoot(moduleDir: string): string {
  for (let dir = moduleDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return moduleDir;
  }
}

/** Where the Electron build is expected, or undefined under plain Node (the default build). */
export function electronSqliteBindingPath(runtime: SqliteRuntime): string | undefined {
  if (runtime.electronVersion === undefined) return undefined;
  const root =
    isPackaged(runtime) && runtime.resourcesPath !== undefined
      ? runtime.resourcesPath
      : checkoutRoot(runtime.moduleDir);
  return join(root, ELECTRON_SQLITE_BINDING);
}

/** `new Database`'s `nativeBinding`: the Electron build in Electron, undefined under Node. */
export function sqliteNativeBinding(runtime: SqliteRuntime = currentRuntime()): string | undefined {
  const binding = electronSqliteBindingPath(runtime);
  if (binding !== undefined && !existsSync(binding)) {
    throw new ProofdeskError(
      'INTERNAL',
      `better-sqlite3 has not been built for Electron (${binding} is missing); run \`npm start\` again or \`node scripts/build-electron-sqlite.mjs\`.`,
    );
  }
  return binding;
}
