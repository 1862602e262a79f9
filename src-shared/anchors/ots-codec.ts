/**
 * OpenTimestamps proofs: the Timestamp tree serialisation (what nexuscone stores in
 * `ots_proof_blob`, spec §5.1) and the DetachedTimestampFile (`.ots`) that wraps it, read and
 * written byte for byte as python-opentimestamps (opentimestamps/core/timestamp.py, op.py,
 * notary.py, serialize.py) does, so a blob parsed and written again is the blob nexuscone stored.
 *
 * Proof bytes come from files an attacker may have edited, so every read is bounded: blob size,
 * nesting depth (python's 256), op argument and message lengths (python's 4096), attestation
 * payloads (python's 8192), URIs (python's 1000 characters of a safe set), varuint width and the
 * total bytes of computed messages. Anything outside those bounds is an {@link OtsCodecError}.
 */
import { concatBytes } from '../crypto/bytes';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160, sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '../crypto/hex';

export const OTS_LIMITS = {
  /** Real proofs are a few hundred bytes; nexuscone's largest fixture blob is 273. */
  maxProofBytes: 64 * 1024,
  /** python-opentimestamps' Timestamp.deserialize recursion limit: at most 255 ops on a path. */
  maxDepth: 256,
  /** Op.MAX_RESULT_LENGTH, which also bounds append and prepend arguments. */
  maxOpArgumentBytes: 4096,
  /** Op.MAX_MSG_LENGTH and Op.MAX_RESULT_LENGTH. */
  maxMessageBytes: 4096,
  /** OpHexlify doubles its input, so it accepts half the message limit. */
  maxHexlifyInputBytes: 2048,
  /** TimeAttestation.MAX_PAYLOAD_SIZE. */
  maxAttestationPayloadBytes: 8192,
  /** PendingAttestation.MAX_URI_LENGTH. */
  maxPendingUriBytes: 1000,
  /**
   * Not in python: a 64 KiB blob of one-byte `reverse` ops on a 4 KiB message would otherwise
   * make every node hold 4 KiB, hundreds of MiB in all.
   */
  maxTotalMessageBytes: 16 * 1024 * 1024,
  /** Heights and lengths must be exact JavaScript numbers; 8 LEB128 bytes hold 56 bits. */
  maxVaruintBytes: 8,
} as const;

/** A proof that cannot be read or written; the message is one sentence. */
export class OtsCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtsCodecError';
  }
}

export type OtsUnaryOpKind = 'sha1' | 'ripemd160' | 'sha256' | 'keccak256' | 'reverse' | 'hexlify';
export type OtsBinaryOpKind = 'append' | 'prepend' | 'secp256k1commitment';
export type OtsOpKind = OtsUnaryOpKind | OtsBinaryOpKind;

export type OtsOp =
  | { readonly kind: OtsUnaryOpKind }
  | { readonly kind: OtsBinaryOpKind; readonly argument: Uint8Array };

/** The hash ops a DetachedTimestampFile may name for hashing the file (python's CryptOp). */
export type OtsFileHashOp = 'sha1' | 'ripemd160' | 'sha256' | 'keccak256';

export type OtsAttestation =
  /** A calendar holds the commitment and will later return the path to a block. */
  | { readonly kind: 'pending'; readonly uri: string }
  /** The message is the merkle root, in internal byte order, of the block at `height`. */
  | { readonly kind: 'bitcoin' | 'litecoin' | 'ethereum'; readonly height: number }
  /** A notary this codec does not know, kept as raw bytes so it survives a round trip. */
  | { readonly kind: 'unknown'; readonly tag: Uint8Array; readonly payload: Uint8Array };

/**
 * One node of the proof tree: a message, the attestations made about it, and the ops that
 * lead from it to further messages. Built only by this module, so every branch's message is
 * its op applied to this message, attestations and branches are sorted the way
 * python-opentimestamps serialises them, and none is repeated.
 */
export interface OtsTimestamp {
  readonly message: Uint8Array;
  readonly attestations: readonly OtsAttestation[];
  readonly branches: readonly OtsBranch[];
}

export interface OtsBranch {
  readonly op: OtsOp;
  readonly timestamp: OtsTimestamp;
}

/** Where one attestation sits: the ops from the root message to the message it attests. */
export interface OtsAttestationPath {
  readonly attestation: OtsAttestation;
  readonly message: Uint8Array;
  readonly ops: readonly OtsOp[];
}

/** Each op's tag byte in the serialisation. */
export const OTS_OP_TAGS: Readonly<Record<OtsOpKind, number>> = {
  sha1: 0x02,
  ripemd160: 0x03,
  sha256: 0x08,
  secp256k1commitment: 0x09,
  keccak256: 0x67,
  append: 0xf0,
  prepend: 0xf1,
  reverse: 0xf2,
  hexlify: 0xf3,
};
const OP_KIND_BY_TAG = new Map<number, OtsOpKind>(
  Object.entries(OTS_OP_TAGS).map(([kind, tag]) => [tag, kind as OtsOpKind]),
);
const BINARY_OP_KINDS: ReadonlySet<OtsOpKind> = new Set<OtsBinaryOpKind>([
  'append',
  'prepend',
  'secp256k1commitment',
]);
const FILE_HASH_DIGEST_BYTES: Readonly<Record<OtsFileHashOp, number>> = {
  sha1: 20,
  ripemd160: 20,
  sha256: 32,
  keccak256: 32,
};

const FORK_MARKER = 0xff;
const ATTESTATION_MARKER = 0x00;
const ATTESTATION_TAG_BYTES = 8;
const ATTESTATION_TAGS = {
  pending: Uint8Array.of(0x83, 0xdf, 0xe3, 0x0d, 0x2e, 0xf9, 0x0c, 0x8e),
  bitcoin: Uint8Array.of(0x05, 0x88, 0x96, 0x0d, 0x73, 0xd7, 0x19, 0x01),
  litecoin: Uint8Array.of(0x06, 0x86, 0x9a, 0x0d, 0x73, 0xd7, 0x1b, 0x45),
  ethereum: Uint8Array.of(0x30, 0xfe, 0x80, 0x87, 0xb5, 0xc7, 0xea, 0xd7),
} as const;
/** PendingAttestation.ALLOWED_URI_CHARS: no query, fragment, login, IPv6 or percent escapes. */
const PENDING_URI_PATTERN = /^[A-Za-z0-9\-._/:]*$/;

/** `\x00OpenTimestamps\x00\x00Proof\x00` followed by eight bytes that make `file` say "data". */
export const OTS_FILE_MAGIC = Uint8Array.of(
  0x00,
  ...[...'OpenTimestamps'].map((char) => char.charCodeAt(0)),
  0x00,
  0x00,
  ...[...'Proof'].map((char) => char.charCodeAt(0)),
  0x00,
  0xbf,
  0x89,
  0xe2,
  0xe8,
  0x84,
  0xe8,
  0x92,
  0x94,
);
const OTS_FILE_MAJOR_VERSION = 1;

export function isBinaryOp(
  op: OtsOp,
): op is { readonly kind: OtsBinaryOpKind; readonly argument: Uint8Array } {
  return BINARY_OP_KINDS.has(op.kind);
}

export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const shared = Math.min(left.length, right.length);
  for (let i = 0; i < shared; i++) {
    const difference = (left[i] as number) - (right[i] as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return compareBytes(left, right) === 0;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** python's Op ordering: by tag, then by argument bytes. */
export function compareOps(left: OtsOp, right: OtsOp): number {
  const byTag = OTS_OP_TAGS[left.kind] - OTS_OP_TAGS[right.kind];
  if (byTag !== 0) return byTag;
  return isBinaryOp(left) && isBinaryOp(right) ? compareBytes(left.argument, right.argument) : 0;
}

function attestationTag(attestation: OtsAttestation): Uint8Array {
  return attestation.kind === 'unknown' ? attestation.tag : ATTESTATION_TAGS[attestation.kind];
}

/**
 * By tag, then by URI, height or payload. python-opentimestamps means the same order, but its
 * comparison of two different attestation classes returns None, which leaves a node holding both
 * a pending and a Bitcoin attestation in set-iteration order; javascript-opentimestamps and this
 * codec use the tag order instead. Calendars never put both on one node.
 */
export function compareAttestations(left: OtsAttestation, right: OtsAttestation): number {
  const byTag = compareBytes(attestationTag(left), attestationTag(right));
  if (byTag !== 0) return byTag;
  if (left.kind === 'pending' && right.kind === 'pending') {
    return compareBytes(asciiBytes(left.uri), asciiBytes(right.uri));
  }
  if (left.kind === 'unknown' && right.kind === 'unknown') {
    return compareBytes(left.payload, right.payload);
  }
  if ('height' in left && 'height' in right) return left.height - right.height;
  return 0;
}

function sortedUniqueAttestations(attestations: readonly OtsAttestation[]): OtsAttestation[] {
  const sorted = [...attestations].sort(compareAttestations);
  return sorted.filter(
    (attestation, index) =>
      index === 0 || compareAttestations(sorted[index - 1] as OtsAttestation, attestation) !== 0,
  );
}

function hexlify(message: Uint8Array): Uint8Array {
  return asciiBytes(bytesToHex(message));
}

/** [P + sha256(P || message)·G].x for the compressed secp256k1 point P (python's secp256k1.py). */
function secp256k1Commitment(pointBytes: Uint8Array, message: Uint8Array): Uint8Array {
  if (pointBytes.length !== 33 || (pointBytes[0] !== 0x02 && pointBytes[0] !== 0x03)) {
    throw new OtsCodecError('A secp256k1commitment argument is not a 33-byte compressed point.');
  }
  let point: ReturnType<typeof secp256k1.Point.fromBytes>;
  try {
    point = secp256k1.Point.fromBytes(pointBytes);
  } catch {
    throw new OtsCodecError('A secp256k1commitment argument is not a point on secp256k1.');
  }
  const tweak =
    BigInt(`0x${bytesToHex(sha256(concatBytes(pointBytes, message)))}`) % secp256k1.Point.Fn.ORDER;
  const committed = tweak === 0n ? point : point.add(secp256k1.Point.BASE.multiply(tweak));
  // python's point at infinity is Point(0, 0), whose x encodes as 32 zero bytes.
  if (committed.is0()) return new Uint8Array(32);
  const x = committed.toAffine().x.toString(16).padStart(64, '0');
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(x.slice(2 * i, 2 * i + 2), 16));
}

/**
 * The message an op produces, with python's Op.__call__ limits: the input and the result are at
 * most 4096 bytes (hexlify's input 2048) and never empty.
 */
export function applyOtsOp(op: OtsOp, message: Uint8Array): Uint8Array {
  const inputLimit =
    op.kind === 'hexlify' ? OTS_LIMITS.maxHexlifyInputBytes : OTS_LIMITS.maxMessageBytes;
  if (message.length > inputLimit) {
    throw new OtsCodecError(
      `The ${op.kind} op is applied to a ${message.length}-byte message, over its ${inputLimit}-byte limit.`,
    );
  }
  let result: Uint8Array;
  switch (op.kind) {
    case 'append':
    case 'prepend':
    case 'secp256k1commitment': {
      if (op.argument.length === 0 || op.argument.length > OTS_LIMITS.maxOpArgumentBytes) {
        throw new OtsCodecError(
          `The ${op.kind} argument is ${op.argument.length} bytes, outside 1 to ${OTS_LIMITS.maxOpArgumentBytes}.`,
        );
      }
      if (op.kind === 'append') result = concatBytes(message, op.argument);
      else if (op.kind === 'prepend') result = concatBytes(op.argument, message);
      else result = secp256k1Commitment(op.argument, message);
      break;
    }
    case 'reverse':
    case 'hexlify':
      if (message.length === 0) {
        throw new OtsCodecError(`The ${op.kind} op is applied to an empty message.`);
      }
      result = op.kind === 'reverse' ? message.slice().reverse() : hexlify(message);
      break;
    case 'sha1':
      result = sha1(message);
      break;
    case 'ripemd160':
      result = ripemd160(message);
      break;
    case 'sha256':
      result = sha256(message);
      break;
    case 'keccak256':
      result = keccak_256(message);
      break;
  }
  if (result.length > OTS_LIMITS.maxMessageBytes) {
    throw new OtsCodecError(
      `The ${op.kind} op yields ${result.length} bytes, over the ${OTS_LIMITS.maxMessageBytes}-byte message limit.`,
    );
  }
  return result;
}

function opKey(op: OtsOp): string {
  return isBinaryOp(op) ? `${op.kind}:${bytesToHex(op.argument)}` : op.kind;
}

/**
 * A node from its parts: attestations sorted and de-duplicated, branches sorted, and branches
 * with the same op merged. Throws if a branch's message is not its op applied to `message`.
 */
export function otsTimestamp(
  message: Uint8Array,
  attestations: readonly OtsAttestation[],
  branches: readonly OtsBranch[],
): OtsTimestamp {
  if (message.length > OTS_LIMITS.maxMessageBytes) {
    throw new OtsCodecError(
      `A message of ${message.length} bytes is over the ${OTS_LIMITS.maxMessageBytes}-byte limit.`,
    );
  }
  const byOp = new Map<string, OtsBranch>();
  for (const branch of branches) {
    if (!equalBytes(applyOtsOp(branch.op, message), branch.timestamp.message)) {
      throw new OtsCodecError(`The ${branch.op.kind} branch does not hold that op's result.`);
    }
    const key = opKey(branch.op);
    const existing = byOp.get(key);
    byOp.set(
      key,
      existing === undefined
        ? branch
        : { op: existing.op, timestamp: mergeOtsTimestamps(existing.timestamp, branch.timestamp) },
    );
  }
  return {
    message,
    attestations: sortedUniqueAttestations(attestations),
    branches: [...byOp.values()].sort((left, right) => compareOps(left.op, right.op)),
  };
}

/** A chain of ops from `message`, with `attestations` on the last message. */
export function otsPath(
  message: Uint8Array,
  ops: readonly OtsOp[],
  attestations: readonly OtsAttestation[],
): OtsTimestamp {
  const messages = [message];
  for (const op of ops) messages.push(applyOtsOp(op, messages[messages.length - 1] as Uint8Array));
  let node = otsTimestamp(messages[ops.length] as Uint8Array, attestations, []);
  for (let i = ops.length - 1; i >= 0; i--) {
    node = otsTimestamp(messages[i] as Uint8Array, [], [{ op: ops[i] as OtsOp, timestamp: node }]);
  }
  return node;
}

/**
 * Everything either tree proves about their common message, as python's Timestamp.merge: the
 * union of attestations, and branches with the same op merged.
 */
export function mergeOtsTimestamps(left: OtsTimestamp, right: OtsTimestamp): OtsTimestamp {
  if (!equalBytes(left.message, right.message)) {
    throw new OtsCodecError('Two timestamps for different messages cannot be merged.');
  }
  return otsTimestamp(
    left.message,
    [...left.attestations, ...right.attestations],
    [...left.branches, ...right.branches],
  );
}

/** Every attestation in the tree with the ops leading to it, in serialisation order. */
export function otsAttestationPaths(root: OtsTimestamp): OtsAttestationPath[] {
  const paths: OtsAttestationPath[] = [];
  // An explicit stack, so a deep tree built in memory cannot exhaust the call stack.
  const pending: { node: OtsTimestamp; ops: readonly OtsOp[] }[] = [{ node: root, ops: [] }];
  while (pending.length > 0) {
    const { node, ops } = pending.pop() as { node: OtsTimestamp; ops: readonly OtsOp[] };
    for (const attestation of node.attestations) {
      paths.push({ attestation, message: node.message, ops });
    }
    for (let i = node.branches.length - 1; i >= 0; i--) {
      const branch = node.branches[i] as OtsBranch;
      pending.push({ node: branch.timestamp, ops: [...ops, branch.op] });
    }
  }
  return paths;
}

class ByteReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get atEnd(): boolean {
    return this.offset === this.bytes.length;
  }

  readByte(what: string): number {
    if (this.offset >= this.bytes.length) {
      throw new OtsCodecError(`The proof ends where ${what} should be.`);
    }
    return this.bytes[this.offset++] as number;
  }

  readBytes(length: number, what: string): Uint8Array {
    if (length > this.bytes.length - this.offset) {
      throw new OtsCodecError(
        `The proof ends inside ${what}: ${length} bytes needed, ${this.bytes.length - this.offset} left.`,
      );
    }
    const read = this.bytes.slice(this.offset, this.offset + length);
    this.offset += length;
    return read;
  }

  /** Unsigned LEB128, as python's read_varuint, but at most 8 bytes so it stays an exact number. */
  readVaruint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let count = 1; ; count++) {
      const byte = this.readByte(what);
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      if (count === OTS_LIMITS.maxVaruintBytes) {
        throw new OtsCodecError(
          `The varuint for ${what} runs past ${OTS_LIMITS.maxVaruintBytes} bytes.`,
        );
      }
      scale *= 0x80;
    }
    if (!Number.isSafeInteger(value)) {
      throw new OtsCodecError(`The varuint for ${what} is too large to be exact.`);
    }
    return value;
  }

  readVarbytes(maxLength: number, minLength: number, what: string): Uint8Array {
    const length = this.readVaruint(`the length of ${what}`);
    if (length > maxLength) {
      throw new OtsCodecError(
        `${capitalised(what)} is ${length} bytes, over its ${maxLength}-byte limit.`,
      );
    }
    if (length < minLength) {
      throw new OtsCodecError(
        `${capitalised(what)} is ${length} bytes, under its ${minLength}-byte minimum.`,
      );
    }
    return this.readBytes(length, what);
  }

  requireEnd(what: string): void {
    const left = this.bytes.length - this.offset;
    if (left === 1) throw new OtsCodecError(`An unexpected byte follows the end of ${what}.`);
    if (left > 1) {
      throw new OtsCodecError(`${left} unexpected bytes follow the end of ${what}.`);
    }
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function readAttestation(reader: ByteReader): OtsAttestation {
  const tag = reader.readBytes(ATTESTATION_TAG_BYTES, 'an attestation tag');
  const payload = reader.readVarbytes(
    OTS_LIMITS.maxAttestationPayloadBytes,
    0,
    'an attestation payload',
  );
  const payloadReader = new ByteReader(payload);
  let attestation: OtsAttestation;
  if (equalBytes(tag, ATTESTATION_TAGS.pending)) {
    const uriBytes = payloadReader.readVarbytes(
      OTS_LIMITS.maxPendingUriBytes,
      0,
      'a pending attestation URI',
    );
    const uri = String.fromCharCode(...uriBytes);
    if (!PENDING_URI_PATTERN.test(uri)) {
      throw new OtsCodecError(
        'A pending attestation URI has a character outside A-Z, a-z, 0-9 and "-._/:".',
      );
    }
    attestation = { kind: 'pending', uri };
  } else if (equalBytes(tag, ATTESTATION_TAGS.bitcoin)) {
    attestation = { kind: 'bitcoin', height: payloadReader.readVaruint('a Bitcoin block height') };
  } else if (equalBytes(tag, ATTESTATION_TAGS.litecoin)) {
    attestation = {
      kind: 'litecoin',
      height: payloadReader.readVaruint('a Litecoin block height'),
    };
  } else if (equalBytes(tag, ATTESTATION_TAGS.ethereum)) {
    attestation = {
      kind: 'ethereum',
      height: payloadReader.readVaruint('an Ethereum block height'),
    };
  } else {
    return { kind: 'unknown', tag, payload };
  }
  payloadReader.requireEnd(`a ${attestation.kind} attestation's payload`);
  return attestation;
}

function readOp(reader: ByteReader, tag: number): OtsOp {
  const kind = OP_KIND_BY_TAG.get(tag);
  if (kind === undefined) {
    throw new OtsCodecError(
      `The proof has an unknown operation tag 0x${tag.toString(16).padStart(2, '0')}.`,
    );
  }
  if (!BINARY_OP_KINDS.has(kind)) return { kind: kind as OtsUnaryOpKind };
  const argument = reader.readVarbytes(OTS_LIMITS.maxOpArgumentBytes, 1, `the ${kind} argument`);
  return { kind: kind as OtsBinaryOpKind, argument };
}

class TimestampParser {
  private messageBytes = 0;
  constructor(private readonly reader: ByteReader) {}

  parse(message: Uint8Array, depth: number): OtsTimestamp {
    if (depth >= OTS_LIMITS.maxDepth) {
      throw new OtsCodecError(
        `The proof nests deeper than ${OTS_LIMITS.maxDepth} levels, python-opentimestamps' limit.`,
      );
    }
    this.messageBytes += message.length;
    if (this.messageBytes > OTS_LIMITS.maxTotalMessageBytes) {
      throw new OtsCodecError('The proof expands to more than 16 MiB of intermediate messages.');
    }
    const attestations: OtsAttestation[] = [];
    // A later op equal to an earlier one replaces it, as python's OpSet.__setitem__ does.
    const branches = new Map<string, OtsBranch>();
    const readTagOrAttestation = (tag: number): void => {
      if (tag === ATTESTATION_MARKER) {
        attestations.push(readAttestation(this.reader));
        return;
      }
      const op = readOp(this.reader, tag);
      const timestamp = this.parse(applyOtsOp(op, message), depth + 1);
      branches.set(opKey(op), { op, timestamp });
    };
    let tag = this.reader.readByte('an operation or attestation');
    while (tag === FORK_MARKER) {
      readTagOrAttestation(this.reader.readByte('an operation or attestation'));
      tag = this.reader.readByte('an operation or attestation');
    }
    readTagOrAttestation(tag);
    return {
      message,
      attestations: sortedUniqueAttestations(attestations),
      branches: [...branches.values()].sort((left, right) => compareOps(left.op, right.op)),
    };
  }
}

function requireProofSize(bytes: Uint8Array, extra: number): void {
  if (bytes.length > OTS_LIMITS.maxProofBytes + extra) {
    throw new OtsCodecError(
      `The proof is ${bytes.length} bytes, over the ${OTS_LIMITS.maxProofBytes}-byte limit.`,
    );
  }
}

/**
 * Reads a Timestamp serialisation (nexuscone's `ots_proof_blob`) whose root message is
 * `rootMessage`; for nexuscone that is the raw 32-byte chain head hash. Unlike python, bytes left
 * after the tree are an error, since nexuscone never writes any.
 */
export function parseOtsTimestamp(bytes: Uint8Array, rootMessage: Uint8Array): OtsTimestamp {
  requireProofSize(bytes, 0);
  if (rootMessage.length > OTS_LIMITS.maxMessageBytes) {
    throw new OtsCodecError(
      `The root message is ${rootMessage.length} bytes, over the ${OTS_LIMITS.maxMessageBytes}-byte limit.`,
    );
  }
  const reader = new ByteReader(bytes);
  const timestamp = new TimestampParser(reader).parse(rootMessage.slice(), 0);
  reader.requireEnd('the timestamp');
  return timestamp;
}

class ByteWriter {
  private readonly chunks: Uint8Array[] = [];

  write(bytes: Uint8Array): void {
    this.chunks.push(bytes);
  }

  writeByte(byte: number): void {
    this.chunks.push(Uint8Array.of(byte));
  }

  writeVaruint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new OtsCodecError(`${value} cannot be written as a varuint.`);
    }
    const bytes: number[] = [];
    let rest = value;
    do {
      const low = rest % 0x80;
      rest = Math.floor(rest / 0x80);
      bytes.push(rest > 0 ? low | 0x80 : low);
    } while (rest > 0);
    this.write(Uint8Array.from(bytes));
  }

  writeVarbytes(bytes: Uint8Array): void {
    this.writeVaruint(bytes.length);
    this.write(bytes);
  }

  bytes(): Uint8Array {
    return concatBytes(...this.chunks);
  }
}

function attestationPayload(attestation: OtsAttestation): Uint8Array {
  const payload = new ByteWriter();
  switch (attestation.kind) {
    case 'pending':
      if (
        !PENDING_URI_PATTERN.test(attestation.uri) ||
        attestation.uri.length > OTS_LIMITS.maxPendingUriBytes
      ) {
        throw new OtsCodecError(`${JSON.stringify(attestation.uri)} is not a valid pending URI.`);
      }
      payload.writeVarbytes(asciiBytes(attestation.uri));
      break;
    case 'bitcoin':
    case 'litecoin':
    case 'ethereum':
      payload.writeVaruint(attestation.height);
      break;
    case 'unknown':
      payload.write(attestation.payload);
      break;
  }
  return payload.bytes();
}

function writeAttestation(writer: ByteWriter, attestation: OtsAttestation): void {
  const tag = attestationTag(attestation);
  if (tag.length !== ATTESTATION_TAG_BYTES) {
    throw new OtsCodecError('An attestation tag is not 8 bytes.');
  }
  const payload = attestationPayload(attestation);
  if (payload.length > OTS_LIMITS.maxAttestationPayloadBytes) {
    throw new OtsCodecError('An attestation payload is over the 8192-byte limit.');
  }
  writer.write(tag);
  writer.writeVarbytes(payload);
}

function writeOp(writer: ByteWriter, op: OtsOp): void {
  writer.writeByte(OTS_OP_TAGS[op.kind]);
  if (isBinaryOp(op)) writer.writeVarbytes(op.argument);
}

function writeTimestamp(writer: ByteWriter, node: OtsTimestamp, depth: number): void {
  if (depth >= OTS_LIMITS.maxDepth) {
    throw new OtsCodecError(
      `The tree nests deeper than ${OTS_LIMITS.maxDepth} levels, which no reader would accept.`,
    );
  }
  const attestations = sortedUniqueAttestations(node.attestations);
  const branches = [...node.branches].sort((left, right) => compareOps(left.op, right.op));
  const lastAttestation = attestations[attestations.length - 1];
  if (lastAttestation === undefined && branches.length === 0) {
    throw new OtsCodecError('An empty timestamp cannot be serialised.');
  }
  for (const attestation of attestations.slice(0, -1)) {
    writer.writeByte(FORK_MARKER);
    writer.writeByte(ATTESTATION_MARKER);
    writeAttestation(writer, attestation);
  }
  if (lastAttestation !== undefined) {
    if (branches.length > 0) writer.writeByte(FORK_MARKER);
    writer.writeByte(ATTESTATION_MARKER);
    writeAttestation(writer, lastAttestation);
  }
  branches.forEach((branch, index) => {
    if (index < branches.length - 1) writer.writeByte(FORK_MARKER);
    writeOp(writer, branch.op);
    writeTimestamp(writer, branch.timestamp, depth + 1);
  });
}

/** The Timestamp serialisation, in python-opentimestamps' canonical order. */
export function serializeOtsTimestamp(timestamp: OtsTimestamp): Uint8Array {
  const writer = new ByteWriter();
  writeTimestamp(writer, timestamp, 0);
  return writer.bytes();
}

export interface OtsDetachedFile {
  readonly fileHashOp: OtsFileHashOp;
  /** Its root message is the file's digest under `fileHashOp`. */
  readonly timestamp: OtsTimestamp;
}

/** Reads a `.ots` file: magic, major version 1, the file hash op, the digest, then the tree. */
export function parseOtsDetachedFile(bytes: Uint8Array): OtsDetachedFile {
  requireProofSize(bytes, OTS_FILE_MAGIC.length + 1 + 1 + 32);
  const reader = new ByteReader(bytes);
  const magic = reader.readBytes(OTS_FILE_MAGIC.length, 'the OpenTimestamps file header');
  if (!equalBytes(magic, OTS_FILE_MAGIC)) {
    throw new OtsCodecError('The file does not start with the OpenTimestamps proof header.');
  }
  const version = reader.readByte('the major version');
  if (version !== OTS_FILE_MAJOR_VERSION) {
    throw new OtsCodecError(`Version ${version} detached timestamp files are not supported.`);
  }
  const opKind = OP_KIND_BY_TAG.get(reader.readByte('the file hash op'));
  if (opKind === undefined || !(opKind in FILE_HASH_DIGEST_BYTES)) {
    throw new OtsCodecError('The file hash op is not sha1, ripemd160, sha256 or keccak256.');
  }
  const fileHashOp = opKind as OtsFileHashOp;
  const digest = reader.readBytes(FILE_HASH_DIGEST_BYTES[fileHashOp], 'the file digest');
  const timestamp = new TimestampParser(reader).parse(digest, 0);
  reader.requireEnd('the detached timestamp file');
  return { fileHashOp, timestamp };
}

export function serializeOtsDetachedFile(file: OtsDetachedFile): Uint8Array {
  if (file.timestamp.message.length !== FILE_HASH_DIGEST_BYTES[file.fileHashOp]) {
    throw new OtsCodecError(
      `The ${file.fileHashOp} file digest is ${FILE_HASH_DIGEST_BYTES[file.fileHashOp]} bytes, not ${file.timestamp.message.length}.`,
    );
  }
  const writer = new ByteWriter();
  writer.write(OTS_FILE_MAGIC);
  writer.writeByte(OTS_FILE_MAJOR_VERSION);
  writer.writeByte(OTS_OP_TAGS[file.fileHashOp]);
  writer.write(file.timestamp.message);
  writeTimestamp(writer, file.timestamp, 0);
  return writer.bytes();
}

/**
 * The standard `.ots` file for a nexuscone anchor (spec §5.1): the chain head is the SHA-256 of
 * the entry's canonical hash-input string, so that string is the "file" and the proof is the
 * stored blob under an OpSHA256 header.
 */
export function otsDetachedFileForChainHead(
  proofBlob: Uint8Array,
  chainHead: Uint8Array,
): Uint8Array {
  if (chainHead.length !== 32) {
    throw new OtsCodecError(`A chain head is 32 bytes, not ${chainHead.length}.`);
  }
  return serializeOtsDetachedFile({
    fileHashOp: 'sha256',
    timestamp: parseOtsTimestamp(proofBlob, chainHead),
  });
}
