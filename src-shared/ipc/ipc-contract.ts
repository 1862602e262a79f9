/**
 * The one IPC contract between the renderer and main: each namespaced channel maps to an input
 * and an output schema, and every reply is a result envelope. Main validates every input against
 * its schema at the boundary; the preload exposes one method per channel and nothing generic.
 * Paths never cross from the renderer: main decides which file is open.
 */
import { z } from 'zod';
import { decisionTimelineSchema } from '../decisions/decision-timeline-schema';
import { CHECK_NAMES, CHECK_STATUSES, ERROR_CODES, FINDING_CODES } from '../check-code';
import {
  ledgerEntryDetailSchema,
  ledgerEntryInputSchema,
  ledgerLocateInputSchema,
  ledgerLocateOutputSchema,
  ledgerPageInputSchema,
  ledgerPageOutputSchema,
} from './ledger-browse-contract';
import { ANCHORS_CHANNELS, ANCHORS_EVENTS } from './anchors-contract';
import { REPORT_CHANNELS, REPORT_EVENTS } from './report-contract';
import { SETTINGS_CHANNELS } from './settings-contract';
import { WORKSPACE_CHANNELS, WORKSPACE_EVENTS } from './workspace-contract';

const noInput = z.object({}).strict();

export const checkResultSchema = z.object({
  check: z.enum(CHECK_NAMES),
  status: z.enum(CHECK_STATUSES),
  code: z.enum(FINDING_CODES).optional(),
  entryId: z.number().int().optional(),
  anchorId: z.number().int().optional(),
  attestationId: z.number().int().optional(),
  witnessId: z.number().int().optional(),
  decisionId: z.string().optional(),
  seq: z.number().int().optional(),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  required: z.boolean().optional(),
});

export const ledgerSummarySchema = z.object({
  /** The file's name for display; main keeps the path. */
  fileName: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
});

export const ledgerVerificationSchema = z.object({
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  file: ledgerSummarySchema,
  entries: z.number().int(),
  head: z.object({ entryId: z.number().int(), entryHash: z.string() }).nullable(),
  trustedHeadRecorded: z.boolean(),
  checks: z.array(checkResultSchema),
});

const blockingReasonSchema = z.object({ code: z.string(), message: z.string() });

export const decisionSummarySchema = z.object({
  decisionId: z.string(),
  /** Replayed state, or 'unreplayable' for a decision shown as corrupt. */
  state: z.string(),
  goal: z.string().nullable(),
  createdAt: z.string(),
  approvalsCurrent: z.number().int(),
  approvalsRequired: z.number().int(),
  blocking: z.array(blockingReasonSchema),
});

const actionAllowanceSchema = z.object({ allowed: z.boolean(), reason: z.string().nullable() });

export const decisionDetailSchema = decisionSummarySchema.extend({
  plan: z.string().nullable(),
  mode: z.string().nullable(),
  labels: z.array(z.string()),
  policy: z
    .object({
      minApprovals: z.number().int(),
      allowedModes: z.array(z.string()),
      requireAdapterCapabilities: z.array(z.string()),
      maxSteps: z.string().nullable(),
      requireSignedApprovals: z.boolean(),
    })
    .nullable(),
  template: z.object({ name: z.string(), digest: z.string() }).nullable(),
  approvals: z.array(
    z.object({
      actorId: z.string(),
      grantedAt: z.string(),
      expiresAt: z.string().nullable(),
      comment: z.string().nullable(),
      revoked: z.boolean(),
      revokeReason: z.string().nullable(),
      active: z.boolean(),
      signature: z.enum(['valid', 'invalid', 'unsigned']),
    }),
  ),
  executions: z.array(
    z.object({
      adapterId: z.string(),
      dryRun: z.boolean(),
      requestedAt: z.string(),
      runId: z.string().nullable(),
      outcome: z.enum(['pending', 'success', 'failed']),
      errorMessage: z.string().nullable(),
    }),
  ),
  timeline: decisionTimelineSchema,
  corruptReason: z.string().nullable(),
  /** The officer this session signs as, and whether they may act now. */
  officer: z.string().nullable(),
  canApprove: actionAllowanceSchema,
  canRevoke: actionAllowanceSchema,
});

const decisionIdInput = z.object({ decisionId: z.string().min(1).max(200) }).strict();

export const IPC_CHANNELS = {
  // 'workspace/…': what is open, Open…, recent files, dropped files (workspace-contract.ts).
  ...WORKSPACE_CHANNELS,
  // 'settings/…': the officer key and the keyrings of trusted signers (settings-contract.ts).
  ...SETTINGS_CHANNELS,
  // 'anchors/…': the open ledger's anchors, anchoring and upgrading (anchors-contract.ts).
  ...ANCHORS_CHANNELS,
  // 'report/…': the narrative report and its export (report-contract.ts).
  ...REPORT_CHANNELS,
  /** The ledger main has open: its name, size and SHA-256. */
  'ledger/describe': { input: noInput, output: ledgerSummarySchema },
  /** Verifies the open ledger in the worker pool; progress arrives as 'ledger/verify-progress'. */
  'ledger/verify': { input: noInput, output: ledgerVerificationSchema },
  /** Cancels a running verification; its 'ledger/verify' call then fails with CANCELLED. */
  'ledger/cancel-verify': { input: noInput, output: z.object({ cancelled: z.boolean() }) },
  /** Every decision in the open store, replayed now; corrupt ones listed with their reason. */
  'decision/list': {
    input: noInput,
    output: z.object({
      storeName: z.string(),
      asOf: z.string(),
      decisions: z.array(decisionSummarySchema),
    }),
  },
  'decision/get': { input: decisionIdInput, output: decisionDetailSchema },
  /** A signed approval by the session's officer; the answer is the decision as it now stands. */
  'decision/approve': {
    input: decisionIdInput
      .extend({
        comment: z.string().max(2000).optional(),
        /** ISO 8601 with a UTC offset, in the future. */
        expiresAt: z.string().max(64).optional(),
      })
      .strict(),
    output: decisionDetailSchema,
  },
  'decision/revoke': {
    input: decisionIdInput.extend({ reason: z.string().max(2000).optional() }).strict(),
    output: decisionDetailSchema,
  },
  /** A keyset page of the open ledger's entries in a sort and filter (ledger-browse-contract.ts). */
  'ledger/page': { input: ledgerPageInputSchema, output: ledgerPageOutputSchema },
  /** One entry in full: columns, payload, canonical hash input, hashes, signature. */
  'ledger/entry': { input: ledgerEntryInputSchema, output: ledgerEntryDetailSchema },
  /** The 0-based position of an entry in a sort and filter, for scrolling to it. */
  'ledger/locate': { input: ledgerLocateInputSchema, output: ledgerLocateOutputSchema },
} as const;

/** Push events from main to the renderer. */
export const IPC_EVENTS = {
  ...WORKSPACE_EVENTS,
  ...ANCHORS_EVENTS,
  ...REPORT_EVENTS,
  'ledger/verify-progress': z.object({ rowsDone: z.number().int(), rowsTotal: z.number().int() }),
} as const;

export type IpcChannel = keyof typeof IPC_CHANNELS;
export type IpcEvent = keyof typeof IPC_EVENTS;
export type ChannelInput<C extends IpcChannel> = z.infer<(typeof IPC_CHANNELS)[C]['input']>;
export type ChannelOutput<C extends IpcChannel> = z.infer<(typeof IPC_CHANNELS)[C]['output']>;
export type EventPayload<E extends IpcEvent> = z.infer<(typeof IPC_EVENTS)[E]>;

export const ipcErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });
export type IpcError = z.infer<typeof ipcErrorSchema>;
export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcError };

/** The preload's method name for each channel, and for each event subscription. */
export const PRELOAD_METHODS = {
  'workspace/describe': 'describeWorkspace',
  'workspace/open-dialog': 'showOpenDialog',
  'workspace/browse': 'browseFolder',
  'workspace/open': 'openFile',
  'workspace/drop-begin': 'beginDroppedFile',
  'workspace/drop-chunk': 'sendDroppedFileChunk',
  'workspace/drop-open': 'openDroppedFile',
  'workspace/drop-abort': 'abortDroppedFile',
  'settings/describe': 'describeSettings',
  'settings/create-officer-key': 'createOfficerKey',
  'settings/import-officer-key': 'importOfficerKey',
  'settings/remove-officer-key': 'removeOfficerKey',
  'settings/add-keyring': 'addKeyring',
  'settings/remove-keyring': 'removeKeyring',
  'settings/add-tsa-roots': 'addTsaRoots',
  'settings/remove-tsa-roots': 'removeTsaRoots',
  'settings/set-block-headers': 'setBlockHeaders',
  'settings/clear-block-headers': 'clearBlockHeaders',
  'anchors/list': 'listAnchors',
  'anchors/anchor-now': 'anchorNow',
  'anchors/upgrade': 'upgradeAnchors',
  'anchors/cancel': 'cancelAnchoring',
  'anchors/set-schedule': 'setAnchorSchedule',
  'report/build': 'buildReport',
  'report/export': 'exportReport',
  'ledger/describe': 'describeLedger',
  'ledger/verify': 'verifyLedger',
  'ledger/cancel-verify': 'cancelVerification',
  'decision/list': 'listDecisions',
  'decision/get': 'getDecision',
  'decision/approve': 'approveDecision',
  'decision/revoke': 'revokeApproval',
  'ledger/page': 'readLedgerPage',
  'ledger/entry': 'readLedgerEntry',
  'ledger/locate': 'locateLedgerEntry',
} as const satisfies Record<IpcChannel, string>;
export const PRELOAD_EVENT_METHODS = {
  'workspace/changed': 'onWorkspaceChanged',
  'anchors/progress': 'onAnchoringProgress',
  'report/progress': 'onReportProgress',
  'ledger/verify-progress': 'onVerifyProgress',
} as const satisfies Record<IpcEvent, string>;

/** What the preload exposes on `window.proofdesk`, derived from the contract. */
export type ProofdeskApi = {
  [C in IpcChannel as (typeof PRELOAD_METHODS)[C]]: (
    input: ChannelInput<C>,
  ) => Promise<IpcResult<ChannelOutput<C>>>;
} & {
  [E in IpcEvent as (typeof PRELOAD_EVENT_METHODS)[E]]: (
    listener: (payload: EventPayload<E>) => void,
  ) => () => void;
};
