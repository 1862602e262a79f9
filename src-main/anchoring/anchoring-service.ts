/**
 * Main's anchoring: one job at a time (anchor now, upgrade, or a scheduled anchor), each in a
 * worker thread (anchor-worker.ts) so the network never runs on main's event loop, with progress
 * and cancel. The scheduler looks at the open ledger every half minute and anchors it when its
 * schedule (enabled by the user, per ledger) says so, backing off after failures. Every attempt
 * is recorded (anchoring-state.ts), failures included.
 */
import { Worker } from 'node:worker_threads';
import { shouldAnchor } from '../../src-shared/anchors/anchor-schedule';
import { ProofdeskError } from '../../src-shared/check-code';
import { openLedger } from '../ledger/ledger-database';
import { workerScriptPath } from '../worker-script';
import type {
  AnchorJob,
  AnchorJobResult,
  AnchorWorkerCommand,
  AnchorWorkerMessage,
} from './anchor-worker-protocol';
import { AnchoringStateStore, type AnchorAttempt } from './anchoring-state';

export interface AnchoringProgress {
  readonly job: AnchorJob['kind'];
  readonly step: string;
  readonly done: number;
  readonly total: number;
}

const TICK_MS = 30_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** What the schedule needs to know about the ledger: entries since the last anchor, and when. */
export function anchoringPosition(ledgerPath: string): {
  entriesSinceLast: number;
  lastAnchorAt: Date | null;
} {
  const ledger = openLedger(ledgerPath);
  try {
    const head =
      ledger.db.prepare<[], { id: number | null }>('SELECT MAX(entry_id) AS id FROM entries').get()
        ?.id ?? 0;
    if (!ledger.schema.hasAnchors) return { entriesSinceLast: head, lastAnchorAt: null };
    const last = ledger.db
      .prepare<[], { head: number | null; at: string | null }>(
        'SELECT chain_head_entry_id AS head, submitted_at AS at FROM anchors ORDER BY anchor_id DESC LIMIT 1',
      )
      .get();
    const at = last?.at === null || last?.at === undefined ? null : new Date(last.at);
    return {
      entriesSinceLast: head - (last?.head ?? 0),
      lastAnchorAt: at === null || Number.isNaN(at.getTime()) ? null : at,
    };
  } finally {
    ledger.close();
  }
}

function describeOutcome(
  outcome: AnchorJobResult,
): Pick<AnchorAttempt, 'outcome' | 'message' | 'anchorId'> {
  if (outcome.kind === 'upgrade') {
    const { attempted, upgraded, stillPending } = outcome.result;
    return {
      outcome: 'OK',
      message: `asked about ${attempted} pending proof${attempted === 1 ? '' : 's'}: ${upgraded} confirmed, ${stillPending} still pending`,
      anchorId: outcome.result.upgradedIds[0] ?? null,
    };
  }
  const { result } = outcome;
  const failed = result.failures.map(
    (failure) => `${failure.track} ${failure.url}: ${failure.reason}`,
  );
  return {
    outcome: failed.length === 0 ? 'OK' : 'PARTIAL',
    message:
      `anchored entry ${result.chainHeadEntryId} as anchor ${result.anchorId}` +
      (failed.length === 0 ? '' : `; not answered: ${failed.join('; ')}`),
    anchorId: result.anchorId,
  };
}

export class AnchoringService {
  readonly state: AnchoringStateStore;
  private running: { worker: Worker; kind: AnchorJob['kind'] } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    stateDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.state = new AnchoringStateStore(stateDir);
  }

  isBusy(): boolean {
    return this.running !== null;
  }

  /** Runs one job in the worker and records the attempt; a failure is recorded, then thrown. */
  async run(
    job: AnchorJob,
    trigger: AnchorAttempt['trigger'],
    onProgress: (progress: AnchoringProgress) => void = () => {},
  ): Promise<AnchorJobResult> {
    if (this.running !== null) {
      throw new ProofdeskError(
        'USAGE',
        'Anchoring is already running; cancel it or wait for it to finish.',
      );
    }
    const worker = new Worker(workerScriptPath('anchor-worker'), { workerData: job });
    this.running = { worker, kind: job.kind };
    const record = (attempt: Pick<AnchorAttempt, 'outcome' | 'message' | 'anchorId'>): void => {
      const at = this.now();
      this.state.recordAttempt(job.ledgerPath, { ...attempt, trigger, at: at.toISOString() }, at);
    };
    try {
      const outcome = await new Promise<AnchorJobResult>((resolve, reject) => {
        worker.on('message', (message: AnchorWorkerMessage) => {
          if (message.type === 'progress') onProgress({ job: job.kind, ...message });
          else if (message.type === 'done') resolve(message.outcome);
          else reject(new ProofdeskError(message.code, message.message));
        });
        worker.on('error', (error) =>
          reject(new ProofdeskError('INTERNAL', `The anchoring worker failed: ${error.message}`)),
        );
        worker.on('exit', () =>
          reject(new ProofdeskError('CANCELLED', 'Anchoring was cancelled; nothing was written.')),
        );
      });
      record(describeOutcome(outcome));
      return outcome;
    } catch (error) {
      const failure =
        error instanceof ProofdeskError ? error : new ProofdeskError('INTERNAL', String(error));
      if (failure.code !== 'CANCELLED')
        record({ outcome: 'FAILED', message: failure.message, anchorId: null });
      throw failure;
    } finally {
      this.running = null;
      void worker.terminate();
    }
  }

  /** Asks the running job to stop; its run() then fails with CANCELLED. */
  cancel(): boolean {
    if (this.running === null) return false;
    const command: AnchorWorkerCommand = { type: 'cancel' };
    this.running.worker.postMessage(command);
    return true;
  }

  /** One look at the ledger: anchors it when its schedule says so and no backoff is in force. */
  async tick(ledgerPath: string | null): Promise<boolean> {
    if (ledgerPath === null || this.running !== null) return false;
    const record = this.state.load(ledgerPath);
    const { schedule } = record;
    const now = this.now();
    if (!schedule.enabled) return false;
    if (schedule.calendarUrls.length === 0 && schedule.tsaUrls.length === 0) return false;
    if (record.retryNotBefore !== null && new Date(record.retryNotBefore) > now) return false;
    const position = anchoringPosition(ledgerPath);
    if (!shouldAnchor(schedule, position.entriesSinceLast, position.lastAnchorAt, now))
      return false;
    try {
      await this.run(
        {
          kind: 'anchor',
          ledgerPath,
          tsaUrls: schedule.tsaUrls,
          calendarUrls: schedule.calendarUrls,
          timeoutMs: REQUEST_TIMEOUT_MS,
        },
        'schedule',
      );
    } catch {
      // Recorded by run(), with its backoff; the schedule tries again later.
    }
    return true;
  }

  /** Watches whatever ledger `target` names now (main's open ledger), until stop(). */
  start(target: () => string | null): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      let path: string | null;
      try {
        path = target();
        void this.tick(path).catch(() => {});
      } catch {
        // A ledger that cannot be read now is looked at again on the next tick.
      }
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.cancel();
  }
}

export { REQUEST_TIMEOUT_MS };
