/**
 * The nexus-attest Policy model (spec §6): validation messages and order, the execute() pre-check
 * strings with Python's tuple/set reprs, and the compiled router request.
 */
import { describe, expect, it } from 'vitest';
import {
  PyNumber,
  parsePythonJson,
  type PyJsonObject,
} from '../src-shared/canonical-json/python-json';
import { portableCryptoProvider } from '../src-shared/crypto/ed25519-portable';
import { canonicalAttestJson } from '../src-shared/decisions/decision-event';
import {
  PolicyValidationError,
  compileToRouterRequest,
  createPolicy,
  policyFromPayload,
  policyToDict,
  pythonSetRepr,
  pythonStrRepr,
  pythonTupleRepr,
  routerRequestDigest,
  validateExecutionRequest,
} from '../src-shared/decisions/decision-policy';

describe('createPolicy / policyFromPayload', () => {
  it('has Python defaults', () => {
    expect(createPolicy()).toEqual({
      minApprovals: 1,
      allowedModes: ['dry_run'],
      requireAdapterCapabilities: [],
      maxSteps: null,
      labels: [],
      requireSignedApprovals: false,
    });
  });

  it.each([
    [{ minApprovals: 0 }, 'min_approvals must be at least 1'],
    [{ minApprovals: -3, allowedModes: [] }, 'min_approvals must be at least 1'],
    [{ allowedModes: [] }, 'allowed_modes cannot be empty'],
    [{ allowedModes: ['dry_run', 'yolo'] }, 'Invalid mode: yolo'],
    [{ maxSteps: new PyNumber('0') }, 'max_steps must be at least 1 if specified'],
    [{ maxSteps: new PyNumber('0.5') }, 'max_steps must be at least 1 if specified'],
  ])('rejects %j with %j (first problem in Python order)', (fields, message) => {
    expect(() => createPolicy(fields)).toThrow(PolicyValidationError);
    expect(() => createPolicy(fields)).toThrow(message);
  });

  it('builds what replay builds from a POLICY_ATTACHED payload', () => {
    const result = policyFromPayload(
      parsePythonJson(
        '{"min_approvals": 2.9, "allowed_modes": ["dry_run", "apply"], "require_adapter_capabilities": ["timeout"], "max_steps": 10.0, "labels": ["prod"]}',
      ),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // int(2.9) == 2; max_steps keeps its float lexeme.
    expect(result.policy.minApprovals).toBe(2);
    expect(result.policy.maxSteps?.lexeme).toBe('10.0');
    expect(canonicalAttestJson(policyToDict(result.policy))).toBe(
      '{"allowed_modes":["dry_run","apply"],"labels":["prod"],"max_steps":10.0,"min_approvals":2,"require_adapter_capabilities":["timeout"]}',
    );
  });

  it.each([
    [
      '{"min_approvals": 0, "allowed_modes": ["dry_run"]}',
      'min_approvals must be at least 1',
      'ValueError: min_approvals must be at least 1',
    ],
    [
      '{"min_approvals": 1, "allowed_modes": ["dry_run"], "max_steps": 0}',
      'max_steps must be at least 1 if specified',
      'ValueError: max_steps must be at least 1 if specified',
    ],
    ['{"allowed_modes": ["dry_run"]}', 'min_approvals is missing', "KeyError: 'min_approvals'"],
    ['{"min_approvals": 1}', 'allowed_modes is missing', "KeyError: 'allowed_modes'"],
    [
      '{"min_approvals": 1, "allowed_modes": []}',
      'allowed_modes cannot be empty',
      'ValueError: allowed_modes cannot be empty',
    ],
    [
      '{"min_approvals": "2", "allowed_modes": ["dry_run"]}',
      'min_approvals must be a number',
      undefined,
    ],
    [
      '{"min_approvals": 1, "allowed_modes": "dry_run"}',
      'allowed_modes must be a list of strings',
      undefined,
    ],
    [
      '{"min_approvals": 1, "allowed_modes": ["dry_run"], "max_steps": "5"}',
      'max_steps must be a number or null',
      undefined,
    ],
    [
      '{"min_approvals": 1, "allowed_modes": ["dry_run"], "max_steps": Infinity}',
      'not finite',
      undefined,
    ],
    [
      '{"min_approvals": 1, "allowed_modes": ["dry_run"], "labels": [1]}',
      'labels must be a list of strings',
      undefined,
    ],
    ['[1]', 'not an object', undefined],
  ])('refuses %s', (payload, message, pythonError) => {
    const result = policyFromPayload(parsePythonJson(payload));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(message);
    expect(result.pythonError).toBe(pythonError);
  });
});

describe('Python reprs', () => {
  it.each([
    ['dry_run', "'dry_run'"],
    ["it's", `"it's"`],
    [`both ' and "`, `'both \\' and "'`],
    ['tab\there\n', "'tab\\there\\n'"],
    ['é東😀', "'é東😀'"],
    ['\u0000\u007f\u00a0\u200b\u2028', "'\\x00\\x7f\\xa0\\u200b\\u2028'"],
    ['back\\slash', "'back\\\\slash'"],
  ])('repr(%j) is %s', (text, repr) => {
    expect(pythonStrRepr(text)).toBe(repr);
  });

  it('formats tuples and sets as Python prints them', () => {
    expect(pythonTupleRepr(['dry_run'])).toBe("('dry_run',)");
    expect(pythonTupleRepr(['dry_run', 'apply'])).toBe("('dry_run', 'apply')");
    expect(pythonTupleRepr([])).toBe('()');
    expect(pythonSetRepr(['external'])).toBe("{'external'}");
    expect(pythonSetRepr([])).toBe('set()');
  });
});

describe('validateExecutionRequest', () => {
  const policy = createPolicy({
    minApprovals: 2,
    allowedModes: ['dry_run'],
    requireAdapterCapabilities: ['timeout', 'external', 'timeout'],
  });

  it('collects all three errors in order', () => {
    const result = validateExecutionRequest(policy, 'apply', 1, new Set(['timeout']));
    expect(result.valid).toBe(false);
    expect(result.errors).toEqual([
      "Mode 'apply' not allowed by policy (allowed: ('dry_run',))",
      'Insufficient approvals: 1 < 2 required',
      "Adapter missing required capabilities: {'external'}",
    ]);
  });

  it('checks capabilities only when the adapter reports some and the policy requires some', () => {
    expect(validateExecutionRequest(policy, 'dry_run', 2, null)).toEqual({
      valid: true,
      errors: [],
    });
    expect(validateExecutionRequest(policy, 'dry_run', 2)).toEqual({ valid: true, errors: [] });
    expect(validateExecutionRequest(createPolicy(), 'dry_run', 1, new Set())).toEqual({
      valid: true,
      errors: [],
    });
    expect(validateExecutionRequest(policy, 'dry_run', 2, new Set()).errors).toEqual([
      "Adapter missing required capabilities: {'timeout', 'external'}",
    ]);
  });
});

describe('compileToRouterRequest', () => {
  it('includes plan, max_steps and require_capabilities only when set', () => {
    const bare = compileToRouterRequest('g', null, 'a', true, createPolicy());
    expect([...bare.keys()]).toEqual(['goal', 'adapter_id', 'dry_run']);
    const full = compileToRouterRequest(
      'g',
      'p',
      'a',
      false,
      createPolicy({ maxSteps: new PyNumber('10.0'), requireAdapterCapabilities: ['x'] }),
    );
    expect(canonicalAttestJson(full)).toBe(
      '{"adapter_id":"a","dry_run":false,"goal":"g","max_steps":10.0,"plan":"p","require_capabilities":["x"]}',
    );
    expect(routerRequestDigest(full, portableCryptoProvider)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has no digest when Python could not UTF-8 encode a string', () => {
    const request: PyJsonObject = compileToRouterRequest('\ud800', null, 'a', true, createPolicy());
    expect(routerRequestDigest(request, portableCryptoProvider)).toBeUndefined();
    const pair = compileToRouterRequest('😀', null, 'a', true, createPolicy());
    expect(routerRequestDigest(pair, portableCryptoProvider)).toMatch(/^[0-9a-f]{64}$/);
  });
});
