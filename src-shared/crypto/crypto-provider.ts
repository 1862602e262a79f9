/**
 * The primitives the verifiers need, injected so that the same pure verification code runs on
 * node:crypto (fast path, in main, the CLI and workers) and on @noble (portable path, anywhere).
 */
export interface CryptoProvider {
  /**
   * SHA-256 of a string's UTF-8 encoding, as lowercase hex: what Python hashes after
   * `.encode("utf-8")`. nexuscone's inputs are ASCII (ensure_ascii), nexus-attest's are not.
   * Lone surrogates encode as U+FFFD on both paths; callers that must refuse them check first.
   */
  sha256HexOfUtf8(text: string): string;
  /** SHA-256 of raw bytes. */
  sha256(bytes: Uint8Array): Uint8Array;
  /**
   * Strict RFC 8032 Ed25519 verification (no ZIP-215 leniency): 32-byte public key, 64-byte
   * signature. Returns false for any invalid input rather than throwing.
   */
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}
