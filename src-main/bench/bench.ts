/**
 * `npm run bench`: verification and PDF report speed on 1M-row ledgers, as ratios to a floor measured in the
 * same run on the same machine (a bare SQLite scan plus SHA-256 of each hash input, on all cores).
 *
 * The ledgers are built once and cached outside git ($XDG_CACHE_HOME/proofdesk-bench); delete
 * that folder to rebuild them.
 */
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { publicKeyFromSeed } from '../../src-shared/crypto/ed25519-portable';
import { createNodeEd25519Signer } from '../crypto/node-crypto-provider';
import { openLedger } from '../ledger/ledger-database';
import { readLedgerExtent } from '../ledger/ledger-reader';
import { appendEntries, formatNexusconeTimestamp, type NewEntry } from '../ledger/ledger-writer';
import { seededRandom } from '../demo/demo-events';

const ROWS = Number(process.env.PROOFDESK_BENCH_ROWS ?? 1_000_000);
const BATCH = 50_000;
const KEY_ID = 'bench-key';
const KEY_SEED = new Uint8Array(createHash('sha256').update('proofdesk-bench-key').digest());
const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'proofdesk-bench');
}

/** ~210-byte payloads, like a real gateway's request records. */
function benchEntries(from: number, count: number, random: () => number): NewEntry[] {
  const entries: NewEntry[] = [];
  for (let index = from; index < from + count; index++) {
    const tokens = Math.floor(random() * 4000);
    const payload = `{"cost_usd":${(tokens * 0.0000031).toFixed(6)},"latency_ms":${Math.floor(random() * 4000)},"model":"gpt-5.1-mini","prompt_sha256":"${Math.floor(
      random() * 2 ** 52,
    )
      .toString(16)
      .padStart(16, '0')
      .repeat(4)}","request_id":"req-${index.toString(36).padStart(8, '0')}","tokens":${tokens}}`;
    entries.push({
      actor: `agent:worker-${index % 17}`,
      action: 'chat.completion',
      eventType: 'request',
      payload,
    });
  }
  return entries;
}

function buildLedger(path: string, signed: boolean): void {
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  const random = seededRandom(signed ? 2 : 1);
  let micros = BigInt(Date.UTC(2026, 0, 1)) * 1000n;
  const clock = (): string => formatNexusconeTimestamp((micros += 1234n));
  const sign = createNodeEd25519Signer(KEY_SEED);
  const started = Date.now();
  for (let from = 1; from <= ROWS; from += BATCH) {
    appendEntries(partial, benchEntries(from, Math.min(BATCH, ROWS - from + 1), random), {
      createIfMissing: true,
      clock,
      signer: signed ? { keyId: KEY_ID, sign } : undefined,
    });
    process.stderr.write(
      `\rbuilding ${signed ? 'signed' : 'unsigned'} ledger: ${Math.min(from + BATCH - 1, ROWS).toLocaleString('en-US')} rows`,
    );
  }
  renameSync(partial, path);
  process.stderr.write(` (${((Date.now() - started) / 1000).toFixed(1)} s, cached)\n`);
}

async function measureFloor(path: string): Promise<number> {
  const ledger = openLedger(path);
  const extent = readLedgerExtent(ledger.db);
  const cores = availableParallelism();
  const span = (extent.maxId ?? 0) - (extent.minId ?? 0) + 1;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: cores }, (_, part) => {
      const from = (extent.minId ?? 1) + Math.floor((span * part) / cores);
      const to = (extent.minId ?? 1) + Math.floor((span * (part + 1)) / cores) - 1;
      return new Promise<void>((resolvePromise, reject) => {
        const worker = new Worker(here('./bench-worker.mjs'), {
          workerData: { location: ledger.location, schema: ledger.schema, range: { from, to } },
        });
        worker.once('message', () => void worker.terminate().then(() => resolvePromise()));
        worker.once('error', reject);
      });
    }),
  );
  const elapsed = performance.now() - started;
  ledger.close();
  return elapsed;
}

/** Ed25519 verifications per second on one core with node:crypto, for the signed floor. */
function measureEd25519Rate(): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const message = Buffer.from('a'.repeat(64));
  const signature = sign(null, message, privateKey);
  const count = 20_000;
  const started = performance.now();
  for (let index = 0; index < count; index++) verify(null, message, publicKey, signature);
  return count / ((performance.now() - started) / 1000);
}

interface CliRun {
  readonly ms: number;
  readonly peakRssMb: number;
  readonly verdict: string;
  readonly entries: number;
}

/** Runs `proofdesk verify … --json`, reading its verdict and entry count from the JSON. */
function runVerifyCli(args: string[]): Promise<CliRun> {
  const stateDir = mkdtempSync(join(tmpdir(), 'proofdesk-bench-state-'));
  return runCli(['verify', ...args, '--json', '--state-dir', stateDir], (stdout) => {
    rmSync(stateDir, { recursive: true, force: true });
    const result = JSON.parse(stdout) as { verdict: string; entries: number };
    return { verdict: result.verdict, entries: result.entries };
  });
}

/** Runs `proofdesk report <ledger> --out <pdf>`; the PDF's report JSON gives the verdict. */
function runReportCli(ledgerPath: string): Promise<CliRun> {
  const folder = mkdtempSync(join(tmpdir(), 'proofdesk-bench-report-'));
  const pdf = join(folder, 'report.pdf');
  return runCli(['report', ledgerPath, '--out', pdf], () => {
    const text = readFileSync(pdf, 'latin1');
    rmSync(folder, { recursive: true, force: true });
    const verdict = /"verdict":"(\w+)"/.exec(text)?.[1] ?? 'no report';
    const entries = Number(/"entries":(\d+),"fileName"/.exec(text)?.[1] ?? 0);
    return { verdict, entries };
  });
}

/** Runs the real CLI; peak RSS is the process's VmHWM, sampled until it exits (Linux). */
function runCli(
  args: string[],
  readResult: (stdout: string) => { verdict: string; entries: number },
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [here('../../bin/proofdesk.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    let peakKb = 0;
    const sample = (): void => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // The process has exited between samples.
      }
    };
    const timer = setInterval(sample, 20);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      sample();
    });
    child.on('error', reject);
    child.on('close', () => {
      clearInterval(timer);
      const ms = performance.now() - started;
      try {
        resolvePromise({ ms, peakRssMb: peakKb / 1024, ...readResult(stdout) });
      } catch {
        reject(new Error(`proofdesk ${args[0]} gave no result: ${stdout.slice(0, 200)}`));
      }
    });
  });
}

function format(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export async function main(): Promise<void> {
  const directory = cacheDir();
  mkdirSync(directory, { recursive: true });
  const unsignedPath = join(directory, `ledger-${ROWS}-unsigned.db`);
  const signedPath = join(directory, `ledger-${ROWS}-signed.db`);
  const keyringPath = join(directory, 'bench-keyring.json');
  if (!existsSync(unsignedPath)) buildLedger(unsignedPath, false);
  if (!existsSync(signedPath)) buildLedger(signedPath, true);
  writeFileSync(keyringPath, JSON.stringify({ [KEY_ID]: bytesToHex(publicKeyFromSeed(KEY_SEED)) }));

  const cores = availableParallelism();
  process.stdout.write(
    `Proofdesk bench: ${ROWS.toLocaleString('en-US')} rows, ${cores} cores, ledgers in ${directory}\n\n`,
  );

  // The first scan only warms the page cache, so floor and verify both read from memory.
  await measureFloor(unsignedPath);
  const floorMs = await measureFloor(unsignedPath);
  const unsigned = await runVerifyCli([unsignedPath]);
  await measureFloor(signedPath);
  const signedFloorMs = await measureFloor(signedPath);
  const ed25519PerCore = measureEd25519Rate();
  const signatureFloorMs = signedFloorMs + (ROWS / (ed25519PerCore * cores)) * 1000;
  const signed = await runVerifyCli([signedPath, '--keys', keyringPath, '--require-signatures']);
  const report = await runReportCli(unsignedPath);

  const rate = (ms: number): string =>
    `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s`;
  const lines = [
    ['floor: scan + SHA-256, unsigned', format(floorMs), rate(floorMs), '', '1.00'],
    [
      'proofdesk verify, unsigned',
      format(unsigned.ms),
      rate(unsigned.ms),
      `${unsigned.peakRssMb.toFixed(0)} MB`,
      (unsigned.ms / floorMs).toFixed(2),
    ],
    [
      'floor: scan + SHA-256 + Ed25519, signed',
      format(signatureFloorMs),
      rate(signatureFloorMs),
      '',
      '1.00',
    ],
    [
      'proofdesk verify --keys, signed',
      format(signed.ms),
      rate(signed.ms),
      `${signed.peakRssMb.toFixed(0)} MB`,
      (signed.ms / signatureFloorMs).toFixed(2),
    ],
    [
      'proofdesk report --out PDF, unsigned',
      format(report.ms),
      rate(report.ms),
      `${report.peakRssMb.toFixed(0)} MB`,
      (report.ms / floorMs).toFixed(2),
    ],
  ];
  process.stdout.write(
    `${'what'.padEnd(42)}${'wall'.padStart(9)}${'throughput'.padStart(20)}${'peak RSS'.padStart(10)}${'÷ floor'.padStart(9)}\n`,
  );
  for (const [what, wall, throughput, rss, ratio] of lines) {
    process.stdout.write(
      `${what!.padEnd(42)}${wall!.padStart(9)}${throughput!.padStart(20)}${rss!.padStart(10)}${ratio!.padStart(9)}\n`,
    );
  }
  process.stdout.write(
    `\nnode:crypto Ed25519: ${Math.round(ed25519PerCore).toLocaleString('en-US')} verifications/s per core (signed floor = scan floor + rows ÷ (rate × cores))\n` +
      `verdicts: unsigned ${unsigned.verdict} (${unsigned.entries} entries), signed ${signed.verdict} (${signed.entries} entries), report ${report.verdict} (${report.entries} entries)\n` +
      'reference on 2 cores: nexuscone 1M unsigned ~7.9 s and 1.0 GB; with keys, 1M signed ~101 s. targets: ≤ 2.5 s, ≤ 55 s, ≤ 200 MB\n',
  );
  if (unsigned.verdict !== 'pass' || signed.verdict !== 'pass' || report.verdict !== 'pass')
    process.exitCode = 1;
}

await main();
