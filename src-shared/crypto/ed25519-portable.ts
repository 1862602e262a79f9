import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { CryptoProvider } from './crypto-provider';
import { asciiToBytes } from './hex';

/**
 * Why `publicKey` cannot be an honest Ed25519 public key, as a sentence fragment that reads after
 * "the public key …", or undefined when it can be one.
 *
 * Both providers admit keys through this one rule so that OpenSSL and noble give the same answer:
 * OpenSSL on its own accepts non-canonical and low-order keys, and its cofactorless check disagrees
 * with noble's cofactored one for keys with a low-order component. Key generation (a clamped scalar
 * times the base point) never yields any of these, so rejecting them costs honest signers nothing.
 */
export function ed25519PublicKeyProblem(publicKey: Uint8Array): string | undefined {
  if (publicKey.length !== 32) return `is ${publicKey.length} bytes long instead of 32`;
  if (!isCanonicalY(publicKey)) {
    return 'is not a canonical point encoding (its y coordinate is not reduced modulo 2^255 - 19)';
  }
  let point;
  try {
    point = ed25519.Point.fromBytes(publicKey, false);
  } catch {
    return 'is not the encoding of a point on the Ed25519 curve';
  }
  if (point.isSmallOrder()) {
    return 'is a low-order point, for which signatures can be forged without any private key';
  }
  if (!point.isTorsionFree()) {
    return 'has a low-order component, which no Ed25519 key generation produces';
  }
  return undefined;
}

/** y = the 255 low bits, little-endian; only y in [p, 2^255) is a non-canonical encoding. */
function isCanonicalY(encoding: Uint8Array): boolean {
  const top = (encoding[31] ?? 0) & 0x7f;
  if (top !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (encoding[i] !== 0xff) return true;
  return (encoding[0] ?? 0) < 0xed;
}

// Admission is a few scalar multiplications, so it is remembered per key; the bound keeps a hostile
// file that names millions of distinct witness keys from growing memory without limit.
const ADMISSION_CACHE_LIMIT = 4096;
const admittedKeys = new Map<string, boolean>();

function isAdmittedKey(publicKey: Uint8Array): boolean {
  const hex = bytesToHex(publicKey);
  let admitted = admittedKeys.get(hex);
  if (admitted === undefined) {
    admitted = ed25519PublicKeyProblem(publicKey) === undefined;
    if (admittedKeys.size >= ADMISSION_CACHE_LIMIT) admittedKeys.clear();
    admittedKeys.set(hex, admitted);
  }
  return admitted;
}

/**
 * The platform-free provider, built on @noble; usable in the renderer, workers and anywhere else.
 */
export const portableCryptoProvider: CryptoProvider = {
  /**
   * Hashes one byte per UTF-16 code unit (its low 8 bits), exactly like Node's 'latin1' encoding,
   * so both providers agree even if a caller breaks the ASCII-only contract.
   */
  sha256HexOfAscii(ascii: string): string {
    return bytesToHex(sha256(asciiToBytes(ascii)));
  },

  sha256(bytes: Uint8Array): Uint8Array {
    return sha256(bytes);
  },

  /**
   * `true` proves that the holder of the private key for `publicKey` signed exactly `message`
   * (strict RFC 8032: canonical encodings, S < L, no ZIP-215 leniency, low-order keys and keys
   * with a low-order component refused). It does not prove who holds that key, that the key is
   * the one the ledger's owner meant to trust, or anything about when the signature was made.
   * Never throws: any malformed input gives `false`.
   */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      if (!isAdmittedKey(publicKey)) return false;
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};

/** RFC 8032 signature (deterministic) with the private key given as its 32-byte seed. */
export function signEd25519(seed32: Uint8Array, message: Uint8Array): Uint8Array {
  if (seed32.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  return ed25519.sign(message, seed32);
}

/** The raw 32-byte public key for a 32-byte seed. */
export function publicKeyFromSeed(seed32: Uint8Array): Uint8Array {
  if (seed32.length !== 32) throw new RangeError('An Ed25519 seed must be 32 bytes.');
  return ed25519.getPublicKey(seed32);
}

/** A fresh 32-byte seed from the platform's cryptographic random source. */
export function randomEd25519Seed(): Uint8Array {
  return randomBytes(32);
}
