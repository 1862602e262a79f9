/**
 * The desktop app's second better-sqlite3 build. scripts/build-electron-sqlite.mjs compiles a
 * private copy of better-sqlite3 beside node_modules, and Electron's connections load it through
 * better-sqlite3's `nativeBinding` option. Neither Electron nor its headers can be downloaded on
 * this project's machines, so the mechanism is proven with the one ABI that can run here: the same
 * script builds the copy for this Node from its local headers, and a real database is queried
 * through it. The offline path, and which build a connection asks for, are checked too.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProofdeskError } from '../src-shared/check-code';
import {
  ELECTRON_SQLITE_BINDING,
  electronSqliteBindingPath,
  sqliteNativeBinding,
  type SqliteRuntime,
} from '../src-main/sqlite/native-binding';
import {
  electronSqliteBuildIsCurrent,
  nodeGypEnvironment,
} from '../scripts/build-electron-sqlite.mjs';
import { temporaryDirectory } from './support/ledger-fixtures';

const root = fileURLToPath(new URL('..', import.meta.url));
const buildScript = join(root, 'scripts', 'build-electron-sqlite.mjs');
const bindingInBuild = join('build', 'Release', 'better_sqlite3.node');
const stampInBuild = join('build', 'Release', 'better_sqlite3.stamp.json');
const readVersion = (manifest: string): string =>
  (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
const electronVersion = readVersion(join(root, 'node_modules', 'electron', 'package.json'));
const betterSqliteVersion = readVersion(
  join(root, 'node_modules', 'better-sqlite3', 'package.json'),
);

/** Node's own headers: where npm is told to build against (`npm config get nodedir`) or Node's prefix. */
function nodeHeadersDir(): string | undefined {
  return [process.env['npm_config_nodedir'], process.config.variables.node_prefix].find(
    (dir): dir is string =>
      dir !== undefined && existsSync(join(dir, 'include', 'node', 'node_version.h')),
  );
}

function runBuildScript(
  args: readonly string[],
): Promise<{ status: number | null; stderr: string }> {
  // Asynchronous, so the compile does not stall the test worker's event loop.
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [buildScript, ...args], { cwd: root });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (status) => resolvePromise({ status, stderr }));
  });
}

function closedPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolvePromise(address.port)
          : reject(new Error('The probe server has no port.')),
      );
    });
  });
}

describe('a second better-sqlite3 build loaded through nativeBinding', () => {
  const outDir = join(temporaryDirectory('proofdesk-native-'), 'better-sqlite3');
  let build: { status: number | null; stderr: string };

  beforeAll(async () => {
    const headers = nodeHeadersDir();
    build = await runBuildScript([
      '--runtime',
      'node',
      '--target',
      process.version.slice(1),
      ...(headers === undefined ? [] : ['--nodedir', headers]),
      '--out',
      outDir,
    ]);
  }, 300_000);

  it('compiles into the output folder and stamps what it was built for', () => {
    expect(build.stderr).toContain(`Built ${join(outDir, bindingInBuild)}.`);
    expect(build.status).toBe(0);
    expect(JSON.parse(readFileSync(join(outDir, stampInBuild), 'utf8'))).toEqual({
      runtime: 'node',
      target: process.version.slice(1),
      betterSqlite3: betterSqliteVersion,
    });
  });

  it('opens and queries a real database through the built binary', () => {
    const binding = join(outDir, bindingInBuild);
    const file = join(outDir, '..', 'through-native-binding.db');
    const db = new Database(file, { nativeBinding: binding });
    try {
      db.exec('CREATE TABLE entries (entry_id INTEGER PRIMARY KEY, actor TEXT NOT NULL)');
      db.prepare('INSERT INTO entries (actor) VALUES (?)').run('officer');
      expect(db.prepare('SELECT entry_id, actor FROM entries').all()).toEqual([
        { entry_id: 1, actor: 'officer' },
      ]);
    } finally {
      db.close();
    }
    // The addon was loaded from the second build, not node_modules/better-sqlite3/build.
    expect(createRequire(import.meta.url).cache[binding]).toBeDefined();
  });

  it('counts as current for start.mjs only when stamped for the installed electron and better-sqlite3', () => {
    expect(electronSqliteBuildIsCurrent(outDir)).toBe(false);
    const stamp = (target: string, betterSqlite3: string): void =>
      writeFileSync(
        join(outDir, stampInBuild),
        JSON.stringify({ runtime: 'electron', target, betterSqlite3 }),
      );
    stamp(electronVersion, betterSqliteVersion);
    expect(electronSqliteBuildIsCurrent(outDir)).toBe(true);
    stamp('1.0.0', betterSqliteVersion);
    expect(electronSqliteBuildIsCurrent(outDir)).toBe(false);
    stamp(electronVersion, '1.0.0');
    expect(electronSqliteBuildIsCurrent(outDir)).toBe(false);
  });
});

describe('the Electron build when its headers cannot be downloaded', () => {
  it('says so in one sentence, exits non-zero and leaves no binary for the loader', async () => {
    const scratch = temporaryDirectory('proofdesk-native-offline-');
    const outParent = join(scratch, 'native');
    const port = await closedPort();
    const result = await runBuildScript([
      '--dist-url',
      `http://127.0.0.1:${port}`,
      '--devdir',
      join(scratch, 'headers-cache'),
      '--out',
      join(outParent, 'better-sqlite3'),
    ]);
    expect(result.stderr).toBe(
      `The Electron build of better-sqlite3 could not be made because Electron ${electronVersion}'s headers at http://127.0.0.1:${port} are unreachable.\n`,
    );
    expect(result.status).not.toBe(0);
    expect(existsSync(join(outParent, 'better-sqlite3', bindingInBuild))).toBe(false);
    expect(readdirSync(outParent)).toEqual([]);
  }, 60_000);

  it("keeps npm's own nodedir from turning the Electron build into a Node build", () => {
    // npm exports its config to `npm start`, nodedir included; node-gyp lets that override flags.
    expect(
      nodeGypEnvironment({
        PATH: '/usr/bin',
        npm_config_nodedir: '/usr',
        npm_config_target: '20.0.0',
        npm_config_dist_url: 'https://nodejs.org/dist',
        NPM_CONFIG_DISTURL: 'https://nodejs.org/dist',
        npm_config_devdir: '/tmp/node-gyp',
        npm_package_config_node_gyp_nodedir: '/usr',
        npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
        npm_config_jobs: '2',
      }),
    ).toEqual({
      PATH: '/usr/bin',
      npm_config_cafile: '/etc/ssl/certs/ca-certificates.crt',
      npm_config_jobs: '2',
    });
  });
});

describe('which better-sqlite3 build a connection loads', () => {
  const checkout = temporaryDirectory('proofdesk-checkout-');
  writeFileSync(join(checkout, 'package.json'), '{}');
  const bundledChunkDir = join(checkout, 'out', 'main', 'chunks');
  mkdirSync(bundledChunkDir, { recursive: true });
  const electronInCheckout: SqliteRuntime = {
    electronVersion,
    execPath: join(checkout, 'node_modules', 'electron', 'dist', 'electron'),
    resourcesPath: join(checkout, 'node_modules', 'electron', 'dist', 'resources'),
    platform: 'linux',
    moduleDir: bundledChunkDir,
  };

  it('is the default node_modules build under plain Node', () => {
    expect(sqliteNativeBinding()).toBeUndefined();
    expect(
      electronSqliteBindingPath({ ...electronInCheckout, electronVersion: undefined }),
    ).toBeUndefined();
  });

  it('is the .electron-native build at the checkout root in Electron, from any bundle depth', () => {
    const expected = join(checkout, ELECTRON_SQLITE_BINDING);
    expect(electronSqliteBindingPath(electronInCheckout)).toBe(expected);
    expect(
      electronSqliteBindingPath({
        ...electronInCheckout,
        moduleDir: join(checkout, 'out', 'main'),
      }),
    ).toBe(expected);
    for (const [platform, execPath] of [
      ['win32', '/checkout/node_modules/electron/dist/electron.exe'],
      ['darwin', '/checkout/node_modules/electron/dist/Electron.app/Contents/MacOS/Electron'],
    ] as const) {
      expect(electronSqliteBindingPath({ ...electronInCheckout, platform, execPath })).toBe(
        expected,
      );
    }
  });

  it('is under process.resourcesPath in a packaged app', () => {
    const packaged: SqliteRuntime = {
      ...electronInCheckout,
      execPath: '/opt/Proofdesk/proofdesk',
      resourcesPath: '/opt/Proofdesk/resources',
      moduleDir: '/opt/Proofdesk/resources/app.asar/out/main',
    };
    expect(electronSqliteBindingPath(packaged)).toBe(
      join('/opt/Proofdesk/resources', ELECTRON_SQLITE_BINDING),
    );
  });

  it('throws a ProofdeskError naming the fix when the Electron build is missing', () => {
    let thrown: unknown;
    try {
      sqliteNativeBinding(electronInCheckout);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProofdeskError);
    expect((thrown as ProofdeskError).code).toBe('INTERNAL');
    expect((thrown as ProofdeskError).message).toBe(
      `better-sqlite3 has not been built for Electron (${join(checkout, ELECTRON_SQLITE_BINDING)} is missing); run \`npm start\` again or \`node scripts/build-electron-sqlite.mjs\`.`,
    );

    mkdirSync(join(checkout, ELECTRON_SQLITE_BINDING, '..'), { recursive: true });
    writeFileSync(join(checkout, ELECTRON_SQLITE_BINDING), '');
    expect(sqliteNativeBinding(electronInCheckout)).toBe(join(checkout, ELECTRON_SQLITE_BINDING));
  });
});
