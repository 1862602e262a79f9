/**
 * The recently opened files, newest first, kept in `<state dir>/recent-files.json` for the File
 * menu's Open Recent and the app's recent list. Only files opened in place are remembered (not
 * the demo, not dropped copies), and a file that has since gone is left out when listed.
 */
import { existsSync } from 'node:fs';
import { StateListFile } from '../state-list-file';

export const MAX_RECENT_FILES = 10;

export class RecentFiles {
  private readonly file: StateListFile;

  constructor(stateDir: string) {
    this.file = new StateListFile(stateDir, 'recent-files.json', 'proofdesk-recent-files', 'paths');
  }

  /** Existing files, newest first. */
  list(): string[] {
    return this.file
      .read()
      .filter((path) => existsSync(path))
      .slice(0, MAX_RECENT_FILES);
  }

  /** Moves `path` to the front. */
  remember(path: string): void {
    this.file.write(
      [path, ...this.list().filter((known) => known !== path)].slice(0, MAX_RECENT_FILES),
    );
  }
}
