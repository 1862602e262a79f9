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
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { dirname } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { publicKeyFromSeed } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex, hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';

const FORMAT = 'proofdesk-ed25519-private-key';
/** Version 1 holds the seed in the clear; version 2 holds it encrypted under a passphrase. */
const PLAIN_VERSION = 1;
const ENCRYPTED_VERSION = 2;
// scrypt at N=2^15, r=8 costs 32 MiB and ~0.1 s per guess; the key only needs deriving once per use.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
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
  options: { passphrase?: string } = {},
): { publicKeyHex: string } {
  const idProblem = keyIdProblem(keyId);
  if (idProblem !== undefined) {
    throw new ProofdeskError('USAGE', `The key id ${JSON.stringify(keyId)} ${idProblem}.`);
  }
  if (seed.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  const publicKeyHex = bytesToHex(publicKeyFromSeed(seed));
  const body =
    options.passphrase === undefined
      ? {
          format: FORMAT,
          version: PLAIN_VERSION,
          key_id: keyId,
          public_key_hex: publicKeyHex,
          seed_hex: bytesToHex(seed),
        }
      : {
          format: FORMAT,
          version: ENCRYPTED_VERSION,
          key_id: keyId,
          public_key_hex: publicKeyHex,
          ...encryptSeed(seed, options.passphrase, keyId, publicKeyHex),
        };
  const text = `${JSON.stringify(body, null, 2)}\n`;

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

/**
 * The seed encrypted with AES-256-GCM under a scrypt key; the key id and public key are bound in
 * as associated data, so neither can be swapped without the passphrase noticing.
 */
function encryptSeed(seed: Uint8Array, passphrase: string, keyId: string, publicKeyHex: string) {
  if (passphrase.length === 0) throw new ProofdeskError('USAGE', 'The passphrase is empty.');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`${keyId}\n${publicKeyHex}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
  key.fill(0);
  return {
    kdf: { name: 'scrypt', salt_hex: salt.toString('hex'), n: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p },
    cipher: {
      name: 'aes-256-gcm',
      iv_hex: iv.toString('hex'),
      tag_hex: cipher.getAuthTag().toString('hex'),
      ciphertext_hex: ciphertext.toString('hex'),
    },
  };
}

function decryptSeed(
  fields: Record<string, unknown>,
  passphrase: string,
  keyId: string,
  publicKeyHex: string,
  bad: (what: string) => ProofdeskError,
  path: string,
): Uint8Array {
  const kdf = fields['kdf'] as Record<string, unknown> | undefined;
  const cipherFields = fields['cipher'] as Record<string, unknown> | undefined;
  if (
    kdf?.['name'] !== 'scrypt' ||
    !isLowerHex(kdf['salt_hex'], 32) ||
    kdf['n'] !== SCRYPT.N ||
    kdf['r'] !== SCRYPT.r ||
    kdf['p'] !== SCRYPT.p ||
    cipherFields?.['name'] !== 'aes-256-gcm' ||
    !isLowerHex(cipherFields['iv_hex'], 24) ||
    !isLowerHex(cipherFields['tag_hex'], 32) ||
    !isLowerHex(cipherFields['ciphertext_hex'], 64)
  ) {
    throw bad('has encryption parameters Proofdesk does not write');
  }
  const key = scryptSync(
    passphrase.normalize('NFC'),
    Buffer.from(kdf['salt_hex'], 'hex'),
    32,
    SCRYPT,
  );
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      key,
      Buffer.from(cipherFields['iv_hex'], 'hex'),
    );
    decipher.setAAD(Buffer.from(`${keyId}\n${publicKeyHex}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(cipherFields['tag_hex'], 'hex'));
    return new Uint8Array(
      Buffer.concat([
        decipher.update(Buffer.from(cipherFields['ciphertext_hex'], 'hex')),
        decipher.final(),
      ]),
    );
  } catch {
    throw new ProofdeskError(
      'KEY_PASSPHRASE_WRONG',
      `The passphrase does not unlock the key file ${path}.`,
    );
  } finally {
    key.fill(0);
  }
}

/**
 * Reads and fully validates a private key file written by `writeNewKeyFile`. An encrypted file
 * asks `passphrase` for its passphrase; without one it is refused with a clear error.
 */
export function readKeyFile(
  path: string,
  passphrase?: () => string,
): {
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
  if (fields['format'] !== FORMAT) throw bad(`does not have "format": "${FORMAT}"`);
  const version = fields['version'];
  if (version !== PLAIN_VERSION && version !== ENCRYPTED_VERSION) {
    throw bad(`has a "version" other than ${PLAIN_VERSION} or ${ENCRYPTED_VERSION}`);
  }
  const expectedFields: readonly string[] =
    version === PLAIN_VERSION
      ? ['format', 'version', 'key_id', 'public_key_hex', 'seed_hex']
      : ['format', 'version', 'key_id', 'public_key_hex', 'kdf', 'cipher'];
  const missingField = expectedFields.find((name) => !(name in fields));
  const misplacedField = Object.keys(fields).find((name) => !expectedFields.includes(name));
  if (missingField !== undefined) throw bad(`has no ${JSON.stringify(missingField)} field`);
  if (misplacedField !== undefined)
    throw bad(`has an unexpected field ${JSON.stringify(misplacedField)}`);

  const keyId = fields['key_id'];
  if (typeof keyId !== 'string') throw bad('has no "key_id" string');
  const idProblem = keyIdProblem(keyId);
  if (idProblem !== undefined) throw bad(`has a "key_id" that ${idProblem}`);

  const publicKeyHex = fields['public_key_hex'];
  if (!isLowerHex(publicKeyHex, 64)) {
    throw bad('has a "public_key_hex" that is not 64 lowercase hex characters');
  }
  let seed: Uint8Array;
  if (version === PLAIN_VERSION) {
    const seedHex = fields['seed_hex'];
    if (!isLowerHex(seedHex, 64)) {
      throw bad('has a "seed_hex" that is not 64 lowercase hex characters');
    }
    seed = hexToBytes(seedHex);
  } else {
    if (passphrase === undefined) {
      throw new ProofdeskError(
        'KEY_PASSPHRASE_WRONG',
        `The key file ${path} is encrypted and no passphrase was given.`,
      );
    }
    seed = decryptSeed(fields, passphrase(), keyId, publicKeyHex, bad, path);
  }

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
