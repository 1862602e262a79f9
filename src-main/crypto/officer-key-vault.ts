/**
 * The desktop app's officer keys, encrypted at rest with the operating system's key store through
 * Electron's safeStorage (Keychain, DPAPI, libsecret). This module takes safeStorage as a
 * parameter so it stays free of electron; the app layer passes the real one.
 *
 * File: JSON `{format, version: 1, key_id, public_key_hex, protection: "electron-safe-storage",
 * ciphertext_b64}`, mode 0600, never overwritten.
 */
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { ProofdeskError } from '../../src-shared/check-code';
import { publicKeyFromSeed } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex, hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';
import { keyIdProblem } from './key-file';

/** The part of Electron's safeStorage this vault uses. */
export interface SafeStorage {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

const FORMAT = 'proofdesk-officer-key';
const PROTECTION = 'electron-safe-storage';

export interface OfficerKey {
  readonly keyId: string;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

function requireEncryption(safeStorage: SafeStorage): void {
  // Without an OS key store safeStorage would fall back to a hard-coded key on Linux; refuse.
  if (!safeStorage.isEncryptionAvailable()) {
    throw new ProofdeskError(
      'KEY_FILE_MALFORMED',
      'The operating system offers no key store for encrypting the officer key, so it is not stored.',
    );
  }
}

export function writeOfficerKey(
  path: string,
  keyId: string,
  seed: Uint8Array,
  safeStorage: SafeStorage,
): { publicKeyHex: string } {
  const problem = keyIdProblem(keyId);
  if (problem !== undefined)
    throw new ProofdeskError('USAGE', `The key id ${JSON.stringify(keyId)} ${problem}.`);
  if (seed.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  requireEncryption(safeStorage);
  const publicKeyHex = bytesToHex(publicKeyFromSeed(seed));
  const ciphertext = safeStorage.encryptString(bytesToHex(seed));
  const text = `${JSON.stringify(
    {
      format: FORMAT,
      version: 1,
      key_id: keyId,
      public_key_hex: publicKeyHex,
      protection: PROTECTION,
      ciphertext_b64: ciphertext.toString('base64'),
    },
    null,
    2,
  )}\n`;
  // Written beside the target first, so a crash never leaves half a key under the real name.
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    // link() publishes the finished file atomically and, unlike rename(), never replaces one.
    linkSync(temporary, path);
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') {
      throw new ProofdeskError(
        'KEY_FILE_EXISTS',
        `The officer key ${path} already exists and will not be overwritten.`,
      );
    }
    throw error;
  } finally {
    unlinkSync(temporary);
  }
  return { publicKeyHex };
}

export function readOfficerKey(path: string, safeStorage: SafeStorage): OfficerKey {
  const bad = (what: string): ProofdeskError =>
    new ProofdeskError('KEY_FILE_MALFORMED', `The officer key ${path} ${what}.`);
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      throw new ProofdeskError('FILE_NOT_FOUND', `There is no officer key at ${path}.`);
    }
    throw bad('is not valid JSON');
  }
  if (
    fields['format'] !== FORMAT ||
    fields['version'] !== 1 ||
    fields['protection'] !== PROTECTION
  ) {
    throw bad('is not an officer key Proofdesk wrote');
  }
  const keyId = fields['key_id'];
  const publicKeyHex = fields['public_key_hex'];
  const ciphertext = fields['ciphertext_b64'];
  if (
    typeof keyId !== 'string' ||
    !isLowerHex(publicKeyHex, 64) ||
    typeof ciphertext !== 'string'
  ) {
    throw bad('is missing its key id, public key or ciphertext');
  }
  requireEncryption(safeStorage);
  let seedHex: string;
  try {
    seedHex = safeStorage.decryptString(Buffer.from(ciphertext, 'base64'));
  } catch {
    throw new ProofdeskError(
      'KEY_PASSPHRASE_WRONG',
      `The operating system's key store cannot decrypt the officer key ${path}.`,
    );
  }
  if (!isLowerHex(seedHex, 64)) throw bad('decrypts to something that is not a key');
  const seed = hexToBytes(seedHex);
  const publicKey = publicKeyFromSeed(seed);
  if (bytesToHex(publicKey) !== publicKeyHex)
    throw bad('holds a key that does not match its public key');
  return { keyId, seed, publicKey };
}
