/**
 * Every nexuscone fixture, verified with the manifest's keys: valid files pass, each tampered file
 * fails with the code at the record, and verifying never changes the file.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  codesOf,
  copyTo,
  failures,
  findCheck,
  fixtureKeyring,
  nexusconeFixture,
  readNexusconeManifest,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
  verify,
} from './support/ledger-fixtures';

interface Expectation {
  verdict: 'pass' | 'fail';
  /** Codes that must appear as FAIL, each optionally at an entry. */
  fails?: { code: string; entryId?: number }[];
  /** Every FAIL code must be one of these (defaults to the codes in `fails`). */
  allowedFailCodes?: string[];
}

const EXPECTED: Record<string, Expectation> = {
  'tampered_payload_edit_middle.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_HASH_MISMATCH', entryId: 25 }],
  },
  'tampered_delete_middle_row.db': {
    verdict: 'fail',
    fails: [
      { code: 'LEDGER_LINK_BROKEN', entryId: 26 },
      { code: 'LEDGER_ID_GAP', entryId: 26 },
    ],
  },
  'tampered_delete_last_row.db': { verdict: 'fail', fails: [{ code: 'LEDGER_TRUNCATED' }] },
  'tampered_swap_rows_10_11.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_LINK_BROKEN', entryId: 10 }],
    // Swapping also breaks both rows' hashes (entry_id is hashed) and the next link.
    allowedFailCodes: ['LEDGER_LINK_BROKEN', 'LEDGER_HASH_MISMATCH'],
  },
  'tampered_delete_middle_relinked.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_ID_GAP', entryId: 26 }],
  },
  'tampered_rehash_after_payload_edit.db': { verdict: 'pass' },
  'tampered_signed_signature_byte_flip.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_SIGNATURE_INVALID', entryId: 12 }],
  },
  'tampered_signed_keyid_unknown.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_KEY_UNKNOWN', entryId: 5 }],
  },
  'tampered_signed_signature_not_hex.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_SIGNATURE_MALFORMED', entryId: 5 }],
  },
  'tampered_signed_rehash_strip_signatures.db': { verdict: 'pass' },
  'tampered_v1_row_event_type_edit.db': {
    verdict: 'fail',
    fails: [{ code: 'LEDGER_V1_FIELD_UNPROTECTED', entryId: 5 }],
  },
  'tampered_anchored_tail_truncated.db': {
    verdict: 'fail',
    fails: [
      { code: 'ANCHOR_HEAD_MISMATCH', entryId: 35 },
      { code: 'WITNESS_HEAD_MISMATCH', entryId: 35 },
    ],
    // The deletion also leaves sqlite_sequence ahead of the last entry.
    allowedFailCodes: ['ANCHOR_HEAD_MISMATCH', 'WITNESS_HEAD_MISMATCH', 'LEDGER_TRUNCATED'],
  },
  'tampered_witness_signature_flip.db': {
    verdict: 'fail',
    fails: [{ code: 'WITNESS_SIGNATURE_INVALID' }],
  },
  // Proofs are checked by the anchoring work; here only the heads, which these files keep intact.
  'tampered_anchored_tst_signature_flip.db': { verdict: 'pass' },
  'tampered_anchored_ots_proof_transplanted.db': { verdict: 'pass' },
};

describeWithFixtures('nexuscone fixtures', () => {
  const manifest = readNexusconeManifest();
  const keyring = fixtureKeyring();

  it('covers every database in the manifest', () => {
    const tampered = manifest.files
      .filter((file) => file.kind === 'tampered')
      .map((file) => file.file);
    expect(tampered.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const { file, kind, sha256 } of manifest.files) {
    it(`${file}: ${kind === 'valid' ? 'passes' : EXPECTED[file]?.verdict}, and the file is unchanged`, async () => {
      const path = nexusconeFixture(file);
      expect(sha256OfFile(path)).toBe(sha256);
      const result = await verify(path, { keyring });
      expect(sha256OfFile(path)).toBe(sha256);
      expect(result.file.sha256).toBe(sha256);
      expect(sideFilesOf(path)).toEqual([]);

      const expectation: Expectation =
        kind === 'valid' ? { verdict: 'pass' } : (EXPECTED[file] as Expectation);
      expect(result.verdict, JSON.stringify(failures(result), null, 1)).toBe(expectation.verdict);
      for (const { code, entryId } of expectation.fails ?? []) {
        const match = failures(result).find(
          (check) => check.code === code && (entryId === undefined || check.entryId === entryId),
        );
        expect(
          match,
          `${code} at ${entryId ?? 'any entry'} in ${JSON.stringify(failures(result))}`,
        ).toBeDefined();
        expect(match?.expected).toBeDefined();
        expect(match?.actual).toBeDefined();
      }
      const allowed =
        expectation.allowedFailCodes ?? (expectation.fails ?? []).map((fail) => fail.code);
      for (const code of codesOf(result, 'FAIL')) expect(allowed).toContain(code);
    });
  }

  it('reports every finding, not only the first (swap: both rows and both links)', async () => {
    const result = await verify(nexusconeFixture('tampered_swap_rows_10_11.db'));
    const at = (code: string): number[] =>
      failures(result)
        .filter((check) => check.code === code)
        .map((check) => check.entryId ?? -1);
    expect(at('LEDGER_LINK_BROKEN')).toEqual([10, 11, 12]);
    expect(at('LEDGER_HASH_MISMATCH')).toEqual([10, 11]);
  });

  it('the unmigrated v0.1 file is read as it is: format 1 throughout, no migration', async () => {
    const path = nexusconeFixture('legacy_v010_unmigrated.db');
    const result = await verify(path, { keyring });
    expect(result.verdict).toBe('pass');
    expect(result.entries).toBe(20);
    expect(result.checks.find((check) => check.check === 'ledger.format')?.message).toMatch(
      /20 entries in format 1/,
    );
  });

  it('a signed chain with signatures stripped after re-hashing warns, and fails under --require-signatures', async () => {
    const path = nexusconeFixture('tampered_signed_rehash_strip_signatures.db');
    const lenient = await verify(path, { keyring });
    expect(lenient.verdict).toBe('pass');
    const warning = findCheck(lenient, 'LEDGER_SIGNATURE_MISSING');
    expect(warning?.status).toBe('WARN');
    expect(warning?.entryId).toBe(15);

    const strict = await verify(path, { keyring, requireSignatures: true });
    expect(strict.verdict).toBe('fail');
    const missing = failures(strict).filter((check) => check.code === 'LEDGER_SIGNATURE_MISSING');
    expect(missing.map((check) => check.entryId)).toEqual([
      15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
  });

  it('signatures without a keyring are SKIP, and inconclusive when signatures are required', async () => {
    const path = nexusconeFixture('valid_signed_2keys.db');
    const withoutKeys = await verify(path);
    expect(findCheck(withoutKeys, 'LEDGER_SIGNATURES_NOT_CHECKED')?.status).toBe('SKIP');
    expect(withoutKeys.verdict).toBe('pass');
    expect((await verify(path, { requireSignatures: true })).verdict).toBe('inconclusive');
  });

  describe('trusted head', () => {
    const directory = temporaryDirectory();

    it('re-hashing that passes from the file alone is a TRUSTED_HEAD_FORK once the original was verified at that path', async () => {
      const stateDir = `${directory}/state-fork`;
      const ledger = copyTo(directory, nexusconeFixture('valid_unsigned_varied.db'), 'fork.db');
      const first = await verify(ledger, { stateDir });
      expect(first.verdict).toBe('pass');
      expect(findCheck(first, 'TRUSTED_HEAD_FIRST_USE')?.status).toBe('WARN');
      expect(first.trustedHeadRecorded).toBe(true);

      copyTo(directory, nexusconeFixture('tampered_rehash_after_payload_edit.db'), 'fork.db');
      const alone = await verify(ledger);
      expect(alone.verdict).toBe('pass');
      const second = await verify(ledger, { stateDir });
      expect(second.verdict).toBe('fail');
      const fork = findCheck(second, 'TRUSTED_HEAD_FORK');
      expect(fork?.status).toBe('FAIL');
      expect(fork?.entryId).toBe(50);
      expect(second.trustedHeadRecorded).toBe(false);
      // The failure does not overwrite the trusted head: it keeps failing.
      expect(findCheck(await verify(ledger, { stateDir }), 'TRUSTED_HEAD_FORK')).toBeDefined();
    });

    it('tail truncation that also fixes sqlite_sequence is a TRUSTED_HEAD_ROLLBACK', async () => {
      const stateDir = `${directory}/state-rollback`;
      const ledger = copyTo(directory, nexusconeFixture('valid_unsigned_varied.db'), 'rollback.db');
      expect((await verify(ledger, { stateDir })).verdict).toBe('pass');
      copyTo(directory, nexusconeFixture('tampered_delete_last_row.db'), 'rollback.db');
      const result = await verify(ledger, { stateDir });
      expect(findCheck(result, 'TRUSTED_HEAD_ROLLBACK')?.entryId).toBe(50);
    });

    it('a later verification of an extended ledger passes and moves the trusted head', async () => {
      const stateDir = `${directory}/state-extend`;
      const ledger = copyTo(directory, nexusconeFixture('legacy_v010_unmigrated.db'), 'extend.db');
      expect((await verify(ledger, { stateDir, keyring })).verdict).toBe('pass');
      copyTo(directory, nexusconeFixture('legacy_v010_migrated_mixed_v1_v2.db'), 'extend.db');
      const result = await verify(ledger, { stateDir, keyring });
      expect(result.verdict).toBe('pass');
      const check = result.checks.find((entry) => entry.check === 'trusted_head');
      expect(check?.status).toBe('PASS');
      expect(check?.message).toMatch(/10 entries appended since/);
      expect(existsSync(ledger)).toBe(true);
    });
  });
});
