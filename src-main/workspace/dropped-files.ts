/**
 * Receives a file dropped on the window as its bytes, in order, into a private folder
 * (mkdtemp, owner-only), so the renderer never names a path. The copy is opened read-only like
 * any evidence file and removed when something else is opened or the process ends; the dropped
 * original is never touched, and nothing is written beside it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';

interface Receipt {
  readonly folder: string;
  readonly path: string;
  readonly fileName: string;
  readonly bytes: number;
  fd: number | null;
  received: number;
}

/** A dropped file's name made safe to use as one path component. */
export function safeFileName(name: string): string {
  const cleaned = name
    .replace(/[\\/]/g, '_')
    // Control characters (C0 and DEL) have no place in a file name.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? 'dropped.db' : cleaned;
}

export class DroppedFiles {
  private readonly receipts = new Map<string, Receipt>();
  /** Folders of copies that are complete; removed when no longer open. */
  private readonly kept = new Set<string>();

  begin(fileName: string, bytes: number): string {
    const folder = mkdtempSync(join(tmpdir(), 'proofdesk-drop-'));
    const path = join(folder, safeFileName(fileName));
    // 'wx': the folder is ours and new, so an existing file here would mean something is wrong.
    const fd = openSync(path, 'wx', 0o600);
    const receiptId = randomBytes(16).toString('hex');
    this.receipts.set(receiptId, { folder, path, fileName, bytes, fd, received: 0 });
    return receiptId;
  }

  write(receiptId: string, offset: number, base64: string): number {
    const receipt = this.receipt(receiptId);
    if (offset !== receipt.received) {
      this.abort(receiptId);
      throw new ProofdeskError(
        'USAGE',
        `The dropped file's bytes arrived out of order (offset ${offset}, expected ${receipt.received}), so it was discarded; drop it again.`,
      );
    }
    const chunk = Buffer.from(base64, 'base64');
    if (receipt.received + chunk.length > receipt.bytes) {
      this.abort(receiptId);
      throw new ProofdeskError(
        'USAGE',
        `More bytes arrived than the ${receipt.bytes} announced for ${receipt.fileName}, so it was discarded; drop it again.`,
      );
    }
    writeSync(receipt.fd as number, chunk);
    receipt.received += chunk.length;
    return receipt.received;
  }

  /** Closes a complete copy and returns its path; it stays until release(). */
  finish(receiptId: string): { path: string; fileName: string } {
    const receipt = this.receipt(receiptId);
    if (receipt.received !== receipt.bytes) {
      this.abort(receiptId);
      throw new ProofdeskError(
        'USAGE',
        `Only ${receipt.received} of ${receipt.fileName}'s ${receipt.bytes} bytes arrived, so it was discarded; drop it again.`,
      );
    }
    const fd = receipt.fd as number;
    const written = fstatSync(fd).size;
    closeSync(fd);
    receipt.fd = null;
    this.receipts.delete(receiptId);
    if (written !== receipt.bytes) {
      rmSync(receipt.folder, { recursive: true, force: true });
      throw new ProofdeskError('INTERNAL', `The copy of ${receipt.fileName} is incomplete.`);
    }
    this.kept.add(receipt.folder);
    return { path: receipt.path, fileName: receipt.fileName };
  }

  abort(receiptId: string): boolean {
    const receipt = this.receipts.get(receiptId);
    if (receipt === undefined) return false;
    if (receipt.fd !== null) closeSync(receipt.fd);
    this.receipts.delete(receiptId);
    rmSync(receipt.folder, { recursive: true, force: true });
    return true;
  }

  /** Removes every finished copy except the one at `keepPath` (the one now open, if any). */
  release(keepPath: string | null = null): void {
    for (const folder of [...this.kept]) {
      if (keepPath !== null && dirname(keepPath) === folder) continue;
      rmSync(folder, { recursive: true, force: true });
      this.kept.delete(folder);
    }
  }

  /** Everything: partial receipts and finished copies (process exit). */
  removeAll(): void {
    for (const receiptId of [...this.receipts.keys()]) this.abort(receiptId);
    this.release();
  }

  private receipt(receiptId: string): Receipt {
    const receipt = this.receipts.get(receiptId);
    if (receipt === undefined) {
      throw new ProofdeskError(
        'USAGE',
        'That dropped file is no longer being received; drop it again.',
      );
    }
    return receipt;
  }
}
