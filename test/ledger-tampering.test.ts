/**
 * Tampering made here, on copies of valid fixtures, beyond the fixture files: each failure mode is
 * triggered and its code and record are checked. Also hostile schemas, parallel seams and caps.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProofdeskError } from '../src-shared/check-code';
import { buildEntryHashInput, type SqlValue } from '../src-shared/ledger/entry-hash';
import { verifyLedgerFile } from '../src-main/ledger/ledger-verification';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  codesOf,
  copyTo,
  failures,
  findCheck,
  fixtureKeyring,
  nexusconeFixture,
  readNexusconeManifest,
  temporaryDirectory,
  verify,
} from './support/ledger-fixtures';

const sha256Hex = (text: string): string =>
  createHash('sha256').update(text, 'latin1').digest('hex');

/** Recomputes previous_hash and entry_hash from `fromId` on, as an attacker with SQL access would. */
function rehashFrom(db: Database.Database, fromId: number): void {
  const rows = db
    .prepare('SELECT * FROM entries WHERE entry_id >= ? ORDER BY entry_id')
    .all(fromId) as Record<string, SqlValue>[];
  const before = db
    .prepare('SELECT entry_hash FROM entries WHERE entry_id < ? ORDER BY entry_id DESC LIMIT 1')
    .get(fromId) as { entry_hash: string } | undefined;
  let previousHash = before?.entry_hash ?? '0'.repeat(64);
  const update = db.prepare(
    'UPDATE entries SET previous_hash = ?, entry_hash = ? WHERE entry_id = ?',
  );
  for (const row of rows) {
    const input = buildEntryHashInput(
      {
        entryId: row.entry_id ?? null,
        timestamp: row.timestamp ?? null,
        actor: row.actor ?? null,
        action: row.action ?? null,
        eventType: row.event_type ?? null,
        payload: row.payload ?? null,
        previousHash,
      },
      Number(row.format_version ?? 1) >= 2 ? 2 : 1,
    );
    const entryHash = sha256Hex(input ?? '');
    update.run(previousHash, entryHash, row.entry_id);
    previousHash = entryHash;
  }
}

describeWithFixtures('tampering beyond the fixture files', () => {
  const directory = temporaryDirectory();
  const keyring = fixtureKeyring();
  let counter = 0;
  /** A private copy of a fixture with `sql` applied through a raw connection (foreign keys off). */
  const tampered = (fixture: string, change: (db: Database.Database) => void): string => {
    const path = copyTo(directory, nexusconeFixture(fixture), `case-${++counter}.db`);
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    change(db);
    db.close();
    return path;
  };
  const failAt = (
    result: Awaited<ReturnType<typeof verify>>,
    code: string,
  ): (number | undefined)[] =>
    failures(result)
      .filter((check) => check.code === code)
      .map((check) => check.entryId ?? check.anchorId ?? check.attestationId);

  it('deleting the first entry breaks the genesis and leaves an id gap at the start', async () => {
    const result = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.exec('DELETE FROM entries WHERE entry_id = 1'),
      ),
    );
    expect(failAt(result, 'LEDGER_GENESIS_INVALID')).toEqual([2]);
    expect(failAt(result, 'LEDGER_ID_GAP')).toEqual([2]);
  });

  it.each([
    ['actor', "UPDATE entries SET actor = 'mallory' WHERE entry_id = 7", 7],
    [
      'timestamp',
      "UPDATE entries SET timestamp = '2020-01-01T00:00:00.000000Z' WHERE entry_id = 3",
      3,
    ],
    [
      'event_type of a v2 row',
      "UPDATE entries SET event_type = 'cost_anomaly' WHERE entry_id = 4",
      4,
    ],
    ['action', "UPDATE entries SET action = 'approve' WHERE entry_id = 44", 44],
  ])(
    'editing the %s of one entry is a hash mismatch at that entry',
    async (_field, sql, entryId) => {
      const result = await verify(tampered('valid_unsigned_varied.db', (db) => db.exec(sql)));
      expect(codesOf(result, 'FAIL')).toEqual(['LEDGER_HASH_MISMATCH']);
      expect(failAt(result, 'LEDGER_HASH_MISMATCH')).toEqual([entryId]);
    },
  );

  it('setting an untouched v2 row to format 1 is both a hash mismatch and a downgrade', async () => {
    const result = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.exec('UPDATE entries SET format_version = 1 WHERE entry_id = 30'),
      ),
    );
    expect(failAt(result, 'LEDGER_HASH_MISMATCH')).toEqual([30]);
    expect(failAt(result, 'LEDGER_FORMAT_DOWNGRADE')).toEqual([30]);
  });

  it('a downgrade re-hashed to hide its event_type edit is still a downgrade', async () => {
    const path = tampered('legacy_v010_migrated_mixed_v1_v2.db', (db) => {
      db.exec('UPDATE entries SET format_version = 1 WHERE entry_id = 25');
      rehashFrom(db, 25);
    });
    const result = await verify(path, { keyring: null });
    expect(codesOf(result, 'FAIL')).toContain('LEDGER_FORMAT_DOWNGRADE');
    expect(failAt(result, 'LEDGER_FORMAT_DOWNGRADE')).toEqual([25]);
  });

  it('promoting a v1 row to format 2 is a hash mismatch', async () => {
    const result = await verify(
      tampered('legacy_v010_migrated_mixed_v1_v2.db', (db) =>
        db.exec('UPDATE entries SET format_version = 2 WHERE entry_id = 5'),
      ),
    );
    expect(failAt(result, 'LEDGER_HASH_MISMATCH')).toEqual([5]);
  });

  it('deleting every entry is truncation', async () => {
    const result = await verify(
      tampered('valid_unsigned_varied.db', (db) => db.exec('DELETE FROM entries')),
    );
    expect(result.entries).toBe(0);
    expect(codesOf(result, 'FAIL')).toEqual(['LEDGER_TRUNCATED']);
  });

  it('an edited sqlite_sequence is a warning, not a pass in silence', async () => {
    const lowered = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.exec("UPDATE sqlite_sequence SET seq = 40 WHERE name = 'entries'"),
      ),
    );
    expect(findCheck(lowered, 'LEDGER_SEQUENCE_BEHIND')?.status).toBe('WARN');
    const removed = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.exec("DELETE FROM sqlite_sequence WHERE name = 'entries'"),
      ),
    );
    expect(findCheck(removed, 'LEDGER_SEQUENCE_BEHIND')?.actual).toBe('no sequence row');
  });

  it.each([
    [
      'a signature stripped with its key id kept',
      'UPDATE entries SET signature = NULL WHERE entry_id = 3',
      'LEDGER_SIGNATURE_MALFORMED',
      3,
    ],
    [
      'a signature without its key id',
      'UPDATE entries SET signing_key_id = NULL WHERE entry_id = 4',
      'LEDGER_SIGNATURE_MALFORMED',
      4,
    ],
    [
      'an upper-case signature',
      'UPDATE entries SET signature = upper(signature) WHERE entry_id = 6',
      'LEDGER_SIGNATURE_MALFORMED',
      6,
    ],
    [
      "another entry's signature",
      'UPDATE entries SET signature = (SELECT signature FROM entries WHERE entry_id = 4) WHERE entry_id = 3',
      'LEDGER_SIGNATURE_INVALID',
      3,
    ],
    [
      'a signature relabelled to the other key',
      "UPDATE entries SET signing_key_id = 'proofdesk-fixture-key-B' WHERE entry_id = 2",
      'LEDGER_SIGNATURE_INVALID',
      2,
    ],
    [
      'a truncated signature',
      'UPDATE entries SET signature = substr(signature, 1, 126) WHERE entry_id = 9',
      'LEDGER_SIGNATURE_MALFORMED',
      9,
    ],
  ])('%s is caught', async (_name, sql, code, entryId) => {
    const result = await verify(
      tampered('valid_signed_2keys.db', (db) => db.exec(sql)),
      { keyring },
    );
    expect(codesOf(result, 'FAIL')).toEqual([code]);
    expect(failAt(result, code)).toEqual([entryId]);
  });

  it('non-text values are flagged; an int action hashed as Python would is only malformed', async () => {
    const blob = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.prepare('UPDATE entries SET actor = ? WHERE entry_id = 8').run(Buffer.from('x')),
      ),
    );
    expect(failAt(blob, 'LEDGER_ROW_MALFORMED')).toEqual([8]);
    expect(failAt(blob, 'LEDGER_HASH_MISMATCH')).toEqual([8]);

    // TEXT affinity turns 42 into '42', so a typed value needs a column declared without a type.
    const integer = await verify(
      tampered('valid_unsigned_varied.db', (db) => {
        db.exec('ALTER TABLE entries RENAME TO entries_old');
        db.exec(`CREATE TABLE entries (entry_id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT, actor TEXT,
                 action, event_type TEXT, format_version INTEGER, payload TEXT, previous_hash TEXT,
                 entry_hash TEXT, signature TEXT, signing_key_id TEXT)`);
        db.exec('INSERT INTO entries SELECT * FROM entries_old');
        db.exec('DROP TABLE entries_old');
        db.exec('UPDATE entries SET action = 42 WHERE entry_id = 8');
        rehashFrom(db, 8);
      }),
    );
    expect(codesOf(integer, 'FAIL')).toEqual(['LEDGER_ROW_MALFORMED']);
    expect(findCheck(integer, 'LEDGER_ROW_MALFORMED')?.actual).toBe('integer 42');
  });

  it('an unknown format_version is malformed', async () => {
    const result = await verify(
      tampered('valid_unsigned_varied.db', (db) =>
        db.exec('UPDATE entries SET format_version = 3 WHERE entry_id = 12'),
      ),
    );
    expect(codesOf(result, 'FAIL')).toEqual(['LEDGER_ROW_MALFORMED']);
    expect(failAt(result, 'LEDGER_ROW_MALFORMED')).toEqual([12]);
  });

  it('re-hashing past the anchors and witness attestations is caught by their heads', async () => {
    const result = await verify(
      tampered('anchored_witnessed.db', (db) => {
        db.exec(`UPDATE entries SET payload = '{"tampered":true}' WHERE entry_id = 10`);
        rehashFrom(db, 10);
      }),
      { keyring },
    );
    expect(failures(result).some((check) => check.code === 'LEDGER_HASH_MISMATCH')).toBe(false);
    expect(
      failures(result)
        .filter((check) => check.code === 'ANCHOR_HEAD_MISMATCH')
        .map((check) => check.anchorId),
    ).toEqual([1, 2, 3, 4]);
    expect(failAt(result, 'WITNESS_HEAD_MISMATCH').length).toBe(5);
    // Re-hashing leaves the odd entries' signatures over the old hashes.
    expect(failAt(result, 'LEDGER_SIGNATURE_INVALID')).toEqual([
      11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35,
    ]);
  });

  it('an anchor pointing at an entry that never existed is a head mismatch', async () => {
    const result = await verify(
      tampered('anchored_witnessed.db', (db) =>
        db.exec('UPDATE anchors SET chain_head_entry_id = 999 WHERE anchor_id = 2'),
      ),
      { keyring },
    );
    const mismatch = failures(result).find((check) => check.code === 'ANCHOR_HEAD_MISMATCH');
    expect(mismatch?.anchorId).toBe(2);
    expect(mismatch?.actual).toBe('(no entry)');
  });

  it('witness sub-chain edits: links, hashes, deletions, unknown witnesses and replaced keys', async () => {
    const rows = (fixture: string) => {
      const db = new Database(nexusconeFixture(fixture), { readonly: true });
      const attestations = db
        .prepare(
          'SELECT attestation_id, witness_id FROM witness_attestations ORDER BY witness_id, attestation_id',
        )
        .all() as { attestation_id: number; witness_id: number }[];
      db.close();
      return attestations;
    };
    const attestations = rows('anchored_witnessed.db');
    const [first, second] = attestations.filter(
      (row) => row.witness_id === attestations[0]?.witness_id,
    );

    const relinked = await verify(
      tampered('anchored_witnessed.db', (db) =>
        db.exec(
          `UPDATE witness_attestations SET prev_attestation_hash = '${'1'.repeat(64)}' WHERE attestation_id = ${second?.attestation_id}`,
        ),
      ),
      { keyring },
    );
    expect(failAt(relinked, 'WITNESS_LINK_BROKEN')).toEqual([second?.attestation_id]);
    expect(failAt(relinked, 'WITNESS_HASH_MISMATCH')).toEqual([second?.attestation_id]);

    const deleted = await verify(
      tampered('anchored_witnessed.db', (db) =>
        db.exec(`DELETE FROM witness_attestations WHERE attestation_id = ${first?.attestation_id}`),
      ),
      { keyring },
    );
    expect(failAt(deleted, 'WITNESS_LINK_BROKEN')).toEqual([second?.attestation_id]);

    const unknown = await verify(
      tampered('anchored_witnessed.db', (db) =>
        db.exec(
          `UPDATE witness_attestations SET witness_id = 77 WHERE attestation_id = ${first?.attestation_id}`,
        ),
      ),
      { keyring },
    );
    expect(codesOf(unknown, 'FAIL')).toContain('WITNESS_UNKNOWN');

    const manifest = readNexusconeManifest();
    const otherKey = manifest.keys.entry_signing[0]?.public_key_hex;
    const rekeyed = await verify(
      tampered('anchored_witnessed.db', (db) =>
        db.exec(
          `UPDATE witnesses SET public_key_hex = '${otherKey}' WHERE witness_id = ${first?.witness_id}`,
        ),
      ),
      { keyring },
    );
    expect(codesOf(rekeyed, 'FAIL').every((code) => code === 'WITNESS_SIGNATURE_INVALID')).toBe(
      true,
    );
    expect(failAt(rekeyed, 'WITNESS_SIGNATURE_INVALID')).toContain(first?.attestation_id);
  });

  it('caps how many findings of one kind are listed, and says how many there were', async () => {
    const path = tampered('valid_unsigned_varied.db', (db) =>
      db.exec(
        `UPDATE entries SET payload = '{}' WHERE entry_id BETWEEN 11 AND 30 AND payload != '{}'`,
      ),
    );
    const result = await verifyLedgerFile(path, {
      keyring: null,
      requireSignatures: false,
      trustedHeads: null,
      parallelism: 1,
      findingCapPerCode: 5,
    });
    expect(failures(result).filter((check) => check.code === 'LEDGER_HASH_MISMATCH')).toHaveLength(
      5,
    );
    const capped = findCheck(result, 'LEDGER_FINDINGS_CAPPED');
    expect(capped?.status).toBe('WARN');
    expect(Number(capped?.actual)).toBeGreaterThan(5);
  });

  describe('hostile schemas are refused with a code, not read', () => {
    const refusal = async (path: string): Promise<string> => {
      try {
        await verify(path);
      } catch (error) {
        expect(error).toBeInstanceOf(ProofdeskError);
        return (error as ProofdeskError).code;
      }
      throw new Error('verification did not refuse the file');
    };
    it('entries as a view that hides a row', async () => {
      const path = tampered('valid_unsigned_varied.db', (db) => {
        db.exec('ALTER TABLE entries RENAME TO entries_real');
        db.exec('CREATE VIEW entries AS SELECT * FROM entries_real WHERE entry_id != 25');
      });
      expect(await refusal(path)).toBe('LEDGER_ENTRIES_NOT_TABLE');
    });
    it('entries as a virtual table', async () => {
      const path = tampered('valid_empty.db', (db) => {
        db.exec('DROP TABLE entries');
        db.exec(
          'CREATE VIRTUAL TABLE entries USING fts5(entry_id, timestamp, actor, action, payload, previous_hash, entry_hash, signature, signing_key_id)',
        );
      });
      expect(await refusal(path)).toBe('LEDGER_ENTRIES_NOT_TABLE');
    });
    it('no entries table, or one without nexuscone columns', async () => {
      expect(await refusal(tampered('valid_empty.db', (db) => db.exec('DROP TABLE entries')))).toBe(
        'NOT_A_LEDGER',
      );
      expect(
        await refusal(
          tampered('valid_empty.db', (db) =>
            db.exec('ALTER TABLE entries DROP COLUMN signing_key_id'),
          ),
        ),
      ).toBe('LEDGER_SCHEMA_UNSUPPORTED');
    });
  });

  describe('parallel verification gives the same checks as one thread', () => {
    const { files } = readNexusconeManifest();
    for (const { file } of files) {
      it(file, async () => {
        const path = nexusconeFixture(file);
        const single = await verify(path, { keyring, parallelism: 1 });
        for (const parallelism of [2, 3, 7]) {
          const parallel = await verify(path, { keyring, parallelism });
          expect(parallel.checks, `${parallelism} workers`).toEqual(single.checks);
          expect(parallel.verdict).toBe(single.verdict);
        }
      });
    }
  });
});
