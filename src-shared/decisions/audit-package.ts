/**
 * nexus-attest audit packages v0.6 (../shared/specs/nexus-attest.md §11, §14, §15): building them
 * byte for byte as `export_audit_package` does, reproducing `verify_audit_package` exactly (its six
 * checks, their details, expected/actual and totals), and Proofdesk's stricter checks for what
 * those six never look at: the control bundle's events, its router link digest, the embedded
 * router bundle's own content and the run the router section names.
 *
 * Platform-free: no Node, no DOM.
 */
import {
  PyJsonError,
  PyNumber,
  type PyJsonObject,
  type PyJsonValue,
  pythonTruthy,
} from '../canonical-json/python-json';
import type { FindingCode } from '../check-code';
import type { CryptoProvider } from '../crypto/crypto-provider';
import { portableCryptoProvider } from '../crypto/ed25519-portable';
import { computeVerdict, type Verdict } from '../verification-report';
import { attestDigest } from './decision-event';
import {
  DIGEST_PREFIX,
  PythonException,
  bundleCanonicalPayload,
  bundleToDict,
  computeProvenanceId,
  describeValue,
  emptyPyObject,
  findingLine,
  isPyObject,
  parseNexusBundle,
  passLine,
  pyEquals,
  pyGet,
  pyObject,
  pySlice,
  pyStr,
  pySubscript,
  pyTypeName,
  strictBundleChecks,
  stripDigestPrefix,
  type DecisionCheckResult,
  type NexusBundle,
  type ReplayedDecisionHeader,
} from './decision-bundle';

export const PACKAGE_VERSION = '0.6';
export const AUDIT_EXPORT_METHOD_ID = 'nexus-control.audit_export_v0_6';

// ---------------------------------------------------------------------------------------------
// Digests

/**
 * binding_digest (raw hex): H({package_version, control_digest, router_digest,
 * control_router_link_digest}); the three digests go in as stored, `sha256:` prefix included.
 */
export function computeBindingDigest(
  packageVersion: PyJsonValue,
  controlDigest: PyJsonValue,
  routerDigest: PyJsonValue,
  controlRouterLinkDigest: PyJsonValue,
  crypto: CryptoProvider = portableCryptoProvider,
): string {
  return attestDigest(
    pyObject([
      ['package_version', packageVersion],
      ['control_digest', controlDigest],
      ['router_digest', routerDigest],
      ['control_router_link_digest', controlRouterLinkDigest],
    ]),
    crypto,
  );
}

function expectedPackageProvenance(
  decisionId: string,
  rawBindingDigest: string,
  crypto: CryptoProvider,
): PyJsonObject {
  return pyObject([
    [
      'records',
      [
        pyObject([
          ['prov_id', computeProvenanceId(decisionId, rawBindingDigest, crypto)],
          ['method_id', AUDIT_EXPORT_METHOD_ID],
          ['inputs', [`decision:${decisionId}`]],
          ['outputs', [`audit_package:sha256:${rawBindingDigest}`]],
        ]),
      ],
    ],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Building (export_audit_package)

export interface BuildAuditPackageOptions {
  /** meta.exported_at (outside the binding digest); meta is omitted when absent. */
  readonly exportedAt?: string;
  /** embed_router_bundle: with no routerBundle, export silently falls back to reference mode. */
  readonly embedRouterBundle?: boolean;
  /** router_bundle: the router bundle to embed, taken as an opaque dict. */
  readonly routerBundle?: PyJsonValue | null;
  /** router_bundle_digest: the reference-mode router digest (used only when truthy). */
  readonly routerBundleDigest?: string | null;
  /** verify_router_bundle_digest; default true. */
  readonly verifyRouterBundleDigest?: boolean;
  readonly crypto?: CryptoProvider;
}

/**
 * nexus-attest's export error codes, plus ROUTER_BUNDLE_INVALID for an embedded router bundle
 * whose integrity.canonical_digest cannot be read: nexus-attest raises there (KeyError:
 * 'integrity' for a raw nexus-router bundle) instead of returning a result.
 */
export type AuditExportErrorCode =
  'NO_ROUTER_LINK' | 'ROUTER_DIGEST_MISMATCH' | 'ROUTER_BUNDLE_INVALID';

export type AuditPackageBuild =
  | {
      readonly ok: true;
      /** AuditPackage.to_dict(); its canonical JSON is the `*.audit.json` bytes. */
      readonly package: PyJsonObject;
      /** `sha256:` + binding digest (AuditExportResult.digest). */
      readonly digest: string;
      readonly routerMode: 'reference' | 'embedded';
    }
  | { readonly ok: false; readonly errorCode: AuditExportErrorCode; readonly error: string };

/**
 * `export_audit_package(store, decision_id, ...)` given the control bundle that
 * `export_decision(store, decision_id)` returns (default export flags). Throws PythonException
 * if the control bundle is not one nexus-attest can read.
 */
export function buildAuditPackage(
  controlBundle: PyJsonValue,
  options: BuildAuditPackageOptions = {},
): AuditPackageBuild {
  const crypto = options.crypto ?? portableCryptoProvider;
  const bundle = parseNexusBundle(controlBundle);
  const decisionId = pyStr(bundle.decision.decisionId);
  const link = bundle.routerLink;

  if (link.runId === null) {
    return {
      ok: false,
      errorCode: 'NO_ROUTER_LINK',
      error: `Decision ${decisionId} has no router execution link. Audit packages require an executed decision.`,
    };
  }
  const controlDigest = bundle.integrity.canonicalDigest;
  const linkDigest = link.controlRouterLinkDigest;
  if (linkDigest === null) {
    throw new PythonException('AssertionError', '');
  }

  let routerSection: PyJsonObject;
  let routerDigest: PyJsonValue;
  let routerMode: 'reference' | 'embedded';
  const routerBundle = options.routerBundle ?? null;
  if (options.embedRouterBundle === true && routerBundle !== null) {
    try {
      routerDigest = pySubscript(pySubscript(routerBundle, 'integrity'), 'canonical_digest');
    } catch (error) {
      if (!(error instanceof PythonException)) throw error;
      return { ok: false, errorCode: 'ROUTER_BUNDLE_INVALID', error: error.message };
    }
    const controlResult = link.routerResultDigest;
    if (
      (options.verifyRouterBundleDigest ?? true) &&
      pythonTruthy(controlResult) &&
      !pyEquals(routerDigest, controlResult)
    ) {
      if (typeof routerDigest !== 'string' || typeof controlResult !== 'string') {
        return {
          ok: false,
          errorCode: 'ROUTER_BUNDLE_INVALID',
          error: `TypeError: '${pyTypeName(typeof routerDigest === 'string' ? controlResult : routerDigest)}' object is not subscriptable`,
        };
      }
      return {
        ok: false,
        errorCode: 'ROUTER_DIGEST_MISMATCH',
        error: `Router bundle digest ${pySlice(routerDigest, 24)}... does not match control bundle's router_result_digest ${pySlice(controlResult, 24)}...`,
      };
    }
    routerSection = pyObject([
      ['mode', 'embedded'],
      ['bundle', routerBundle],
    ]);
    routerMode = 'embedded';
  } else {
    if (pythonTruthy(options.routerBundleDigest ?? null)) {
      routerDigest = options.routerBundleDigest ?? null;
    } else if (pythonTruthy(link.routerResultDigest)) {
      routerDigest = link.routerResultDigest;
    } else {
      return {
        ok: false,
        errorCode: 'NO_ROUTER_LINK',
        error: 'No router digest available for reference mode.',
      };
    }
    routerSection = pyObject([
      ['mode', 'reference'],
      [
        'ref',
        pyObject([
          ['run_id', link.runId],
          ['digest', routerDigest],
        ]),
      ],
    ]);
    routerMode = 'reference';
  }

  const rawBinding = computeBindingDigest(
    PACKAGE_VERSION,
    controlDigest,
    routerDigest,
    linkDigest,
    crypto,
  );
  const pkg = pyObject([
    ['package_version', PACKAGE_VERSION],
    ['control_bundle', bundleToDict(bundle)],
    ['router', routerSection],
    [
      'binding',
      pyObject([
        ['control_digest', controlDigest],
        ['router_digest', routerDigest],
        ['control_router_link_digest', linkDigest],
      ]),
    ],
    [
      'integrity',
      pyObject([
        ['alg', 'sha256'],
        ['binding_digest', DIGEST_PREFIX + rawBinding],
      ]),
    ],
    ['provenance', expectedPackageProvenance(decisionId, rawBinding, crypto)],
  ]);
  if (options.exportedAt !== undefined) {
    pkg.set('meta', pyObject([['exported_at', options.exportedAt]]));
  }
  return { ok: true, package: pkg, digest: DIGEST_PREFIX + rawBinding, routerMode };
}

// ---------------------------------------------------------------------------------------------
// verify_audit_package, exactly

/** The names verify_audit_package gives its checks, in its order. */
export const NEXUS_PACKAGE_CHECK_NAMES = [
  'binding_digest',
  'control_bundle_digest',
  'binding_control_match',
  'binding_router_match',
  'binding_link_match',
  'router_digest',
] as const;
export type NexusPackageCheckName = (typeof NEXUS_PACKAGE_CHECK_NAMES)[number];

/** One `VerificationCheck.to_dict()`. */
export interface NexusPackageCheck {
  readonly name: NexusPackageCheckName;
  readonly ok: boolean;
  /** Only on failed checks, and only when not None (as nexus-attest prints them). */
  readonly expected?: PyJsonValue;
  readonly actual?: PyJsonValue;
  readonly detail: string;
}

/**
 * `verify_audit_package(AuditPackage.from_dict(data)).to_dict()`, or, when nexus-attest raises
 * before producing a result (from_dict's KeyError for a missing binding.router_digest, for
 * example), the exception as `parse_error: "Type: str(e)"`.
 */
export type NexusPackageVerification =
  | {
      readonly kind: 'result';
      readonly ok: boolean;
      readonly checks: readonly NexusPackageCheck[];
      readonly passed: number;
      readonly failed: number;
      readonly total: number;
    }
  | { readonly kind: 'parse_error'; readonly parseError: string };

const NEXUS_CHECK_DETAILS: Readonly<Record<NexusPackageCheckName, string>> = {
  binding_digest: 'Recomputed binding digest from binding fields',
  control_bundle_digest: 'Recomputed control bundle digest from content',
  binding_control_match:
    'binding.control_digest must match control_bundle.integrity.canonical_digest',
  binding_router_match: 'binding.router_digest must match router section digest',
  binding_link_match: "binding.control_router_link_digest must match control bundle's router link",
  router_digest: 'Embedded router bundle must have integrity.canonical_digest',
};

/** An AuditPackage as from_dict reads it. */
interface NexusPackage {
  readonly packageVersion: PyJsonValue;
  readonly controlBundle: NexusBundle;
  readonly router: {
    readonly mode: PyJsonValue;
    readonly bundle: PyJsonValue;
    readonly ref: { readonly runId: PyJsonValue; readonly digest: PyJsonValue } | null;
  };
  readonly binding: {
    readonly controlDigest: PyJsonValue;
    readonly routerDigest: PyJsonValue;
    readonly controlRouterLinkDigest: PyJsonValue;
  };
  readonly integrity: { readonly alg: PyJsonValue; readonly bindingDigest: PyJsonValue };
}

/** `AuditPackage.from_dict(data)`, in Python's evaluation order. Throws PythonException. */
function parseNexusPackage(data: PyJsonValue): NexusPackage {
  const packageVersion = pyGet(data, 'package_version', PACKAGE_VERSION);
  const controlBundle = parseNexusBundle(pySubscript(data, 'control_bundle'));
  const routerData = pySubscript(data, 'router');
  const mode = pySubscript(routerData, 'mode');
  const routerBundle = pyGet(routerData, 'bundle');
  const refData = pyGet(routerData, 'ref');
  const ref = pythonTruthy(refData)
    ? { runId: pySubscript(refData, 'run_id'), digest: pySubscript(refData, 'digest') }
    : null;
  const bindingData = pySubscript(data, 'binding');
  const binding = {
    controlDigest: pySubscript(bindingData, 'control_digest'),
    routerDigest: pySubscript(bindingData, 'router_digest'),
    controlRouterLinkDigest: pySubscript(bindingData, 'control_router_link_digest'),
  };
  const integrityData = pySubscript(data, 'integrity');
  const integrity = {
    alg: pyGet(integrityData, 'alg', 'sha256'),
    bindingDigest: pySubscript(integrityData, 'binding_digest'),
  };
  const provenanceData = pyGet(data, 'provenance', pyObject([['records', []]]));
  for (const record of iterateRecords(pyGet(provenanceData, 'records', []))) {
    pySubscript(record, 'prov_id');
    pySubscript(record, 'method_id');
    pyGet(record, 'inputs', []);
    pyGet(record, 'outputs', []);
  }
  pyGet(data, 'meta', emptyPyObject());
  return {
    packageVersion,
    controlBundle,
    router: { mode, bundle: routerBundle, ref },
    binding,
    integrity,
  };
}

function iterateRecords(records: PyJsonValue): PyJsonValue[] {
  if (Array.isArray(records)) return records;
  if (isPyObject(records)) return [...records.keys()];
  if (typeof records === 'string') return [...records];
  throw new PythonException('TypeError', `'${pyTypeName(records)}' object is not iterable`);
}

/** `digest[7:] if digest.startswith("sha256:") else digest`, raising for a non-str. */
function stripPrefixOrRaise(value: PyJsonValue): string {
  if (typeof value !== 'string') {
    throw new PythonException(
      'AttributeError',
      `'${pyTypeName(value)}' object has no attribute 'startswith'`,
    );
  }
  return stripDigestPrefix(value);
}

function digestOrRaise(compute: () => string): string {
  try {
    return compute();
  } catch (error) {
    if (error instanceof PythonException) throw error;
    if (error instanceof PyJsonError) {
      throw new PythonException('ValueError', error.message);
    }
    throw error;
  }
}

function nexusCheck(
  name: NexusPackageCheckName,
  ok: boolean,
  expected: PyJsonValue | undefined,
  actual: PyJsonValue | undefined,
): NexusPackageCheck {
  return {
    name,
    ok,
    ...(!ok && expected !== undefined && expected !== null ? { expected } : {}),
    ...(!ok && actual !== undefined && actual !== null ? { actual } : {}),
    detail: NEXUS_CHECK_DETAILS[name],
  };
}

function runNexusChecks(pkg: NexusPackage, crypto: CryptoProvider): NexusPackageCheck[] {
  const checks: NexusPackageCheck[] = [];
  const binding = pkg.binding;

  // 1. binding_digest
  const recomputedBinding = digestOrRaise(() =>
    computeBindingDigest(
      pkg.packageVersion,
      binding.controlDigest,
      binding.routerDigest,
      binding.controlRouterLinkDigest,
      crypto,
    ),
  );
  const expectedBinding = pkg.integrity.bindingDigest;
  checks.push(
    nexusCheck(
      'binding_digest',
      recomputedBinding === stripPrefixOrRaise(expectedBinding),
      expectedBinding,
      DIGEST_PREFIX + recomputedBinding,
    ),
  );

  // 2. control_bundle_digest
  const cb = pkg.controlBundle;
  const recomputedControl = digestOrRaise(() => attestDigest(bundleCanonicalPayload(cb), crypto));
  const storedControl = cb.integrity.canonicalDigest;
  checks.push(
    nexusCheck(
      'control_bundle_digest',
      recomputedControl === stripPrefixOrRaise(storedControl),
      storedControl,
      DIGEST_PREFIX + recomputedControl,
    ),
  );

  // 3. binding_control_match (exact, prefix included)
  checks.push(
    nexusCheck(
      'binding_control_match',
      pyEquals(binding.controlDigest, storedControl),
      storedControl,
      binding.controlDigest,
    ),
  );

  // 4. binding_router_match
  const router = pkg.router;
  let sectionDigest: PyJsonValue = null;
  const embedded = pyEquals(router.mode, 'embedded') && router.bundle !== null;
  if (embedded) {
    sectionDigest = pyGet(pyGet(router.bundle, 'integrity', emptyPyObject()), 'canonical_digest');
  } else if (pyEquals(router.mode, 'reference') && router.ref !== null) {
    sectionDigest = router.ref.digest;
  }
  checks.push(
    nexusCheck(
      'binding_router_match',
      sectionDigest !== null && pyEquals(binding.routerDigest, sectionDigest),
      sectionDigest,
      binding.routerDigest,
    ),
  );

  // 5. binding_link_match (the link digest itself is never recomputed)
  const linkFromBundle = cb.routerLink.controlRouterLinkDigest;
  checks.push(
    nexusCheck(
      'binding_link_match',
      linkFromBundle !== null && pyEquals(binding.controlRouterLinkDigest, linkFromBundle),
      linkFromBundle,
      binding.controlRouterLinkDigest,
    ),
  );

  // 6. router_digest (embedded only; presence, never a re-hash)
  if (embedded) {
    const integrity = pyGet(router.bundle, 'integrity');
    checks.push(
      nexusCheck(
        'router_digest',
        isPyObject(integrity) && integrity.has('canonical_digest'),
        undefined,
        undefined,
      ),
    );
  }
  return checks;
}

/** verify_audit_package's result for a parsed `*.audit.json`. Never throws for malformed input. */
export function emulateVerifyAuditPackage(
  packageValue: PyJsonValue,
  crypto: CryptoProvider = portableCryptoProvider,
): NexusPackageVerification {
  try {
    const pkg = parseNexusPackage(packageValue);
    const checks = runNexusChecks(pkg, crypto);
    const passed = checks.filter((c) => c.ok).length;
    return {
      kind: 'result',
      ok: passed === checks.length,
      checks,
      passed,
      failed: checks.length - passed,
      total: checks.length,
    };
  } catch (error) {
    if (error instanceof PythonException) return { kind: 'parse_error', parseError: error.message };
    throw error;
  }
}

/** The `*.verify.json` form: `VerificationResult.to_dict()`, or `{parse_error}`. */
export function nexusPackageVerificationToJson(result: NexusPackageVerification): PyJsonObject {
  if (result.kind === 'parse_error') return pyObject([['parse_error', result.parseError]]);
  return pyObject([
    ['ok', result.ok],
    [
      'checks',
      result.checks.map((check) => {
        const out = pyObject([
          ['name', check.name],
          ['ok', check.ok],
        ]);
        if (check.expected !== undefined) out.set('expected', check.expected);
        if (check.actual !== undefined) out.set('actual', check.actual);
        out.set('detail', check.detail);
        return out;
      }),
    ],
    ['passed', new PyNumber(String(result.passed))],
    ['failed', new PyNumber(String(result.failed))],
    ['total', new PyNumber(String(result.total))],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Mapping onto CheckResult, and Proofdesk's strict checks

const COMPAT_MAPPING: Readonly<Record<NexusPackageCheckName, { readonly code: FindingCode }>> = {
  binding_digest: { code: 'PACKAGE_BINDING_DIGEST_MISMATCH' },
  control_bundle_digest: { code: 'PACKAGE_CONTROL_DIGEST_MISMATCH' },
  binding_control_match: { code: 'PACKAGE_BINDING_CONTROL_MISMATCH' },
  binding_router_match: { code: 'PACKAGE_BINDING_ROUTER_MISMATCH' },
  binding_link_match: { code: 'PACKAGE_BINDING_LINK_MISMATCH' },
  router_digest: { code: 'PACKAGE_ROUTER_INTEGRITY_MISSING' },
};

/** verify_audit_package's checks as CheckResult lines, under their own names (compatName). */
export function nexusPackageCheckLines(result: NexusPackageVerification): DecisionCheckResult[] {
  if (result.kind === 'parse_error') {
    return [
      findingLine(
        'PACKAGE_MALFORMED',
        `parse_error: ${result.parseError} (AuditPackage.from_dict raises, so nexus-attest runs no check)`,
        { compatName: 'AuditPackage.from_dict' },
      ),
    ];
  }
  const lines: DecisionCheckResult[] = [
    passLine('package.structure', 'nexus-attest reads the package (AuditPackage.from_dict)', {
      compatName: 'AuditPackage.from_dict',
    }),
  ];
  for (const check of result.checks) {
    const extras = {
      compatName: check.name,
      ...(check.expected === undefined ? {} : { expected: check.expected }),
      ...(check.actual === undefined ? {} : { actual: check.actual }),
    };
    const message = `${check.name}: ${check.detail}`;
    lines.push(
      check.ok
        ? passLine(`package.${check.name}`, message, extras)
        : findingLine(COMPAT_MAPPING[check.name].code, message, extras),
    );
  }
  return lines;
}

interface RehashOutcome {
  readonly status: 'match' | 'mismatch' | 'unknown';
  readonly message: string;
  readonly expected?: PyJsonValue;
  readonly actual?: PyJsonValue;
}

const OUTSIDE_ROUTER_DIGEST = new Set(['integrity', 'provenance', 'meta']);

/**
 * Re-hashes an embedded router bundle against its own integrity.canonical_digest, by the formulas
 * of the shapes Proofdesk knows:
 *  - nexus-router export v0.3 (`bundle_version` "0.3", `digests.sha256`): H({run, events}), which
 *    must also equal digests.sha256;
 *  - a router-result wrapper (`result` object): H(result), the router response nexus-attest's
 *    router_result_digest covers;
 *  - otherwise, H(every field but integrity, provenance and meta).
 * A recognised shape that no formula reproduces is a mismatch; an unrecognised one is unknown.
 */
export function rehashRouterBundle(
  bundle: PyJsonObject,
  crypto: CryptoProvider = portableCryptoProvider,
): RehashOutcome {
  const integrity = bundle.get('integrity');
  const stored = isPyObject(integrity) ? integrity.get('canonical_digest') : undefined;
  if (typeof stored !== 'string') {
    return {
      status: 'unknown',
      message:
        'the embedded router bundle has no integrity.canonical_digest string to re-hash against',
    };
  }
  const target = stripDigestPrefix(stored);
  const attempt = (value: PyJsonValue): string | undefined => {
    try {
      return attestDigest(value, crypto);
    } catch {
      return undefined;
    }
  };

  const formulas: { readonly name: string; readonly digest: string | undefined }[] = [];
  const digests = bundle.get('digests');
  const isRouterV03 =
    bundle.get('bundle_version') === '0.3' &&
    isPyObject(digests) &&
    bundle.has('run') &&
    bundle.has('events');
  let v03Problem: string | undefined;
  if (isRouterV03) {
    const content = attempt(
      pyObject([
        ['run', bundle.get('run') ?? null],
        ['events', bundle.get('events') ?? null],
      ]),
    );
    const declared = digests.get('sha256');
    if (content !== undefined && declared !== content) {
      v03Problem = `digests.sha256 ${describeValue(declared)} is not H({run, events}) = ${content}`;
    }
    formulas.push({ name: 'nexus-router v0.3: H({run, events})', digest: content });
  }
  const result = bundle.get('result');
  const isWrapper = isPyObject(result);
  if (isWrapper) {
    formulas.push({ name: 'router result wrapper: H(result)', digest: attempt(result) });
  }
  const generic = pyObject([...bundle].filter(([key]) => !OUTSIDE_ROUTER_DIGEST.has(key)));
  formulas.push({
    name: 'H(all fields but integrity, provenance and meta)',
    digest: attempt(generic),
  });

  const matched = formulas.find((f) => f.digest === target);
  if (matched !== undefined && v03Problem === undefined) {
    return {
      status: 'match',
      message: `the embedded router bundle re-hashes to its integrity digest (${matched.name})`,
    };
  }
  const recognised = isRouterV03 || isWrapper;
  const primary = formulas[0];
  if (recognised && primary !== undefined) {
    return {
      status: 'mismatch',
      message:
        v03Problem !== undefined && matched !== undefined
          ? `the embedded nexus-router bundle is inconsistent: ${v03Problem}`
          : `the embedded router bundle's content does not hash to its integrity digest (${primary.name})`,
      expected: stored,
      actual: primary.digest === undefined ? null : DIGEST_PREFIX + primary.digest,
    };
  }
  return {
    status: 'unknown',
    message: `the embedded router bundle has a shape Proofdesk cannot re-hash (keys: ${[...bundle.keys()].join(', ')}), and H(all fields but integrity, provenance and meta) is not its integrity digest`,
  };
}

function routerBundleLines(
  raw: PyJsonObject,
  control: NexusBundle | undefined,
  crypto: CryptoProvider,
): DecisionCheckResult[] {
  const router = raw.get('router');
  const mode = isPyObject(router) ? router.get('mode') : undefined;
  const bundle = isPyObject(router) ? router.get('bundle') : undefined;
  if (mode === 'reference') {
    return [
      findingLine(
        'PACKAGE_ROUTER_BUNDLE_NOT_REHASHED',
        bundle === undefined
          ? 'reference mode: the router bundle is not in the package, so binding.router_digest cannot be re-derived here'
          : 'router.mode is reference, so the router.bundle it also carries is ignored by every check and not re-hashed',
      ),
    ];
  }
  if (mode !== 'embedded' || !isPyObject(bundle)) {
    return [
      findingLine(
        'PACKAGE_ROUTER_BUNDLE_NOT_REHASHED',
        `router.mode is ${describeValue(mode)} with ${bundle === undefined ? 'no' : `a ${pyTypeName(bundle)}`} bundle: nothing to re-hash`,
      ),
    ];
  }
  const outcome = rehashRouterBundle(bundle, crypto);
  const extras = {
    ...(outcome.expected === undefined ? {} : { expected: outcome.expected }),
    ...(outcome.actual === undefined ? {} : { actual: outcome.actual }),
  };
  const lines: DecisionCheckResult[] = [];
  switch (outcome.status) {
    case 'match':
      lines.push(passLine('package.router_bundle', outcome.message));
      break;
    case 'mismatch':
      lines.push(findingLine('PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH', outcome.message, extras));
      break;
    case 'unknown':
      lines.push(findingLine('PACKAGE_ROUTER_BUNDLE_NOT_REHASHED', outcome.message, extras));
      break;
  }
  // A router-result wrapper carries the router response itself, which the control bundle's
  // router_result_digest records: a consistent re-hash of a different response is still caught.
  const result = bundle.get('result');
  const recorded = control?.routerLink.routerResultDigest;
  if (isPyObject(result) && typeof recorded === 'string') {
    let digest: string | undefined;
    try {
      digest = attestDigest(result, crypto);
    } catch (error) {
      if (!(error instanceof PyJsonError)) throw error;
    }
    if (digest !== stripDigestPrefix(recorded)) {
      lines.push(
        findingLine(
          'PACKAGE_ROUTER_BUNDLE_DIGEST_MISMATCH',
          "router.bundle.result is not the router response the control bundle's router_result_digest records",
          { expected: recorded, actual: digest === undefined ? null : DIGEST_PREFIX + digest },
        ),
      );
    }
  }
  return lines;
}

/** Every run id the router section names, with where. */
function routerRunIds(router: PyJsonObject): [string, PyJsonValue][] {
  const found: [string, PyJsonValue][] = [];
  const mode = router.get('mode');
  if (mode === 'reference') {
    const ref = router.get('ref');
    if (isPyObject(ref) && ref.has('run_id'))
      found.push(['router.ref.run_id', ref.get('run_id') ?? null]);
    return found;
  }
  const bundle = router.get('bundle');
  if (mode !== 'embedded' || !isPyObject(bundle)) return found;
  if (bundle.has('run_id')) found.push(['router.bundle.run_id', bundle.get('run_id') ?? null]);
  for (const section of ['run', 'result']) {
    const inner = bundle.get(section);
    if (isPyObject(inner) && inner.has('run_id')) {
      found.push([`router.bundle.${section}.run_id`, inner.get('run_id') ?? null]);
    }
  }
  const events = bundle.get('events');
  if (Array.isArray(events)) {
    events.forEach((event, i) => {
      if (isPyObject(event) && event.has('run_id')) {
        found.push([`router.bundle.events[${i}].run_id`, event.get('run_id') ?? null]);
      }
    });
  }
  return found;
}

function runIdLines(raw: PyJsonObject, control: NexusBundle | undefined): DecisionCheckResult[] {
  const router = raw.get('router');
  if (control === undefined || !isPyObject(router)) return [];
  const controlRun = control.routerLink.runId;
  const named = routerRunIds(router);
  if (named.length === 0) {
    return [
      findingLine(
        'PACKAGE_RUN_ID_NOT_CHECKED',
        'the router section names no run_id to compare with the control bundle',
      ),
    ];
  }
  if (controlRun === null) {
    return [
      findingLine(
        'PACKAGE_RUN_ID_MISMATCH',
        "the control bundle's router_link has no run_id, so it links no run",
        { actual: named[0]?.[1] ?? null },
      ),
    ];
  }
  const lines: DecisionCheckResult[] = [];
  for (const [where, runId] of named) {
    if (!pyEquals(runId, controlRun) || typeof runId !== typeof controlRun) {
      lines.push(
        findingLine(
          'PACKAGE_RUN_ID_MISMATCH',
          `${where} is not control_bundle.router_link.run_id`,
          { expected: controlRun, actual: runId },
        ),
      );
    }
  }
  if (lines.length === 0) {
    lines.push(
      passLine(
        'package.run_id',
        `${named.map(([where]) => where).join(', ')} = control_bundle.router_link.run_id ${pyStr(controlRun)}`,
      ),
    );
  }
  return lines;
}

function packageProvenanceLines(
  raw: PyJsonObject,
  control: NexusBundle | undefined,
  crypto: CryptoProvider,
): DecisionCheckResult[] {
  const integrity = raw.get('integrity');
  const binding = isPyObject(integrity) ? integrity.get('binding_digest') : undefined;
  const decisionId = control?.decision.decisionId;
  if (typeof binding !== 'string' || typeof decisionId !== 'string') return [];
  const expected = expectedPackageProvenance(decisionId, stripDigestPrefix(binding), crypto);
  const actual = raw.get('provenance');
  if (actual === undefined || describeValue(actual) !== describeValue(expected)) {
    return [
      findingLine(
        'PACKAGE_PROVENANCE_INCONSISTENT',
        'provenance is not the record export_audit_package writes (it is outside every digest, so this alone proves nothing)',
        { expected, actual: actual ?? null },
      ),
    ];
  }
  return [passLine('package.provenance', 'provenance is the record export_audit_package writes')];
}

export interface VerifyAuditPackageOptions {
  /** The header a replay of the control bundle's events gives; without it status is SKIPped. */
  readonly replayedHeader?: ReplayedDecisionHeader;
  readonly crypto?: CryptoProvider;
}

export interface AuditPackageVerification {
  /** Exactly what nexus-attest's verify_audit_package reports (the `*.verify.json` content). */
  readonly nexus: NexusPackageVerification;
  /**
   * verify_audit_package's checks (package.*, compatName = nexus-attest's name), then Proofdesk's
   * strict ones: the control bundle's events, sequence, ids, router link, template snapshot,
   * header and status (bundle.*), the embedded router bundle's re-hash, the run id, provenance.
   */
  readonly checks: readonly DecisionCheckResult[];
  readonly verdict: Verdict;
}

/** Verifies an audit package (a parsed `*.audit.json`). Never throws for malformed input. */
export function verifyAuditPackage(
  packageValue: PyJsonValue,
  options: VerifyAuditPackageOptions = {},
): AuditPackageVerification {
  const crypto = options.crypto ?? portableCryptoProvider;
  const nexus = emulateVerifyAuditPackage(packageValue, crypto);
  const checks = nexusPackageCheckLines(nexus);

  if (isPyObject(packageValue)) {
    const rawControl = packageValue.get('control_bundle');
    let control: NexusBundle | undefined;
    if (isPyObject(rawControl)) {
      try {
        control = parseNexusBundle(rawControl);
      } catch (error) {
        if (!(error instanceof PythonException)) throw error;
      }
    }
    if (control !== undefined && isPyObject(rawControl)) {
      checks.push(
        ...strictBundleChecks(
          rawControl,
          control,
          options.replayedHeader === undefined ? {} : { replayedHeader: options.replayedHeader },
          crypto,
        ),
      );
    }
    checks.push(
      ...routerBundleLines(packageValue, control, crypto),
      ...runIdLines(packageValue, control),
      ...packageProvenanceLines(packageValue, control, crypto),
    );
  }
  return { nexus, checks, verdict: computeVerdict(checks) };
}
