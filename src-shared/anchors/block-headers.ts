/**
 * Bitcoin block headers as trust material for OpenTimestamps verification: the 80-byte header
 * layout, its hash, merkle root and proof of work, and a plain headers file format.
 *
 * Headers file format (UTF-8 text), either
 *   - lines of `<height> <160 hex characters>` or just `<160 hex characters>`, where a line
 *     without a height is the block after the previous line's; blank lines and lines starting
 *     with `#` are ignored; or
 *   - a JSON array of `{ "height": <integer>, "hex": "<160 hex characters>" }`.
 * Headers at consecutive heights must link (the later one's previous-block hash is the earlier
 * one's hash), so a file cannot splice two chains together unnoticed. A file never proves that
 * its headers are Bitcoin's best chain: whoever supplies it is trusted for that.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '../crypto/hex';

export const BLOCK_HEADER_BYTES = 80;

/** Headers by height, handed to the verifier by its caller; never looked up globally. */
export interface BlockHeaderSource {
  /** The 80-byte header at `height`, or null when the source has none. */
  headerAt(height: number): Uint8Array | null;
  /** The heights it holds, for saying in a report what was supplied; absent when unknown. */
  readonly heights?: readonly number[];
}

/** A headers file that cannot be used; the message is one sentence. */
export class BlockHeadersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockHeadersFileError';
  }
}

/**
 * The largest target any Bitcoin network allows (regtest's powLimit, 2^255 - 1): a compact target
 * above it would let a header with no work at all pass, so it is refused everywhere.
 */
export const LARGEST_POW_TARGET = (1n << 255n) - 1n;

function requireHeader(header: Uint8Array): void {
  if (header.length !== BLOCK_HEADER_BYTES) {
    throw new RangeError(`A block header is ${BLOCK_HEADER_BYTES} bytes, not ${header.length}.`);
  }
}

function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24)) >>>
    0
  );
}

/** Bitcoin prints hashes and merkle roots byte-reversed ("display order"). */
export function displayOrderHex(internalOrder: Uint8Array): string {
  return bytesToHex(internalOrder.slice().reverse());
}

/** The block hash, double SHA-256 of the header, in internal byte order. */
export function bitcoinHeaderHash(header: Uint8Array): Uint8Array {
  requireHeader(header);
  return sha256(sha256(header));
}

/** hashMerkleRoot in internal byte order: what an OpenTimestamps Bitcoin attestation commits to. */
export function merkleRootOf(header: Uint8Array): Uint8Array {
  requireHeader(header);
  return header.slice(36, 68);
}

/** hashPrevBlock in internal byte order. */
export function previousBlockHashOf(header: Uint8Array): Uint8Array {
  requireHeader(header);
  return header.slice(4, 36);
}

/** nTime: seconds since the Unix epoch, as the miner stated it. */
export function blockTimeOf(header: Uint8Array): number {
  requireHeader(header);
  return readUint32LE(header, 68);
}

export function compactBitsOf(header: Uint8Array): number {
  requireHeader(header);
  return readUint32LE(header, 72);
}

/**
 * The target a compact nBits encodes, as Bitcoin Core's arith_uint256::SetCompact, or the reason
 * Bitcoin Core's CheckProofOfWork would refuse it (negative, zero, overflowing or above
 * {@link LARGEST_POW_TARGET}).
 */
export function targetFromCompactBits(
  bits: number,
): { readonly target: bigint } | { readonly problem: string } {
  const size = bits >>> 24;
  const word = bits & 0x007fffff;
  const label = `nBits 0x${bits.toString(16).padStart(8, '0')}`;
  if (word !== 0 && (bits & 0x00800000) !== 0) {
    return { problem: `${label} encodes a negative target` };
  }
  if (word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    return { problem: `${label} overflows 256 bits` };
  }
  const target =
    size <= 3 ? BigInt(word >>> (8 * (3 - size))) : BigInt(word) << BigInt(8 * (size - 3));
  if (target === 0n) return { problem: `${label} encodes a zero target` };
  if (target > LARGEST_POW_TARGET) {
    return { problem: `${label} encodes a target above every Bitcoin network's limit` };
  }
  return { target };
}

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${displayOrderHex(bytes) || '0'}`);
}

/**
 * Whether the header's hash, read as a little-endian number, is at most the target its own nBits
 * encodes. It says nothing about whether nBits is the difficulty the chain required at that
 * height: that is what trusting the header source means.
 */
export function checkProofOfWork(
  header: Uint8Array,
): { readonly ok: true } | { readonly ok: false; readonly problem: string } {
  const decoded = targetFromCompactBits(compactBitsOf(header));
  if ('problem' in decoded) return { ok: false, problem: decoded.problem };
  const hash = bitcoinHeaderHash(header);
  if (littleEndianToBigInt(hash) > decoded.target) {
    return {
      ok: false,
      problem: `block hash ${displayOrderHex(hash)} is above the target its nBits sets`,
    };
  }
  return { ok: true };
}

export function blockHeaderSourceOf(headers: ReadonlyMap<number, Uint8Array>): BlockHeaderSource {
  return {
    headerAt: (height) => headers.get(height) ?? null,
    heights: [...headers.keys()].sort((left, right) => left - right),
  };
}

const HEADER_HEX = /^[0-9a-fA-F]{160}$/;

function parsedHeight(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BlockHeadersFileError(`${where}: the height is not a non-negative integer.`);
  }
  return value;
}

function parsedHeader(hex: unknown, where: string): Uint8Array {
  if (typeof hex !== 'string' || !HEADER_HEX.test(hex)) {
    throw new BlockHeadersFileError(`${where}: a header is not 160 hex characters.`);
  }
  return hexToBytes(hex);
}

function addHeader(
  headers: Map<number, Uint8Array>,
  height: number,
  header: Uint8Array,
  where: string,
): void {
  const existing = headers.get(height);
  if (existing !== undefined && bytesToHex(existing) !== bytesToHex(header)) {
    throw new BlockHeadersFileError(
      `${where}: height ${height} is listed twice with different headers.`,
    );
  }
  headers.set(height, header);
}

function requireLinked(headers: ReadonlyMap<number, Uint8Array>): void {
  for (const [height, header] of headers) {
    const previous = headers.get(height - 1);
    if (
      previous !== undefined &&
      bytesToHex(previousBlockHashOf(header)) !== bytesToHex(bitcoinHeaderHash(previous))
    ) {
      throw new BlockHeadersFileError(
        `The header at height ${height} does not build on the header at height ${height - 1}.`,
      );
    }
  }
}

/** Reads a headers file in either documented format into headers by height. */
export function parseBlockHeadersFile(text: string): Map<number, Uint8Array> {
  const headers = new Map<number, Uint8Array>();
  if (text.trimStart().startsWith('[')) {
    let entries: unknown;
    try {
      entries = JSON.parse(text);
    } catch {
      throw new BlockHeadersFileError('The headers file starts like JSON but is not valid JSON.');
    }
    if (!Array.isArray(entries)) {
      throw new BlockHeadersFileError('The headers file is JSON but not an array.');
    }
    entries.forEach((entry: unknown, index) => {
      const where = `entry ${index + 1}`;
      if (typeof entry !== 'object' || entry === null) {
        throw new BlockHeadersFileError(`${where}: not an object with height and hex.`);
      }
      const { height, hex } = entry as { height?: unknown; hex?: unknown };
      addHeader(headers, parsedHeight(height, where), parsedHeader(hex, where), where);
    });
  } else {
    let nextHeight: number | null = null;
    text.split(/\r?\n/).forEach((rawLine, index) => {
      const line = rawLine.trim();
      const where = `line ${index + 1}`;
      if (line === '' || line.startsWith('#')) return;
      const fields = line.split(/\s+/);
      let height: number;
      let hex: string;
      if (fields.length === 2) {
        if (!/^\d+$/.test(fields[0] as string)) {
          throw new BlockHeadersFileError(`${where}: the height is not a non-negative integer.`);
        }
        height = parsedHeight(Number(fields[0]), where);
        hex = fields[1] as string;
      } else if (fields.length === 1) {
        if (nextHeight === null) {
          throw new BlockHeadersFileError(
            `${where}: the first header needs a height before it ("<height> <hex>").`,
          );
        }
        height = nextHeight;
        hex = fields[0] as string;
      } else {
        throw new BlockHeadersFileError(`${where}: expected "<height> <hex>" or "<hex>".`);
      }
      addHeader(headers, height, parsedHeader(hex, where), where);
      nextHeight = height + 1;
    });
  }
  requireLinked(headers);
  return headers;
}
