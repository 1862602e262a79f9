/**
 * The keyrings of trusted signers Settings keeps, in `<state dir>/settings.json`, plus one a
 * command line may name. Their keys are merged into the one keyring verification and approval
 * checks use; a key id two files give different keys is refused when the second file is added,
 * since either answer would be a guess.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { parseKeyring, type Keyring } from '../../src-shared/keyring';
import { StateListFile } from '../state-list-file';

export interface KeyringFile {
  readonly path: string;
  readonly keyring: Keyring | null;
  readonly problem: string | null;
  readonly removable: boolean;
}

/** A keyring file, parsed; a missing or unreadable one is one sentence naming it. */
export function readKeyringFile(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new ProofdeskError(
      missing ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      missing ? `There is no keyring file at ${path}.` : `The keyring ${path} cannot be read.`,
    );
  }
  return parseKeyring(text, basename(path));
}

function conflictBetween(
  files: readonly { path: string; keyring: Keyring }[],
): { keyId: string; first: string; second: string } | null {
  const seen = new Map<string, { hex: string; path: string }>();
  for (const { path, keyring } of files) {
    for (const [keyId, publicKey] of keyring) {
      const hex = bytesToHex(publicKey);
      const earlier = seen.get(keyId);
      if (earlier === undefined) seen.set(keyId, { hex, path });
      else if (earlier.hex !== hex) return { keyId, first: earlier.path, second: path };
    }
  }
  return null;
}

export class TrustedKeyrings {
  private readonly file: StateListFile;

  constructor(
    stateDir: string,
    /** A keyring named on the command line (serve --keys): trusted, and not removable here. */
    private readonly commandLinePath: string | null = null,
  ) {
    this.file = new StateListFile(stateDir, 'settings.json', 'proofdesk-settings', 'keyrings');
  }

  /** Every keyring with its keys, or the reason it cannot be used now. */
  list(): KeyringFile[] {
    const paths = [
      ...(this.commandLinePath === null ? [] : [this.commandLinePath]),
      ...this.storedPaths(),
    ];
    return paths.map((path) => {
      const removable = path !== this.commandLinePath;
      try {
        return { path, keyring: readKeyringFile(path), problem: null, removable };
      } catch (error) {
        return {
          path,
          keyring: null,
          problem: error instanceof Error ? error.message : String(error),
          removable,
        };
      }
    });
  }

  /** All trusted keys as one keyring; null when no keyring can be read. */
  merged(): Keyring | null {
    const usable = this.list().flatMap(({ keyring }) => (keyring === null ? [] : [keyring]));
    if (usable.length === 0) return null;
    const merged = new Map<string, Uint8Array>();
    // A conflict that appeared after adding (a file edited since) trusts neither key for that id.
    const conflicted = new Set<string>();
    for (const keyring of usable) {
      for (const [keyId, publicKey] of keyring) {
        const earlier = merged.get(keyId);
        if (earlier !== undefined && bytesToHex(earlier) !== bytesToHex(publicKey))
          conflicted.add(keyId);
        else merged.set(keyId, publicKey);
      }
    }
    for (const keyId of conflicted) merged.delete(keyId);
    return merged;
  }

  add(path: string): void {
    const keyring = readKeyringFile(path);
    const existing = this.list().flatMap((file) =>
      file.keyring === null ? [] : [{ path: file.path, keyring: file.keyring }],
    );
    if (existing.some((file) => file.path === path)) {
      throw new ProofdeskError('USAGE', `${basename(path)} is already a trusted keyring.`);
    }
    const conflict = conflictBetween([...existing, { path, keyring }]);
    if (conflict !== null) {
      throw new ProofdeskError(
        'KEYRING_MALFORMED',
        `Key id ${JSON.stringify(conflict.keyId)} has one key in ${basename(conflict.first)} and another in ${basename(conflict.second)}, so ${basename(path)} was not added.`,
      );
    }
    this.store([...this.storedPaths(), path]);
  }

  remove(path: string): void {
    if (path === this.commandLinePath) {
      throw new ProofdeskError(
        'USAGE',
        'That keyring was named on the command line; restart without it to stop trusting it.',
      );
    }
    this.store(this.storedPaths().filter((stored) => stored !== path));
  }

  private storedPaths(): string[] {
    return this.file.read();
  }

  private store(keyrings: string[]): void {
    this.file.write(keyrings);
  }
}
