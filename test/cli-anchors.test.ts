/**
 * `proofdesk verify --check-tst --check-anchors` on nexuscone's anchored fixtures, as a real
 * subprocess: each tampering the issue names gives its code at its anchor, the exit codes follow
 * the verdict (a confirmed claim without headers is inconclusive), a regtest header proves a
 * confirmation and exposes the transplanted proof, and bad trust material is one sentence.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { computeOtsBitcoinRoots } from '../src-shared/anchors/ots-verification';
import { bytesToHex } from '../src-shared/crypto/hex';
import { openLedger } from '../src-main/ledger/ledger-database';
import { readAnchorProofs } from '../src-main/ledger/ledger-reader';
import { EXIT, expectOneSentenceError, runCli, temporaryConfigHome } from './support/cli';
import {
  nexusconeFixture,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';
import { describeWithFixtures } from './support/shared-fixtures';
import { mineRegtestHeader } from './support/test-ots-calendar';

interface JsonCheck {
  check: string;
  status: string;
  code?: string;
  anchor_id?: number;
  required?: boolean;
}

const configHome = temporaryConfigHome();

function verify(fixture: string, ...flags: string[]) {
  const path = nexusconeFixture(`${fixture}.db`);
  const before = sha256OfFile(path);
  const result = runCli(['verify', path, '--json', '--state-dir', temporaryDirectory(), ...flags], {
    configHome,
  });
  // Verifying never changes evidence, with or without anchor checks.
  expect(sha256OfFile(path)).toBe(before);
  expect(sideFilesOf(path)).toEqual([]);
  const checks =
    result.status === EXIT.usage
      ? []
      : ((JSON.parse(result.stdout) as { checks: JsonCheck[] }).checks ?? []);
  const anchorLines = checks
    .filter((check) => check.check.startsWith('anchors.'))
    .map((check): [string, string | null, number | null] => [
      check.status,
      check.code ?? null,
      check.anchor_id ?? null,
    ]);
  return { status: result.status, anchorLines, result };
}

const roots = () => ['--tsa-roots', nexusconeFixture('tsa_test_root_ca.pem')];

/** A headers file with one regtest header at `height` whose merkle root is anchor 1's root. */
function headersFileForAnchorOne(): string {
  const ledger = openLedger(nexusconeFixture('anchored_witnessed.db'));
  let root: Uint8Array;
  try {
    const [first] = computeOtsBitcoinRoots(
      readAnchorProofs(ledger.db, ledger.schema).map((proof) => ({
        anchorId: proof.anchorId,
        proofBlob: proof.otsProofBlob,
        chainHeadHash: String(proof.chainHeadHash),
      })),
    );
    if (first === undefined || !('claims' in first) || first.claims[0] === undefined)
      throw new Error('anchor 1 has no Bitcoin claim');
    root = first.claims[0].merkleRoot;
  } finally {
    ledger.close();
  }
  const header = mineRegtestHeader(new Uint8Array(32), root, 1_795_000_000);
  const path = join(temporaryDirectory(), 'headers.txt');
  writeFileSync(path, `900001 ${bytesToHex(header)}\n`);
  return path;
}

describeWithFixtures('verify with anchor proofs', () => {
  it('anchored_witnessed passes its RFC 3161 tokens against the test TSA root (exit 0)', () => {
    const run = verify('anchored_witnessed', '--check-tst', ...roots());
    expect(run.status).toBe(EXIT.pass);
    expect(run.anchorLines).toEqual([
      ['PASS', null, null],
      ['SKIP', 'ANCHOR_PROOF_NOT_CHECKED', 1],
      ['SKIP', 'ANCHOR_PROOF_NOT_CHECKED', 2],
      ['SKIP', 'ANCHOR_PROOF_NOT_CHECKED', 4],
      ['PASS', null, null],
    ]);
  });

  it('without TSA roots the signer is not checked, and a requested check is inconclusive (exit 3)', () => {
    const run = verify('anchored_witnessed', '--check-tst');
    expect(run.status).toBe(EXIT.inconclusive);
    expect(run.anchorLines.filter(([, code]) => code === 'ANCHOR_TSA_ROOTS_MISSING')).toEqual([
      ['SKIP', 'ANCHOR_TSA_ROOTS_MISSING', 1],
      ['SKIP', 'ANCHOR_TSA_ROOTS_MISSING', 2],
      ['SKIP', 'ANCHOR_TSA_ROOTS_MISSING', 3],
    ]);
  });

  it('a confirmed claim without headers is SKIP (exit 3); pending proofs are PENDING, never PASS', () => {
    const run = verify('anchored_witnessed', '--check-anchors');
    expect(run.status).toBe(EXIT.inconclusive);
    expect(run.anchorLines.filter(([, code]) => code?.startsWith('ANCHOR_OTS'))).toEqual([
      // The fixture's two loopback calendars each made up a block 900001 of their own.
      ['WARN', 'ANCHOR_OTS_BRANCHES_DISAGREE', 1],
      ['SKIP', 'ANCHOR_OTS_HEADERS_MISSING', 1],
      ['PENDING', 'ANCHOR_OTS_PENDING', 2],
      ['PENDING', 'ANCHOR_OTS_PENDING', 4],
    ]);
  });

  it('with a header for the claimed block, the confirmed proof verifies (exit 0)', () => {
    const run = verify(
      'anchored_witnessed',
      '--check-anchors',
      '--headers',
      headersFileForAnchorOne(),
    );
    expect(run.status).toBe(EXIT.pass);
    expect(
      run.anchorLines.filter(([, , anchor]) => anchor === 1 || anchor === null),
    ).toContainEqual(['PASS', null, null]);
    expect(run.anchorLines.filter(([, code, anchor]) => anchor === 1 && code !== null)).toEqual([
      ['WARN', 'ANCHOR_OTS_BRANCHES_DISAGREE', 1],
      ['SKIP', 'ANCHOR_TST_NOT_CHECKED', 1],
    ]);
  });

  it('a broken TST signature is ANCHOR_TSA_SIGNATURE_INVALID at anchor 1 (exit 1)', () => {
    const run = verify('tampered_anchored_tst_signature_flip', '--check-tst', ...roots());
    expect(run.status).toBe(EXIT.fail);
    expect(run.anchorLines.filter(([status]) => status === 'FAIL')).toEqual([
      ['FAIL', 'ANCHOR_TSA_SIGNATURE_INVALID', 1],
    ]);
  });

  it('a transplanted OTS proof is ANCHOR_OTS_COMMITMENT_MISMATCH at anchor 2, headers or not', () => {
    const without = verify('tampered_anchored_ots_proof_transplanted', '--check-anchors');
    expect(without.status).toBe(EXIT.fail);
    expect(without.anchorLines.filter(([status]) => status === 'FAIL')).toEqual([
      ['FAIL', 'ANCHOR_OTS_COMMITMENT_MISMATCH', 2],
    ]);
    const withHeaders = verify(
      'tampered_anchored_ots_proof_transplanted',
      '--check-anchors',
      '--headers',
      headersFileForAnchorOne(),
    );
    // The header shows which one is false: each of anchor 2's branches computes another root.
    const failures = withHeaders.anchorLines.filter(([status]) => status === 'FAIL');
    expect(new Set(failures.map((line) => line.join(' ')))).toEqual(
      new Set(['FAIL ANCHOR_OTS_INVALID 2', 'FAIL ANCHOR_OTS_COMMITMENT_MISMATCH 2']),
    );
  });

  it('tail truncation past an anchor is ANCHOR_HEAD_MISMATCH at anchor 4 (exit 1)', () => {
    const run = verify('tampered_anchored_tail_truncated', '--check-tst', ...roots());
    expect(run.status).toBe(EXIT.fail);
    expect(run.anchorLines.filter(([status]) => status === 'FAIL')).toEqual([
      ['FAIL', 'ANCHOR_HEAD_MISMATCH', 4],
    ]);
  });

  it('bad trust material is one sentence and exit 2', () => {
    const notPem = join(temporaryDirectory(), 'roots.pem');
    writeFileSync(notPem, 'not a certificate\n');
    expectOneSentenceError(verify('anchored_witnessed', '--tsa-roots', notPem).result);
    expectOneSentenceError(
      verify('anchored_witnessed', '--tsa-roots', join(temporaryDirectory(), 'absent.pem')).result,
      /There is no TSA roots file at/,
    );
    const badHeaders = join(temporaryDirectory(), 'headers.txt');
    writeFileSync(badHeaders, 'zz\n');
    expectOneSentenceError(verify('anchored_witnessed', '--headers', badHeaders).result);
    expectOneSentenceError(
      verify('anchored_witnessed', '--headers', badHeaders, '--esplora', 'http://127.0.0.1:9')
        .result,
      /one way/,
    );
    expect(readFileSync(notPem, 'utf8')).toBe('not a certificate\n');
  });
});
