/**
 * nexus-attest decision bundles: every exported bundle rebuilt byte for byte from decisions.db,
 * import_bundle's verdict reproduced for every tampered fixture, and Proofdesk's strict checks
 * catching each tampering, including the ones nexus-attest lets through.
 */
import { describe, expect, it } from 'vitest';
import {
  PyNumber,
  pythonTruthy,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { FINDING_CODE_INFO, type FindingCode } from '../src-shared/check-code';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import { createNodeCryptoProvider } from '../src-main/crypto/node-crypto-provider';
import {
  DecisionBundleError,
  PythonException,
  buildDecisionBundle,
  computeBundleDigest,
  computeProvenanceId,
  computeRouterLinkDigest,
  deriveDecisionSections,
  emulateNexusImport,
  formatNexusImportError,
  parseNexusBundle,
  pyEquals,
  pyRepr,
  pyStr,
  pyStringRepr,
  pySubscript,
  replayedHeaderOf,
  validateBundleSchema,
  verifyDecisionBundle,
  type ReplayedDecisionHeader,
} from '../src-shared/decisions/decision-bundle';
import { computeEventDigest } from '../src-shared/decisions/decision-event';
import { replayDecision } from '../src-shared/decisions/decision-replay';
import { parsePythonJson } from '../src-shared/canonical-json/python-json';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  arrayAt,
  canonicalOf,
  clonePy,
  codesWithStatus,
  failCodes,
  manifestEntry,
  manifestFiles,
  objectAt,
  readFixtureDecisionEvents,
  readFixtureObject,
  sha256Hex,
  stringAt,
} from './support/nexus-attest-fixtures';

const nodeCrypto = createNodeCryptoProvider();

/** Rewrites integrity and provenance after an edit, as a forger with the formulas would. */
function resealBundle(bundle: PyJsonObject): PyJsonObject {
  const digest = computeBundleDigest(bundle);
  const decisionId = stringAt(bundle, 'decision', 'decision_id');
  objectAt(bundle, 'integrity').set('canonical_digest', `sha256:${digest}`);
  const record = objectAt(arrayAt(bundle, 'provenance', 'records')[0]);
  record.set('prov_id', computeProvenanceId(decisionId, digest));
  record.set('outputs', [`bundle:sha256:${digest}`]);
  return bundle;
}

function headerOf(bundle: PyJsonValue, status?: string): ReplayedDecisionHeader {
  const decision = objectAt(bundle, 'decision');
  const goal = decision.get('goal');
  return {
    goal: typeof goal === 'string' ? goal : null,
    mode: stringAt(bundle, 'decision', 'mode'),
    status: status ?? stringAt(bundle, 'decision', 'status'),
    created_at: stringAt(bundle, 'decision', 'created_at'),
  };
}

describe('Python semantics used by the emulation', () => {
  it('reproduces repr, str, truthiness and equality', () => {
    expect(pyStringRepr('router_digest')).toBe("'router_digest'");
    expect(pyStringRepr("it's")).toBe('"it\'s"');
    expect(pyStringRepr('a\'b"c')).toBe("'a\\'b\"c'");
    expect(pyStringRepr('tab\there\u00a0\u00e9')).toBe("'tab\\there\\xa0é'");
    expect(pyRepr(parsePythonJson('{"a": [1, 2.50, null, true], "b": "x"}'))).toBe(
      "{'a': [1, 2.5, None, True], 'b': 'x'}",
    );
    expect(pyStr(new PyNumber('1e+16'))).toBe('1e+16');
    expect(pyStr(null)).toBe('None');
    expect(pythonTruthy(new PyNumber('0.0'))).toBe(false);
    expect(pythonTruthy(new Map())).toBe(false);
    expect(pythonTruthy('x')).toBe(true);
    expect(pyEquals(new PyNumber('1'), new PyNumber('1.0'))).toBe(true);
    expect(pyEquals(true, new PyNumber('1'))).toBe(true);
    expect(pyEquals('1', new PyNumber('1'))).toBe(false);
    expect(() => pySubscript(new Map(), 'router_digest')).toThrow("KeyError: 'router_digest'");
    expect(() => pySubscript('abc', 'x')).toThrow(
      "TypeError: string indices must be integers, not 'str'",
    );
    expect(() => pySubscript(null, 'x')).toThrow(
      "TypeError: 'NoneType' object is not subscriptable",
    );
  });

  it('reproduces validate_bundle_schema messages in order', () => {
    const bundle = parsePythonJson(
      '{"decision": {"goal": "g"}, "events": [{"seq": 0}, 3], "integrity": {}}',
    ) as PyJsonObject;
    expect(validateBundleSchema(bundle)).toEqual([
      'Missing required field: bundle_version',
      'Missing required field: decision.decision_id',
      'Missing required field: decision.created_at',
      'Missing required field: decision.status',
      'Missing required field: events[0].event_id',
      'Missing required field: events[0].type',
      'Missing required field: events[0].ts',
      'Event at index 1 must be an object',
      'Missing required field: integrity.canonical_digest',
    ]);
    expect(formatNexusImportError(emulateNexusImport(bundle))).toBe(
      `BUNDLE_INVALID_SCHEMA: Invalid bundle schema: ${validateBundleSchema(bundle).join('; ')}`,
    );
  });

  it('every finding code it emits belongs to a bundle.* or package.* check', () => {
    for (const [code, info] of Object.entries(FINDING_CODE_INFO)) {
      if (code.startsWith('BUNDLE_')) expect(info.check.startsWith('bundle.')).toBe(true);
      if (code.startsWith('PACKAGE_')) expect(info.check.startsWith('package.')).toBe(true);
    }
  });
});

describeWithFixtures('nexus-attest decision bundles', () => {
  const eventsByDecision = readFixtureDecisionEvents();
  const exported = manifestFiles('decision-bundle');
  const variants = manifestFiles('decision-bundle-variant');
  const tampered = manifestFiles('decision-bundle-tampered');

  function eventsOf(decisionId: string) {
    const events = eventsByDecision.get(decisionId);
    if (events === undefined) throw new Error(`decisions.db has no events for ${decisionId}`);
    return events;
  }

  function rebuild(path: string, crypto = portableCryptoProvider): PyJsonObject {
    const fixture = readFixtureObject(path);
    const decisionId = stringAt(fixture, 'decision', 'decision_id');
    return buildDecisionBundle(
      {
        decisionId,
        events: eventsOf(decisionId),
        status: stringAt(fixture, 'decision', 'status'),
        exportedAt: stringAt(fixture, 'meta', 'exported_at'),
        includeRouterLink: !path.includes('.no-router-link.'),
        includeTemplateSnapshot: !path.includes('.no-template-snapshot.'),
      },
      crypto,
    );
  }

  it('the manifest lists every fixture this suite covers', () => {
    expect(exported).toHaveLength(14);
    expect(variants).toHaveLength(3);
    expect(tampered).toHaveLength(7);
  });

  describe('buildDecisionBundle is byte-identical to export_decision', () => {
    it.each([...exported, ...variants].map((f) => [f.path, f] as const))('%s', (path, file) => {
      const fixture = readFixtureObject(path);
      const built = rebuild(path);
      const bytes = canonicalOf(built);
      // The files on disk are pretty-printed; the manifest's sha256 is over the canonical bytes.
      expect(bytes).toBe(canonicalOf(fixture));
      expect(sha256Hex(bytes)).toBe(file.sha256);
      expect(new TextEncoder().encode(bytes).length).toBe(file.bytes);
      expect(stringAt(built, 'integrity', 'canonical_digest')).toBe(
        file.expected?.['canonical_digest'],
      );
      expect(`sha256:${computeBundleDigest(fixture)}`).toBe(file.expected?.['canonical_digest']);
      if (file.kind === 'decision-bundle') {
        expect(stringAt(built, 'decision', 'status')).toBe(file.expected?.['decision_status']);
        expect([...objectAt(built, 'router_link').keys()].sort()).toEqual(
          file.expected?.['router_link_keys'],
        );
        expect(objectAt(built, 'template_snapshot').get('present')).toBe(
          file.expected?.['template_present'],
        );
      }
    });

    it.each(exported.map((f) => [f.path] as const))(
      'with the status replayed at export time: %s',
      (path) => {
        const fixture = readFixtureObject(path);
        const decisionId = stringAt(fixture, 'decision', 'decision_id');
        const events = eventsOf(decisionId);
        const replay = replayDecision(
          decisionId,
          events,
          new Date(stringAt(fixture, 'meta', 'exported_at')),
        );
        if (!replay.ok) throw new Error(replay.message);
        const header = replayedHeaderOf(replay.decision);
        const built = buildDecisionBundle({
          decisionId,
          events,
          status: header.status,
          exportedAt: stringAt(fixture, 'meta', 'exported_at'),
        });
        expect(canonicalOf(built)).toBe(canonicalOf(fixture));
        const verified = verifyDecisionBundle(built, { replayedHeader: header });
        expect(verified.checks.every((c) => c.status === 'PASS')).toBe(true);
      },
    );

    it('gives the same bytes with node:crypto and with events in any order', () => {
      const path = 'bundles/d12-executed-twice.bundle.json';
      const fixture = readFixtureObject(path);
      const decisionId = stringAt(fixture, 'decision', 'decision_id');
      const shuffled = [...eventsOf(decisionId)].reverse();
      const built = buildDecisionBundle(
        {
          decisionId,
          events: shuffled,
          status: 'COMPLETED',
          exportedAt: stringAt(fixture, 'meta', 'exported_at'),
        },
        nodeCrypto,
      );
      expect(canonicalOf(built)).toBe(canonicalOf(fixture));
      expect(canonicalOf(rebuild(path, nodeCrypto))).toBe(canonicalOf(fixture));
    });

    it('omits meta without exported_at, which leaves the digest unchanged', () => {
      const path = 'bundles/d05-executed-success.bundle.json';
      const fixture = readFixtureObject(path);
      const decisionId = stringAt(fixture, 'decision', 'decision_id');
      const built = buildDecisionBundle({
        decisionId,
        events: eventsOf(decisionId),
        status: 'COMPLETED',
      });
      expect(built.has('meta')).toBe(false);
      expect(objectAt(built, 'integrity').get('canonical_digest')).toBe(
        objectAt(fixture, 'integrity').get('canonical_digest'),
      );
    });

    it('keeps floats and non-ASCII exactly (d11)', () => {
      const bytes = canonicalOf(rebuild('bundles/d11-unicode-and-float.bundle.json'));
      expect(bytes).toContain('"max_steps":10.0');
      expect(bytes).toContain('Rotate clés — 東京 region 😀');
    });

    it('refuses events nexus-attest could not export', () => {
      const base = eventsOf(
        stringAt(
          readFixtureObject('bundles/d05-executed-success.bundle.json'),
          'decision',
          'decision_id',
        ),
      );
      const decisionId = base[0]?.decisionId ?? '';
      const forged = base.map((e) => (e.seq === 4 ? { ...e, eventType: 'APPROVAL_FORGED' } : e));
      expect(() =>
        buildDecisionBundle({ decisionId, events: forged, status: 'COMPLETED' }),
      ).toThrow(DecisionBundleError);
      expect(() =>
        buildDecisionBundle({ decisionId, events: forged, status: 'COMPLETED' }),
      ).toThrow("'APPROVAL_FORGED' is not a valid EventType");
      const missingKey = base.map((e) =>
        e.seq === 6 ? { ...e, payload: parsePythonJson('{"response_digest": "00"}') } : e,
      );
      expect(() =>
        buildDecisionBundle({ decisionId, events: missingKey, status: 'COMPLETED' }),
      ).toThrow("KeyError: 'run_id'");
      expect(() =>
        buildDecisionBundle({ decisionId: 'other', events: base, status: 'COMPLETED' }),
      ).toThrow(DecisionBundleError);
    });
  });

  describe('digest vectors', () => {
    it('event digests in decisions.db recompute from type and payload', () => {
      let count = 0;
      for (const events of eventsByDecision.values()) {
        for (const event of events) {
          expect(computeEventDigest(event.eventType, event.payload, portableCryptoProvider)).toBe(
            event.digest,
          );
          count++;
        }
      }
      expect(count).toBe(82);
    });

    it('control_router_link_digest hashes the raw request and result digests', () => {
      const bundle = readFixtureObject('bundles/d05-executed-success.bundle.json');
      const link = objectAt(bundle, 'router_link');
      const raw = (key: string) => stringAt(link, key).slice('sha256:'.length);
      expect(
        computeRouterLinkDigest(
          stringAt(bundle, 'decision', 'decision_id'),
          stringAt(link, 'run_id'),
          raw('router_request_digest'),
          raw('router_result_digest'),
        ),
      ).toBe('43ea1ba68c3028de3a65e58bd177a57de81f20cd56e496265c41bf8882c79943');
      expect(
        computeRouterLinkDigest(
          stringAt(bundle, 'decision', 'decision_id'),
          stringAt(link, 'run_id'),
          stringAt(link, 'router_request_digest'),
          stringAt(link, 'router_result_digest'),
        ),
      ).not.toBe('43ea1ba68c3028de3a65e58bd177a57de81f20cd56e496265c41bf8882c79943');
      expect(computeRouterLinkDigest('d', null, null, null)).toBeUndefined();
    });

    it('provenance ids follow prov_ + sha256(decision_id:digest)[:12]', () => {
      for (const file of exported) {
        const bundle = readFixtureObject(file.path);
        const digest = stringAt(bundle, 'integrity', 'canonical_digest').slice(7);
        const record = objectAt(arrayAt(bundle, 'provenance', 'records')[0]);
        expect(record.get('prov_id')).toBe(
          computeProvenanceId(stringAt(bundle, 'decision', 'decision_id'), digest),
        );
      }
      expect(
        stringAt(
          objectAt(
            arrayAt(
              readFixtureObject('bundles/d05-executed-success.bundle.json'),
              'provenance',
              'records',
            )[0],
          ),
          'prov_id',
        ),
      ).toBe('prov_38c2874928b7');
    });

    it('the bundle digest covers the from_dict form: a missing goal hashes as null', () => {
      const bundle = readFixtureObject('bundles/d00-draft-no-policy.bundle.json');
      const withoutGoal = clonePy(bundle);
      objectAt(withoutGoal, 'decision').delete('goal');
      const nullGoal = clonePy(bundle);
      objectAt(nullGoal, 'decision').set('goal', null);
      expect(computeBundleDigest(withoutGoal)).toBe(computeBundleDigest(nullGoal));
      expect(computeBundleDigest(withoutGoal)).not.toBe(computeBundleDigest(bundle));
      expect(parseNexusBundle(withoutGoal).decision.mode).toBe('dry_run');
    });

    it('derives the exported sections from the events', () => {
      const d12 = readFixtureObject('bundles/d12-executed-twice.bundle.json');
      const decisionId = stringAt(d12, 'decision', 'decision_id');
      const derived = deriveDecisionSections(decisionId, eventsOf(decisionId));
      expect(derived.executionCount).toBe(2);
      expect(canonicalOf(derived.routerLink)).toBe(canonicalOf(objectAt(d12, 'router_link')));
    });
  });

  describe('valid bundles pass every check', () => {
    it.each([...exported, ...variants].map((f) => [f.path] as const))('%s', (path) => {
      const bundle = readFixtureObject(path);
      const withoutReplay = verifyDecisionBundle(bundle);
      expect(withoutReplay.nexusImport).toEqual({ ok: true, digestVerified: true });
      expect(withoutReplay.verdict).toBe('pass');
      expect(failCodes(withoutReplay.checks)).toEqual([]);
      expect(codesWithStatus(withoutReplay.checks, 'WARN')).toEqual([]);
      expect(codesWithStatus(withoutReplay.checks, 'SKIP')).toEqual(['BUNDLE_STATUS_NOT_REPLAYED']);

      const status = manifestEntry(path).expected?.['decision_status'];
      const replayed = verifyDecisionBundle(bundle, {
        replayedHeader: headerOf(bundle, typeof status === 'string' ? status : undefined),
        crypto: nodeCrypto,
      });
      expect(replayed.verdict).toBe('pass');
      expect(replayed.checks.every((c) => c.status === 'PASS')).toBe(true);
      // nexus-attest's own checks stay visible under their names.
      expect(replayed.checks.map((c) => c.compatName).filter(Boolean)).toEqual([
        'import_bundle.schema',
        'import_bundle.verify_digest',
        'import_bundle.sequence',
      ]);
    });
  });

  describe('tampered fixtures: import_bundle verdict reproduced, strict checks catch each', () => {
    const STRICT: Record<string, { fail: FindingCode[]; warn?: FindingCode[] }> = {
      'bundles/tampered/d05.digest-without-prefix.bundle.json': { fail: [] },
      'bundles/tampered/d05.event-digest-changed.bundle.json': {
        fail: ['BUNDLE_DIGEST_MISMATCH', 'BUNDLE_EVENT_DIGEST_MISMATCH'],
      },
      'bundles/tampered/d05.goal-changed-verify-off.bundle.json': {
        fail: ['BUNDLE_DIGEST_MISMATCH', 'BUNDLE_HEADER_MISMATCH'],
      },
      'bundles/tampered/d05.goal-changed.bundle.json': {
        fail: ['BUNDLE_DIGEST_MISMATCH', 'BUNDLE_HEADER_MISMATCH'],
      },
      'bundles/tampered/d05.meta-changed.bundle.json': { fail: [] },
      'bundles/tampered/d05.missing-decision-status.bundle.json': {
        fail: ['BUNDLE_INVALID_SCHEMA'],
      },
      'bundles/tampered/d05.provenance-changed.bundle.json': {
        fail: [],
        warn: ['BUNDLE_PROVENANCE_INCONSISTENT'],
      },
    };

    it('covers every tampered file', () => {
      expect(tampered.map((f) => f.path).sort()).toEqual(Object.keys(STRICT).sort());
    });

    it.each(tampered.map((f) => [f.path, f] as const))('%s', (path, file) => {
      const bundle = readFixtureObject(path);
      const expected = file.expected as {
        import_ok: boolean;
        import_error: string | null;
        import_error_code: string | null;
        import_kwargs: { verify_digest?: boolean };
      };
      const options = { verifyDigest: expected.import_kwargs.verify_digest ?? true };
      const verdict = emulateNexusImport(bundle, options);
      expect(verdict.ok).toBe(expected.import_ok);
      if (!verdict.ok) {
        expect(verdict.errorCode).toBe(expected.import_error_code);
        expect(verdict.error).toBe(expected.import_error);
      }

      const result = verifyDecisionBundle(bundle, options);
      expect(result.nexusImport).toEqual(verdict);
      const want = STRICT[path];
      expect(want).toBeDefined();
      expect(failCodes(result.checks)).toEqual(want?.fail);
      expect(codesWithStatus(result.checks, 'WARN')).toEqual(want?.warn ?? []);
      expect(result.verdict).toBe(want?.fail.length ? 'fail' : 'pass');
      // Where nexus-attest refuses, the Proofdesk line carries its exact words.
      const words = formatNexusImportError(verdict);
      if (words !== undefined) {
        expect(result.checks.some((c) => c.status === 'FAIL' && c.message === words)).toBe(true);
      }
    });
  });

  describe('tampering nexus-attest misses', () => {
    const d05Path = 'bundles/d05-executed-success.bundle.json';
    const d05 = () => clonePy(readFixtureObject(d05Path));
    const eventAt = (bundle: PyJsonObject, i: number) => objectAt(arrayAt(bundle, 'events')[i]);

    function expectNexusAccepts(bundle: PyJsonObject): void {
      expect(emulateNexusImport(bundle)).toEqual({ ok: true, digestVerified: true });
    }

    it('an event payload edited, bundle digest recomputed', () => {
      const bundle = d05();
      objectAt(eventAt(bundle, 1), 'payload').set('min_approvals', new PyNumber('1'));
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      const result = verifyDecisionBundle(bundle);
      expect(failCodes(result.checks)).toEqual(['BUNDLE_EVENT_DIGEST_MISMATCH']);
      const line = result.checks.find((c) => c.code === 'BUNDLE_EVENT_DIGEST_MISMATCH');
      expect(line?.message).toContain('seq 1');
      expect(line?.actual).toBe('d03aa5d08da92675634b6388fddbb08210c74704eef077b4c57fb791740116f1');
    });

    it('the last events dropped (execution erased), digest recomputed', () => {
      const bundle = d05();
      arrayAt(bundle, 'events').splice(4);
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      const result = verifyDecisionBundle(bundle, {
        replayedHeader: { ...headerOf(bundle), status: 'APPROVED' },
      });
      expect(failCodes(result.checks)).toEqual([
        'BUNDLE_ROUTER_LINK_MISMATCH',
        'BUNDLE_STATUS_MISMATCH',
      ]);
    });

    it('a middle event dropped: nexus-attest reports the gap, so does Proofdesk', () => {
      const bundle = d05();
      arrayAt(bundle, 'events').splice(3, 1);
      resealBundle(bundle);
      expect(formatNexusImportError(emulateNexusImport(bundle))).toBe(
        'REPLAY_INVALID: Event sequence gap: expected 3, got 4',
      );
      const result = verifyDecisionBundle(bundle);
      expect(failCodes(result.checks)).toEqual(['BUNDLE_SEQUENCE_INVALID']);
      expect(result.checks.find((c) => c.code === 'BUNDLE_SEQUENCE_INVALID')).toMatchObject({
        compatName: 'import_bundle.sequence',
        message: 'REPLAY_INVALID: Event sequence gap: expected 3, got 4',
      });
    });

    it('a bundle whose first event is not seq 0', () => {
      const bundle = d05();
      arrayAt(bundle, 'events').splice(0, 1);
      resealBundle(bundle);
      expect(formatNexusImportError(emulateNexusImport(bundle))).toBe(
        'REPLAY_INVALID: Event sequence must start at 0, got 1',
      );
      expect(failCodes(verifyDecisionBundle(bundle).checks)).toContain('BUNDLE_SEQUENCE_INVALID');
    });

    it('events reordered in the array, digest recomputed', () => {
      const bundle = d05();
      const events = arrayAt(bundle, 'events');
      const [a, b] = [events[2], events[3]];
      if (a === undefined || b === undefined) throw new Error('fixture too short');
      events[2] = b;
      events[3] = a;
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      expect(failCodes(verifyDecisionBundle(bundle).checks)).toEqual(['BUNDLE_SEQUENCE_INVALID']);
    });

    it('router_link pointing at another run, link and bundle digests recomputed', () => {
      const bundle = d05();
      const decisionId = stringAt(bundle, 'decision', 'decision_id');
      const link = objectAt(bundle, 'router_link');
      link.set('run_id', 'run_FORGED');
      link.set(
        'control_router_link_digest',
        `sha256:${computeRouterLinkDigest(
          decisionId,
          'run_FORGED',
          stringAt(link, 'router_request_digest').slice(7),
          stringAt(link, 'router_result_digest').slice(7),
        )}`,
      );
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      const result = verifyDecisionBundle(bundle);
      expect(failCodes(result.checks)).toEqual(['BUNDLE_ROUTER_LINK_MISMATCH']);
    });

    it('control_router_link_digest replaced, bundle digest recomputed', () => {
      const bundle = d05();
      objectAt(bundle, 'router_link').set(
        'control_router_link_digest',
        `sha256:${'ab'.repeat(32)}`,
      );
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      expect(failCodes(verifyDecisionBundle(bundle).checks)).toEqual([
        'BUNDLE_LINK_DIGEST_MISMATCH',
        'BUNDLE_ROUTER_LINK_MISMATCH',
      ]);
    });

    it('an event moved to another decision id, digest recomputed', () => {
      const bundle = d05();
      eventAt(bundle, 2).set('event_id', 'evt_other_2');
      eventAt(bundle, 3).set('decision_id', 'other');
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      const result = verifyDecisionBundle(bundle);
      expect(failCodes(result.checks)).toEqual(['BUNDLE_EVENT_ID_MISMATCH']);
      expect(result.checks.filter((c) => c.code === 'BUNDLE_EVENT_ID_MISMATCH')).toHaveLength(2);
    });

    it('status rewritten (PENDING_APPROVAL shown as APPROVED), digest recomputed', () => {
      const bundle = clonePy(readFixtureObject('bundles/d01-pending-0-of-2.bundle.json'));
      objectAt(bundle, 'decision').set('status', 'APPROVED');
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      const withoutReplay = verifyDecisionBundle(bundle);
      expect(withoutReplay.verdict).toBe('pass');
      expect(codesWithStatus(withoutReplay.checks, 'SKIP')).toEqual(['BUNDLE_STATUS_NOT_REPLAYED']);
      const replayed = verifyDecisionBundle(bundle, {
        replayedHeader: headerOf(bundle, 'PENDING_APPROVAL'),
      });
      expect(failCodes(replayed.checks)).toEqual(['BUNDLE_STATUS_MISMATCH']);
    });

    it('a template snapshot edited, digest recomputed', () => {
      const bundle = clonePy(
        readFixtureObject('bundles/d08-template-executed-dry-run.bundle.json'),
      );
      objectAt(bundle, 'template_snapshot', 'snapshot').set('min_approvals', new PyNumber('5'));
      resealBundle(bundle);
      expectNexusAccepts(bundle);
      expect(failCodes(verifyDecisionBundle(bundle).checks)).toEqual([
        'BUNDLE_TEMPLATE_SNAPSHOT_MISMATCH',
      ]);
    });

    it('fields no digest covers are reported, not trusted', () => {
      const bundle = d05();
      objectAt(bundle, 'decision').set('approved_by', 'the board');
      eventAt(bundle, 0).set('note', 'x');
      expectNexusAccepts(bundle);
      const result = verifyDecisionBundle(bundle);
      expect(result.verdict).toBe('pass');
      const warn = result.checks.find((c) => c.code === 'BUNDLE_UNCOVERED_FIELD');
      expect(warn?.status).toBe('WARN');
      expect(warn?.message).toContain('decision.approved_by, events[0].note');
    });

    it('a replay header that disagrees with the goal', () => {
      const bundle = d05();
      const result = verifyDecisionBundle(bundle, {
        replayedHeader: { ...headerOf(bundle), goal: 'something else' },
      });
      expect(failCodes(result.checks)).toEqual(['BUNDLE_HEADER_MISMATCH']);
    });
  });

  describe('malformed input never throws', () => {
    const cases: [string, string, string | null][] = [
      ['a list', '[]', null],
      [
        'events missing decision_id',
        '',
        "BUNDLE_INVALID_SCHEMA: Failed to parse bundle: 'decision_id'",
      ],
      ['digest not a string', '', null],
      ['NaN in a payload', '', null],
    ];
    it.each(cases)('%s', (name, text, nexusWords) => {
      let bundle: PyJsonValue;
      if (text !== '') {
        bundle = parsePythonJson(text);
      } else {
        const base = clonePy(readFixtureObject('bundles/d05-executed-success.bundle.json'));
        const event0 = objectAt(arrayAt(base, 'events')[0]);
        if (name === 'events missing decision_id') event0.delete('decision_id');
        if (name === 'digest not a string')
          objectAt(base, 'integrity').set('canonical_digest', new PyNumber('5'));
        if (name === 'NaN in a payload') objectAt(event0, 'payload').set('x', new PyNumber('NaN'));
        bundle = base;
      }
      const result = verifyDecisionBundle(bundle);
      expect(result.verdict).toBe('fail');
      if (nexusWords !== null) expect(formatNexusImportError(result.nexusImport)).toBe(nexusWords);
      if (name === 'digest not a string') {
        expect(result.nexusImport).toEqual({
          ok: false,
          errorCode: null,
          error: "AttributeError: 'int' object has no attribute 'startswith'",
        });
      }
      if (name === 'NaN in a payload') {
        expect(result.nexusImport.ok).toBe(false);
        expect(failCodes(result.checks)).toContain('BUNDLE_EVENT_DIGEST_MISMATCH');
      }
    });

    it('PythonException carries Python’s type and str(e)', () => {
      const error = new PythonException('KeyError', "'x'");
      expect(error.message).toBe("KeyError: 'x'");
    });
  });
});
