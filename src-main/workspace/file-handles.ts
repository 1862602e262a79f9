/**
 * Opaque handles for files and folders main has shown the renderer (recent files, the in-app
 * chooser). The renderer can only hand back a handle it was given, so it can never name a path
 * of its own; handles last for the process and mean nothing to anyone else.
 */
import { randomBytes } from 'node:crypto';
import { ProofdeskError } from '../../src-shared/check-code';

export class FileHandles {
  private readonly pathOf = new Map<string, string>();
  private readonly handleOf = new Map<string, string>();

  /** The handle for a resolved path; the same path always gets the same handle. */
  handleFor(path: string): string {
    const known = this.handleOf.get(path);
    if (known !== undefined) return known;
    const handle = randomBytes(16).toString('hex');
    this.pathOf.set(handle, path);
    this.handleOf.set(path, handle);
    return handle;
  }

  resolve(handle: string): string {
    const path = this.pathOf.get(handle);
    if (path === undefined) {
      throw new ProofdeskError(
        'USAGE',
        'That file handle is unknown to this session; choose the file again.',
      );
    }
    return path;
  }
}
