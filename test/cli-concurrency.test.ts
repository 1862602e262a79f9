/**
 * Several `proofdesk append` processes writing to one ledger at the same moment: nexuscone only
 * serialises writers inside one process (spec §7), so Proofdesk must take the write lock before
 * reading the tip. Afterwards the chain must verify, with no entry lost, duplicated or forked.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './support/ledger-fixtures';
import {
  describeRun,
  EXIT,
  runCli,
  runCliAsync,
  temporaryConfigHome,
  type CliResult,
} from './support/cli';

const PROCESSES = 4;
const BATCHES_PER_PROCESS = 15;
const ENTRIES_PER_BATCH = 10;
const TOTAL = PROCESSES * BATCHES_PER_PROCESS * ENTRIES_PER_BATCH;

interface Row {
  entry_id: number;
  actor: string;
  payload: string;
  previous_hash: string;
  entry_hash: string;
}

const configHome = temporaryConfigHome();
const directory = temporaryDirectory();

/** One writer: its batches one after another, each a separate `proofdesk append` process. */
async function writer(path: string, processIndex: number): Promise<CliResult[]> {
  const results: CliResult[] = [];
  for (let batch = 0; batch < BATCHES_PER_PROCESS; batch++) {
    const lines = Array.from({ length: ENTRIES_PER_BATCH }, (_, offset) =>
      JSON.stringify({
        actor: `writer-${processIndex}`,
        action: 'append',
        payload: { process: processIndex, sequence: batch * ENTRIES_PER_BATCH + offset },
      }),
    );
    results.push(await runCliAsync(['append', path], { configHome, input: lines.join('\n') }));
  }
  return results;
}

describe('concurrent proofdesk append (CLI)', () => {
  it(`${PROCESSES} processes appending to one new ledger lose and duplicate nothing`, async () => {
    const folder = mkdtempSync(join(directory, 'case-'));
    const path = join(folder, 'shared.db');

    const results = (
      await Promise.all(Array.from({ length: PROCESSES }, (_, index) => writer(path, index)))
    ).flat();
    const failed = results.filter((result) => result.status !== EXIT.pass);
    expect(failed.map(describeRun)).toEqual([]);

    const verified = runCli(['verify', '--state-dir', join(folder, 'state'), path], {
      configHome,
    });
    expect(verified.status, describeRun(verified)).toBe(EXIT.pass);

    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT * FROM entries ORDER BY entry_id').all() as Row[];
    db.close();
    expect(rows).toHaveLength(TOTAL);
    expect(rows.map((row) => row.entry_id)).toEqual(
      Array.from({ length: TOTAL }, (_, index) => index + 1),
    );
    rows.forEach((row, index) => {
      if (index > 0) expect(row.previous_hash).toBe(rows[index - 1]?.entry_hash);
    });

    // Each (process, sequence) exactly once.
    const seen = new Map<string, number>();
    for (const row of rows) {
      const payload = JSON.parse(row.payload) as { process: number; sequence: number };
      expect(row.actor).toBe(`writer-${payload.process}`);
      const key = `${payload.process}:${payload.sequence}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    for (let processIndex = 0; processIndex < PROCESSES; processIndex++) {
      for (let sequence = 0; sequence < BATCHES_PER_PROCESS * ENTRIES_PER_BATCH; sequence++) {
        expected.set(`${processIndex}:${sequence}`, 1);
      }
    }
    expect(seen).toEqual(expected);

    // A batch is one transaction: its entries are contiguous and in order.
    for (let start = 0; start < rows.length;) {
      const first = JSON.parse(rows[start]?.payload ?? '{}') as {
        process: number;
        sequence: number;
      };
      expect(first.sequence % ENTRIES_PER_BATCH).toBe(0);
      for (let offset = 0; offset < ENTRIES_PER_BATCH; offset++) {
        const entry = JSON.parse(rows[start + offset]?.payload ?? '{}') as {
          process: number;
          sequence: number;
        };
        expect(entry).toEqual({ process: first.process, sequence: first.sequence + offset });
      }
      start += ENTRIES_PER_BATCH;
    }
  });

  it('several processes creating the same new ledger at once all succeed', async () => {
    // The first append to a path creates the file; writers that start in the same instant must
    // not mistake the half-created file for something that is not a ledger.
    const rounds = 10;
    const failures: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const path = join(mkdtempSync(join(directory, 'create-')), 'new.db');
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, (_, index) =>
          runCliAsync(['append', path], {
            configHome,
            input: JSON.stringify({ actor: `writer-${index}`, action: 'first' }),
          }),
        ),
      );
      for (const result of results) {
        if (result.status !== EXIT.pass) failures.push(`round ${round}: ${describeRun(result)}`);
      }
      const db = new Database(path, { readonly: true });
      const count = (db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
      db.close();
      if (failures.length === 0) expect(count).toBe(PROCESSES);
    }
    expect(failures).toEqual([]);
  });
});
