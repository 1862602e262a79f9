/**
 * The built renderer that `proofdesk serve` hands to the browser: out/renderer, the same files
 * Electron loads. In a development checkout it is rebuilt first (electron-vite, well under a
 * second) when it is missing or older than its sources, so the twin never serves a stale UI.
 *
 * A build goes to a private folder and is then swapped into out/renderer with renames, so servers
 * and tests starting at the same time never read a half-written or half-deleted bundle. The files
 * are read into memory once: the server answers only paths that were in the bundle, and never
 * touches the file system for a request.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProofdeskError } from '../../src-shared/check-code';

/** The repository (or installed package) root: both src-main/serve and out/cli are two deep. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(PACKAGE_ROOT, 'out', 'renderer');

/** What the renderer bundle is built from; a newer file here makes out/renderer stale. */
const RENDERER_SOURCES = ['src-renderer', 'src-shared', 'electron.vite.config.ts'];
const ELECTRON_VITE = join(
  PACKAGE_ROOT,
  'node_modules',
  'electron-vite',
  'bin',
  'electron-vite.js',
);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export interface RendererAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** URL path ('/index.html', '/assets/index-….js') → file contents. */
export type RendererAssets = ReadonlyMap<string, RendererAsset>;

function filesBelow(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return filesBelow(path).reduce((newest, file) => Math.max(newest, statSync(file).mtimeMs), 0);
}

/** Reads a built renderer folder into memory. */
export function readRendererAssets(directory: string): RendererAssets {
  const assets = new Map<string, RendererAsset>();
  for (const file of filesBelow(directory)) {
    const urlPath = `/${relative(directory, file).split(sep).join('/')}`;
    assets.set(urlPath, {
      body: readFileSync(file),
      contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    });
  }
  if (!assets.has('/index.html')) {
    throw new ProofdeskError('FILE_NOT_FOUND', `The renderer in ${directory} has no index.html.`);
  }
  return assets;
}

/** True when out/renderer is missing, or older than a source it is built from. */
export function rendererIsStale(): boolean {
  const index = join(RENDERER_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return RENDERER_SOURCES.some((source) => newestMtime(join(PACKAGE_ROOT, source)) > built);
}

function canBuild(): boolean {
  return existsSync(ELECTRON_VITE) && existsSync(join(PACKAGE_ROOT, 'src-renderer', 'index.html'));
}

/** Builds into a private folder, installs it as out/renderer, and returns what it built. */
function buildRenderer(): RendererAssets {
  const staging = join(PACKAGE_ROOT, 'out', `.renderer-build-${randomBytes(6).toString('hex')}`);
  try {
    const result = spawnSync(
      process.execPath,
      [ELECTRON_VITE, 'build', '--outDir', staging, '--logLevel', 'error'],
      { cwd: PACKAGE_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (result.status !== 0) {
      const firstLine = `${result.stderr}${result.stdout}`
        .split('\n')
        .map((line) => line.trim())
        .find((line) => line !== '');
      throw new ProofdeskError(
        'INTERNAL',
        `Building the renderer with electron-vite failed: ${firstLine ?? `exit code ${result.status}`}.`,
      );
    }
    const built = join(staging, 'renderer');
    const assets = readRendererAssets(built);
    // Swap it in; if another process installed its build meanwhile, that one stays.
    const retired = join(staging, 'previous-renderer');
    try {
      renameSync(RENDERER_DIR, retired);
    } catch {
      // Nothing there yet, or another process moved it first.
    }
    try {
      renameSync(built, RENDERER_DIR);
    } catch {
      // Another process installed a build in between; this one still serves its own files.
    }
    return assets;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The renderer to serve: out/renderer, rebuilt first when stale and a development checkout can
 * build it. electron-vite builds main and the preload too (into the private folder, then
 * discarded): it has no renderer-only build, so a syntax error in main stops this build as well.
 */
export function loadRenderer(): RendererAssets {
  if (canBuild() && rendererIsStale()) return buildRenderer();
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new ProofdeskError(
      'FILE_NOT_FOUND',
      `The renderer is not built (${RENDERER_DIR} has no index.html) and electron-vite is not installed to build it; run \`npx electron-vite build\` in a development checkout.`,
    );
  }
  try {
    return readRendererAssets(RENDERER_DIR);
  } catch {
    // Another process swapped a new build in while this one was reading; read it once more.
    return readRendererAssets(RENDERER_DIR);
  }
}
