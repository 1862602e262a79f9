/**
 * The recently opened files, newest first, kept in `<state dir>/recent-files.json` for the File
 * menu's Open Recent and the app's recent list. Only files opened in place are remembered (not
 * the demo, not dropped copies), and a file that has since gone is left out when listed.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MAX_RECENT_FILES = 10;
const FORMAT = 'proofdesk-recent-files';

export class RecentFiles {
  private readonly file: string;

  constructor(private readonly stateDir: string) {
    this.file = join(stateDir, 'recent-files.json');
  }

  /** Existing files, newest first. A damaged list reads as empty: it is a convenience. */
  list(): string[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      return [];
    }
    if (typeof parsed !== 'object' || parsed === null) return [];
    const { format, paths } = parsed as { format?: unknown; paths?: unknown };
    if (format !== FORMAT || !Array.isArray(paths)) return [];
    return paths
      .filter((path): path is string => typeof path === 'string' && existsSync(path))
      .slice(0, MAX_RECENT_FILES);
  }

  /** Moves `path` to the front. */
  remember(path: string): void {
    const paths = [path, ...this.list().filter((known) => known !== path)].slice(
      0,
      MAX_RECENT_FILES,
    );
    mkdirSync(this.stateDir, { recursive: true });
    // Replaced whole, so a crash mid-write leaves the previous list rather than half of one.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ format: FORMAT, version: 1, paths }, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
