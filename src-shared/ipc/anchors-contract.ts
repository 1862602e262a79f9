/**
 * The anchors channels: the open ledger's anchors with their state, anchoring now, upgrading
 * pending OpenTimestamps proofs, and the ledger's anchoring schedule. The network is used only
 * by 'anchors/anchor-now' and 'anchors/upgrade', and by the schedule once the user enables it;
 * both run in a worker owned by main and report 'anchors/progress'.
 */
import { z } from 'zod';

export const ANCHOR_STATES = ['PENDING', 'CONFIRMED', 'TSA_ONLY'] as const;

const httpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/, 'an http or https URL');

export const anchorScheduleSchema = z
  .object({
    enabled: z.boolean(),
    everyNEntries: z.number().int().min(1).max(100_000_000),
    everyMMinutes: z.number().int().min(1).max(525_600),
    calendarUrls: z.array(httpUrl).max(16),
    tsaUrls: z.array(httpUrl).max(16),
  })
  .strict();

export const anchorAttemptSchema = z.object({
  /** When the attempt ended, ISO 8601 UTC. */
  at: z.string(),
  trigger: z.enum(['manual', 'schedule', 'upgrade']),
  /** FAILED: nothing written; PARTIAL: written, but a track or server failed; OK: all answered. */
  outcome: z.enum(['OK', 'PARTIAL', 'FAILED']),
  message: z.string(),
  anchorId: z.number().int().nullable(),
});

export const anchorsOverviewSchema = z.object({
  anchors: z.array(
    z.object({
      anchorId: z.number().int(),
      state: z.enum(ANCHOR_STATES),
      chainHeadEntryId: z.number().int().nullable(),
      chainHeadHash: z.string(),
      submittedAt: z.string().nullable(),
      confirmedAt: z.string().nullable(),
      bitcoinBlockHeight: z.number().int().nullable(),
      calendars: z.array(z.string()),
      tsaUrl: z.string().nullable(),
      tsaGenTime: z.string().nullable(),
    }),
  ),
  /** Why anchoring is not possible for what is open (the demo, a dropped copy), or null. */
  unavailableReason: z.string().nullable(),
  schedule: anchorScheduleSchema,
  /** Recent attempts, newest first: failures are kept and retried with backoff. */
  attempts: z.array(anchorAttemptSchema),
  /** When the schedule will next try (after a failure, the backoff's end), or null. */
  nextAttemptAt: z.string().nullable(),
  /** Whether an anchoring or upgrade job is running now. */
  busy: z.boolean(),
});

const noInput = z.object({}).strict();

export const ANCHORS_CHANNELS = {
  'anchors/list': { input: noInput, output: anchorsOverviewSchema },
  /** Anchors the head now with the schedule's calendars and TSAs (enabled or not). */
  'anchors/anchor-now': { input: noInput, output: anchorsOverviewSchema },
  /** Asks the calendars named in pending proofs for their Bitcoin attestations. */
  'anchors/upgrade': { input: noInput, output: anchorsOverviewSchema },
  /** Stops a running job; its call then fails with CANCELLED and nothing is written. */
  'anchors/cancel': { input: noInput, output: z.object({ cancelled: z.boolean() }) },
  'anchors/set-schedule': { input: anchorScheduleSchema, output: anchorsOverviewSchema },
} as const;

export const ANCHORS_EVENTS = {
  /** A running job's step, for the progress line. */
  'anchors/progress': z.object({
    job: z.enum(['anchor', 'upgrade']),
    step: z.string(),
    done: z.number().int(),
    total: z.number().int(),
  }),
} as const;
