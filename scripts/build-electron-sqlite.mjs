// Builds a second copy of better-sqlite3 for Electron's ABI in .electron-native/better-sqlite3.
// node_modules keeps the build for this Node, which the CLI, `proofdesk serve` and the tests load;
// rebuilding it in place for Electron would break all three. The Electron main process loads this
// copy through better-sqlite3's `nativeBinding` option (src-main/sqlite/native-binding.ts).
//
//   node scripts/build-electron-sqlite.mjs [--runtime electron|node] [--target VERSION]
//     [--dist-url URL] [--nodedir DIR] [--devdir DIR] [--out DIR]
//
// --target defaults to the installed electron (or, with --runtime node, this Node); --nodedir and
// --devdir go to node-gyp unchanged (local headers; where downloaded headers are kept). The build
// runs in a private folder beside --out and is renamed into place only once the binary exists, so
// the loader never finds a half-built one.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const betterSqliteDir = join(root, 'node_modules', 'better-sqlite3');

const ELECTRON_SQLITE_DIR = join(root, '.electron-native', 'better-sqlite3');
/** The binary's place in a build folder, where src-main/sqlite/native-binding.ts looks for it. */
const BINDING_IN_BUILD = join('build', 'Release', 'better_sqlite3.node');
/** What a build was made for, next to the binary, so a stale one can be told from a current one. */
const STAMP_IN_BUILD = join('build', 'Release', 'better_sqlite3.stamp.json');
const SOURCES = ['binding.gyp', 'package.json', 'src', 'deps'];
const ELECTRON_HEADERS_URL = 'https://electronjs.org/headers';
const NODE_HEADERS_URL = 'https://nodejs.org/dist';
/**
 * node-gyp lets `npm_config_*` variables override its command line. Under `npm start` npm exports
 * its own config this way (here `npm_config_nodedir`, pointing at Node's headers), which would
 * silently turn the Electron build into a Node build; these are the ones that choose the headers.
 */
const HEADER_CHOOSING_OPTIONS = new Set([
  'nodedir',
  'target',
  'dist-url',
  'disturl',
  'devdir',
  'tarball',
]);

/** @param {string} path */
const readVersion = (path) => JSON.parse(readFileSync(path, 'utf8')).version;

/** The installed electron's version, or null when electron is not in node_modules. */
function installedElectronVersion() {
  const manifest = join(root, 'node_modules', 'electron', 'package.json');
  return existsSync(manifest) ? String(readVersion(manifest)) : null;
}

/** True when `outDir` holds a build made for the installed electron and better-sqlite3. */
export function electronSqliteBuildIsCurrent(outDir = ELECTRON_SQLITE_DIR) {
  if (!existsSync(join(outDir, BINDING_IN_BUILD))) return false;
  try {
    const stamp = JSON.parse(readFileSync(join(outDir, STAMP_IN_BUILD), 'utf8'));
    return (
      stamp.runtime === 'electron' &&
      stamp.target === installedElectronVersion() &&
      stamp.betterSqlite3 === readVersion(join(betterSqliteDir, 'package.json'))
    );
  } catch {
    return false;
  }
}

/** The node-gyp that ships inside npm: the one that built node_modules/better-sqlite3. */
function npmNodeGyp() {
  // npm names it to the scripts it runs (`npm start`); run directly, look under npm's prefix.
  const fromNpmScript = process.env.npm_config_node_gyp;
  if (fromNpmScript !== undefined && existsSync(fromNpmScript)) return fromNpmScript;
  const prefix = spawnSync('npm', ['prefix', '-g'], {
    encoding: 'utf8',
    shell: process.platform === 'win32',
  }).stdout?.trim();
  if (!prefix) return null;
  const npmModules =
    process.platform === 'win32'
      ? join(prefix, 'node_modules')
      : join(prefix, 'lib', 'node_modules');
  const nodeGyp = join(npmModules, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(nodeGyp) ? nodeGyp : null;
}

/** `environment` without the npm settings that would override the headers node-gyp is given. */
export function nodeGypEnvironment(environment = process.env) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(environment)) {
    const option = key
      .replace(/^npm_config_|^npm_package_config_node_gyp_/i, '')
      .replaceAll('_', '-')
      .toLowerCase();
    if (option !== key.toLowerCase() && HEADER_CHOOSING_OPTIONS.has(option)) continue;
    env[key] = value;
  }
  return env;
}

/** @param {string} sentence */
function fail(sentence) {
  process.stderr.write(`${sentence}\n`);
  return 1;
}

/** Builds and returns the exit code; returning, not exiting, lets `finally` remove the staging. */
function main() {
  let options;
  try {
    ({ values: options } = parseArgs({
      options: {
        runtime: { type: 'string', default: 'electron' },
        target: { type: 'string' },
        'dist-url': { type: 'string' },
        nodedir: { type: 'string' },
        devdir: { type: 'string' },
        out: { type: 'string' },
      },
    }));
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const runtime = options.runtime;
  if (runtime !== 'electron' && runtime !== 'node') {
    return fail(`--runtime must be electron or node, not ${runtime}.`);
  }
  const runtimeName = runtime === 'electron' ? 'Electron' : 'Node';
  const target =
    options.target ?? (runtime === 'electron' ? installedElectronVersion() : process.versions.node);
  if (target === null) {
    return fail(
      'Electron is not installed in node_modules, so there is no Electron version to build better-sqlite3 for.',
    );
  }
  const distUrl =
    options['dist-url'] ?? (runtime === 'electron' ? ELECTRON_HEADERS_URL : undefined);
  const nodeGyp = npmNodeGyp();
  if (nodeGyp === null) {
    return fail(
      "npm's node-gyp was not found under `npm prefix -g`, so better-sqlite3 cannot be compiled for Electron.",
    );
  }
  const headerOptions = [
    `--target=${target}`,
    ...(distUrl === undefined ? [] : [`--dist-url=${distUrl}`]),
    ...(options.nodedir === undefined ? [] : [`--nodedir=${resolve(options.nodedir)}`]),
    ...(options.devdir === undefined ? [] : [`--devdir=${resolve(options.devdir)}`]),
  ];
  /** @param {string} cwd @param {string[]} args */
  const runNodeGyp = (cwd, args) =>
    spawnSync(process.execPath, [nodeGyp, ...args, ...headerOptions], {
      cwd,
      env: nodeGypEnvironment(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });

  const outDir = resolve(options.out ?? ELECTRON_SQLITE_DIR);
  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(join(dirname(outDir), `.${basename(outDir)}-building-`));
  try {
    // Fetching the headers on their own tells "offline" apart from a compile error.
    if (
      options.nodedir === undefined &&
      runNodeGyp(staging, ['install', '--ensure']).status !== 0
    ) {
      return fail(
        `The ${runtimeName} build of better-sqlite3 could not be made because ${runtimeName} ${target}'s headers at ${distUrl ?? NODE_HEADERS_URL} are unreachable.`,
      );
    }
    for (const source of SOURCES) {
      cpSync(join(betterSqliteDir, source), join(staging, source), { recursive: true });
    }
    process.stderr.write(
      `Compiling better-sqlite3 for ${runtimeName} ${target} (about a minute)…\n`,
    );
    const compiled = runNodeGyp(staging, ['rebuild', '--release', '--jobs=max']);
    if (compiled.status !== 0 || !existsSync(join(staging, BINDING_IN_BUILD))) {
      process.stderr.write(`${compiled.stdout ?? ''}${compiled.stderr ?? ''}`);
      return fail(
        `better-sqlite3 could not be compiled for ${runtimeName} ${target}; node-gyp's output is above.`,
      );
    }
    const stamp = {
      runtime,
      target,
      betterSqlite3: readVersion(join(betterSqliteDir, 'package.json')),
    };
    writeFileSync(join(staging, STAMP_IN_BUILD), `${JSON.stringify(stamp, null, 2)}\n`);
    // Two renames swap the folders, so the loader finds the old build or the new one, never a mix.
    const previous = `${staging}-previous`;
    if (existsSync(outDir)) renameSync(outDir, previous);
    renameSync(staging, outDir);
    rmSync(previous, { recursive: true, force: true });
    process.stderr.write(`Built ${join(outDir, BINDING_IN_BUILD)}.\n`);
    return 0;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
