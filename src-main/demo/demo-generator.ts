/**
 * Writes resources/demo: a signed demo ledger made with Proofdesk's own writer, and a keyring with
 * the public keys only. Deterministic: the same code always produces the same chain, so the
 * committed ledger can be checked against a fresh generation.
 *
 * The demo signing keys are derived from fixed labels, so they are public knowledge and sign
 * nothing but demo data.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { publicKeyFromSeed } from '../../src-shared/crypto/ed25519-portable';
import { createNodeEd25519Signer } from '../crypto/node-crypto-provider';
import {
  appendEntries,
  formatNexusconeTimestamp,
  type AppendResult,
} from '../ledger/ledger-writer';
import { generateDemoDecisions } from './demo-decisions';
import { generateDemoEvents } from './demo-events';

export const DEMO_ENTRY_COUNT = 3000;
export const DEMO_SEED = 20261122;
/** Keys rotate a third of the way through, as a real deployment's would. */
export const DEMO_KEYS = [
  { keyId: 'acme-audit-2026q3', label: 'proofdesk-demo-signing-key-2026q3', fromEntry: 1 },
  { keyId: 'acme-audit-2026q4', label: 'proofdesk-demo-signing-key-2026q4', fromEntry: 1001 },
] as const;
const DEMO_START_MICROS = BigInt(Date.UTC(2026, 9, 1, 7, 30, 0)) * 1000n;

export const DEMO_LEDGER_FILE = 'demo-ledger.db';
export const DEMO_KEYRING_FILE = 'demo-keyring.json';

const seedOf = (label: string): Uint8Array =>
  new Uint8Array(createHash('sha256').update(label).digest());

export function demoKeyringJson(): string {
  const keyring = Object.fromEntries(
    DEMO_KEYS.map((key) => [key.keyId, bytesToHex(publicKeyFromSeed(seedOf(key.label)))]),
  );
  return `${JSON.stringify(keyring, null, 2)}\n`;
}

/** Writes the demo ledger and keyring into `directory`, replacing any earlier ones. */
export function generateDemo(directory: string): AppendResult {
  mkdirSync(directory, { recursive: true });
  const ledgerPath = join(directory, DEMO_LEDGER_FILE);
  for (const suffix of ['', '-journal', '-wal', '-shm'])
    rmSync(`${ledgerPath}${suffix}`, { force: true });

  const events = generateDemoEvents(DEMO_ENTRY_COUNT, DEMO_SEED);
  let clock = DEMO_START_MICROS;
  let result: AppendResult | undefined;
  DEMO_KEYS.forEach((key, index) => {
    const until = DEMO_KEYS[index + 1]?.fromEntry ?? DEMO_ENTRY_COUNT + 1;
    const batch = events.slice(key.fromEntry - 1, until - 1);
    let next = 0;
    const sign = createNodeEd25519Signer(seedOf(key.label));
    result = appendEntries(ledgerPath, batch, {
      createIfMissing: true,
      signer: { keyId: key.keyId, sign },
      clock: () => {
        clock += BigInt(batch[next++]?.gapMicros ?? 1);
        return formatNexusconeTimestamp(clock);
      },
    });
  });
  writeFileSync(join(directory, DEMO_KEYRING_FILE), demoKeyringJson());
  if (result === undefined) throw new Error('the demo has no keys');
  return result;
}

/** `npm run demo:generate [-- DIR]` */
export async function main(): Promise<void> {
  const directory = resolve(process.argv[2] ?? 'resources/demo');
  const result = generateDemo(directory);
  await generateDemoDecisions(directory);
  process.stdout.write(
    `wrote ${DEMO_ENTRY_COUNT} entries to ${join(directory, DEMO_LEDGER_FILE)}\nhead ${result.headHash}\n`,
  );
}

if (process.argv[1]?.endsWith('demo-generator.mjs')) await main();
