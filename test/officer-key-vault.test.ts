/** Officer keys encrypted with the OS key store (Electron safeStorage), tested with a stand-in. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../src-shared/crypto/hex';
import {
  readOfficerKey,
  writeOfficerKey,
  type SafeStorage,
} from '../src-main/crypto/officer-key-vault';
import { temporaryDirectory } from './support/ledger-fixtures';

/** Reversible but not identity, so a test can tell ciphertext from plaintext. */
const keyStore = (available = true): SafeStorage => ({
  isEncryptionAvailable: () => available,
  encryptString: (text) => Buffer.from([...Buffer.from(text, 'utf8')].map((byte) => byte ^ 0x5a)),
  decryptString: (data) => {
    if (data.length === 0) throw new Error('cannot decrypt');
    return Buffer.from([...data].map((byte) => byte ^ 0x5a)).toString('utf8');
  },
});

describe('officer key vault', () => {
  const directory = temporaryDirectory();
  const seed = new Uint8Array(32).fill(7);

  it('stores the key encrypted (mode 0600) and reads it back', () => {
    const path = join(directory, 'alice.officer-key');
    const { publicKeyHex } = writeOfficerKey(path, 'alice@example.com', seed, keyStore());
    expect(readFileSync(path, 'utf8')).not.toContain(bytesToHex(seed));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const key = readOfficerKey(path, keyStore());
    expect(bytesToHex(key.seed)).toBe(bytesToHex(seed));
    expect(bytesToHex(key.publicKey)).toBe(publicKeyHex);
    expect(key.keyId).toBe('alice@example.com');
  });

  it('never overwrites, and refuses to store without an OS key store', () => {
    const path = join(directory, 'bob.officer-key');
    writeOfficerKey(path, 'bob@example.com', seed, keyStore());
    expect(() => writeOfficerKey(path, 'bob@example.com', seed, keyStore())).toThrow(
      expect.objectContaining({ code: 'KEY_FILE_EXISTS' }),
    );
    expect(() =>
      writeOfficerKey(join(directory, 'x.officer-key'), 'x', seed, keyStore(false)),
    ).toThrow(/no key store/);
  });

  it('a key that does not decrypt, or does not match its public key, is refused', () => {
    const path = join(directory, 'carol.officer-key');
    writeOfficerKey(path, 'carol@example.com', seed, keyStore());
    const document = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    writeFileSync(path, JSON.stringify({ ...document, ciphertext_b64: '' }));
    expect(() => readOfficerKey(path, keyStore())).toThrow(
      expect.objectContaining({ code: 'KEY_PASSPHRASE_WRONG' }),
    );
    writeFileSync(path, JSON.stringify({ ...document, public_key_hex: 'a'.repeat(64) }));
    expect(() => readOfficerKey(path, keyStore())).toThrow(/does not match its public key/);
  });
});
