/**
 * Importing nexus-attest decision bundles: every scenario of import/import-scenarios.json
 * reproduced (result shape, conflict modes, the rows nexus-attest wrote into import-target.db),
 * re-export digests, every tampered fixture refused with the store byte-identical afterwards,
 * tampering nexus-attest lets through refused by Proofdesk, and `proofdesk bundle import`.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fromJsValue,
  PyNumber,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { ERROR_CODES, FINDING_CODES, ProofdeskError } from '../src-shared/check-code';
import {
  buildDecisionBundle,
  computeBundleDigest,
  computeProvenanceId,
  emulateNexusImport,
  replayedHeaderOf,
} from '../src-shared/decisions/decision-bundle';
import { computeEventDigest } from '../src-shared/decisions/decision-event';
import { replayDecision } from '../src-shared/decisions/decision-replay';
import { parsePythonIsoformat } from '../src-shared/decisions/python-datetime';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import {
  importDecisionBundle,
  refusalAsError,
  type BundleImportOptions,
  type BundleImportRefusal,
  type BundleImportResult,
  type BundleImportSuccess,
  type ImportConflictMode,
} from '../src-main/decisions/bundle-import';
import { DecisionStoreReader, DecisionStoreWriter } from '../src-main/decisions/decision-store';
import { openEvidenceDatabase } from '../src-main/sqlite/evidence-database';
import { runBundleImport } from '../src-main/cli/bundle-import-command';
import type { CliIo } from '../src-main/cli/cli-arguments';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  nexusconeFixture,
  sha256OfFile,
  sideFilesOf,
  temporaryDirectory,
} from './support/ledger-fixtures';
import {
  arrayAt,
  canonicalOf,
  clonePy,
  manifestFiles,
  nexusAttestPath,
  objectAt,
  readFixtureObject,
  readNexusAttestManifest,
  stringAt,
} from './support/nexus-attest-fixtures';

const D05 = 'bundles/d05-executed-success.bundle.json';
const D08 = 'bundles/d08-template-executed-dry-run.bundle.json';
const D02 = 'bundles/d02-approved-ready.bundle.json';
const D05_ID = '41b54218-c681-4c03-8b86-da84046b9f33';
const D05_DIGEST = 'sha256:c8d8aaaefb8a206cea4520ca8247d11750c967758f0c37b3769f63d54885ee2d';
const REMAPPED_ID = 'edce24b7-6724-44d6-84c8-cdf2325b630d';

const micros = (iso: string): bigint => parsePythonIsoformat(iso).epochMicros;
/** Shortly after the fixtures were generated, when nexus-attest ran the import scenarios. */
const AS_OF = micros('2026-11-22T21:23:00+00:00');

const directory = temporaryDirectory('proofdesk-import-');
const freshDirectory = (): string => mkdtempSync(join(directory, 'case-'));

/** A new, empty decision store (nexus-attest's schema, WAL), closed again. */
function emptyStore(): string {
  const path = join(freshDirectory(), 'decisions.db');
  DecisionStoreWriter.open(path, { create: true }).close();
  return path;
}

/** A byte copy of import-target.db (never opened with SQLite in place). */
function targetCopy(): string {
  const path = join(freshDirectory(), 'import-target.db');
  copyFileSync(nexusAttestPath('import', 'import-target.db'), path);
  return path;
}

function importInto(
  store: string,
  bundle: PyJsonValue,
  options: Partial<BundleImportOptions> = {},
): BundleImportResult {
  return importDecisionBundle(store, bundle, { asOf: AS_OF, ...options });
}

function expectImported(result: BundleImportResult): BundleImportSuccess {
  if (!result.ok) throw new Error(`refused: ${result.error_code}: ${result.error}`);
  return result;
}

function expectRefused(result: BundleImportResult): BundleImportRefusal {
  if (result.ok) throw new Error(`imported ${result.imported.decision_id}`);
  return result;
}

/** The part of the result that is nexus-attest's ImportResult, as plain JSON. */
function nexusShape(result: BundleImportResult): unknown {
  if (!result.ok) {
    return JSON.parse(
      JSON.stringify({ ok: false, error_code: result.error_code, error: result.error }),
    );
  }
  return JSON.parse(
    JSON.stringify({
      ok: result.ok,
      imported: result.imported,
      digest_verified: result.digest_verified,
      conflict_mode: result.conflict_mode,
      replay_ran: result.replay_ran,
      ...(result.replay === undefined ? {} : { replay: result.replay }),
    }),
  );
}

function scenarios(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(nexusAttestPath('import', 'import-scenarios.json'), 'utf8'),
  ) as Record<string, unknown>;
}

/** The bundle export_decision would write now for a stored decision, status as of `at`. */
function reexport(
  store: string,
  decisionId: string,
  at: string,
  flags: { includeTemplateSnapshot?: boolean; includeRouterLink?: boolean } = {},
): PyJsonObject {
  const reader = DecisionStoreReader.open(store);
  try {
    const loaded = reader.loadDecision(decisionId);
    if (!loaded.ok) throw new Error(loaded.message);
    const replay = replayDecision(decisionId, loaded.events, micros(at));
    if (!replay.ok) throw new Error(replay.message);
    return buildDecisionBundle({
      decisionId,
      events: loaded.events,
      status: replayedHeaderOf(replay.decision).status,
      exportedAt: at,
      ...flags,
    });
  } finally {
    reader.close();
  }
}

function digestOf(bundle: PyJsonObject): string {
  return stringAt(bundle, 'integrity', 'canonical_digest');
}

function exportedAtOf(bundle: PyJsonValue): string {
  return stringAt(bundle, 'meta', 'exported_at');
}

interface RawRows {
  decisions: unknown[];
  events: unknown[];
  tables: string[];
}

/** Every row as SQLite holds it (payload text included), read without touching the file. */
function rawRows(path: string): RawRows {
  const { db, close } = openEvidenceDatabase(path);
  try {
    return {
      decisions: db.prepare('SELECT * FROM decisions ORDER BY decision_id').all(),
      events: db.prepare('SELECT * FROM decision_events ORDER BY decision_id, seq').all(),
      tables: (
        db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as {
          name: string;
        }[]
      ).map((row) => row.name),
    };
  } finally {
    close();
  }
}

/** Asserts that `run` leaves the store file byte-identical, with nothing beside it. */
function expectUntouched<T>(store: string, run: () => T): T {
  const before = sha256OfFile(store);
  const sideBefore = sideFilesOf(store);
  const result = run();
  expect(sha256OfFile(store)).toBe(before);
  expect(sideFilesOf(store)).toEqual(sideBefore);
  return result;
}

/** Rewrites integrity and provenance after an edit, as a forger who knows the formulas would. */
function reseal(bundle: PyJsonObject): PyJsonObject {
  const digest = computeBundleDigest(bundle);
  const decisionId = stringAt(bundle, 'decision', 'decision_id');
  objectAt(bundle, 'integrity').set('canonical_digest', `sha256:${digest}`);
  const record = objectAt(arrayAt(bundle, 'provenance', 'records')[0]);
  record.set('prov_id', computeProvenanceId(decisionId, digest));
  record.set('outputs', [`bundle:sha256:${digest}`]);
  return bundle;
}

function eventAt(bundle: PyJsonObject, index: number): PyJsonObject {
  return objectAt(arrayAt(bundle, 'events')[index]);
}

function d05(): PyJsonObject {
  return clonePy(readFixtureObject(D05));
}

function failCodes(result: BundleImportResult): string[] {
  return [
    ...new Set(result.checks.filter((c) => c.status === 'FAIL').map((c) => c.code ?? '')),
  ].sort();
}

describe('import error codes', () => {
  it('adds DECISION_EXISTS, IMPORT_REFUSED and BUNDLE_FILE_MALFORMED to the closed set', () => {
    expect(ERROR_CODES).toEqual(
      expect.arrayContaining(['DECISION_EXISTS', 'IMPORT_REFUSED', 'BUNDLE_FILE_MALFORMED']),
    );
  });
});

describeWithFixtures('import_bundle scenarios (import/import-scenarios.json)', () => {
  // One store, scenario after scenario, as nexus-attest ran them into import-target.db.
  const store = join(freshDirectory(), 'scenarios.db');
  const expected = scenarios();
  const manifestVerdicts = (
    readNexusAttestManifest() as unknown as {
      verdicts: { import_scenarios: Record<string, unknown> };
    }
  ).verdicts.import_scenarios;

  it('manifest verdicts agree with the scenario file', () => {
    for (const [name, verdict] of Object.entries(manifestVerdicts)) {
      const scenario = expected[name];
      if (Array.isArray(verdict) && !Array.isArray(scenario)) {
        const outcome = scenario as { ok: boolean; error_code?: string };
        expect([outcome.ok, outcome.error_code ?? null]).toEqual(verdict);
      } else {
        expect(scenario).toEqual(verdict);
      }
    }
  });

  it('1: d05 into an empty store (created on import), and 1b: re-export gives the same digest', () => {
    expect(existsSync(store)).toBe(false);
    const result = expectImported(importInto(store, readFixtureObject(D05), { createStore: true }));
    expect(nexusShape(result)).toEqual(expected['1_d05_into_empty_store']);
    expect(result.store).toEqual({ path: store, created: true, replaced: false });
    expect(result.verdict).toBe('pass');
    expect(result.nexus_attest).toEqual({ ok: true });
    expect(result.status_as_of).toEqual({
      instant: exportedAtOf(readFixtureObject(D05)),
      source: 'meta.exported_at',
    });
    const again = reexport(store, D05_ID, exportedAtOf(readFixtureObject(D05)));
    expect(digestOf(again) === D05_DIGEST).toBe(expected['1b_reexport_digest_equals_original']);
    expect(canonicalOf(again)).toBe(canonicalOf(readFixtureObject(D05)));
  });

  it('2: d05 again with reject_on_conflict is DECISION_EXISTS, and nothing changes', () => {
    const result = expectUntouched(store, () =>
      expectRefused(importInto(store, readFixtureObject(D05))),
    );
    const scenario = expected['2_d05_again_reject_on_conflict'] as Record<string, string>;
    expect(result.error_code).toBe(scenario['error_code']);
    expect(result.error.startsWith(scenario['error'] ?? '-')).toBe(true);
    expect(result.nexus_attest).toEqual({
      ok: false,
      error_code: scenario['error_code'],
      error: scenario['error'],
    });
    expect(result.verdict).toBe('pass');
    expect(refusalAsError(result)).toMatchObject({ code: 'DECISION_EXISTS' });
  });

  it('3: new_decision_id writes the events under a new uuid4; 3b-3d: re-export differs', () => {
    const result = expectImported(
      importInto(store, readFixtureObject(D05), {
        conflictMode: 'new_decision_id',
        newDecisionId: () => REMAPPED_ID,
      }),
    );
    expect(nexusShape(result)).toEqual(expected['3_d05_new_decision_id']);
    const remapped = reexport(store, REMAPPED_ID, exportedAtOf(readFixtureObject(D05)));
    expect(digestOf(remapped)).toBe(expected['3b_reexport_of_remapped_digest']);
    expect(digestOf(remapped) === D05_DIGEST).toBe(expected['3c_remapped_digest_equals_original']);
    expect(eventAt(remapped, 0).get('event_id')).toBe(expected['3d_remapped_first_event_id']);
  });

  it('3: by default the new id is a random uuid4', () => {
    const copy = join(freshDirectory(), 'copy.db');
    copyFileSync(store, copy);
    const result = expectImported(
      importInto(copy, readFixtureObject(D05), { conflictMode: 'new_decision_id' }),
    );
    expect(result.imported.new_decision_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(result.imported.original_decision_id).toBe(D05_ID);
  });

  it('4: overwrite replaces d05 in one transaction; re-export gives the original digest', () => {
    const result = expectImported(
      importInto(store, readFixtureObject(D05), { conflictMode: 'overwrite' }),
    );
    expect(nexusShape(result)).toEqual(expected['4_d05_overwrite']);
    expect(result.store.replaced).toBe(true);
    expect(digestOf(reexport(store, D05_ID, exportedAtOf(readFixtureObject(D05))))).toBe(
      D05_DIGEST,
    );
  });

  it('5: an invalid conflict mode is refused as a usage error (CONFLICT_MODE_INVALID)', () => {
    const result = expectUntouched(store, () =>
      expectRefused(
        importInto(store, readFixtureObject(D05), {
          conflictMode: 'merge' as ImportConflictMode,
        }),
      ),
    );
    const scenario = expected['5_invalid_conflict_mode'] as Record<string, string>;
    expect(result.error_code).toBe('USAGE');
    expect(result.error.startsWith(scenario['error'] ?? '-')).toBe(true);
    expect(result.nexus_attest).toEqual({
      ok: false,
      error_code: scenario['error_code'],
      error: scenario['error'],
    });
  });

  it('6: d08 (templated) imports; 6b: its template reference replays; 6c: only two tables', () => {
    const result = expectImported(importInto(store, readFixtureObject(D08)));
    expect(nexusShape(result)).toEqual(expected['6_d08_templated_into_store']);
    const decisionId = result.imported.decision_id;
    const reader = DecisionStoreReader.open(store);
    const loaded = reader.loadDecision(decisionId);
    reader.close();
    if (!loaded.ok) throw new Error(loaded.message);
    const replay = replayDecision(decisionId, loaded.events, AS_OF);
    if (!replay.ok) throw new Error(replay.message);
    const ref = replay.decision.templateRef;
    expect({
      digest: ref?.digest,
      name: ref?.name,
      overrides_applied: Object.fromEntries(ref?.overridesApplied ?? []),
    }).toEqual(expected['6b_d08_template_ref_after_import']);
    expect(rawRows(store).tables).toEqual(expected['6c_tables_in_import_db']);
    expect(digestOf(reexport(store, decisionId, exportedAtOf(readFixtureObject(D08))))).toBe(
      stringAt(readFixtureObject(D08), 'integrity', 'canonical_digest'),
    );
  });

  it('the store now holds exactly the rows nexus-attest wrote into import-target.db', () => {
    const ours = rawRows(store);
    const theirs = rawRows(nexusAttestPath('import', 'import-target.db'));
    expect(ours.decisions).toEqual(theirs.decisions);
    expect(ours.events).toEqual(theirs.events);
    expect(ours.tables).toEqual(theirs.tables);
  });

  it('7: with replay_after_import off, replay_ran is false and no replay is reported', () => {
    const result = expectImported(
      importInto(join(freshDirectory(), 'new.db'), readFixtureObject(D05), {
        createStore: true,
        replayAfterImport: false,
      }),
    );
    expect(nexusShape(result)).toEqual(expected['7_no_replay']);
  });
});

describeWithFixtures('conflicts with import-target.db (a byte copy)', () => {
  it('reject_on_conflict leaves the copy byte-identical', () => {
    const store = targetCopy();
    const result = expectUntouched(store, () =>
      expectRefused(importInto(store, readFixtureObject(D08))),
    );
    expect(result.error_code).toBe('DECISION_EXISTS');
  });

  it('overwrite rewrites the same rows; new_decision_id adds a copy whose re-export differs', () => {
    const store = targetCopy();
    const before = rawRows(store);
    expectImported(importInto(store, readFixtureObject(D05), { conflictMode: 'overwrite' }));
    expect(rawRows(store)).toEqual(before);
    const remapped = expectImported(
      importInto(store, readFixtureObject(D05), {
        conflictMode: 'new_decision_id',
        newDecisionId: () => '00000000-0000-4000-8000-000000000001',
      }),
    );
    const exportedAt = exportedAtOf(readFixtureObject(D05));
    expect(digestOf(reexport(store, D05_ID, exportedAt))).toBe(D05_DIGEST);
    expect(digestOf(reexport(store, remapped.imported.decision_id, exportedAt))).not.toBe(
      D05_DIGEST,
    );
    expect(rawRows(store).decisions).toHaveLength(before.decisions.length + 1);
  });

  it('overwrite replaces a decision that has gone on to record more events', () => {
    const store = emptyStore();
    expectImported(importInto(store, readFixtureObject(D05)));
    const writer = DecisionStoreWriter.open(store);
    writer.append(D05_ID, [
      {
        eventType: 'APPROVAL_REVOKED',
        actor: { type: 'human', id: 'mallory@example.com' },
        ts: '2026-11-22T21:30:00+00:00',
        payload: fromJsValue({ reason: '' }),
      },
    ]);
    writer.close();
    const result = expectImported(
      importInto(store, readFixtureObject(D05), { conflictMode: 'overwrite' }),
    );
    expect(result.imported.events_imported).toBe(7);
    expect(digestOf(reexport(store, D05_ID, exportedAtOf(readFixtureObject(D05))))).toBe(
      D05_DIGEST,
    );
  });
});

describeWithFixtures('every exported bundle imports, and re-exports to the same digest', () => {
  const exported = manifestFiles('decision-bundle');
  const variants = manifestFiles('decision-bundle-variant');

  it('covers the fixtures', () => {
    expect(exported).toHaveLength(14);
    expect(variants).toHaveLength(3);
  });

  it.each([...exported, ...variants].map((file) => [file.path] as const))('%s', (path) => {
    const bundle = readFixtureObject(path);
    const store = join(freshDirectory(), 'decisions.db');
    // Judged at the real clock: decision.status is still compared as of meta.exported_at.
    const result = expectImported(
      importDecisionBundle(store, bundle, { asOf: new Date(), createStore: true }),
    );
    expect(result.verdict).toBe('pass');
    expect(result.checks.filter((line) => line.status !== 'PASS')).toEqual([]);
    const again = reexport(store, result.imported.decision_id, exportedAtOf(bundle), {
      includeTemplateSnapshot: !path.includes('no-template-snapshot'),
      includeRouterLink: !path.includes('no-router-link'),
    });
    expect(canonicalOf(again)).toBe(canonicalOf(bundle));
  });
});

describeWithFixtures('decision.status is compared as of the export', () => {
  // d02 is APPROVED with one approval expiring at the end of 2099.
  const after2099 = micros('2100-01-01T00:00:00+00:00');

  it('uses meta.exported_at, so an export that has since expired still imports', () => {
    const store = emptyStore();
    const result = expectImported(importInto(store, readFixtureObject(D02), { asOf: after2099 }));
    expect(stringAt(readFixtureObject(D02), 'decision', 'status')).toBe('APPROVED');
    expect(result.status_as_of?.source).toBe('meta.exported_at');
    expect(result.lifecycle.state).toBe('pending_approval');
    expect(result.replay?.blocking_reasons.map((reason) => reason.code)).toEqual([
      'APPROVAL_EXPIRED',
    ]);
  });

  it('without meta, as of the import: refused after the expiry, imported before it', () => {
    const bundle = clonePy(readFixtureObject(D02));
    bundle.delete('meta'); // outside the digest
    const store = emptyStore();
    const late = expectUntouched(store, () =>
      expectRefused(importInto(store, bundle, { asOf: after2099 })),
    );
    expect(late.error_code).toBe('BUNDLE_STATUS_MISMATCH');
    expect(late.status_as_of?.source).toBe('as_of');
    expect(late.error).toMatch(/PENDING_APPROVAL/);
    expect(late.nexus_attest).toEqual({ ok: true });
    const inTime = expectImported(importInto(store, bundle));
    expect(inTime.status_as_of).toEqual({ instant: inTime.as_of, source: 'as_of' });
  });

  it('refuses an exported_at before the last event, without an offset, or unreadable', () => {
    const store = emptyStore();
    for (const exportedAt of [
      '1999-01-01T00:00:00+00:00',
      '2026-11-22T21:22:56.666952',
      'yesterday',
    ]) {
      const bundle = d05();
      objectAt(bundle, 'meta').set('exported_at', exportedAt);
      const result = expectUntouched(store, () => expectRefused(importInto(store, bundle)));
      expect(result.error_code).toBe('BUNDLE_STATUS_NOT_REPLAYED');
      expect(result.nexus_attest).toEqual({ ok: true });
    }
  });
});

describeWithFixtures('tampered bundles (bundles/tampered/)', () => {
  /** Proofdesk's code for each; null = imported (the digest is the same value, prefix or not). */
  const proofdesk: Record<string, string | null> = {
    'digest-without-prefix': null,
    'event-digest-changed': 'BUNDLE_DIGEST_MISMATCH',
    'goal-changed': 'BUNDLE_DIGEST_MISMATCH',
    'goal-changed-verify-off': 'BUNDLE_DIGEST_MISMATCH',
    'meta-changed': 'BUNDLE_STATUS_NOT_REPLAYED',
    'missing-decision-status': 'BUNDLE_INVALID_SCHEMA',
    'provenance-changed': 'BUNDLE_PROVENANCE_INCONSISTENT',
  };
  const tampered = manifestFiles('decision-bundle-tampered');

  it('covers every tampered fixture', () => {
    expect(tampered.map((file) => /d05\.(.+)\.bundle\.json$/.exec(file.path)?.[1]).sort()).toEqual(
      Object.keys(proofdesk).sort(),
    );
  });

  it.each(tampered.map((file) => [file.path, file] as const))('%s', (path, file) => {
    const name = /d05\.(.+)\.bundle\.json$/.exec(path)?.[1] ?? '';
    const expectedCode = proofdesk[name];
    const nexus = file.expected as {
      import_ok: boolean;
      import_error_code: string | null;
      import_error: string | null;
      import_kwargs: Record<string, unknown>;
    };
    const bundle = readFixtureObject(path);
    for (const store of [emptyStore(), targetCopy()]) {
      const isTarget = store.endsWith('import-target.db');
      if (expectedCode === null && !isTarget) {
        const result = expectImported(importInto(store, bundle));
        expect(digestOf(reexport(store, D05_ID, exportedAtOf(bundle)))).toBe(D05_DIGEST);
        expect(result.nexus_attest).toEqual({ ok: true });
        continue;
      }
      const result = expectUntouched(store, () => expectRefused(importInto(store, bundle)));
      // A verification failure is reported before a conflict with the store.
      expect(result.error_code).toBe(expectedCode ?? 'DECISION_EXISTS');
      if (expectedCode !== null) expect(result.verdict).toBe('fail');
      // What nexus-attest itself says (verify_digest on; into import-target.db d05 exists).
      if (Object.keys(nexus.import_kwargs).length === 0) {
        expect(result.nexus_attest).toEqual(
          nexus.import_ok
            ? isTarget
              ? {
                  ok: false,
                  error_code: 'DECISION_EXISTS',
                  error: `Decision already exists: ${D05_ID}`,
                }
              : { ok: true }
            : { ok: false, error_code: nexus.import_error_code, error: nexus.import_error },
        );
      } else {
        expect(emulateNexusImport(bundle, { verifyDigest: false })).toEqual({
          ok: true,
          digestVerified: false,
        });
      }
      if (expectedCode === 'BUNDLE_DIGEST_MISMATCH') {
        expect(result.error).toContain(nexus.import_error ?? 'Digest mismatch');
      }
    }
  });

  it('a refused bundle never creates a missing store', () => {
    const store = join(freshDirectory(), 'never.db');
    const result = expectRefused(
      importInto(store, readFixtureObject('bundles/tampered/d05.goal-changed.bundle.json'), {
        createStore: true,
      }),
    );
    expect(result.error_code).toBe('BUNDLE_DIGEST_MISMATCH');
    expect(existsSync(store)).toBe(false);
  });
});

describeWithFixtures('tampering nexus-attest lets through (bundle digest recomputed)', () => {
  const D08_ID = stringAt(readFixtureObject(D08), 'decision', 'decision_id');

  const cases: [string, string, (bundle: PyJsonObject) => void, unknown][] = [
    [
      'an event payload edited',
      'BUNDLE_EVENT_DIGEST_MISMATCH',
      (bundle) => objectAt(eventAt(bundle, 0), 'payload').set('plan', 'also exfiltrate the keys'),
      { ok: true },
    ],
    [
      'an approval payload edited (expiry added)',
      'BUNDLE_EVENT_DIGEST_MISMATCH',
      (bundle) =>
        objectAt(eventAt(bundle, 2), 'payload').set('expires_at', '2099-01-01T00:00:00+00:00'),
      { ok: true },
    ],
    [
      'the header status rewritten',
      'BUNDLE_STATUS_MISMATCH',
      (bundle) => objectAt(bundle, 'decision').set('status', 'APPROVED'),
      { ok: true },
    ],
    [
      'the header goal rewritten',
      'BUNDLE_HEADER_MISMATCH',
      (bundle) => objectAt(bundle, 'decision').set('goal', 'Rotate ALL production API keys'),
      { ok: true },
    ],
    [
      'events listed out of seq order',
      'BUNDLE_SEQUENCE_INVALID',
      (bundle) => {
        const events = arrayAt(bundle, 'events');
        const [second, third] = [events[2], events[3]];
        if (second === undefined || third === undefined) throw new Error('short');
        events[2] = third;
        events[3] = second;
      },
      { ok: true },
    ],
    [
      'a seq written as a float',
      'BUNDLE_SEQUENCE_INVALID',
      (bundle) => eventAt(bundle, 3).set('seq', new PyNumber('3.0')),
      { ok: true },
    ],
    [
      'the last event cut off (a shorter history)',
      'BUNDLE_STATUS_MISMATCH',
      (bundle) => arrayAt(bundle, 'events').pop(),
      { ok: true },
    ],
    [
      'an event_id of another decision',
      'BUNDLE_EVENT_ID_MISMATCH',
      (bundle) => eventAt(bundle, 2).set('event_id', `evt_${D08_ID}_2`),
      { ok: true },
    ],
    [
      'an event decision_id of another decision',
      'BUNDLE_EVENT_ID_MISMATCH',
      (bundle) => eventAt(bundle, 2).set('decision_id', D08_ID),
      { ok: true },
    ],
    [
      'a field export never writes',
      'BUNDLE_UNCOVERED_FIELD',
      (bundle) => eventAt(bundle, 2).set('signature', 'not checked by anyone'),
      { ok: true },
    ],
    [
      'an actor that is not {type, id}',
      'BUNDLE_INVALID_SCHEMA',
      (bundle) => eventAt(bundle, 2).set('actor', fromJsValue({ id: 'alice@example.com' })),
      { ok: true },
    ],
    // nexus-attest refuses these too, but only after its own checks, or by deleting again.
    [
      'a seq gap (an approval removed)',
      'BUNDLE_SEQUENCE_INVALID',
      (bundle) => arrayAt(bundle, 'events').splice(3, 1),
      { ok: false, error_code: 'REPLAY_INVALID', error: 'Event sequence gap: expected 3, got 4' },
    ],
    [
      'an unknown event type with its digest recomputed',
      'DECISION_UNREPLAYABLE',
      (bundle) => {
        const event = eventAt(bundle, 3);
        event.set('type', 'APPROVAL_FORGED');
        event.set(
          'digest',
          computeEventDigest(
            'APPROVAL_FORGED',
            event.get('payload') ?? null,
            portableCryptoProvider,
          ),
        );
      },
      {
        ok: false,
        error_code: 'REPLAY_INVALID',
        error: "'APPROVAL_FORGED' is not a valid EventType",
      },
    ],
  ];

  it.each(cases)('%s: %s', (_name, code, edit, nexus) => {
    const bundle = d05();
    edit(bundle);
    reseal(bundle);
    const store = emptyStore();
    const result = expectUntouched(store, () => expectRefused(importInto(store, bundle)));
    expect(result.error_code).toBe(code);
    expect(failCodes(result)).toContain(code);
    expect(result.nexus_attest).toEqual(nexus);
    expect(result.verdict).toBe('fail');
    expect(refusalAsError(result)).toMatchObject({ code: 'IMPORT_REFUSED' });
    expect(FINDING_CODES as readonly string[]).toContain(result.error_code);
  });

  it('a bundle without events is refused', () => {
    const bundle = d05();
    arrayAt(bundle, 'events').splice(0);
    objectAt(bundle, 'decision').set('created_at', '');
    objectAt(bundle, 'decision').set('goal', null);
    objectAt(bundle, 'decision').set('mode', 'dry_run');
    objectAt(bundle, 'decision').set('status', 'DRAFT');
    objectAt(bundle, 'router_link').clear();
    reseal(bundle);
    const store = emptyStore();
    const result = expectUntouched(store, () => expectRefused(importInto(store, bundle)));
    expect(result.error_code).toBe('BUNDLE_SEQUENCE_INVALID');
  });

  it('a bundle that is not an object is refused by the schema check', () => {
    const store = emptyStore();
    const result = expectUntouched(store, () => expectRefused(importInto(store, [])));
    expect(result.error_code).toBe('BUNDLE_INVALID_SCHEMA');
  });
});

describeWithFixtures('the store itself', () => {
  it('a missing store without createStore, or a file that is not a decision store, throws', () => {
    expect(() => importInto(join(freshDirectory(), 'missing.db'), readFixtureObject(D05))).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
    const ledger = join(freshDirectory(), 'ledger.db');
    copyFileSync(nexusconeFixture('valid_empty.db'), ledger);
    expect(() => importInto(ledger, readFixtureObject(D05))).toThrow(ProofdeskError);
    expect(() => importInto(ledger, readFixtureObject(D05))).toThrow(
      expect.objectContaining({ code: 'NOT_A_DECISION_STORE' }),
    );
  });

  it('replaceDecision rolls everything back when a write fails', () => {
    const store = emptyStore();
    expectImported(importInto(store, readFixtureObject(D05)));
    const before = rawRows(store);
    const writer = DecisionStoreWriter.open(store);
    try {
      expect(() =>
        writer.replaceDecision(D05_ID, '2026-11-22T21:30:00+00:00', [
          {
            eventType: 'DECISION_CREATED',
            actor: { type: 'human', id: 'a' },
            ts: '2026-11-22T21:30:00+00:00',
            payload: fromJsValue({ goal: 'g' }),
          },
          {
            eventType: 'POLICY_ATTACHED',
            actor: { type: 'human', id: 'a' },
            ts: '2026-11-22T21:30:01+00:00',
            // NaN cannot be canonicalised, so the digest of the second event throws mid-write.
            payload: new Map<string, PyJsonValue>([['min_approvals', new PyNumber('NaN')]]),
          },
        ]),
      ).toThrow();
    } finally {
      writer.close();
    }
    expect(rawRows(store)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// proofdesk bundle import

interface Captured {
  status: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Captured {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: () => null,
    stdinIsTty: true,
    stderrIsTty: false,
  };
  const status = runBundleImport(args, io);
  return { status, stdout, stderr };
}

/** Exit 2, nothing on stdout, one sentence on stderr. */
function expectUsageError(run: Captured, mentions: RegExp): void {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^proofdesk: \S[^\n]*\.\n$/);
  expect(run.stderr).toMatch(mentions);
}

describeWithFixtures('proofdesk bundle import', () => {
  const d05Path = nexusAttestPath(D05);

  it('imports into a new store with --create and says what it wrote (exit 0)', () => {
    const store = join(freshDirectory(), 'new.db');
    const run = cli([d05Path, '--db', store, '--create', '--at', '2026-11-22T21:23:00Z']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(
      `imported  decision ${D05_ID} (7 events) into ${store}, a new store`,
    );
    expect(run.stdout).toContain(
      'replay    as of 2026-11-22T21:23:00+00:00: completed, ALREADY_EXECUTED (Decision has already been executed successfully)',
    );
    expect(run.stdout).toMatch(/verdict: PASS/);
    expect(digestOf(reexport(store, D05_ID, exportedAtOf(readFixtureObject(D05))))).toBe(
      D05_DIGEST,
    );
  });

  it('--json gives the ImportResult and the checks', () => {
    const store = emptyStore();
    const run = cli([d05Path, '--db', store, '--json', '--conflict', 'overwrite']);
    expect(run.status, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      verdict: 'pass',
      subject: 'decision-bundle',
      decision_id: D05_ID,
      imported: true,
      import: {
        ok: true,
        imported: { decision_id: D05_ID, events_imported: 7 },
        digest_verified: true,
        conflict_mode: 'overwrite',
        replay_ran: true,
      },
    });
    expect(Array.isArray(document['checks'])).toBe(true);
  });

  it('new_decision_id on a conflict says the events went under a new id', () => {
    const store = emptyStore();
    expect(cli([d05Path, '--db', store]).status).toBe(0);
    const run = cli([d05Path, '--db', store, '--conflict', 'new_decision_id']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`${D05_ID} was already in the store`);
  });

  it('a bundle that fails verification: exit 1, checks on stdout, one sentence on stderr', () => {
    const store = emptyStore();
    const tampered = nexusAttestPath('bundles/tampered/d05.event-digest-changed.bundle.json');
    const run = expectUntouched(store, () => cli([tampered, '--db', store]));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^proofdesk: not imported: BUNDLE_DIGEST_MISMATCH: INTEGRITY_MISMATCH: Digest mismatch: expected c8d8aaaefb8a206c\.\.\., got 8a97161a25649aa4\.\.\.[^\n]*\.\n$/,
    );
    expect(run.stdout).toMatch(/^FAIL +bundle\.digest/m);
    expect(run.stdout).toMatch(/^FAIL +bundle\.event_digests/m);
    expect(run.stdout).toMatch(/verdict: FAIL/);
    expect(run.stdout).toContain(
      `not imported: BUNDLE_DIGEST_MISMATCH; nothing was written to ${store}`,
    );
  });

  it('tampering with the bundle digest recomputed is refused too (exit 1)', () => {
    const bundle = d05();
    objectAt(eventAt(bundle, 0), 'payload').set('plan', 'edited');
    reseal(bundle);
    const file = join(freshDirectory(), 'forged.bundle.json');
    writeFileSync(file, canonicalOf(bundle));
    const store = emptyStore();
    const run = expectUntouched(store, () => cli([file, '--db', store, '--json']));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^proofdesk: not imported: BUNDLE_EVENT_DIGEST_MISMATCH: [^\n]+\.\n$/,
    );
    const document = JSON.parse(run.stdout) as {
      import: Record<string, unknown>;
      imported: boolean;
    };
    expect(document.imported).toBe(false);
    expect(document.import).toMatchObject({
      ok: false,
      error_code: 'BUNDLE_EVENT_DIGEST_MISMATCH',
      nexus_attest: { ok: true },
    });
  });

  it('a decision already in the store: exit 1 with DECISION_EXISTS', () => {
    const store = emptyStore();
    expect(cli([d05Path, '--db', store]).status).toBe(0);
    const run = expectUntouched(store, () => cli([d05Path, '--db', store]));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `proofdesk: not imported: DECISION_EXISTS: Decision already exists: ${D05_ID} (conflict mode reject_on_conflict; new_decision_id or overwrite would import it).\n`,
    );
  });

  it('JSON that is not a bundle is a verification failure (exit 1)', () => {
    const file = join(freshDirectory(), 'list.json');
    writeFileSync(file, '[1, 2]');
    const run = cli([file, '--db', emptyStore()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^proofdesk: not imported: BUNDLE_INVALID_SCHEMA: /);
  });

  it('usage and I/O errors: exit 2 with one sentence', () => {
    const store = emptyStore();
    const notJson = join(freshDirectory(), 'bad.json');
    writeFileSync(notJson, '{"bundle_version": ');
    const withBom = join(freshDirectory(), 'bom.json');
    writeFileSync(withBom, `\ufeff${readFileSync(d05Path, 'utf8')}`);
    expectUsageError(cli([join(directory, 'nope.json'), '--db', store]), /no bundle file/);
    expectUsageError(cli([directory, '--db', store]), /is a directory/);
    expectUsageError(cli([notJson, '--db', store]), /is not JSON/);
    expectUsageError(cli([withBom, '--db', store]), /is not JSON/);
    expectUsageError(cli([d05Path]), /needs --db DB/);
    expectUsageError(cli(['--db', store]), /needs a bundle file/);
    expectUsageError(cli([d05Path, d05Path, '--db', store]), /takes one bundle file/);
    expectUsageError(
      cli([d05Path, '--db', store, '--conflict', 'merge']),
      /--conflict must be reject_on_conflict, new_decision_id or overwrite, not "merge"/,
    );
    expectUsageError(cli([d05Path, '--db', store, '--at', 'tomorrow']), /--at needs/);
    expectUsageError(cli([d05Path, '--db', store, '--verify-digest']), /has no option/);
    expectUsageError(
      cli([d05Path, '--db', join(freshDirectory(), 'missing.db')]),
      /no decision store .*--create/,
    );
    const ledger = join(freshDirectory(), 'ledger.db');
    copyFileSync(nexusconeFixture('valid_empty.db'), ledger);
    expectUsageError(cli([d05Path, '--db', ledger]), /not a nexus-attest decision database/);
  });
});
