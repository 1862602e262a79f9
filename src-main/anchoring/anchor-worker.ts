/**
 * Worker thread entry: runs one anchoring or upgrade job (anchor-writer.ts), the only code that
 * uses the network for anchors, off main's event loop. It posts a step before each phase and its
 * result; a 'cancel' message aborts the requests in flight, and nothing is written after that.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProofdeskError } from '../../src-shared/check-code';
import type { AnchorJob, AnchorWorkerCommand, AnchorWorkerMessage } from './anchor-worker-protocol';
import { anchorLedger, upgradeAnchors } from './anchor-writer';

const job = workerData as AnchorJob;
const post = (message: AnchorWorkerMessage): void => parentPort?.postMessage(message);
const controller = new AbortController();
parentPort?.on('message', (command: AnchorWorkerCommand) => {
  if (command.type === 'cancel') controller.abort();
});

async function run(): Promise<void> {
  try {
    if (job.kind === 'anchor') {
      post({ type: 'progress', step: 'Asking the calendars and TSAs', done: 0, total: 2 });
      const result = await anchorLedger(job.ledgerPath, {
        tsaUrls: job.tsaUrls,
        calendarUrls: job.calendarUrls,
        timeoutMs: job.timeoutMs,
        signal: controller.signal,
      });
      post({ type: 'progress', step: 'Anchor written', done: 2, total: 2 });
      post({ type: 'done', outcome: { kind: 'anchor', result } });
    } else {
      post({ type: 'progress', step: 'Asking the calendars for confirmations', done: 0, total: 1 });
      const result = await upgradeAnchors(job.ledgerPath, {
        timeoutMs: job.timeoutMs,
        signal: controller.signal,
        ...(job.allowedCalendars === undefined ? {} : { allowedCalendars: job.allowedCalendars }),
      });
      post({ type: 'progress', step: 'Upgrade finished', done: 1, total: 1 });
      post({ type: 'done', outcome: { kind: 'upgrade', result } });
    }
  } catch (error) {
    const failure =
      error instanceof ProofdeskError
        ? error
        : controller.signal.aborted
          ? new ProofdeskError('CANCELLED', 'Anchoring was cancelled; nothing was written.')
          : new ProofdeskError('INTERNAL', error instanceof Error ? error.message : String(error));
    post({ type: 'error', code: failure.code, message: failure.message });
  } finally {
    parentPort?.close();
  }
}

void run();
