/**
 * nexus-attest audit packages: every package rebuilt byte for byte, export errors reproduced,
 * every verify.json reproduced exactly by the verify_audit_package emulation, and Proofdesk's
 * strict checks catching each tampering, including what verify_audit_package never looks at.
 */
import { describe, expect, it } from 'vitest';
import { PyNumber, type PyJsonObject } from '../src-shared/canonical-json/python-json';
import type { FindingCode } from '../src-shared/check-code';
import { createNodeCryptoProvider } from '../src-main/crypto/node-crypto-provider';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import { attestDigest } from '../src-shared/decisions/decision-event';
import {
  NEXUS_PACKAGE_CHECK_NAMES,
  buildAuditPackage,
  computeBindingDigest,
  emulateVerifyAuditPackage,
  nexusPackageVerificationToJson,
  rehashRouterBundle,
  verifyAuditPackage,
  type BuildAuditPackageOptions,
} from '../src-shared/decisions/audit-package';
import {
  buildDecisionBundle,
  computeBundleDigest,
  computeProvenanceId,
  computeRouterLinkDigest,
  pyObject,
} from '../src-shared/decisions/decision-bundle';
import { describeWithFixtures } from './support/shared-fixtures';
import {
  arrayAt,
  canonicalOf,
  clonePy,
  codesWithStatus,
  failCodes,
  fixtureFilesIn,
  manifestEntry,
  manifestFiles,
  objectAt,
  readFixtureDecisionEvents,
  readFixtureJson,
  readFixtureObject,
  sha256Hex,
  stringAt,
} from './support/nexus-attest-fixtures';

const nodeCrypto = createNodeCryptoProvider();

/** The router bundles the fixtures embed (packages/inputs and the manifest's descriptions). */
function routerInputs() {
  const wrapper = readFixtureObject('packages/inputs/router-result-wrapper.bundle.json');
  const v03 = readFixtureObject('packages/inputs/nexus-router-v0.3-shaped.bundle.json');
  const v03Digest = stringAt(v03, 'digests', 'sha256');
  const v03WithIntegrity = clonePy(v03);
  v03WithIntegrity.set(
    'integrity',
    pyObject([
      ['alg', 'sha256'],
      ['canonical_digest', `sha256:${v03Digest}`],
    ]),
  );
  return { wrapper, v03, v03Digest, v03WithIntegrity };
}

function exportOptionsFor(path: string): BuildAuditPackageOptions {
  const { wrapper, v03Digest, v03WithIntegrity } = routerInputs();
  if (path.includes('.embedded-strict.')) return { embedRouterBundle: true, routerBundle: wrapper };
  if (path.includes('.embedded-nexus-router-shape.')) {
    return {
      embedRouterBundle: true,
      routerBundle: v03WithIntegrity,
      verifyRouterBundleDigest: false,
    };
  }
  if (path.includes('.reference-override.')) return { routerBundleDigest: `sha256:${v03Digest}` };
  return {};
}

/** Recomputes the control digest, binding and provenance after an edit, as a forger would. */
function resealPackage(pkg: PyJsonObject): PyJsonObject {
  const control = objectAt(pkg, 'control_bundle');
  const decisionId = stringAt(control, 'decision', 'decision_id');
  const controlDigest = `sha256:${computeBundleDigest(control)}`;
  objectAt(control, 'integrity').set('canonical_digest', controlDigest);
  const binding = objectAt(pkg, 'binding');
  binding.set('control_digest', controlDigest);
  binding.set(
    'control_router_link_digest',
    objectAt(control, 'router_link').get('control_router_link_digest') ?? null,
  );
  const raw = computeBindingDigest(
    '0.6',
    controlDigest,
    binding.get('router_digest') ?? null,
    binding.get('control_router_link_digest') ?? null,
  );
  objectAt(pkg, 'integrity').set('binding_digest', `sha256:${raw}`);
  const record = objectAt(arrayAt(pkg, 'provenance', 'records')[0]);
  record.set('prov_id', computeProvenanceId(decisionId, raw));
  record.set('outputs', [`audit_package:sha256:${raw}`]);
  return pkg;
}

function computeBundleDigestOfResult(result: PyJsonObject): string {
  return attestDigest(result, portableCryptoProvider);
}

function expectNexusAllOk(pkg: PyJsonObject, total: number): void {
  const nexus = emulateVerifyAuditPackage(pkg);
  expect(nexus).toMatchObject({ kind: 'result', ok: true, passed: total, failed: 0, total });
}

describeWithFixtures('nexus-attest audit packages', () => {
  const eventsByDecision = readFixtureDecisionEvents();
  const packages = manifestFiles('audit-package');
  const tamperedPackages = manifestFiles('audit-package-tampered');
  const verifyFiles = [
    ...fixtureFilesIn('packages', '.verify.json'),
    ...fixtureFilesIn('packages/tampered', '.verify.json'),
  ];

  /** The control bundle export_decision gave at package time, rebuilt from decisions.db. */
  function rebuiltControl(pkg: PyJsonObject): PyJsonObject {
    const control = objectAt(pkg, 'control_bundle');
    const decisionId = stringAt(control, 'decision', 'decision_id');
    const events = eventsByDecision.get(decisionId);
    if (events === undefined) throw new Error(`no events for ${decisionId}`);
    return buildDecisionBundle({
      decisionId,
      events,
      status: stringAt(control, 'decision', 'status'),
      exportedAt: stringAt(control, 'meta', 'exported_at'),
    });
  }

  it('the fixtures are all here', () => {
    expect(packages).toHaveLength(6);
    expect(tamperedPackages).toHaveLength(12);
    expect(verifyFiles).toHaveLength(18);
  });

  describe('buildAuditPackage is byte-identical to export_audit_package', () => {
    it.each(packages.map((f) => [f.path, f] as const))('%s', (path, file) => {
      const fixture = readFixtureObject(path);
      const control = rebuiltControl(fixture);
      // The control bundle export_decision returned is the one bundles/ holds (digest-wise).
      const bundleFile = manifestFiles('decision-bundle').find(
        (b) => b.decision_id === file.decision_id,
      );
      expect(stringAt(control, 'integrity', 'canonical_digest')).toBe(
        bundleFile?.expected?.['canonical_digest'],
      );

      const built = buildAuditPackage(control, {
        ...exportOptionsFor(path),
        exportedAt: stringAt(fixture, 'meta', 'exported_at'),
      });
      expect(built.ok).toBe(true);
      if (!built.ok) return;
      const bytes = canonicalOf(built.package);
      expect(bytes).toBe(canonicalOf(fixture));
      expect(sha256Hex(bytes)).toBe(file.sha256);
      expect(new TextEncoder().encode(bytes).length).toBe(file.bytes);
      expect(built.digest).toBe(file.expected?.['binding_digest']);
      expect(built.routerMode).toBe(file.expected?.['router_mode']);

      // The same from the bundles/ file's content (only meta.exported_at differs there).
      const fromBundleFile = clonePy(readFixtureObject(bundleFile?.path ?? ''));
      objectAt(fromBundleFile, 'meta').set(
        'exported_at',
        stringAt(fixture, 'control_bundle', 'meta', 'exported_at'),
      );
      const again = buildAuditPackage(fromBundleFile, {
        ...exportOptionsFor(path),
        exportedAt: stringAt(fixture, 'meta', 'exported_at'),
        crypto: nodeCrypto,
      });
      expect(again.ok && canonicalOf(again.package)).toBe(bytes);
    });

    it('reference and embedded-strict share a binding digest; the override differs', () => {
      const digest = (path: string) => manifestEntry(path).expected?.['binding_digest'];
      expect(digest('packages/d05.reference.audit.json')).toBe(
        digest('packages/d05.embedded-strict.audit.json'),
      );
      expect(digest('packages/d05.reference-override.audit.json')).not.toBe(
        digest('packages/d05.reference.audit.json'),
      );
      expect(digest('packages/d05.reference-override.audit.json')).toBe(
        digest('packages/d05.embedded-nexus-router-shape.audit.json'),
      );
    });

    it('binding digest vector: the prefixed strings go into the hash', () => {
      const pkg = readFixtureObject('packages/d05.reference.audit.json');
      const b = objectAt(pkg, 'binding');
      expect(
        computeBindingDigest(
          '0.6',
          stringAt(b, 'control_digest'),
          stringAt(b, 'router_digest'),
          stringAt(b, 'control_router_link_digest'),
        ),
      ).toBe('a4e2f4dbf1bf6cc30bbe3c43a5d9f6e219aef0423aa9454050df4b9f38e014c2');
    });
  });

  describe('export errors (packages/export-errors.json)', () => {
    const errors = readFixtureObject('packages/export-errors.json');
    const bundleOf = (slug: string) => readFixtureObject(`bundles/${slug}.bundle.json`);

    it.each(['d01-pending-0-of-2', 'd06-execution-failed', 'd09-executing-crashed'])(
      '%s: NO_ROUTER_LINK',
      (slug) => {
        const expected = objectAt(errors, slug);
        expect(buildAuditPackage(bundleOf(slug))).toEqual({
          ok: false,
          errorCode: expected.get('error_code'),
          error: expected.get('error'),
        });
      },
    );

    it('embed_router_bundle without a bundle silently falls back to reference mode', () => {
      const expected = objectAt(errors, 'd05-embed-true-but-no-bundle');
      const built = buildAuditPackage(bundleOf('d05-executed-success'), {
        embedRouterBundle: true,
      });
      expect(built).toMatchObject({
        ok: true,
        routerMode: expected.get('router_mode'),
        digest: expected.get('digest'),
      });
    });

    it('ROUTER_DIGEST_MISMATCH with verify_router_bundle_digest', () => {
      const expected = objectAt(errors, 'd05-embedded-digest-mismatch-verify-true');
      const zeros = pyObject([
        [
          'integrity',
          pyObject([
            ['alg', 'sha256'],
            ['canonical_digest', `sha256:${'0'.repeat(64)}`],
          ]),
        ],
      ]);
      const options = { embedRouterBundle: true, routerBundle: zeros };
      expect(buildAuditPackage(bundleOf('d05-executed-success'), options)).toEqual({
        ok: false,
        errorCode: expected.get('error_code'),
        error: expected.get('error'),
      });
      expect(
        buildAuditPackage(bundleOf('d05-executed-success'), {
          ...options,
          verifyRouterBundleDigest: false,
        }).ok,
      ).toBe(true);
    });

    it('a raw nexus-router bundle (no integrity) is refused where nexus-attest raises', () => {
      expect(errors.get('d05-embedded-raw-nexus-router-bundle')).toBe(
        "raises KeyError: 'integrity'",
      );
      expect(
        buildAuditPackage(bundleOf('d05-executed-success'), {
          embedRouterBundle: true,
          routerBundle: routerInputs().v03,
        }),
      ).toEqual({ ok: false, errorCode: 'ROUTER_BUNDLE_INVALID', error: "KeyError: 'integrity'" });
    });
  });

  describe('verify_audit_package reproduced exactly', () => {
    it.each(verifyFiles.map((path) => [path] as const))('%s', (verifyPath) => {
      const auditPath = verifyPath.replace(/\.verify\.json$/, '.audit.json');
      const pkg = readFixtureJson(auditPath);
      const expected = readFixtureObject(verifyPath);
      const nexus = emulateVerifyAuditPackage(pkg);
      expect(canonicalOf(nexusPackageVerificationToJson(nexus))).toBe(canonicalOf(expected));
      expect(emulateVerifyAuditPackage(pkg, nodeCrypto)).toEqual(nexus);

      // The manifest's summary agrees, and the CheckResult mapping keeps nexus-attest's names.
      const summary = manifestEntry(auditPath).expected ?? {};
      const result = verifyAuditPackage(pkg);
      expect(result.nexus).toEqual(nexus);
      if (nexus.kind === 'parse_error') {
        expect(summary['parse_error']).toBe(nexus.parseError);
        const line = result.checks.find((c) => c.check === 'package.structure');
        expect(line).toMatchObject({ status: 'FAIL', code: 'PACKAGE_MALFORMED' });
        expect(line?.message).toContain("KeyError: 'router_digest'");
        return;
      }
      expect(nexus.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(
        summary['failed_checks'],
      );
      expect(nexus.total).toBe(summary['checks_total']);
      const compat = result.checks.filter(
        (c) => c.compatName !== undefined && c.check !== 'package.structure',
      );
      expect(compat.map((c) => c.compatName)).toEqual(nexus.checks.map((c) => c.name));
      compat.forEach((line, i) => {
        const check = nexus.checks[i];
        expect(line.check).toBe(`package.${check?.name}`);
        expect(line.status).toBe(check?.ok ? 'PASS' : 'FAIL');
        expect(line.message).toBe(`${check?.name}: ${check?.detail}`);
        if (check?.expected !== undefined) expect(line.expected).toBe(check.expected);
        if (check?.actual !== undefined) expect(line.actual).toBe(check.actual);
      });
      expect(NEXUS_PACKAGE_CHECK_NAMES.slice(0, nexus.total)).toEqual(
        nexus.checks.map((c) => c.name),
      );
    });
  });

  describe('strict checks on the fixtures', () => {
    const STRICT: Record<
      string,
      { fail: FindingCode[]; warn?: FindingCode[]; skip?: FindingCode[] }
    > = {
      'packages/d05.reference.audit.json': { fail: [] },
      'packages/d05.reference-override.audit.json': { fail: [] },
      'packages/d05.embedded-strict.audit.json': { fail: [] },
      'packages/d05.embedded-nexus-router-shape.audit.json': { fail: [] },
      'packages/d08.reference.audit.json': { fail: [] },
      'packages/d12.reference.audit.json': { fail: [] },
      'packages/tampered/binding-digest-altered.audit.json': {
        fail: ['PACKAGE_BINDING_DIGEST_MISMATCH'],
        warn: ['PACKAGE_PROVENANCE_INCONSISTENT'],
      },
      'packages/tampered/binding-router-digest-altered.audit.json': {
        fail: ['PACKAGE_BINDING_DIGEST_MISMATCH', 'PACKAGE_BINDING_ROUTER_MISMATCH'],
      },
      'packages/tampered/control-goal-changed.audit.json': {
        fail: ['BUNDLE_HEADER_MISMATCH', 'PACKAGE_CONTROL_DIGEST_MISMATCH'],
      },
      'packages/tampered/control-integrity-digest-changed.audit.json': {
        fail: ['PACKAGE_BINDING_CONTROL_MISMATCH', 'PACKAGE_CONTROL_DIGEST_MISMATCH'],
        warn: ['BUNDLE_PROVENANCE_INCONSISTENT'],
      },
      'packages/tampered/control-link-altered.audit.json': {
        fail: [
          'BUNDLE_LINK_DIGEST_MISMATCH',
          'BUNDLE_ROUTER_LINK_MISMATCH',
          'PACKAGE_BINDING_LINK_MISMATCH',
          'PACKAGE_CONTROL_DIGEST_MISMATCH',
        ],
      },
      'packages/tampered/embedded-binding-router-digest-altered.audit.json': {
        fail: ['PACKAGE_BINDING_DIGEST_MISMATCH', 'PACKAGE_BINDING_ROUTER_MISMATCH'],
      },
      'packages/tampered/embedded-mode-switched-to-reference-without-ref.audit.json': {
        fail: ['PACKAGE_BINDING_ROUTER_MISMATCH'],
        skip: ['PACKAGE_ROUTER_BUNDLE_NOT_REHASHED', 'PACKAGE_RUN_ID_NOT_CHECKED'],
      },
      'packages/tampered/embedded-router-integrity-altered.audit.json': {
        fail: ['PACKAGE_BINDING_ROUTER_MISMATCH', 'PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH'],
      },
      'packages/tampered/malformed-missing-binding-router-digest.audit.json': {
        fail: ['PACKAGE_MALFORMED'],
      },
      'packages/tampered/meta-exported-at-changed.audit.json': { fail: [] },
      'packages/tampered/provenance-changed.audit.json': {
        fail: [],
        warn: ['PACKAGE_PROVENANCE_INCONSISTENT'],
      },
      'packages/tampered/router-ref-digest-altered.audit.json': {
        fail: ['PACKAGE_BINDING_ROUTER_MISMATCH'],
      },
    };

    it('covers every package fixture', () => {
      expect(Object.keys(STRICT).sort()).toEqual(
        [...packages, ...tamperedPackages].map((f) => f.path).sort(),
      );
    });

    /** The header a replay gives, taken from the untampered exported bundle of that decision. */
    function replayedHeaderFor(decisionId: string) {
      const file = manifestFiles('decision-bundle').find((b) => b.decision_id === decisionId);
      const bundle = readFixtureObject(file?.path ?? '');
      return {
        goal: stringAt(bundle, 'decision', 'goal'),
        mode: stringAt(bundle, 'decision', 'mode'),
        status: String(file?.expected?.['decision_status']),
        created_at: stringAt(bundle, 'decision', 'created_at'),
      };
    }

    it.each(Object.entries(STRICT))('%s', (path, want) => {
      const pkg = readFixtureJson(path);
      const decisionId = stringAt(pkg, 'control_bundle', 'decision', 'decision_id');
      const result = verifyAuditPackage(pkg, { replayedHeader: replayedHeaderFor(decisionId) });
      expect(failCodes(result.checks)).toEqual(want.fail);
      expect(codesWithStatus(result.checks, 'WARN')).toEqual(want.warn ?? []);
      const reference = stringAt(pkg, 'router', 'mode') === 'reference';
      const skips = want.skip ?? (reference ? ['PACKAGE_ROUTER_BUNDLE_NOT_REHASHED'] : []);
      expect(codesWithStatus(result.checks, 'SKIP')).toEqual(skips);
      expect(result.verdict).toBe(want.fail.length > 0 ? 'fail' : 'pass');

      // Without a replay, only decision.status goes unchecked.
      const unreplayed = verifyAuditPackage(pkg);
      expect(failCodes(unreplayed.checks)).toEqual(want.fail);
      expect(codesWithStatus(unreplayed.checks, 'SKIP')).toEqual(
        [...skips, 'BUNDLE_STATUS_NOT_REPLAYED'].sort(),
      );
    });

    it('re-hashes both embedded router bundle shapes', () => {
      const { wrapper, v03WithIntegrity } = routerInputs();
      expect(rehashRouterBundle(wrapper)).toMatchObject({ status: 'match' });
      expect(rehashRouterBundle(wrapper).message).toContain('H(result)');
      expect(rehashRouterBundle(v03WithIntegrity)).toMatchObject({ status: 'match' });
      expect(rehashRouterBundle(v03WithIntegrity).message).toContain('H({run, events})');
    });
  });

  describe('tampering verify_audit_package misses', () => {
    const reference = () => clonePy(readFixtureObject('packages/d05.reference.audit.json'));
    const embedded = () => clonePy(readFixtureObject('packages/d05.embedded-strict.audit.json'));
    const nexusShape = () =>
      clonePy(readFixtureObject('packages/d05.embedded-nexus-router-shape.audit.json'));

    it('a control event payload edited, every digest and the binding recomputed', () => {
      const pkg = reference();
      const event = objectAt(arrayAt(pkg, 'control_bundle', 'events')[1]);
      objectAt(event, 'payload').set('min_approvals', new PyNumber('1'));
      resealPackage(pkg);
      expectNexusAllOk(pkg, 5);
      const result = verifyAuditPackage(pkg);
      expect(failCodes(result.checks)).toEqual(['BUNDLE_EVENT_DIGEST_MISMATCH']);
      expect(result.verdict).toBe('fail');
    });

    it('router.ref.run_id names another run', () => {
      const pkg = reference();
      objectAt(pkg, 'router', 'ref').set('run_id', 'run_SOMEONE_ELSE');
      expectNexusAllOk(pkg, 5);
      const result = verifyAuditPackage(pkg);
      expect(failCodes(result.checks)).toEqual(['PACKAGE_RUN_ID_MISMATCH']);
      expect(result.checks.find((c) => c.code === 'PACKAGE_RUN_ID_MISMATCH')).toMatchObject({
        expected: 'run_01JFIXTURE0000000000000005',
        actual: 'run_SOMEONE_ELSE',
      });
    });

    it('the embedded router result edited, its integrity digest kept', () => {
      const pkg = embedded();
      objectAt(pkg, 'router', 'bundle', 'result').set('steps_executed', new PyNumber('40'));
      expectNexusAllOk(pkg, 6);
      const result = verifyAuditPackage(pkg);
      expect(failCodes(result.checks)).toEqual(['PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH']);
      expect(
        result.checks.find((c) => c.code === 'PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH'),
      ).toMatchObject({
        expected: 'sha256:92696d389b0731fd466cad1f255cc2a1b449900ebf65c8f9071ea5f6ebc51d9e',
      });
    });

    it('the embedded router result replaced and every digest re-derived from it', () => {
      const pkg = embedded();
      const bundle = objectAt(pkg, 'router', 'bundle');
      objectAt(bundle, 'result').set('steps_executed', new PyNumber('40'));
      const forged = `sha256:${computeBundleDigestOfResult(objectAt(bundle, 'result'))}`;
      objectAt(bundle, 'integrity').set('canonical_digest', forged);
      objectAt(pkg, 'binding').set('router_digest', forged);
      resealPackage(pkg);
      expectNexusAllOk(pkg, 6);
      const result = verifyAuditPackage(pkg);
      expect(failCodes(result.checks)).toEqual(['PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH']);
      expect(
        result.checks.find((c) => c.check === 'package.router_bundle' && c.status === 'FAIL')
          ?.message,
      ).toContain('router_result_digest');
    });

    it('the embedded nexus-router run edited, integrity and digests.sha256 kept', () => {
      const pkg = nexusShape();
      objectAt(pkg, 'router', 'bundle', 'run').set('goal', 'Exfiltrate production API keys');
      expectNexusAllOk(pkg, 6);
      expect(failCodes(verifyAuditPackage(pkg).checks)).toEqual([
        'PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH',
      ]);
    });

    it('the embedded router bundle names another run', () => {
      const pkg = embedded();
      objectAt(pkg, 'router', 'bundle').set('run_id', 'run_OTHER');
      expectNexusAllOk(pkg, 6);
      // run_id sits outside H(result), so only the run check sees it.
      expect(failCodes(verifyAuditPackage(pkg).checks)).toEqual(['PACKAGE_RUN_ID_MISMATCH']);
    });

    it('control link and ref moved to another run, all digests recomputed', () => {
      const pkg = reference();
      const control = objectAt(pkg, 'control_bundle');
      const link = objectAt(control, 'router_link');
      link.set('run_id', 'run_FORGED');
      link.set(
        'control_router_link_digest',
        `sha256:${computeRouterLinkDigest(
          stringAt(control, 'decision', 'decision_id'),
          'run_FORGED',
          stringAt(link, 'router_request_digest').slice(7),
          stringAt(link, 'router_result_digest').slice(7),
        )}`,
      );
      objectAt(pkg, 'router', 'ref').set('run_id', 'run_FORGED');
      resealPackage(pkg);
      expectNexusAllOk(pkg, 5);
      expect(failCodes(verifyAuditPackage(pkg).checks)).toEqual(['BUNDLE_ROUTER_LINK_MISMATCH']);
    });

    it('a control status the replay contradicts', () => {
      const pkg = reference();
      const result = verifyAuditPackage(pkg, {
        replayedHeader: {
          goal: 'Rotate production API keys',
          mode: 'apply',
          status: 'FAILED',
          created_at: stringAt(pkg, 'control_bundle', 'decision', 'created_at'),
        },
      });
      expect(failCodes(result.checks)).toEqual(['BUNDLE_STATUS_MISMATCH']);
    });

    it('an embedded router bundle of unknown shape is SKIPped with the reason', () => {
      const pkg = embedded();
      const bundle = objectAt(pkg, 'router', 'bundle');
      bundle.delete('result');
      bundle.set('opaque', 'x');
      const result = verifyAuditPackage(pkg);
      const line = result.checks.find((c) => c.check === 'package.router_bundle');
      expect(line).toMatchObject({ status: 'SKIP', code: 'PACKAGE_ROUTER_BUNDLE_NOT_REHASHED' });
      expect(line?.message).toContain('cannot re-hash');
    });
  });

  describe('malformed packages never throw', () => {
    it.each([
      [
        'not an object',
        () => new PyNumber('3') as never,
        "AttributeError: 'int' object has no attribute 'get'",
      ],
      [
        'no control bundle',
        () => {
          const p = clonePy(readFixtureObject('packages/d05.reference.audit.json'));
          p.delete('control_bundle');
          return p;
        },
        "KeyError: 'control_bundle'",
      ],
      [
        'binding digest not a string',
        () => {
          const p = clonePy(readFixtureObject('packages/d05.reference.audit.json'));
          objectAt(p, 'integrity').set('binding_digest', null);
          return p;
        },
        "AttributeError: 'NoneType' object has no attribute 'startswith'",
      ],
      [
        'embedded bundle is a string',
        () => {
          const p = clonePy(readFixtureObject('packages/d05.embedded-strict.audit.json'));
          objectAt(p, 'router').set('bundle', 'x');
          return p;
        },
        "AttributeError: 'str' object has no attribute 'get'",
      ],
    ])('%s', (_name, make, parseError) => {
      const pkg = make();
      const result = verifyAuditPackage(pkg);
      expect(result.nexus).toEqual({ kind: 'parse_error', parseError });
      expect(result.verdict).toBe('fail');
      expect(failCodes(result.checks)).toContain('PACKAGE_MALFORMED');
    });
  });
});
