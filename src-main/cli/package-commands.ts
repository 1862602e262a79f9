/**
 * `proofdesk package export|verify`: nexus-attest audit packages (v0.6).
 *
 * export builds the package export_audit_package would write: the control bundle exported as of
 * `--at` (default now, default export flags), then the router section in reference mode (the
 * control bundle's router_result_digest, or `--router-digest`) or embedded (`--router-bundle FILE
 * --embed`). nexus-attest's refusals (NO_ROUTER_LINK, ROUTER_DIGEST_MISMATCH, and a router bundle
 * without integrity.canonical_digest, where nexus-attest raises) are one-sentence errors.
 *
 * verify runs verify_audit_package's six checks under their own names, then Proofdesk's stricter
 * ones; `--db` replays the control bundle's decision from its store for the header and status.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import type { PyJsonValue } from '../../src-shared/canonical-json/python-json';
import {
  buildAuditPackage,
  verifyAuditPackage,
  type AuditPackageBuild,
} from '../../src-shared/decisions/audit-package';
import {
  findingLine,
  isPyObject,
  PythonException,
} from '../../src-shared/decisions/decision-bundle';
import { computeVerdict, EXIT_CODES } from '../../src-shared/verification-report';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import {
  annotateStatusLines,
  canonicalExportText,
  checkOutputTarget,
  emitExport,
  emitVerification,
  exportBundle,
  parseVerifyFlags,
  readEvidenceFile,
  readInputJson,
  replayForExport,
  replayFromStore,
  type OutputOptions,
} from './bundle-commands';
import { parseCommandLine, type CliIo } from './cli-arguments';
import { asOfOption, openDecisionStore, twoPositionals } from './decision-commands';
import type { VerificationCheck } from './verification-output';

const DIGEST_FORM = /^sha256:[0-9a-f]{64}$/;

function exportRefusal(
  decisionId: string,
  build: Extract<AuditPackageBuild, { ok: false }>,
  routerBundlePath: string | undefined,
): ProofdeskError {
  const nexus = build.error.replace(/\.$/, '');
  switch (build.errorCode) {
    case 'NO_ROUTER_LINK':
      return new ProofdeskError(
        'USAGE',
        nexus.startsWith('No router digest')
          ? `NO_ROUTER_LINK: decision ${decisionId} has no router digest for reference mode; give --router-digest sha256:HEX.`
          : `NO_ROUTER_LINK: decision ${decisionId} has no router execution link (it was never executed, its execution failed, or it crashed mid-run), and an audit package requires an executed decision.`,
      );
    case 'ROUTER_DIGEST_MISMATCH':
      return new ProofdeskError(
        'USAGE',
        `ROUTER_DIGEST_MISMATCH: the router bundle ${routerBundlePath ?? ''} is not the run decision ${decisionId} records (${nexus.replace(/^Router bundle digest/, 'its digest')}).`,
      );
    case 'ROUTER_BUNDLE_INVALID':
      return new ProofdeskError(
        'USAGE',
        `ROUTER_BUNDLE_INVALID: the router bundle ${routerBundlePath ?? ''} has no usable integrity.canonical_digest, so nexus-attest cannot embed it (it raises ${nexus}).`,
      );
  }
}

interface RouterChoice {
  readonly embed: boolean;
  readonly routerBundle: PyJsonValue | null;
  readonly routerBundlePath: string | undefined;
  readonly routerDigest: string | undefined;
  readonly verifyRouterDigest: boolean;
}

function routerChoice(values: {
  'router-bundle'?: string;
  embed?: boolean;
  'no-verify-router-digest'?: boolean;
  'router-digest'?: string;
}): RouterChoice {
  const path = values['router-bundle'];
  const embed = values.embed ?? false;
  const noVerify = values['no-verify-router-digest'] ?? false;
  const digest = values['router-digest'];
  if (embed && path === undefined) {
    throw new ProofdeskError('USAGE', '--embed needs --router-bundle FILE: the bundle to embed.');
  }
  if (path !== undefined && !embed) {
    throw new ProofdeskError(
      'USAGE',
      '--router-bundle is embedded only with --embed; for a reference-mode package give --router-digest sha256:HEX instead.',
    );
  }
  if (noVerify && !embed) {
    throw new ProofdeskError(
      'USAGE',
      '--no-verify-router-digest applies only with --router-bundle FILE --embed.',
    );
  }
  if (digest !== undefined && embed) {
    throw new ProofdeskError(
      'USAGE',
      '--router-digest is for reference mode; an embedded package takes its digest from the router bundle.',
    );
  }
  if (digest !== undefined && !DIGEST_FORM.test(digest)) {
    throw new ProofdeskError(
      'USAGE',
      `--router-digest needs sha256: and 64 lowercase hex digits, but got ${JSON.stringify(digest)}.`,
    );
  }
  return {
    embed,
    routerBundle: path === undefined ? null : readInputJson(path, 'The router bundle'),
    routerBundlePath: path,
    routerDigest: digest,
    verifyRouterDigest: !noVerify,
  };
}

function runExport(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      at: { type: 'string' },
      signers: { type: 'string' },
      'router-bundle': { type: 'string' },
      embed: { type: 'boolean' },
      'no-verify-router-digest': { type: 'boolean' },
      'router-digest': { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    },
    'package export',
  );
  const [dbPath, decisionId] = twoPositionals(positionals, 'package export');
  const asOf = asOfOption(values.at, values.signers);
  const output: OutputOptions = {
    out: values.out,
    force: values.force ?? false,
    protectedPaths: [dbPath],
  };
  checkOutputTarget(output);
  const router = routerChoice(values);
  const { build } = packageDecision(dbPath, decisionId, asOf, router);
  if ('raises' in build || !build.ok)
    throw packagingRefusal(decisionId, build, router.routerBundlePath);
  const text = canonicalExportText(build.package, 'audit package');
  emitExport(io, text, output, `Audit package for ${decisionId}`);
  return EXIT_CODES.pass;
}

/**
 * Replays a decision as of `asOf`, exports its control bundle and builds its audit package, as
 * nexus-attest's export does. A decision it cannot package gives the refusal in `build`; a
 * PythonException nexus-attest would raise is one sentence.
 */
function packageDecision(
  dbPath: string,
  decisionId: string,
  asOf: ReturnType<typeof asOfOption>,
  router: Pick<RouterChoice, 'embed' | 'routerBundle' | 'routerDigest' | 'verifyRouterDigest'>,
): {
  control: ReturnType<typeof exportBundle>;
  /** The package build, or what nexus-attest raises on this control bundle. */
  build: AuditPackageBuild | { readonly raises: string };
} {
  const store = openDecisionStore(dbPath);
  try {
    const { decision, events } = replayForExport(store, decisionId, asOf, 'audit package');
    const control = exportBundle(decision, events, asOf, {
      includeTemplateSnapshot: true,
      includeRouterLink: true,
    });
    try {
      const build = buildAuditPackage(control, {
        exportedAt: asOf.isoformat,
        embedRouterBundle: router.embed,
        routerBundle: router.routerBundle,
        routerBundleDigest: router.routerDigest ?? null,
        verifyRouterBundleDigest: router.verifyRouterDigest,
        crypto: createNodeCryptoProvider(),
      });
      return { control, build };
    } catch (error) {
      if (error instanceof PythonException)
        return { control, build: { raises: error.message || error.pyType } };
      throw error;
    }
  } finally {
    store.close();
  }
}

/** Why a decision could not be packaged, in one sentence. */
function packagingRefusal(
  decisionId: string,
  build: Exclude<AuditPackageBuild, { ok: true }> | { readonly raises: string },
  routerBundlePath: string | undefined,
): ProofdeskError {
  if ('raises' in build) {
    return new ProofdeskError(
      'USAGE',
      `Decision ${decisionId} cannot be packaged: nexus-attest raises ${build.raises} on its control bundle.`,
    );
  }
  return exportRefusal(decisionId, build, routerBundlePath);
}

/**
 * The decision's bundle and audit package as `package export` would write them with no router
 * link, for embedding in a report; a decision nexus-attest cannot package yet (for instance one
 * never executed) gives the reason instead.
 */
export function decisionEvidenceForReport(
  dbPath: string,
  decisionId: string,
  asOf: ReturnType<typeof asOfOption>,
): { bundleText: string; packageText: string | null; packageRefusal: string | null } {
  const { control, build } = packageDecision(dbPath, decisionId, asOf, {
    embed: false,
    routerBundle: null,
    routerDigest: undefined,
    verifyRouterDigest: false,
  });
  const bundleText = canonicalExportText(control, 'decision bundle');
  if ('raises' in build || !build.ok) {
    const refusal = packagingRefusal(decisionId, build, undefined);
    return { bundleText, packageText: null, packageRefusal: refusal.message };
  }
  return {
    bundleText,
    packageText: canonicalExportText(build.package, 'audit package'),
    packageRefusal: null,
  };
}

function runVerify(args: string[], io: CliIo): number {
  const { file, flags } = parseVerifyFlags(args, 'package verify', 'package file');
  const evidence = readEvidenceFile(file, 'an audit package');
  let checks: VerificationCheck[];
  let decisionId: string | undefined;
  if (!evidence.parsed.ok) {
    checks = [findingLine('PACKAGE_MALFORMED', evidence.parsed.problem)];
  } else {
    const value = evidence.parsed.value;
    const control = isPyObject(value) ? value.get('control_bundle') : undefined;
    const decision = isPyObject(control) ? control.get('decision') : undefined;
    const id = isPyObject(decision) ? decision.get('decision_id') : undefined;
    decisionId = typeof id === 'string' ? id : undefined;
    const replay =
      flags.db === undefined ? undefined : replayFromStore(flags.db, control, flags.at);
    const verification = verifyAuditPackage(value, {
      ...(replay?.header === undefined ? {} : { replayedHeader: replay.header }),
      crypto: createNodeCryptoProvider(),
    });
    checks = annotateStatusLines(verification.checks, replay);
  }
  return emitVerification(
    io,
    {
      subject: 'audit-package',
      verdict: computeVerdict(checks),
      file: { path: evidence.path, sha256: evidence.sha256, bytes: evidence.bytes },
      ...(decisionId === undefined ? {} : { decisionId }),
      checks,
    },
    flags.json,
  );
}

/** `proofdesk package <subcommand> …`. */
export function runPackage(args: string[], io: CliIo): number {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'export':
      return runExport(rest, io);
    case 'verify':
      return runVerify(rest, io);
    case undefined:
      throw new ProofdeskError(
        'USAGE',
        'package needs a subcommand: export or verify; run `proofdesk help` for usage.',
      );
    default:
      throw new ProofdeskError(
        'USAGE',
        `package has no subcommand ${JSON.stringify(subcommand)}; use export or verify.`,
      );
  }
}
