import {
  createHash,
  createPrivateKey,
  createPublicKey,
  hash,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { CryptoProvider } from '../../src-shared/crypto/crypto-provider';
import { ed25519PublicKeyProblem } from '../../src-shared/crypto/ed25519-portable';

// DER headers that turn a raw 32-byte key into SPKI / PKCS#8 without any ASN.1 library: the rest
// of each structure is fixed for Ed25519 (OID 1.3.101.112).
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

// A ledger uses a handful of keys, but witness keys come from the file itself; the bound keeps a
// hostile file from making the cache grow without limit.
const KEY_CACHE_LIMIT = 4096;

/**
 * The fast provider for main, the CLI and workers: OpenSSL through node:crypto. KeyObjects are
 * built once per distinct public key, because verification runs up to a million times per ledger.
 */
export function createNodeCryptoProvider(): CryptoProvider {
  // null marks a key already found unusable, so a bad key is not re-examined on every row.
  const keyObjects = new Map<string, KeyObject | null>();

  function keyObjectFor(publicKey: Uint8Array): KeyObject | null {
    const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString(
      'hex',
    );
    const cached = keyObjects.get(hex);
    if (cached !== undefined) return cached;
    let keyObject: KeyObject | null = null;
    // OpenSSL alone accepts non-canonical and low-order keys; the shared admission rule keeps this
    // provider's answers identical to the portable one's.
    if (ed25519PublicKeyProblem(publicKey) === undefined) {
      try {
        keyObject = createPublicKey({
          key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]),
          format: 'der',
          type: 'spki',
        });
      } catch {
        keyObject = null;
      }
    }
    if (keyObjects.size >= KEY_CACHE_LIMIT) keyObjects.clear();
    keyObjects.set(hex, keyObject);
    return keyObject;
  }

  return {
    /**
     * 'latin1' writes one byte per UTF-16 code unit, which is exact for ASCII and matches the
     * portable provider byte for byte even if a caller breaks the ASCII-only contract.
     */
    sha256HexOfUtf8(text: string): string {
      // The one-shot hash() (Node 20.12+) is twice as fast as a Hash object per entry.
      return hash('sha256', text, 'hex');
    },

    sha256(bytes: Uint8Array): Uint8Array {
      // A plain Uint8Array, not a Buffer, so results compare equal to the portable provider's.
      return Uint8Array.from(createHash('sha256').update(bytes).digest());
    },

    /**
     * `true` proves that the holder of the private key for `publicKey` signed exactly `message`
     * (strict RFC 8032 as OpenSSL checks it: S < L, R compared by its canonical encoding; keys
     * that are non-canonical, low-order or have a low-order component are refused). It does not
     * prove who holds that key, that the key is the one the ledger's owner meant to trust, or
     * anything about when the signature was made. Never throws: any malformed input gives `false`.
     */
    verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      try {
        const keyObject = keyObjectFor(publicKey);
        if (keyObject === null) return false;
        return verify(null, message, keyObject, signature);
      } catch {
        return false;
      }
    },
  };
}

/**
 * An RFC 8032 (deterministic) signer through OpenSSL for one 32-byte seed. The key object is built
 * once, because importing it costs several times more than a signature.
 */
export function createNodeEd25519Signer(seed32: Uint8Array): (message: Uint8Array) => Uint8Array {
  if (seed32.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed32]);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    // Buffer.concat may draw from Node's shared pool; do not leave a seed copy behind in it.
    der.fill(0);
  }
  return (message) => Uint8Array.from(sign(null, message, privateKey));
}

/** One RFC 8032 signature through OpenSSL, with the private key as its 32-byte seed. */
export function signEd25519Node(seed32: Uint8Array, message: Uint8Array): Uint8Array {
  return createNodeEd25519Signer(seed32)(message);
}
