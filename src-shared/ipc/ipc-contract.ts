/**
 * The one IPC contract between the renderer and main: each namespaced channel maps to an input
 * and an output schema, and every reply is a result envelope. Main validates every input against
 * its schema at the boundary; the preload exposes one method per channel and nothing generic.
 * Paths never cross from the renderer: main decides which file is open.
 */
import { z } from 'zod';
import { CHECK_NAMES, CHECK_STATUSES, ERROR_CODES, FINDING_CODES } from '../check-code';

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

export const IPC_CHANNELS = {
  /** The ledger main has open: its name, size and SHA-256. */
  'ledger/describe': { input: noInput, output: ledgerSummarySchema },
  /** Verifies the open ledger in the worker pool; progress arrives as 'ledger/verify-progress'. */
  'ledger/verify': { input: noInput, output: ledgerVerificationSchema },
  /** Cancels a running verification; its 'ledger/verify' call then fails with CANCELLED. */
  'ledger/cancel-verify': { input: noInput, output: z.object({ cancelled: z.boolean() }) },
} as const;

/** Push events from main to the renderer. */
export const IPC_EVENTS = {
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
  'ledger/describe': 'describeLedger',
  'ledger/verify': 'verifyLedger',
  'ledger/cancel-verify': 'cancelVerification',
} as const satisfies Record<IpcChannel, string>;
export const PRELOAD_EVENT_METHODS = {
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
