/**
 * Opens an SQLite evidence file strictly read-only and leaves nothing beside it.
 *
 * Viewing must never change evidence: no -wal, -shm or -journal left beside the file. A
 * rollback-journal database is opened read-only in place. A read-only SQLite connection to a
 * WAL-mode database creates -wal and -shm files, and this better-sqlite3 build ignores URI options
 * such as immutable=1, so WAL files are read from a private snapshot copy instead.
 */
import Database from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { sqliteNativeBinding } from './native-binding';

const SQLITE_MAGIC = 'SQLite format 3\0';
const BUSY_TIMEOUT_MS = 2000;

/** Where and how to open the file; serialisable so workers can open their own connections. */
export interface EvidenceLocation {
  /** The evidence file as the user named it, resolved. */
  readonly path: string;
  /** The file SQLite actually opens: the evidence itself, or a private snapshot of a WAL file. */
  readonly openPath: string;
}

export interface EvidenceDatabase {
  readonly location: EvidenceLocation;
  readonly db: Database.Database;
  readonly close: () => void;
}

/** Turns an SQLite or file-system failure into one clear sentence with a code. */
export function describeOpenFailure(error: unknown, path: string): ProofdeskError {
  if (error instanceof ProofdeskError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (
    code === 'SQLITE_BUSY' ||
    code.startsWith('SQLITE_BUSY') ||
    /database is locked/i.test(message)
  ) {
    return new ProofdeskError(
      'DATABASE_LOCKED',
      `${path} is locked by another process; try again when it has finished writing.`,
    );
  }
  if (code === 'SQLITE_NOTADB') {
    return new ProofdeskError('NOT_SQLITE', `${path} is not an SQLite database.`);
  }
  if (code.startsWith('SQLITE_CORRUPT') || /malformed/i.test(message)) {
    return new ProofdeskError(
      'DATABASE_CORRUPT',
      `${path} is damaged: SQLite reports "${message}".`,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')) {
    return new ProofdeskError('FILE_UNREADABLE', `${path} cannot be opened read-only: ${message}.`);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ProofdeskError('FILE_UNREADABLE', `${path} cannot be read: permission denied.`);
  }
  return new ProofdeskError('FILE_UNREADABLE', `${path} cannot be read: ${message}.`);
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  try {
    const bytesRead = readSync(fd, header, 0, 100, 0);
    return header.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks the path names a readable SQLite file, without opening it with SQLite.
 * Returns the resolved path and whether the database is in WAL mode.
 */
export function checkSqliteFile(userPath: string): { path: string; walMode: boolean } {
  const path = resolve(userPath);
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new ProofdeskError('FILE_NOT_FOUND', `There is no file at ${path}.`);
    }
    throw describeOpenFailure(error, path);
  }
  if (stats.isDirectory()) {
    throw new ProofdeskError('FILE_IS_DIRECTORY', `${path} is a directory, not a ledger file.`);
  }
  let header: Buffer;
  try {
    header = readHeader(path);
  } catch (error) {
    throw describeOpenFailure(error, path);
  }
  if (header.length === 0) {
    throw new ProofdeskError('NOT_SQLITE', `${path} is empty, so it is not an SQLite database.`);
  }
  if (header.length < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new ProofdeskError('NOT_SQLITE', `${path} is not an SQLite database.`);
  }
  // Header bytes 18 and 19 are the write and read format versions: 2 means WAL mode.
  return { path, walMode: header[18] === 2 || header[19] === 2 };
}

/** Decides how to open the file read-only without leaving anything beside it. */
export function locateEvidenceFile(userPath: string): {
  location: EvidenceLocation;
  cleanup: () => void;
} {
  const { path, walMode } = checkSqliteFile(userPath);
  if (!walMode) return { location: { path, openPath: path }, cleanup: () => {} };

  const snapshotDir = mkdtempSync(join(tmpdir(), 'proofdesk-snapshot-'));
  const openPath = join(snapshotDir, basename(path));
  try {
    copyFileSync(path, openPath);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${openPath}-wal`);
  } catch (error) {
    rmSync(snapshotDir, { recursive: true, force: true });
    throw describeOpenFailure(error, path);
  }
  return {
    location: { path, openPath },
    cleanup: () => rmSync(snapshotDir, { recursive: true, force: true }),
  };
}

/** A read-only connection with the schema distrusted: no functions from it run with privileges. */
export function openReadOnlyConnection(location: EvidenceLocation): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(location.openPath, {
      readonly: true,
      fileMustExist: true,
      timeout: BUSY_TIMEOUT_MS,
      nativeBinding: sqliteNativeBinding(),
    });
    db.pragma('trusted_schema = OFF');
    db.pragma('query_only = ON');
    // Verification reads each page once, in order; SQLite's default 16 MB cache per connection
    // would only add to every worker's memory.
    db.pragma('cache_size = -2000');
    return db;
  } catch (error) {
    db?.close();
    throw describeOpenFailure(error, location.path);
  }
}

/** Opens `userPath` read-only (through a snapshot for WAL files); close() removes the snapshot. */
export function openEvidenceDatabase(userPath: string): EvidenceDatabase {
  const { location, cleanup } = locateEvidenceFile(userPath);
  let db: Database.Database;
  try {
    db = openReadOnlyConnection(location);
  } catch (error) {
    cleanup();
    throw error;
  }
  return {
    location,
    db,
    close: () => {
      db.close();
      cleanup();
    },
  };
}
