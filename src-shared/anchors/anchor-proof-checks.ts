/**
 * The anchors' own proofs, for the ledger checklist: every RFC 3161 token and every
 * OpenTimestamps proof of a ledger's anchors, checked with the trust material the user supplied.
 * A track that was not asked for stays null and is listed as not checked.
 *
 * Preconditions: `anchors` are the rows as stored; trust roots and block headers come from the
 * caller. A track with no findings proves what verifyTimestampResponse and verifyOtsAnchor say a
 * PASS proves, for every anchor of that track; it proves nothing about anchors without such a
 * proof, nor (here) that the anchored heads are still in the ledger (checkAnchorHeads does).
 */
import type { Finding } from '../verification-report';
import { crossCheckOtsAnchors, verifyOtsAnchor, type BlockHeaderSource } from './ots-verification';
import { verifyTimestampResponse } from './rfc3161-verification';

export interface AnchorProofInput {
  readonly anchorId: number;
  readonly chainHeadHash: unknown;
  /** Whether the column holds anything at all (a BLOB or, wrongly, something else). */
  readonly hasOtsProof: boolean;
  readonly otsProofBlob: Uint8Array | null;
  readonly confirmedAt: string | null;
  readonly bitcoinBlockHeight: number | null;
  readonly hasTst: boolean;
  readonly tstBlob: Uint8Array | null;
}

export interface AnchorProofTrust {
  /** OpenTimestamps proofs are checked (--check-anchors); headers may be null (none supplied). */
  readonly ots: { readonly headers: BlockHeaderSource | null } | null;
  /** RFC 3161 tokens are checked (--check-tst); roots may be null (none supplied). */
  readonly tsa: { readonly roots: readonly Uint8Array[] | null } | null;
}

export interface AnchorProofFindings {
  readonly ots: Finding[] | null;
  readonly tsa: Finding[] | null;
}

const headHex = (value: unknown): string => (typeof value === 'string' ? value : String(value));

/** Findings name their anchor; the verifiers' messages are about one token or proof. */
function ofAnchor(anchorId: number, finding: Finding): Finding {
  const message = finding.message.startsWith(`anchor ${anchorId}`)
    ? finding.message
    : `anchor ${anchorId}: ${finding.message}`;
  return { ...finding, anchorId, message };
}

export async function checkAnchorProofs(
  anchors: readonly AnchorProofInput[],
  trust: AnchorProofTrust,
): Promise<AnchorProofFindings> {
  let tsa: Finding[] | null = null;
  if (trust.tsa !== null) {
    tsa = [];
    for (const anchor of anchors.filter((candidate) => candidate.hasTst)) {
      if (anchor.tstBlob === null) {
        tsa.push(
          ofAnchor(anchor.anchorId, {
            code: 'ANCHOR_TSA_MALFORMED',
            message: 'tst_blob holds text or a number, not the DER bytes nexuscone stores',
          }),
        );
        continue;
      }
      const result = await verifyTimestampResponse({
        responseDer: anchor.tstBlob,
        chainHeadHash: headHex(anchor.chainHeadHash),
        trustRoots: trust.tsa.roots,
      });
      tsa.push(...result.findings.map((finding) => ofAnchor(anchor.anchorId, finding)));
    }
  }

  let ots: Finding[] | null = null;
  if (trust.ots !== null) {
    const headers = trust.ots.headers;
    ots = [];
    for (const anchor of anchors.filter((candidate) => candidate.hasOtsProof)) {
      if (anchor.otsProofBlob === null) {
        ots.push(
          ofAnchor(anchor.anchorId, {
            code: 'ANCHOR_OTS_INVALID',
            message:
              'ots_proof_blob holds text or a number, not the serialised proof nexuscone stores',
          }),
        );
        continue;
      }
      ots.push(
        ...verifyOtsAnchor({
          anchorId: anchor.anchorId,
          proofBlob: anchor.otsProofBlob,
          chainHeadHash: headHex(anchor.chainHeadHash),
          recordedHeight: anchor.bitcoinBlockHeight,
          confirmedAt: anchor.confirmedAt,
          headers,
        }).map((finding) => ofAnchor(anchor.anchorId, finding)),
      );
    }
    ots.push(
      ...crossCheckOtsAnchors(
        anchors.map((anchor) => ({
          anchorId: anchor.anchorId,
          proofBlob: anchor.otsProofBlob,
          chainHeadHash: headHex(anchor.chainHeadHash),
        })),
      ).map((finding) => ofAnchor(finding.anchorId ?? 0, finding)),
    );
    ots.sort((left, right) => (left.anchorId ?? 0) - (right.anchorId ?? 0));
  }
  return { ots, tsa };
}
