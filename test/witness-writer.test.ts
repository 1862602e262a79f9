/**
 * Witnesses written by Proofdesk in nexuscone's format: register, attest (each witness its own
 * sub-chain, signing the raw attestation hash), retire; the verifier accepts what was written,
 * python3 recomputes every attestation_hash with nexuscone's formula, and bad requests are one
 * sentence with nothing written. Also through the `proofdesk witness` command line.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicKeyFromSeed, signEd25519 } from '../src-shared/crypto/ed25519-portable';
import { bytesToHex } from '../src-shared/crypto/hex';
import {
  attestWithWitness,
  registerWitness,
  retireWitness,
} from '../src-main/anchoring/witness-writer';
import { writeNewKeyFile } from '../src-main/crypto/key-file';
import { appendEntries } from '../src-main/ledger/ledger-writer';
import { verifyLedgerFile } from '../src-main/ledger/ledger-verification';
import { EXIT, expectOneSentenceError, runCli, temporaryConfigHome } from './support/cli';
import { newLedger, sha256OfFile, temporaryDirectory } from './support/ledger-fixtures';

function witnessKey(fill: number) {
  const seed = new Uint8Array(32).fill(fill);
  return {
    seed,
    publicKeyHex: bytesToHex(publicKeyFromSeed(seed)),
    sign: (message: Uint8Array) => signEd25519(seed, message),
  };
}

function attestationRows(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM witness_attestations ORDER BY attestation_id').all() as Record<
      string,
      string | number
    >[];
  } finally {
    db.close();
  }
}

const witnessChecks = async (path: string) =>
  (
    await verifyLedgerFile(path, { keyring: null, requireSignatures: false, trustedHeads: null })
  ).checks.filter((check) => check.check.startsWith('witnesses.'));

describe('witness writer', () => {
  it("writes attestations nexuscone's formula and Proofdesk's verifier both accept", async () => {
    const path = newLedger();
    const first = witnessKey(1);
    const second = witnessKey(2);
    expect(
      registerWitness(path, { label: 'W1', publicKeyHex: first.publicKeyHex, role: 'consortium' }),
    ).toEqual({ witnessId: 1 });
    registerWitness(path, { label: 'W2', publicKeyHex: second.publicKeyHex, role: 'regulator' });
    const a1 = attestWithWitness(path, 'W1', first);
    expect(a1).toMatchObject({ attestationId: 1, witnessId: 1, chainHeadEntryId: 3 });
    appendEntries(path, [
      { actor: 'agent', action: 'step 4', eventType: 'request', payload: '{}' },
    ]);
    attestWithWitness(path, 2, second);
    const a3 = attestWithWitness(path, 'W1', first);
    expect(a3.chainHeadEntryId).toBe(4);

    const rows = attestationRows(path);
    // Each witness links to its own previous attestation; the first to 64 zeros.
    expect(rows.map((row) => [row['witness_id'], row['prev_attestation_hash']])).toEqual([
      [1, '0'.repeat(64)],
      [2, '0'.repeat(64)],
      [1, a1.attestationHash],
    ]);
    // nexuscone's formula, run by Python itself.
    const recomputed = execFileSync(
      'python3',
      [
        '-c',
        `import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute('SELECT chain_head_entry_id, chain_head_hash, prev_attestation_hash, signed_at, witness_id FROM witness_attestations ORDER BY attestation_id'):
    fields = dict(zip(['chain_head_entry_id', 'chain_head_hash', 'prev_attestation_hash', 'signed_at', 'witness_id'], row))
    print(hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(',', ':'), ensure_ascii=True).encode()).hexdigest())`,
        path,
      ],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(recomputed).toEqual(rows.map((row) => row['attestation_hash']));
    expect((await witnessChecks(path)).map((check) => check.status)).toEqual([
      'PASS',
      'PASS',
      'PASS',
      'PASS',
    ]);
  });

  it('retires once, and a retired witness cannot attest; its old attestations still verify', async () => {
    const path = newLedger();
    const key = witnessKey(3);
    registerWitness(path, { label: 'W', publicKeyHex: key.publicKeyHex, role: 'self' });
    attestWithWitness(path, 'W', key);
    const retired = retireWitness(path, 'W');
    expect(retired.alreadyRetired).toBe(false);
    expect(retireWitness(path, 1)).toEqual({ ...retired, alreadyRetired: true });
    expect(() => attestWithWitness(path, 'W', key)).toThrow(
      /was retired at .* can no longer attest/,
    );
    expect((await witnessChecks(path)).every((check) => check.status === 'PASS')).toBe(true);
  });

  it('refuses bad requests in one sentence and writes nothing', () => {
    const path = newLedger();
    const key = witnessKey(4);
    registerWitness(path, { label: 'W', publicKeyHex: key.publicKeyHex, role: 'consortium' });
    const before = sha256OfFile(path);
    expect(() =>
      registerWitness(path, { label: 'W', publicKeyHex: witnessKey(5).publicKeyHex, role: 'self' }),
    ).toThrow('already has a witness labelled "W"');
    expect(() =>
      registerWitness(path, { label: 'X', publicKeyHex: key.publicKeyHex, role: 'self' }),
    ).toThrow('That public key is already registered as witness "W".');
    expect(() =>
      registerWitness(path, { label: 'Y', publicKeyHex: '00'.repeat(32), role: 'self' }),
    ).toThrow(/That witness public key/);
    expect(() => attestWithWitness(path, 'W', witnessKey(6))).toThrow(
      `That key is not witness "W"'s registered key, so it cannot attest for it.`,
    );
    expect(() => attestWithWitness(path, 'nobody', key)).toThrow(/has no witness "nobody"/);
    expect(sha256OfFile(path)).toBe(before);
  });
});

describe('proofdesk witness', () => {
  const configHome = temporaryConfigHome();
  const cli = (args: string[]) => runCli(args, { configHome });

  it('adds, attests with a keygen key, and retires', () => {
    const path = newLedger();
    const keyFile = join(temporaryDirectory(), 'witness.key');
    const { publicKeyHex } = writeNewKeyFile(keyFile, 'witness-one', new Uint8Array(32).fill(7));
    const added = cli([
      'witness',
      'add',
      path,
      '--label',
      'W1',
      '--public-key',
      publicKeyHex,
      '--role',
      'regulator',
    ]);
    expect(added.status).toBe(EXIT.pass);
    expect(added.stdout).toBe('registered witness 1 "W1" (regulator)\n');
    const attested = cli(['witness', 'attest', path, 'W1', '--key', keyFile]);
    expect(attested.stdout).toMatch(
      /^witness 1 attested entry 3 \(attestation 1, [0-9a-f]{64}\)\n$/,
    );
    expect(cli(['witness', 'retire', path, '1']).stdout).toMatch(/^retired witness 1 at /);
    expect(cli(['verify', path, '--state-dir', temporaryDirectory()]).status).toBe(EXIT.pass);
  });

  it('says what is wrong in one sentence', () => {
    const path = newLedger();
    expectOneSentenceError(cli(['witness', 'add', path, '--label', 'W']), /--public-key/);
    expectOneSentenceError(
      cli(['witness', 'add', path, '--label', 'W', '--public-key', 'ab', '--role', 'x']),
      /--role is one of consortium, regulator, self/,
    );
    expectOneSentenceError(cli(['witness', 'attest', path, 'W']), /--key FILE/);
    expectOneSentenceError(cli(['witness', 'frob']), /witness takes add, retire or attest/);
  });
});
