/**
 * Keeps, outside the audit file, the last verified head of each ledger file: one small JSON record
 * per file (keyed by its real path) under `<state dir>/trusted-heads/`.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { isLowerHex } from '../../src-shared/crypto/hex';
import type { TrustedHead } from '../../src-shared/ledger/trusted-head';

const RECORD_FORMAT = 'proofdesk-trusted-head';
export const APP_DIRECTORY_NAME = 'Proofdesk';

/** The same directory Electron's app.getPath('userData') gives the desktop app. */
export function defaultUserDataDir(): string {
  if (process.platform === 'win32') {
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_DIRECTORY_NAME);
  }
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support', APP_DIRECTORY_NAME);
  }
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_DIRECTORY_NAME);
}

interface TrustedHeadRecord {
  format: typeof RECORD_FORMAT;
  version: 1;
  ledger_path: string;
  entry_id: number;
  entry_hash: string;
  count: number;
  genesis_hash: string;
  verified_at: string;
}

export class TrustedHeadStore {
  private readonly directory: string;

  constructor(stateDir: string) {
    this.directory = join(stateDir, 'trusted-heads');
  }

  private recordPath(ledgerPath: string): { file: string; realPath: string } {
    const realPath = realpathSync(ledgerPath);
    const key = createHash('sha256').update(realPath, 'utf8').digest('hex');
    return { file: join(this.directory, `${key}.json`), realPath };
  }

  load(ledgerPath: string): TrustedHead | null {
    const { file } = this.recordPath(ledgerPath);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw new ProofdeskError(
        'STATE_DIR_UNUSABLE',
        `The trusted-head record ${file} cannot be read: ${(error as Error).message}.`,
      );
    }
    const damaged = new ProofdeskError(
      'STATE_DIR_UNUSABLE',
      `The trusted-head record ${file} is damaged; remove it to start again from trust on first use.`,
    );
    let record: Partial<TrustedHeadRecord>;
    try {
      record = JSON.parse(text) as Partial<TrustedHeadRecord>;
    } catch {
      throw damaged;
    }
    if (
      record.format !== RECORD_FORMAT ||
      record.version !== 1 ||
      !Number.isSafeInteger(record.entry_id) ||
      !Number.isSafeInteger(record.count) ||
      !isLowerHex(record.entry_hash, 64) ||
      !isLowerHex(record.genesis_hash, 64) ||
      typeof record.verified_at !== 'string'
    ) {
      throw damaged;
    }
    return {
      entryId: record.entry_id as number,
      entryHash: record.entry_hash,
      count: record.count as number,
      genesisHash: record.genesis_hash,
      verifiedAt: record.verified_at,
    };
  }

  /** Written to a temporary file, flushed, then renamed: a crash leaves the old record or the new. */
  save(ledgerPath: string, head: TrustedHead): void {
    const { file, realPath } = this.recordPath(ledgerPath);
    const record: TrustedHeadRecord = {
      format: RECORD_FORMAT,
      version: 1,
      ledger_path: realPath,
      entry_id: head.entryId,
      entry_hash: head.entryHash,
      count: head.count,
      genesis_hash: head.genesisHash,
      verified_at: head.verifiedAt,
    };
    try {
      mkdirSync(this.directory, { recursive: true, mode: 0o700 });
      const temporary = `${file}.${process.pid}.tmp`;
      const fd = openSync(temporary, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(record, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, file);
    } catch (error) {
      throw new ProofdeskError(
        'STATE_DIR_UNUSABLE',
        `The trusted head cannot be recorded in ${this.directory}: ${(error as Error).message}.`,
      );
    }
  }
}
