/**
 * Worker thread entry: verifies one RangeJob on its own read-only connection and posts progress,
 * then its summary. Cancel is the parent terminating the worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ProofdeskError } from '../../src-shared/check-code';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import { describeOpenFailure, openReadOnlyConnection } from '../sqlite/evidence-database';
import { runRangeJob, type RangeJob } from './range-job';
import type { WorkerMessage } from './verify-worker-protocol';

const job = workerData as RangeJob;
const post = (message: WorkerMessage): void => parentPort?.postMessage(message);

try {
  const db = openReadOnlyConnection(job.location);
  try {
    const summary = runRangeJob(db, job, createNodeCryptoProvider(), (rowsDone) =>
      post({ type: 'progress', rowsDone }),
    );
    post({ type: 'done', summary });
  } finally {
    db.close();
  }
} catch (error) {
  const failure =
    error instanceof ProofdeskError ? error : describeOpenFailure(error, job.location.path);
  post({ type: 'error', code: failure.code, message: failure.message });
}
