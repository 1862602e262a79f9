/** Templates and request policy resolution, reproduced byte for byte from nexus-attest's output. */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parsePythonJson,
  PyNumber,
  type PyJsonObject,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import { canonicalAttestJson, computeEventDigest } from '../src-shared/decisions/decision-event';
import {
  resolveRequestPolicy,
  templateDigest,
  templateSnapshot,
  templateToDict,
  type RequestPolicyParameters,
} from '../src-shared/decisions/decision-template';
import { DecisionStoreReader, DecisionStoreWriter } from '../src-main/decisions/decision-store';
import { describeWithFixtures, sharedFixturePath } from './support/shared-fixtures';
import { temporaryDirectory } from './support/ledger-fixtures';

const crypto = portableCryptoProvider;
const fixture = (...parts: string[]): PyJsonValue =>
  parsePythonJson(readFileSync(sharedFixturePath('nexus-attest', ...parts), 'utf8'));
const field = (value: PyJsonValue, key: string): PyJsonValue =>
  (value as PyJsonObject).get(key) ?? null;

describeWithFixtures('nexus-attest templates', () => {
  const store = DecisionStoreReader.open(sharedFixturePath('nexus-attest', 'decisions.db'));

  it.each(['prod-deploy', 'security-rotation'])(
    '%s: digest, to_dict and snapshot match nexus-attest',
    (name) => {
      const stored = store.getTemplate(name);
      expect(stored).not.toBeNull();
      if (stored === null) return;
      const expected = fixture('templates', `${name}.json`);
      expect(templateDigest(stored.template, crypto)).toBe(stored.digest);
      expect(field(expected, 'digest')).toBe(stored.digest);
      expect(canonicalAttestJson(templateToDict(stored.template))).toBe(
        canonicalAttestJson(field(expected, 'template')),
      );
      expect(canonicalAttestJson(templateSnapshot(stored.template))).toBe(
        canonicalAttestJson(field(expected, 'snapshot')),
      );
    },
  );

  it('lists newest first, and filters by label as nexus-attest does', () => {
    const names = (list: PyJsonValue): string[] =>
      (field(list, 'templates') as PyJsonValue[]).map((t) => field(t, 'name') as string);
    expect(store.listTemplates().map((t) => t.template.name)).toEqual(
      names(fixture('templates', 'template_list.json')),
    );
    expect(store.listTemplates({ labelFilter: 'prod' }).map((t) => t.template.name)).toEqual(
      names(fixture('templates', 'template_list.label-prod.json')),
    );
    expect(store.getTemplate('does-not-exist')).toBeNull();
  });

  it('re-creating a template writes the same row and event, byte for byte', () => {
    const directory = temporaryDirectory();
    const writer = DecisionStoreWriter.open(join(directory, 'templates.db'), { create: true });
    const original = store.getTemplate('prod-deploy');
    if (original === null) throw new Error('fixture template missing');
    expect(writer.createTemplate(original.template).digest).toBe(original.digest);
    expect(() => writer.createTemplate(original.template)).toThrow(/TEMPLATE_ALREADY_EXISTS/);
    expect(() =>
      writer.createTemplate({ ...original.template, name: 'x', minApprovals: new PyNumber('0') }),
    ).toThrow(/INVALID_TEMPLATE: min_approvals must be at least 1/);
    writer.close();
    const rewritten = new Database(join(directory, 'templates.db'), { readonly: true });
    const ours = rewritten.prepare('SELECT * FROM template_events').all();
    rewritten.close();
    const events = ours as { payload: string; digest: string }[];
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toBe(
      '{"name": "prod-deploy", "description": "Standard production deployment with 2 approvers", "min_approvals": 2, "allowed_modes": ["dry_run", "apply"], "require_adapter_capabilities": ["timeout"], "max_steps": 50, "labels": ["prod"]}',
    );
    expect(events[0]?.digest).toBe(
      computeEventDigest('TEMPLATE_CREATED', parsePythonJson(events[0]?.payload ?? ''), crypto),
    );
  });

  it('request policy resolution reproduces the templated decisions’ POLICY_ATTACHED payloads', () => {
    const decisions = store.loadAll();
    let templated = 0;
    for (const decision of decisions) {
      if (!decision.ok) continue;
      const created = decision.events.find((event) => event.eventType === 'DECISION_CREATED');
      const policy = decision.events.find((event) => event.eventType === 'POLICY_ATTACHED');
      if (created === undefined || policy === undefined) continue;
      const templateName = field(policy.payload, 'template_name');
      const mode = field(created.payload, 'requested_mode') as string;
      let parameters: RequestPolicyParameters;
      let template = null;
      if (typeof templateName === 'string') {
        templated++;
        template = store.getTemplate(templateName)?.template ?? null;
        const overrides = field(policy.payload, 'overrides_applied') as PyJsonObject;
        parameters = {
          minApprovals: overrides.get('min_approvals') as PyNumber | undefined,
          allowedModes: overrides.get('allowed_modes') as string[] | undefined,
          requireAdapterCapabilities: overrides.get('require_adapter_capabilities') as
            string[] | undefined,
          maxSteps: overrides.get('max_steps') as PyNumber | undefined,
          labels: overrides.get('labels') as string[] | undefined,
        };
      } else {
        const maxSteps = field(policy.payload, 'max_steps');
        parameters = {
          minApprovals: field(policy.payload, 'min_approvals') as PyNumber,
          allowedModes: field(policy.payload, 'allowed_modes') as string[],
          requireAdapterCapabilities: field(
            policy.payload,
            'require_adapter_capabilities',
          ) as string[],
          ...(maxSteps === null ? {} : { maxSteps: maxSteps as PyNumber }),
          labels: field(policy.payload, 'labels') as string[],
        };
      }
      const resolved = resolveRequestPolicy(mode, parameters, template, crypto);
      if ('error' in resolved) throw new Error(resolved.error);
      expect(canonicalAttestJson(resolved.policyPayload), decision.decisionId).toBe(
        canonicalAttestJson(policy.payload),
      );
      expect(computeEventDigest('POLICY_ATTACHED', resolved.policyPayload, crypto)).toBe(
        policy.digest,
      );
    }
    expect(templated).toBeGreaterThanOrEqual(2);
  });
});

describe('request policy resolution', () => {
  it('rejects a mode the policy does not allow, with request()’s message', () => {
    expect(resolveRequestPolicy('apply', { allowedModes: ['dry_run'] }, null, crypto)).toEqual({
      error: "Requested mode 'apply' not in allowed_modes: ['dry_run']",
    });
  });

  it('defaults: one approval, modes from the requested mode, no labels', () => {
    const resolved = resolveRequestPolicy('apply', {}, null, crypto);
    if ('error' in resolved) throw new Error(resolved.error);
    expect(canonicalAttestJson(resolved.policyPayload)).toBe(
      '{"allowed_modes":["dry_run","apply"],"labels":[],"max_steps":null,"min_approvals":1,"require_adapter_capabilities":[]}',
    );
  });

  it('records require_signed_approvals as an extra field nexus-attest ignores', () => {
    const resolved = resolveRequestPolicy(
      'dry_run',
      { requireSignedApprovals: true },
      null,
      crypto,
    );
    if ('error' in resolved) throw new Error(resolved.error);
    expect(resolved.policyPayload.get('require_signed_approvals')).toBe(true);
  });
});
