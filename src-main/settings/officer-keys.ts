/**
 * Where the officer's signing key comes from. The app keeps one key encrypted by the operating
 * system's key store (officer-key-vault.ts) and lets Settings create, import and remove it. The
 * twin has no key store, so it signs only with a key file named when `proofdesk serve` started,
 * and Settings says so instead of offering changes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { signEd25519 } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { readKeyFile } from '../crypto/key-file';
import { readOfficerKey, writeOfficerKey, type SafeStorage } from '../crypto/officer-key-vault';
import type { OfficerSigner } from '../decisions/decision-operations';

export interface OfficerIdentity {
  readonly keyId: string;
  readonly publicKeyHex: string;
  readonly source: 'key-store' | 'command-line';
}

export interface OfficerKeys {
  identity(): OfficerIdentity | null;
  signer(): OfficerSigner | null;
  /** Null when keys can be changed here; otherwise why not, in one sentence. */
  readonly changesRefused: string | null;
  create(keyId: string): void;
  importKeyFile(path: string, passphrase: string | undefined): void;
  remove(): void;
}

function signerOf(keyId: string, seed: Uint8Array): OfficerSigner {
  return { actor: { type: 'human', id: keyId }, sign: (message) => signEd25519(seed, message) };
}

function refused(reason: string): never {
  throw new ProofdeskError('USAGE', reason);
}

/** The app's officer key, in `<state dir>/officer-key.json`, encrypted with safeStorage. */
export function keyStoreOfficerKeys(stateDir: string, safeStorage: SafeStorage): OfficerKeys {
  const file = join(stateDir, 'officer-key.json');
  const changesRefused = safeStorage.isEncryptionAvailable()
    ? null
    : 'The operating system offers no key store to encrypt an officer key, so none can be kept.';
  const load = () => (existsSync(file) ? readOfficerKey(file, safeStorage) : null);
  const store = (keyId: string, seed: Uint8Array): void => {
    if (changesRefused !== null) refused(changesRefused);
    if (existsSync(file)) {
      throw new ProofdeskError(
        'KEY_FILE_EXISTS',
        'An officer key is already set up; remove it first to use another.',
      );
    }
    writeOfficerKey(file, keyId, seed, safeStorage);
  };
  return {
    identity: () => {
      const key = load();
      return key === null
        ? null
        : { keyId: key.keyId, publicKeyHex: bytesToHex(key.publicKey), source: 'key-store' };
    },
    signer: () => {
      const key = load();
      return key === null ? null : signerOf(key.keyId, key.seed);
    },
    changesRefused,
    create: (keyId) => {
      const seed = new Uint8Array(randomBytes(32));
      try {
        store(keyId, seed);
      } finally {
        seed.fill(0);
      }
    },
    importKeyFile: (path, passphrase) => {
      const key = readKeyFile(
        path,
        passphrase === undefined
          ? () => refused('That key file is encrypted; give its passphrase to import it.')
          : () => passphrase,
      );
      try {
        store(key.keyId, key.seed);
      } finally {
        key.seed.fill(0);
      }
    },
    remove: () => {
      if (changesRefused !== null) refused(changesRefused);
      if (!existsSync(file)) refused('No officer key is set up, so there is none to remove.');
      unlinkSync(file);
    },
  };
}

/** The twin's officer: the key file `proofdesk serve --key` named, or nobody. */
export function commandLineOfficerKeys(
  key: { keyId: string; seed: Uint8Array; publicKey: Uint8Array } | null,
): OfficerKeys {
  const changesRefused =
    'The browser twin keeps no keys; start `proofdesk serve --key FILE` with a key from `proofdesk keygen`, or use the desktop app.';
  return {
    identity: () =>
      key === null
        ? null
        : { keyId: key.keyId, publicKeyHex: bytesToHex(key.publicKey), source: 'command-line' },
    signer: () => (key === null ? null : signerOf(key.keyId, key.seed)),
    changesRefused,
    create: () => refused(changesRefused),
    importKeyFile: () => refused(changesRefused),
    remove: () => refused(changesRefused),
  };
}
