/** The worker pool on a ledger large enough to use it by default: progress, Cancel, and seams. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProofdeskError } from '../src-shared/check-code';
import {
  appendEntries,
  formatNexusconeTimestamp,
  type NewEntry,
} from '../src-main/ledger/ledger-writer';
import {
  verifyLedgerFile,
  type VerificationProgress,
} from '../src-main/ledger/ledger-verification';
import { sha256OfFile, sideFilesOf, temporaryDirectory } from './support/ledger-fixtures';

const ROWS = 60_000;

describe('verification in worker threads', () => {
  const directory = temporaryDirectory();
  const path = join(directory, 'large.db');

  beforeAll(() => {
    let micros = 1_790_000_000_000_000n;
    const entries: NewEntry[] = Array.from({ length: ROWS }, (_, index) => ({
      actor: `agent:${index % 7}`,
      action: 'tool.call',
      eventType: 'request',
      payload: `{"n":${index},"note":"row ${index}"}`,
    }));
    appendEntries(path, entries, {
      createIfMissing: true,
      clock: () => formatNexusconeTimestamp((micros += 1000n)),
    });
  });

  const options = { keyring: null, requireSignatures: false, trustedHeads: null } as const;

  it('reports determinate progress up to the total and passes', async () => {
    const progress: VerificationProgress[] = [];
    const before = sha256OfFile(path);
    const result = await verifyLedgerFile(path, {
      ...options,
      parallelism: 2,
      onProgress: (event) => progress.push(event),
    });
    expect(result.verdict).toBe('pass');
    expect(result.entries).toBe(ROWS);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((event) => event.rowsTotal === ROWS)).toBe(true);
    for (let index = 1; index < progress.length; index++) {
      expect(progress[index]!.rowsDone).toBeGreaterThanOrEqual(progress[index - 1]!.rowsDone);
    }
    expect(progress.at(-1)?.rowsDone).toBe(ROWS);
    expect(sha256OfFile(path)).toBe(before);
    expect(sideFilesOf(path)).toEqual([]);
  });

  it('uses the workers by default above the inline threshold and agrees with one thread', async () => {
    const pooled = await verifyLedgerFile(path, options);
    const inline = await verifyLedgerFile(path, { ...options, parallelism: 1 });
    expect(pooled.checks).toEqual(inline.checks);
  });

  it('Cancel stops the workers and rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const run = verifyLedgerFile(path, {
      ...options,
      parallelism: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(ProofdeskError);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    // Cancelling leaves the ledger as it was and can be followed by a full run.
    expect((await verifyLedgerFile(path, { ...options, parallelism: 2 })).verdict).toBe('pass');
  });

  it('an already-aborted signal never starts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      verifyLedgerFile(path, { ...options, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
