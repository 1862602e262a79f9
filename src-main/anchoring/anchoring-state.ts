/**
 * Per-ledger anchoring state kept outside the audit file (its schema stays nexuscone's): the
 * schedule the user set, the recent attempts, and the backoff after failures. One small JSON
 * record per ledger, keyed by its real path, under `<state dir>/anchoring/`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_ANCHOR_SCHEDULE,
  type AnchorSchedule,
} from '../../src-shared/anchors/anchor-schedule';
import type { ChannelOutput } from '../../src-shared/ipc/ipc-contract';
import { anchorScheduleSchema } from '../../src-shared/ipc/anchors-contract';

export type AnchorAttempt = ChannelOutput<'anchors/list'>['attempts'][number];

export interface AnchoringRecord {
  readonly schedule: AnchorSchedule;
  /** Newest first. */
  readonly attempts: readonly AnchorAttempt[];
  readonly consecutiveFailures: number;
  /** ISO time before which the schedule does not try again; null: no backoff. */
  readonly retryNotBefore: string | null;
}

const FORMAT = 'proofdesk-anchoring';
const KEPT_ATTEMPTS = 20;
/** First retry after a failure; doubling each time, up to the cap. */
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 60 * 60_000;

const EMPTY: AnchoringRecord = {
  schedule: DEFAULT_ANCHOR_SCHEDULE,
  attempts: [],
  consecutiveFailures: 0,
  retryNotBefore: null,
};

/** How long to wait after the n-th failure in a row. */
export function backoffAfter(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

export class AnchoringStateStore {
  private readonly directory: string;

  constructor(stateDir: string) {
    this.directory = join(stateDir, 'anchoring');
  }

  private fileFor(ledgerPath: string): string {
    const key = createHash('sha256').update(realpathSync(ledgerPath), 'utf8').digest('hex');
    return join(this.directory, `${key}.json`);
  }

  /** The record, or the defaults when there is none or it is damaged (a convenience file). */
  load(ledgerPath: string): AnchoringRecord {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.fileFor(ledgerPath), 'utf8'));
    } catch {
      return EMPTY;
    }
    if (typeof parsed !== 'object' || parsed === null) return EMPTY;
    const fields = parsed as Record<string, unknown>;
    if (fields['format'] !== FORMAT) return EMPTY;
    const schedule = anchorScheduleSchema.safeParse(fields['schedule']);
    return {
      schedule: schedule.success ? schedule.data : DEFAULT_ANCHOR_SCHEDULE,
      attempts: Array.isArray(fields['attempts'])
        ? (fields['attempts'] as AnchorAttempt[]).slice(0, KEPT_ATTEMPTS)
        : [],
      consecutiveFailures:
        typeof fields['consecutive_failures'] === 'number' ? fields['consecutive_failures'] : 0,
      retryNotBefore:
        typeof fields['retry_not_before'] === 'string' ? fields['retry_not_before'] : null,
    };
  }

  private save(ledgerPath: string, record: AnchoringRecord): void {
    mkdirSync(this.directory, { recursive: true });
    const file = this.fileFor(ledgerPath);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(
      temporary,
      `${JSON.stringify(
        {
          format: FORMAT,
          version: 1,
          ledger_path: realpathSync(ledgerPath),
          schedule: record.schedule,
          attempts: record.attempts,
          consecutive_failures: record.consecutiveFailures,
          retry_not_before: record.retryNotBefore,
        },
        null,
        2,
      )}\n`,
    );
    renameSync(temporary, file);
  }

  setSchedule(ledgerPath: string, schedule: AnchorSchedule): AnchoringRecord {
    const record = { ...this.load(ledgerPath), schedule };
    this.save(ledgerPath, record);
    return record;
  }

  /**
   * Records an attempt. A failed anchoring pushes the next scheduled try back (doubling each
   * time), a written anchor clears the backoff, and an upgrade leaves it alone: only anchoring
   * runs on the schedule.
   */
  recordAttempt(ledgerPath: string, attempt: AnchorAttempt, now: Date): AnchoringRecord {
    const previous = this.load(ledgerPath);
    const attempts = [attempt, ...previous.attempts].slice(0, KEPT_ATTEMPTS);
    let record: AnchoringRecord = { ...previous, attempts };
    if (attempt.trigger !== 'upgrade') {
      const consecutiveFailures =
        attempt.outcome === 'FAILED' ? previous.consecutiveFailures + 1 : 0;
      record = {
        ...record,
        consecutiveFailures,
        retryNotBefore:
          consecutiveFailures === 0
            ? null
            : new Date(now.getTime() + backoffAfter(consecutiveFailures)).toISOString(),
      };
    }
    this.save(ledgerPath, record);
    return record;
  }
}
