import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { publicKeyFromSeed } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex, hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';

const FORMAT = 'proofdesk-ed25519-private-key';
const VERSION = 1;
const FIELDS = ['format', 'version', 'key_id', 'public_key_hex', 'seed_hex'] as const;
const MAX_KEY_ID_CODE_POINTS = 200;
// A real key file is about 250 bytes; the cap keeps a wrong path (a disk image, a log) from being
// read into memory at all.
const MAX_KEY_FILE_BYTES = 64 * 1024;

// Control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters,
// plus line and paragraph separators: none of these can be read back reliably from a report.
const UNPRINTABLE = /[\p{C}\p{Zl}\p{Zp}]/u;

/**
 * Why `keyId` cannot be a key id (non-empty, printable, at most 200 characters), as a fragment
 * that reads after "the key id …", or undefined when it is acceptable.
 */
export function keyIdProblem(keyId: string): string | undefined {
  if (keyId.length === 0) return 'is empty';
  if (UNPRINTABLE.test(keyId)) return 'contains a character that is not printable';
  const codePoints = [...keyId].length;
  if (codePoints > MAX_KEY_ID_CODE_POINTS) {
    return `is ${codePoints} characters long, more than the ${MAX_KEY_ID_CODE_POINTS} allowed`;
  }
  return undefined;
}

/**
 * Creates a new private key file holding `seed` under `keyId`. Never overwrites: an existing file
 * (or anything else at `path`, including a dangling symlink) gives KEY_FILE_EXISTS, because
 * replacing a signing key silently would orphan every signature made with the old one.
 */
export function writeNewKeyFile(
  path: string,
  keyId: string,
  seed: Uint8Array,
): { publicKeyHex: string } {
  const idProblem = keyIdProblem(keyId);
  if (idProblem !== undefined) {
    throw new ProofdeskError('USAGE', `The key id ${JSON.stringify(keyId)} ${idProblem}.`);
  }
  if (seed.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  const publicKeyHex = bytesToHex(publicKeyFromSeed(seed));
  const text = `${JSON.stringify(
    {
      format: FORMAT,
      version: VERSION,
      key_id: keyId,
      public_key_hex: publicKeyHex,
      seed_hex: bytesToHex(seed),
    },
    null,
    2,
  )}\n`;

  let fd: number;
  try {
    // 'wx' is O_CREAT | O_EXCL: atomic against a concurrent writer and never follows a symlink.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') {
      throw new ProofdeskError(
        'KEY_FILE_EXISTS',
        `The key file ${path} already exists and will not be overwritten.`,
      );
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ProofdeskError(
        'FILE_NOT_FOUND',
        `The directory for the key file ${path} does not exist.`,
      );
    }
    throw error;
  }

  try {
    // The creation mode is filtered through the umask, which could leave it narrower than 0600
    // (unreadable to its owner); set it exactly.
    fchmodSync(fd, 0o600);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
    fsyncSync(fd);
    closeSync(fd);
  } catch (error) {
    // A half-written key file would block the retry (it exists) and hold no usable key.
    try {
      closeSync(fd);
    } catch {
      // Already closed when the failure came from closeSync itself.
    }
    try {
      unlinkSync(path);
    } catch {
      // The original failure is the one worth reporting.
    }
    throw error;
  }
  syncDirectory(dirname(path));
  return { publicKeyHex };
}

/** Reads and fully validates a private key file written by `writeNewKeyFile`. */
export function readKeyFile(path: string): {
  keyId: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
} {
  const bad = (what: string): ProofdeskError =>
    new ProofdeskError('KEY_FILE_MALFORMED', `The key file ${path} ${what}.`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ProofdeskError('FILE_NOT_FOUND', `The key file ${path} does not exist.`);
    }
    if (code === 'EISDIR') throw isDirectory(path);
    throw unreadable(path, code);
  }
  let raw: Buffer;
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw isDirectory(path);
    // A device such as /dev/zero reports size 0 and would never finish reading.
    if (!stats.isFile()) throw bad('is not a regular file');
    if (stats.size > MAX_KEY_FILE_BYTES)
      throw bad(`is ${stats.size} bytes, too large to be a key file`);
    try {
      raw = readFileSync(fd);
    } catch (error) {
      throw unreadable(path, errorCode(error));
    }
  } finally {
    closeSync(fd);
  }
  // The size is checked again because the file may have grown after fstat.
  if (raw.length > MAX_KEY_FILE_BYTES)
    throw bad(`is ${raw.length} bytes, too large to be a key file`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw bad('is not valid UTF-8 JSON');
  } finally {
    // The strings cannot be wiped, but this buffer may come from Node's shared pool.
    raw.fill(0);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw bad('is not a JSON object');
  }
  const fields = parsed as Record<string, unknown>;
  const unknownField = Object.keys(fields).find(
    (name) => !(FIELDS as readonly string[]).includes(name),
  );
  if (unknownField !== undefined) {
    throw bad(`has an unexpected field ${JSON.stringify(unknownField)}`);
  }
  if (fields['format'] !== FORMAT) throw bad(`does not have "format": "${FORMAT}"`);
  if (fields['version'] !== VERSION) throw bad(`has a "version" other than ${VERSION}`);

  const keyId = fields['key_id'];
  if (typeof keyId !== 'string') throw bad('has no "key_id" string');
  const idProblem = keyIdProblem(keyId);
  if (idProblem !== undefined) throw bad(`has a "key_id" that ${idProblem}`);

  const seedHex = fields['seed_hex'];
  if (!isLowerHex(seedHex, 64)) {
    throw bad('has a "seed_hex" that is not 64 lowercase hex characters');
  }
  const publicKeyHex = fields['public_key_hex'];
  if (!isLowerHex(publicKeyHex, 64)) {
    throw bad('has a "public_key_hex" that is not 64 lowercase hex characters');
  }

  const seed = hexToBytes(seedHex);
  const publicKey = publicKeyFromSeed(seed);
  // A mismatch means one field was edited or corrupted; signing with the seed would produce
  // signatures that fail against the public key the operator published.
  if (bytesToHex(publicKey) !== publicKeyHex) {
    throw bad('has a "public_key_hex" that is not the public key of its "seed_hex"');
  }
  return { keyId, seed, publicKey };
}

/**
 * Makes the new directory entry durable too, so a crash right after key generation cannot lose a
 * key whose public half was already handed out. Best effort: Windows cannot open directories.
 */
function syncDirectory(directory: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the file itself is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isDirectory(path: string): ProofdeskError {
  return new ProofdeskError('FILE_IS_DIRECTORY', `The key file path ${path} is a directory.`);
}

function unreadable(path: string, code: string | undefined): ProofdeskError {
  return new ProofdeskError(
    'FILE_UNREADABLE',
    `The key file ${path} cannot be read (${code ?? 'unknown error'}).`,
  );
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
