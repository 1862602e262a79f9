/**
 * Verifies a nexuscone ledger file end to end: opens it read-only, splits the entries by entry_id
 * range over worker threads (one read-only connection each), joins the ranges, cross-checks
 * anchors, witnesses and the trusted head, and reports every finding.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  checkAnchorProofs,
  type AnchorProofTrust,
} from '../../src-shared/anchors/anchor-proof-checks';
import { ProofdeskError } from '../../src-shared/check-code';
import { bytesToHex } from '../../src-shared/crypto/hex';
import type { Keyring } from '../../src-shared/keyring';
import {
  checkAnchorHeads,
  checkWitnessAttestations,
  headEntryIdsOf,
} from '../../src-shared/ledger/anchor-witness-checks';
import { assembleLedgerChecks } from '../../src-shared/ledger/ledger-checks';
import type { RangeSummary } from '../../src-shared/ledger/range-verifier';
import { compareWithTrustedHead } from '../../src-shared/ledger/trusted-head';
import {
  computeVerdict,
  type CheckResult,
  type Verdict,
} from '../../src-shared/verification-report';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { workerScriptPath } from '../worker-script';
import { sha256OfFile } from './file-digest';
import { openLedger, type OpenedLedger } from './ledger-database';
import {
  readAnchorProofs,
  readAnchors,
  readAttestations,
  readEntryHashes,
  readLedgerExtent,
  readSequence,
  readWitnesses,
  type EntryIdRange,
} from './ledger-reader';
import { runRangeJob, type RangeJob } from './range-job';
import type { TrustedHeadStore } from './trusted-head-store';
import type { WorkerMessage } from './verify-worker-protocol';

/** Below this many entries one thread is faster than starting workers. */
const INLINE_BELOW_ENTRIES = 40_000;
const DEFAULT_FINDING_CAP_PER_CODE = 1000;
/**
 * A worker's live data is one page of rows plus capped findings, but V8 sizes its heap for
 * throughput and lets garbage grow to ~100 MB per isolate before collecting. A small young
 * generation makes it collect the per-row strings early; the old-generation cap is far above
 * what a worker holds and only stops a runaway.
 */
const WORKER_HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

export interface VerificationProgress {
  readonly rowsDone: number;
  readonly rowsTotal: number;
}

export interface LedgerVerificationOptions {
  /** Entry-signing public keys; null: signatures are reported as not checked. */
  readonly keyring: Keyring | null;
  readonly requireSignatures: boolean;
  /** null: no trusted-head comparison or recording (reported as SKIP). */
  readonly trustedHeads: TrustedHeadStore | null;
  /**
   * Worker threads to use. Default: one per core, or inline for small ledgers. 1 verifies inline.
   */
  readonly parallelism?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: VerificationProgress) => void;
  readonly findingCapPerCode?: number;
  /** The instant recorded with a trusted head. */
  readonly now?: () => Date;
  /**
   * The anchors' own proofs to check, with the trust material for each track (TSA roots, block
   * headers); a track left null, or no value at all, is listed as not checked.
   */
  readonly anchorProofs?: AnchorProofTrust;
}

export interface LedgerVerificationResult {
  readonly file: { readonly path: string; readonly sha256: string; readonly bytes: number };
  readonly entries: number;
  readonly head: { readonly entryId: number; readonly entryHash: string } | null;
  readonly checks: readonly CheckResult[];
  readonly verdict: Verdict;
  /** The head was recorded as the new trusted head (after any verification that did not fail). */
  readonly trustedHeadRecorded: boolean;
}

function splitRange(minId: number, maxId: number, parts: number): EntryIdRange[] {
  const span = maxId - minId + 1;
  const ranges: EntryIdRange[] = [];
  for (let part = 0; part < parts; part++) {
    const from = minId + Math.floor((span * part) / parts);
    const to = minId + Math.floor((span * (part + 1)) / parts) - 1;
    if (to >= from) ranges.push({ from, to });
  }
  return ranges;
}

function cancelledError(): ProofdeskError {
  return new ProofdeskError('CANCELLED', 'Verification was cancelled.');
}

function runJobsInWorkers(
  jobs: readonly RangeJob[],
  signal: AbortSignal | undefined,
  onRows: (jobIndex: number, rowsDone: number) => void,
): Promise<RangeSummary[]> {
  const script = workerScriptPath('verify-worker');
  const workers: Worker[] = [];
  const stopAll = (): void => {
    for (const worker of workers) void worker.terminate();
  };
  return new Promise<RangeSummary[]>((resolvePromise, reject) => {
    const summaries: (RangeSummary | undefined)[] = jobs.map(() => undefined);
    let remaining = jobs.length;
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      stopAll();
      reject(error);
    };
    const onAbort = (): void => fail(cancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });
    jobs.forEach((job, index) => {
      const worker = new Worker(script, { workerData: job, resourceLimits: WORKER_HEAP_LIMITS });
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') onRows(index, message.rowsDone);
        else if (message.type === 'error') fail(new ProofdeskError(message.code, message.message));
        else {
          summaries[index] = message.summary;
          void worker.terminate();
          if (--remaining === 0 && !settled) {
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            resolvePromise(summaries as RangeSummary[]);
          }
        }
      });
      worker.on('error', (error) =>
        fail(new ProofdeskError('INTERNAL', `A verification worker failed: ${error.message}.`)),
      );
      worker.on('exit', (code) => {
        if (!settled && summaries[index] === undefined) {
          fail(
            new ProofdeskError(
              'INTERNAL',
              `A verification worker stopped unexpectedly (exit code ${code}).`,
            ),
          );
        }
      });
    });
  });
}

/**
 * Verifies the ledger at `path`. Preconditions: trust material (keyring, trusted-head store) is
 * passed in. A `pass` verdict proves the chain, signatures checked with the given keyring, anchor
 * and witness heads, (when asked, with the roots and headers given) the anchors' RFC 3161 and
 * OpenTimestamps proofs, and (when a store is given) extension of the previously verified head.
 * It does not prove who holds the keys, what the trust material vouches for, or anything about
 * the tail beyond the newest external head record.
 */
export async function verifyLedgerFile(
  path: string,
  options: LedgerVerificationOptions,
): Promise<LedgerVerificationResult> {
  const crypto = createNodeCryptoProvider();
  const findingCapPerCode = options.findingCapPerCode ?? DEFAULT_FINDING_CAP_PER_CODE;
  const ledger: OpenedLedger = openLedger(path);
  try {
    const fileDigest = sha256OfFile(ledger.location.path);
    // A rejected digest is awaited below; this only stops an unhandled-rejection crash meanwhile.
    fileDigest.catch(() => undefined);
    const extent = readLedgerExtent(ledger.db);
    const keyring =
      options.keyring === null
        ? null
        : [...options.keyring].map(([id, key]) => [id, bytesToHex(key)] as const);
    const baseJob = {
      location: ledger.location,
      schema: ledger.schema,
      keyring,
      requireSignatures: options.requireSignatures,
      findingCapPerCode,
    };
    const parallelism = Math.max(1, options.parallelism ?? availableParallelism());
    const report = (rowsDone: number): void =>
      options.onProgress?.({ rowsDone, rowsTotal: extent.count });

    let summaries: RangeSummary[];
    if (options.signal?.aborted) throw cancelledError();
    // An explicit parallelism always uses workers, so small ledgers can exercise the seams.
    const inline =
      extent.minId === null ||
      extent.maxId === null ||
      parallelism === 1 ||
      (options.parallelism === undefined && extent.count < INLINE_BELOW_ENTRIES);
    if (inline) {
      const range =
        extent.minId === null || extent.maxId === null
          ? null
          : { from: extent.minId, to: extent.maxId };
      summaries = [runRangeJob(ledger.db, { ...baseJob, range }, crypto, report)];
    } else {
      const jobs = splitRange(extent.minId, extent.maxId, parallelism).map((range) => ({
        ...baseJob,
        range,
      }));
      const rowsByJob = jobs.map(() => 0);
      summaries = await runJobsInWorkers(jobs, options.signal, (index, rowsDone) => {
        rowsByJob[index] = rowsDone;
        report(rowsByJob.reduce((sum, rows) => sum + rows, 0));
      });
    }
    if (options.signal?.aborted) throw cancelledError();

    const anchors = readAnchors(ledger.db, ledger.schema);
    const proofTrust = options.anchorProofs ?? { ots: null, tsa: null };
    const proofsById = new Map(
      (proofTrust.ots === null && proofTrust.tsa === null
        ? []
        : readAnchorProofs(ledger.db, ledger.schema)
      ).map((proof) => [proof.anchorId, proof]),
    );
    const anchorProofFindings = await checkAnchorProofs(
      anchors.map((anchor) => {
        const proof = proofsById.get(anchor.anchorId);
        return {
          ...anchor,
          otsProofBlob: proof?.otsProofBlob ?? null,
          tstBlob: proof?.tstBlob ?? null,
        };
      }),
      proofTrust,
    );
    const witnesses = readWitnesses(ledger.db, ledger.schema);
    const attestations = readAttestations(ledger.db, ledger.schema);
    const trusted = options.trustedHeads?.load(ledger.location.path) ?? null;
    const lookupIds = headEntryIdsOf(anchors, attestations);
    if (trusted !== null) lookupIds.push(trusted.entryId);
    const entryHashAt = readEntryHashes(ledger.db, lookupIds);

    const nonEmpty = summaries.filter((summary) => summary.rows > 0);
    const first = nonEmpty[0]?.first ?? null;
    const last = nonEmpty.at(-1)?.last ?? null;
    const head = last === null ? null : { entryId: last.entryId, entryHash: last.entryHash };
    const trustedHeadCheck: CheckResult =
      options.trustedHeads === null
        ? {
            check: 'trusted_head',
            status: 'SKIP',
            code: 'TRUSTED_HEAD_NOT_RECORDED',
            message:
              'no trusted-head store was used, so truncation or re-hashing of the whole tail cannot be seen',
          }
        : compareWithTrustedHead(trusted, {
            count: extent.count,
            head,
            genesisHash: first?.entryHash ?? null,
            hashAtTrustedEntryId:
              trusted === null ? null : (entryHashAt.get(trusted.entryId) ?? null),
          });

    const outcome = assembleLedgerChecks({
      ranges: summaries,
      sequence: readSequence(ledger.db, ledger.schema),
      anchors,
      anchorFindings: checkAnchorHeads(anchors, entryHashAt),
      anchorProofFindings,
      witnessCount: witnesses.length,
      attestationCount: attestations.length,
      witnessFindings: checkWitnessAttestations(witnesses, attestations, entryHashAt, crypto),
      trustedHead: trustedHeadCheck,
      keyringGiven: options.keyring !== null,
      requireSignatures: options.requireSignatures,
      findingCapPerCode,
    });
    const verdict = computeVerdict(outcome.checks);
    const { sha256, bytes } = await fileDigest;

    let trustedHeadRecorded = false;
    if (options.trustedHeads !== null && verdict !== 'fail' && head !== null && first !== null) {
      options.trustedHeads.save(ledger.location.path, {
        entryId: head.entryId,
        entryHash: head.entryHash,
        count: extent.count,
        genesisHash: first.entryHash,
        verifiedAt: (options.now?.() ?? new Date()).toISOString(),
      });
      trustedHeadRecorded = true;
    }
    return {
      file: { path: ledger.location.path, sha256, bytes },
      entries: outcome.entries,
      head,
      checks: outcome.checks,
      verdict,
      trustedHeadRecorded,
    };
  } finally {
    ledger.close();
  }
}
