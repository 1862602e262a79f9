/**
 * Verification of nexuscone's OpenTimestamps anchors (spec §5): the proof blob is parsed with the
 * anchor's raw 32-byte chain head as its root message, every op is applied, and each attestation
 * the proof reaches is judged against the anchor row and, when the caller supplies them, against
 * Bitcoin block headers.
 *
 * What a PASS means:
 *   - without headers there is no PASS for a confirmed anchor, only a SKIP: the proof's ops were
 *     applied and its recorded height is one the proof claims, but nothing about Bitcoin is proved;
 *   - with headers, a PASS proves the chain head is committed, through the proof's ops, to the
 *     merkle root of a header you supplied whose own proof of work is valid. It does not prove
 *     that block is in Bitcoin's best chain or that its difficulty was the required one: the
 *     header source is trusted for both.
 * A pending anchor is never a PASS: its calendars have not yet put it in any block.
 */
import { hexToBytes, isLowerHex } from '../crypto/hex';
import type { Finding } from '../verification-report';
import {
  BLOCK_HEADER_BYTES,
  type BlockHeaderSource,
  checkProofOfWork,
  displayOrderHex,
  merkleRootOf,
} from './block-headers';
import {
  equalBytes,
  type OtsAttestationPath,
  OtsCodecError,
  otsAttestationPaths,
  parseOtsTimestamp,
} from './ots-codec';

export type { BlockHeaderSource } from './block-headers';

export interface OtsAnchorInput {
  readonly anchorId: number;
  /**
   * nexuscone's `ots_proof_blob`: a Timestamp serialisation with no `.ots` header. A TSA-only
   * anchor has none, and has no OTS track to verify.
   */
  readonly proofBlob: Uint8Array;
  /** The anchor's `chain_head_hash`, 64 lowercase hex characters; the proof's root message. */
  readonly chainHeadHash: string;
  /** `bitcoin_block_height`, null while pending. */
  readonly recordedHeight: number | null;
  /** `confirmed_at`, null while pending. */
  readonly confirmedAt: string | null;
  /** Trusted headers, or null when the user supplied none. */
  readonly headers: BlockHeaderSource | null;
}

/** One Bitcoin attestation of a proof and the merkle root its path computes. */
export interface OtsBitcoinClaim {
  readonly height: number;
  /** The computed message in internal byte order, as compared with hashMerkleRoot. */
  readonly merkleRoot: Uint8Array;
  /** The same root in display order, as block explorers and bitcoin-cli print merkle roots. */
  readonly merkleRootHex: string;
}

export type OtsAnchorRoots =
  | { readonly anchorId: number; readonly claims: readonly OtsBitcoinClaim[] }
  | { readonly anchorId: number; readonly problem: string };

export interface OtsAnchorBlob {
  readonly anchorId: number;
  readonly proofBlob: Uint8Array | null;
  readonly chainHeadHash: string;
}

type ParsedProof = { readonly paths: readonly OtsAttestationPath[] } | { readonly problem: string };

function parseProof(proofBlob: Uint8Array, chainHeadHash: string): ParsedProof {
  if (!isLowerHex(chainHeadHash, 64)) {
    return {
      problem:
        'its chain head is not 64 lowercase hex characters, so the proof has no root message',
    };
  }
  try {
    return { paths: otsAttestationPaths(parseOtsTimestamp(proofBlob, hexToBytes(chainHeadHash))) };
  } catch (error) {
    if (error instanceof OtsCodecError) return { problem: error.message };
    throw error;
  }
}

function claimsOf(paths: readonly OtsAttestationPath[]): OtsBitcoinClaim[] {
  return paths.flatMap((path) =>
    path.attestation.kind === 'bitcoin'
      ? [
          {
            height: path.attestation.height,
            merkleRoot: path.message,
            merkleRootHex: displayOrderHex(path.message),
          },
        ]
      : [],
  );
}

function uniqueSorted(numbers: readonly number[]): number[] {
  return [...new Set(numbers)].sort((left, right) => left - right);
}

function listed(items: readonly (string | number)[]): string {
  return items.join(', ');
}

function heightWords(heights: readonly number[]): string {
  return heights.length === 1 ? `height ${heights[0]}` : `heights ${listed(heights)}`;
}

type HeaderOutcome = 'verified' | 'missing' | Finding;

/** Judges every claim at one height against the one header supplied for it. */
function judgeHeight(
  anchorId: number,
  height: number,
  claims: readonly OtsBitcoinClaim[],
  headers: BlockHeaderSource,
): HeaderOutcome[] {
  const header = headers.headerAt(height);
  if (header === null) return ['missing'];
  if (header.length !== BLOCK_HEADER_BYTES) {
    return [
      {
        code: 'ANCHOR_OTS_INVALID',
        anchorId,
        message: `anchor ${anchorId}: the header supplied for height ${height} is ${header.length} bytes, not ${BLOCK_HEADER_BYTES}`,
        expected: `${BLOCK_HEADER_BYTES} bytes`,
        actual: `${header.length} bytes`,
      },
    ];
  }
  const work = checkProofOfWork(header);
  if (!work.ok) {
    return [
      {
        code: 'ANCHOR_OTS_INVALID',
        anchorId,
        message: `anchor ${anchorId}: the header supplied for block ${height} fails proof of work (${work.problem}), so it is no evidence of Bitcoin`,
        expected: 'a block hash at or below the target its nBits sets',
        actual: work.problem,
      },
    ];
  }
  const headerRoot = merkleRootOf(header);
  return claims.map((claim): HeaderOutcome => {
    if (equalBytes(claim.merkleRoot, headerRoot)) return 'verified';
    return {
      code: 'ANCHOR_OTS_INVALID',
      anchorId,
      message: `anchor ${anchorId}: from its chain head the proof computes merkle root ${claim.merkleRootHex} for block ${height}, but the supplied header's merkle root is ${displayOrderHex(headerRoot)}`,
      expected: displayOrderHex(headerRoot),
      actual: claim.merkleRootHex,
    };
  });
}

/**
 * Verifies one anchor's OpenTimestamps proof. Preconditions: `chainHeadHash` is the row's own
 * chain head (whether that head is still in `entries` is checkAnchorHeads' job), and `headers`,
 * when given, holds headers the user trusts.
 *
 * Findings: ANCHOR_OTS_INVALID for an unreadable proof, a confirmed row whose proof has no
 * Bitcoin attestation, a Bitcoin attestation on a message that is not 32 bytes, or supplied
 * headers that contradict the proof; ANCHOR_OTS_PENDING when only calendars have it;
 * ANCHOR_OTS_HEIGHT_MISMATCH when the recorded height is none the proof attests;
 * ANCHOR_OTS_HEADERS_MISSING (SKIP) when the Bitcoin claim could not be checked. One Bitcoin
 * attestation that verifies is a complete proof, as `ots verify` treats it, so other branches
 * are not reported once one verifies.
 */
export function verifyOtsAnchor(input: OtsAnchorInput): Finding[] {
  const { anchorId } = input;
  const parsed = parseProof(input.proofBlob, input.chainHeadHash);
  if ('problem' in parsed) {
    return [
      {
        code: 'ANCHOR_OTS_INVALID',
        anchorId,
        message: `anchor ${anchorId}'s OpenTimestamps proof cannot be read: ${parsed.problem}`,
        expected: 'a Timestamp serialisation rooted at the chain head',
        actual: parsed.problem,
      },
    ];
  }
  const claims = claimsOf(parsed.paths);
  const pendingUris = [
    ...new Set(
      parsed.paths.flatMap((path) =>
        path.attestation.kind === 'pending' ? [path.attestation.uri] : [],
      ),
    ),
  ];
  const rowSaysConfirmed = input.confirmedAt !== null || input.recordedHeight !== null;

  if (claims.length === 0) {
    if (rowSaysConfirmed) {
      const recorded = input.recordedHeight === null ? '' : ` at height ${input.recordedHeight}`;
      return [
        {
          code: 'ANCHOR_OTS_INVALID',
          anchorId,
          message: `anchor ${anchorId} is recorded as confirmed${recorded}, but its proof has no Bitcoin attestation`,
          expected: 'a Bitcoin block header attestation',
          actual: pendingUris.length > 0 ? `pending at ${listed(pendingUris)}` : 'none',
        },
      ];
    }
    if (pendingUris.length > 0) {
      return [
        {
          code: 'ANCHOR_OTS_PENDING',
          anchorId,
          message: `anchor ${anchorId}'s proof is pending at ${listed(pendingUris)}: no Bitcoin block holds it yet`,
        },
      ];
    }
    return [
      {
        code: 'ANCHOR_OTS_INVALID',
        anchorId,
        message: `anchor ${anchorId}'s proof has neither a Bitcoin nor a pending attestation, so it attests nothing Proofdesk can check`,
        expected: 'a Bitcoin or pending attestation',
        actual: listed([...new Set(parsed.paths.map((path) => path.attestation.kind))]),
      },
    ];
  }

  const findings: Finding[] = [];
  const attestedHeights = uniqueSorted(claims.map((claim) => claim.height));
  const malformedHeights = uniqueSorted(
    claims.filter((claim) => claim.merkleRoot.length !== 32).map((claim) => claim.height),
  );
  if (malformedHeights.length > 0) {
    findings.push({
      code: 'ANCHOR_OTS_INVALID',
      anchorId,
      message: `anchor ${anchorId}'s proof attests a message that is not 32 bytes as the merkle root of block ${listed(malformedHeights)}, which no block header can match`,
      expected: '32-byte merkle root',
      actual: listed(
        claims
          .filter((claim) => claim.merkleRoot.length !== 32)
          .map((claim) => `${claim.merkleRoot.length} bytes`),
      ),
    });
  }
  for (const height of attestedHeights) {
    const roots = [
      ...new Set(
        claims
          .filter((claim) => claim.height === height && claim.merkleRoot.length === 32)
          .map((claim) => claim.merkleRootHex),
      ),
    ];
    if (roots.length > 1) {
      findings.push({
        code: 'ANCHOR_OTS_BRANCHES_DISAGREE',
        anchorId,
        message: `anchor ${anchorId}'s proof has branches that compute ${roots.length} different merkle roots for block ${height}; a block has one, so at most one branch is genuine${input.headers === null ? ', and only block headers can tell which' : ''}`,
        expected: 'one merkle root per block',
        actual: listed(roots),
      });
    }
  }
  if (input.recordedHeight === null || !attestedHeights.includes(input.recordedHeight)) {
    findings.push({
      code: 'ANCHOR_OTS_HEIGHT_MISMATCH',
      anchorId,
      message:
        input.recordedHeight === null
          ? `anchor ${anchorId}'s proof attests Bitcoin ${heightWords(attestedHeights)}, but the row records no height`
          : `anchor ${anchorId} records Bitcoin height ${input.recordedHeight}, but its proof attests ${heightWords(attestedHeights)}`,
      expected:
        input.recordedHeight === null ? '(no height recorded)' : String(input.recordedHeight),
      actual: listed(attestedHeights),
    });
  }

  const { headers } = input;
  if (headers === null) {
    findings.push({
      code: 'ANCHOR_OTS_HEADERS_MISSING',
      anchorId,
      message: `anchor ${anchorId}'s proof claims Bitcoin ${heightWords(attestedHeights)}; no block headers were supplied, so that claim was not checked`,
    });
    return findings;
  }

  const checkable = claims.filter((claim) => claim.merkleRoot.length === 32);
  const outcomes = uniqueSorted(checkable.map((claim) => claim.height)).flatMap((height) =>
    judgeHeight(
      anchorId,
      height,
      checkable.filter((claim) => claim.height === height),
      headers,
    ).map((outcome) => ({ height, outcome })),
  );
  if (outcomes.some(({ outcome }) => outcome === 'verified')) return findings;
  const failures = outcomes.flatMap(({ outcome }) =>
    typeof outcome === 'object' ? [outcome] : [],
  );
  if (failures.length > 0) return [...findings, ...failures];
  const missingHeights = uniqueSorted(
    outcomes.filter(({ outcome }) => outcome === 'missing').map(({ height }) => height),
  );
  if (missingHeights.length > 0) {
    findings.push({
      code: 'ANCHOR_OTS_HEADERS_MISSING',
      anchorId,
      message: `anchor ${anchorId}'s proof claims Bitcoin ${heightWords(missingHeights)}, but the supplied headers have no block at ${missingHeights.length === 1 ? 'that height' : 'those heights'}`,
    });
  }
  return findings;
}

/**
 * Per anchor with a proof, the merkle root each Bitcoin attestation computes from the anchor's
 * chain head, or why the proof cannot be read.
 */
export function computeOtsBitcoinRoots(anchors: readonly OtsAnchorBlob[]): OtsAnchorRoots[] {
  return anchors.flatMap((anchor): OtsAnchorRoots[] => {
    if (anchor.proofBlob === null) return [];
    const parsed = parseProof(anchor.proofBlob, anchor.chainHeadHash);
    return 'problem' in parsed
      ? [{ anchorId: anchor.anchorId, problem: parsed.problem }]
      : [{ anchorId: anchor.anchorId, claims: claimsOf(parsed.paths) }];
  });
}

/**
 * The evidence of a transplanted proof that needs no headers.
 *
 * A proof commits to one start message, and a block has one merkle root. So an anchor whose
 * proof has a Bitcoin attestation and is byte-identical to an earlier anchor's proof made for
 * another chain head, or whose Bitcoin attestation computes a different root for a height at
 * which an earlier anchor's proof computes its root, cannot be genuine alongside that earlier
 * anchor; the later anchor (higher anchor_id) is flagged once, by the identical-bytes rule when
 * it applies since it says more. Identical pending-only proofs are not flagged: a calendar that
 * adds no nonce of its own legitimately returns the same bytes for different digests. Roots are
 * compared only between anchors, so two calendars of one proof disagreeing about a block are
 * left to the header check.
 */
export function crossCheckOtsAnchors(anchors: readonly OtsAnchorBlob[]): Finding[] {
  const readable = [...anchors]
    .sort((left, right) => left.anchorId - right.anchorId)
    .flatMap((anchor) => {
      if (anchor.proofBlob === null) return [];
      const parsed = parseProof(anchor.proofBlob, anchor.chainHeadHash);
      if ('problem' in parsed) return [];
      return [{ ...anchor, proofBlob: anchor.proofBlob, claims: claimsOf(parsed.paths) }];
    });
  const findings: Finding[] = [];
  readable.forEach((later, index) => {
    const earlier = readable.slice(0, index);
    const copiedFrom = earlier.find(
      (candidate) =>
        later.claims.length > 0 &&
        candidate.chainHeadHash !== later.chainHeadHash &&
        equalBytes(candidate.proofBlob, later.proofBlob),
    );
    if (copiedFrom !== undefined) {
      findings.push({
        code: 'ANCHOR_OTS_COMMITMENT_MISMATCH',
        anchorId: later.anchorId,
        message: `anchor ${later.anchorId}'s proof is byte-identical to anchor ${copiedFrom.anchorId}'s, made for another chain head: one proof cannot commit to both`,
        expected: later.chainHeadHash,
        actual: copiedFrom.chainHeadHash,
      });
      return;
    }
    for (const claim of later.claims) {
      for (const candidate of earlier) {
        const rootsThere = candidate.claims.filter((other) => other.height === claim.height);
        if (
          rootsThere.length === 0 ||
          rootsThere.some((other) => equalBytes(other.merkleRoot, claim.merkleRoot))
        ) {
          continue;
        }
        const otherRoot = (rootsThere[0] as OtsBitcoinClaim).merkleRootHex;
        findings.push({
          code: 'ANCHOR_OTS_COMMITMENT_MISMATCH',
          anchorId: later.anchorId,
          message: `anchor ${later.anchorId}'s proof computes merkle root ${claim.merkleRootHex} for block ${claim.height}, but anchor ${candidate.anchorId}'s computes ${otherRoot}; a block has one merkle root, so at least one of the two is false, and only block headers can tell which one is genuine`,
          expected: otherRoot,
          actual: claim.merkleRootHex,
        });
        return;
      }
    }
  });
  return findings;
}
