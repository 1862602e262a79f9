/**
 * The narrative report: one model of what was verified, as of when, with which trust material,
 * what it found, and what it does not prove. The app's Narrative view, the canonical JSON and the
 * PDF are three renderings of this one value, so they cannot say different things.
 *
 * Every field is a string, an integer, a boolean, null, an array or an object, so the canonical
 * JSON (report-json.ts) is exact and its digest reproducible.
 */
import { z } from 'zod';
import { decisionTimelineSchema } from '../decisions/decision-timeline-schema';
import { CHECK_NAMES, CHECK_STATUSES, FINDING_CODES } from '../check-code';

export const REPORT_FORMAT = 'proofdesk-report';
export const REPORT_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const reportCheckSchema = z.object({
  check: z.enum(CHECK_NAMES),
  status: z.enum(CHECK_STATUSES),
  code: z.enum(FINDING_CODES).nullable(),
  /** The record the line is about, e.g. "entry 25", "anchor 2", "decision d1 event 4". */
  record: z.string().nullable(),
  message: z.string(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
});

export const reportDecisionSchema = z.object({
  decisionId: z.string(),
  goal: z.string().nullable(),
  state: z.string(),
  mode: z.string().nullable(),
  createdAt: z.string(),
  approvalsCurrent: z.number().int(),
  approvalsRequired: z.number().int(),
  blocking: z.array(z.object({ code: z.string(), message: z.string() })),
  approvals: z.array(
    z.object({
      actorId: z.string(),
      grantedAt: z.string(),
      expiresAt: z.string().nullable(),
      comment: z.string().nullable(),
      revoked: z.boolean(),
      active: z.boolean(),
      signature: z.enum(['valid', 'invalid', 'unsigned', 'untrusted']),
    }),
  ),
  executions: z.array(
    z.object({
      adapterId: z.string(),
      dryRun: z.boolean(),
      requestedAt: z.string(),
      outcome: z.enum(['pending', 'success', 'failed']),
      errorMessage: z.string().nullable(),
    }),
  ),
  timeline: decisionTimelineSchema,
});

export const narrativeReportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(REPORT_VERSION),
  generator: z.object({ name: z.literal('proofdesk'), version: z.string() }),
  /** The instant the report speaks for: decisions are replayed, expiry judged, as of it. */
  asOf: z.string(),
  title: z.string(),
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  scope: z.object({
    /**
     * The part of the ledger the record-keeping facts describe; null: all of it. The checks
     * always cover the whole ledger, since a chain is only intact as a whole.
     */
    selection: z
      .object({
        fromEntryId: z.number().int().nullable(),
        toEntryId: z.number().int().nullable(),
        actor: z.string().nullable(),
        eventType: z.string().nullable(),
      })
      .nullable(),
    ledger: z
      .object({
        fileName: z.string(),
        sha256: hex64,
        bytes: z.number().int(),
        entries: z.number().int(),
        head: z.object({ entryId: z.number().int(), entryHash: hex64 }).nullable(),
      })
      .nullable(),
    decisionStore: z
      .object({ fileName: z.string(), sha256: hex64, decisionId: z.string().nullable() })
      .nullable(),
    trust: z.object({
      /** Key ids of the entry and officer keys trusted; null: no keyring was given. */
      keyIds: z.array(z.string()).nullable(),
      /** Subjects of the TSA roots; null: none supplied. */
      tsaRoots: z.array(z.string()).nullable(),
      /** Heights of the block headers supplied; null: none. */
      blockHeaderHeights: z.array(z.number().int()).nullable(),
      trustedHeadCompared: z.boolean(),
    }),
  }),
  checks: z.array(reportCheckSchema),
  decision: reportDecisionSchema.nullable(),
  anchors: z.array(
    z.object({
      anchorId: z.number().int(),
      state: z.enum(['PENDING', 'CONFIRMED', 'TSA_ONLY']),
      chainHeadEntryId: z.number().int().nullable(),
      submittedAt: z.string().nullable(),
      bitcoinBlockHeight: z.number().int().nullable(),
      tsaUrl: z.string().nullable(),
      tsaGenTime: z.string().nullable(),
    }),
  ),
  witnesses: z.array(
    z.object({
      witnessId: z.number().int(),
      label: z.string(),
      role: z.string(),
      retired: z.boolean(),
      attestations: z.number().int(),
      lastAttestedEntryId: z.number().int().nullable(),
    }),
  ),
  evidence: z.object({
    fileSha256: hex64.nullable(),
    headHash: hex64.nullable(),
    decisionStoreSha256: hex64.nullable(),
    bundleDigest: z.string().nullable(),
    packageDigest: z.string().nullable(),
  }),
  /** What the result does NOT prove, one plain sentence each. */
  limitations: z.array(z.string()),
  /** EU AI Act Article 12 record-keeping facts; never a statement of conformity. */
  recordKeeping: z
    .object({
      /** Entries the selection holds (all entries without one). */
      selectedEntries: z.number().int(),
      countsByEventType: z.array(z.object({ eventType: z.string(), entries: z.number().int() })),
      firstTimestamp: z.string().nullable(),
      lastTimestamp: z.string().nullable(),
      entryIdsContiguous: z.boolean(),
      entriesAfterNewestAnchor: z.number().int(),
      newestAnchoredEntryId: z.number().int().nullable(),
    })
    .nullable(),
});

export type NarrativeReport = z.infer<typeof narrativeReportSchema>;
export type ReportCheck = z.infer<typeof reportCheckSchema>;
export type ReportDecision = z.infer<typeof reportDecisionSchema>;
