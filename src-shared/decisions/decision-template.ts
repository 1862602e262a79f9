/**
 * nexus-attest policy templates (../shared/specs/nexus-attest.md §9): immutable, named policy
 * bundles. The digest covers created_at and created_by, so it can only be recomputed from the
 * templates row, never from a bundle's snapshot.
 */
import { PyNumber, type PyJsonObject, type PyJsonValue } from '../canonical-json/python-json';
import type { CryptoProvider } from '../crypto/crypto-provider';
import { attestDigest, type DecisionActor } from './decision-event';
import { policyValidationProblem } from './decision-policy';

export interface DecisionTemplate {
  readonly name: string;
  readonly description: string;
  /** Numbers keep their Python lexeme: an int and a float digest differently. */
  readonly minApprovals: PyNumber;
  readonly allowedModes: readonly string[];
  readonly requireAdapterCapabilities: readonly string[];
  readonly maxSteps: PyNumber | null;
  readonly labels: readonly string[];
  /** Python isoformat text, exactly as stored. */
  readonly createdAt: string;
  readonly createdBy: DecisionActor;
}

/**
 * nexus-attest's Template.__post_init__ checks, with its messages; undefined when valid. They are
 * Policy's checks plus a name.
 */
export function templateProblem(
  template: Omit<DecisionTemplate, 'createdAt' | 'createdBy'>,
): string | undefined {
  if (template.name.length === 0) return 'Template name cannot be empty';
  return policyValidationProblem({
    minApprovals: Number(template.minApprovals.lexeme),
    allowedModes: template.allowedModes,
    maxSteps: template.maxSteps,
  });
}

const strings = (values: readonly string[]): PyJsonValue[] => [...values];

/** The policy fields every template dialect carries, in nexus-attest's order. */
function policyEntries(template: DecisionTemplate): [string, PyJsonValue][] {
  return [
    ['min_approvals', template.minApprovals],
    ['allowed_modes', strings(template.allowedModes)],
    ['require_adapter_capabilities', strings(template.requireAdapterCapabilities)],
    ['max_steps', template.maxSteps],
    ['labels', strings(template.labels)],
  ];
}

/** Template.to_dict(), in its key order. */
export function templateToDict(template: DecisionTemplate): PyJsonObject {
  // to_dict() opens with exactly the fields create_template writes as its payload.
  return new Map<string, PyJsonValue>([
    ...templateCreatedPayload(template),
    ['created_at', template.createdAt],
    [
      'created_by',
      new Map<string, PyJsonValue>([
        ['type', template.createdBy.type],
        ['id', template.createdBy.id],
      ]),
    ],
  ]);
}

/** H(Template.to_dict()), raw hex. */
export function templateDigest(template: DecisionTemplate, crypto: CryptoProvider): string {
  return attestDigest(templateToDict(template), crypto);
}

/** Template.to_snapshot(): what POLICY_ATTACHED embeds. */
export function templateSnapshot(template: DecisionTemplate): PyJsonObject {
  return new Map<string, PyJsonValue>([
    ['template_name', template.name],
    ['template_description', template.description],
    ...policyEntries(template),
  ]);
}

/** The TEMPLATE_CREATED payload, in the order create_template writes it. */
export function templateCreatedPayload(template: DecisionTemplate): PyJsonObject {
  return new Map<string, PyJsonValue>([
    ['name', template.name],
    ['description', template.description],
    ...policyEntries(template),
  ]);
}

/** Policy parameters a request may pass; absent means "not passed" (not the same as empty). */
export interface RequestPolicyParameters {
  readonly minApprovals?: PyNumber;
  readonly allowedModes?: readonly string[];
  readonly requireAdapterCapabilities?: readonly string[];
  readonly maxSteps?: PyNumber;
  readonly labels?: readonly string[];
  /** Proofdesk's addition: only approvals signed by trusted officers count. */
  readonly requireSignedApprovals?: boolean;
}

export interface ResolvedRequestPolicy {
  /** POLICY_ATTACHED payload, in request()'s order (with template fields when one is used). */
  readonly policyPayload: PyJsonObject;
  /** The effective labels, which DECISION_CREATED also carries. */
  readonly labels: readonly string[];
  readonly allowedModes: readonly string[];
}

/**
 * nexus-attest's request() policy resolution: template values, each replaced by an explicitly
 * passed parameter (labels replace, never merge), `overrides_applied` recording exactly what was
 * passed; without a template, its defaults. Returns the error text request() gives for a mode the
 * policy does not allow.
 */
export function resolveRequestPolicy(
  mode: string,
  parameters: RequestPolicyParameters,
  template: DecisionTemplate | null,
  crypto: CryptoProvider,
): ResolvedRequestPolicy | { readonly error: string } {
  let minApprovals: PyNumber;
  let allowedModes: readonly string[];
  let requireCaps: readonly string[];
  let maxSteps: PyNumber | null;
  let labels: readonly string[];
  const overrides = new Map<string, PyJsonValue>();
  if (template !== null) {
    minApprovals = parameters.minApprovals ?? template.minApprovals;
    allowedModes = parameters.allowedModes ?? template.allowedModes;
    requireCaps = parameters.requireAdapterCapabilities ?? template.requireAdapterCapabilities;
    maxSteps = parameters.maxSteps ?? template.maxSteps;
    labels = parameters.labels ?? template.labels;
    if (parameters.minApprovals !== undefined)
      overrides.set('min_approvals', parameters.minApprovals);
    if (parameters.allowedModes !== undefined)
      overrides.set('allowed_modes', strings(parameters.allowedModes));
    if (parameters.requireAdapterCapabilities !== undefined) {
      overrides.set('require_adapter_capabilities', strings(parameters.requireAdapterCapabilities));
    }
    if (parameters.maxSteps !== undefined) overrides.set('max_steps', parameters.maxSteps);
    if (parameters.labels !== undefined) overrides.set('labels', strings(parameters.labels));
  } else {
    minApprovals = parameters.minApprovals ?? new PyNumber('1');
    allowedModes =
      parameters.allowedModes ?? (mode === 'dry_run' ? ['dry_run'] : ['dry_run', 'apply']);
    requireCaps = parameters.requireAdapterCapabilities ?? [];
    maxSteps = parameters.maxSteps ?? null;
    labels = parameters.labels ?? [];
  }
  if (!allowedModes.includes(mode)) {
    return {
      error: `Requested mode '${mode}' not in allowed_modes: [${allowedModes.map((m) => `'${m}'`).join(', ')}]`,
    };
  }
  const policyPayload = new Map<string, PyJsonValue>([
    ['min_approvals', minApprovals],
    ['allowed_modes', strings(allowedModes)],
    ['require_adapter_capabilities', strings(requireCaps)],
    ['max_steps', maxSteps],
    ['labels', strings(labels)],
  ]);
  if (template !== null) {
    policyPayload.set('template_name', template.name);
    policyPayload.set('template_snapshot', templateSnapshot(template));
    policyPayload.set('template_digest', templateDigest(template, crypto));
    policyPayload.set('overrides_applied', overrides);
  }
  if (parameters.requireSignedApprovals === true)
    policyPayload.set('require_signed_approvals', true);
  return { policyPayload, labels, allowedModes };
}
