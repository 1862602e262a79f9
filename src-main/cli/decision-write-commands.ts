/**
 * `proofdesk request | approve | revoke | execute`: the decision tools on a nexus-attest store,
 * every event also recorded in the store's ledger (default: decisions.db → decisions.ledger.db).
 * Approvals and revocations are signed with the officer's key, whose key id is the officer's id.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { PyNumber } from '../../src-shared/canonical-json/python-json';
import { signEd25519 } from '../../src-shared/crypto/ed25519-portable';
import { isExecutionMode, type ExecutionMode } from '../../src-shared/decisions/decision-policy';
import { EXIT_CODES } from '../../src-shared/verification-report';
import { readKeyFile } from '../crypto/key-file';
import {
  approveDecision,
  defaultLedgerPathFor,
  executeDecision,
  requestDecision,
  revokeApproval,
  type DecisionContext,
  type OfficerSigner,
} from '../decisions/decision-operations';
import { createSubprocessRouter } from '../decisions/subprocess-router';
import {
  parseCommandLine,
  passphraseProvider,
  readSignersKeyring,
  type CliIo,
} from './cli-arguments';

const ACTOR_TYPES = ['human', 'system'];

function decisionContext(
  storePath: string,
  values: { ledger?: string; signers?: string },
): DecisionContext {
  return {
    storePath,
    ledgerPath: values.ledger ?? defaultLedgerPathFor(storePath),
    trustedSigners: readSignersKeyring(values.signers),
  };
}

function actorType(value: string | undefined): string {
  const type = value ?? 'human';
  if (!ACTOR_TYPES.includes(type))
    throw new ProofdeskError(
      'USAGE',
      `--actor-type must be human or system, not ${JSON.stringify(type)}.`,
    );
  return type;
}

function mode(
  value: string | undefined,
  fallback: ExecutionMode | undefined,
): ExecutionMode | undefined {
  if (value === undefined) return fallback;
  if (!isExecutionMode(value))
    throw new ProofdeskError(
      'USAGE',
      `--mode must be dry_run or apply, not ${JSON.stringify(value)}.`,
    );
  return value;
}

function positiveInteger(flag: string, value: string | undefined): PyNumber | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || value.length > 9)
    throw new ProofdeskError(
      'USAGE',
      `${flag} must be a whole number, not ${JSON.stringify(value)}.`,
    );
  return new PyNumber(String(Number(value)));
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
}

function officerFromKeyFile(
  path: string | undefined,
  passphraseFile: string | undefined,
  type: string,
): OfficerSigner {
  if (path === undefined)
    throw new ProofdeskError(
      'USAGE',
      'Approvals and revocations are signed: give the officer key with --key FILE.',
    );
  const key = readKeyFile(path, passphraseProvider(passphraseFile));
  return { actor: { type, id: key.keyId }, sign: (message) => signEd25519(key.seed, message) };
}

function positionalsOf(positionals: string[], names: string[], command: string): string[] {
  if (positionals.length < names.length)
    throw new ProofdeskError('USAGE', `${command} needs ${names.join(' and ')}.`);
  return positionals;
}

const COMMON = {
  ledger: { type: 'string' },
  signers: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export function runRequest(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      ...COMMON,
      goal: { type: 'string' },
      actor: { type: 'string' },
      'actor-type': { type: 'string' },
      mode: { type: 'string' },
      plan: { type: 'string' },
      template: { type: 'string' },
      'min-approvals': { type: 'string' },
      'allowed-modes': { type: 'string' },
      'require-capabilities': { type: 'string' },
      'max-steps': { type: 'string' },
      labels: { type: 'string' },
      'require-signed-approvals': { type: 'boolean' },
    },
    'request',
  );
  const [storePath] = positionalsOf(positionals, ['a decision store'], 'request');
  if (positionals.length > 1)
    throw new ProofdeskError('USAGE', 'request takes one decision store.');
  if (values.goal === undefined || values.actor === undefined) {
    throw new ProofdeskError('USAGE', 'request needs --goal TEXT and --actor ID.');
  }
  const events = requestDecision(decisionContext(storePath as string, values), {
    goal: values.goal,
    actor: { type: actorType(values['actor-type']), id: values.actor },
    mode: mode(values.mode, 'dry_run') as ExecutionMode,
    plan: values.plan,
    templateName: values.template,
    policy: {
      minApprovals: positiveInteger('--min-approvals', values['min-approvals']),
      allowedModes: list(values['allowed-modes']),
      requireAdapterCapabilities: list(values['require-capabilities']),
      maxSteps: positiveInteger('--max-steps', values['max-steps']),
      labels: list(values.labels),
      requireSignedApprovals: values['require-signed-approvals'] ?? false,
    },
  });
  const decisionId = events[0]?.decisionId ?? '';
  io.stdout(
    values.json
      ? `${JSON.stringify({ decision_id: decisionId, events: events.length })}\n`
      : `${decisionId}\n`,
  );
  return EXIT_CODES.pass;
}

/** Options of the commands an officer signs. */
const OFFICER_OPTIONS = {
  ...COMMON,
  key: { type: 'string' },
  'passphrase-file': { type: 'string' },
  'actor-type': { type: 'string' },
} as const;

/** The store, the decision and the signing officer of an approve or revoke command line. */
function officerCommand(
  values: { key?: string; 'passphrase-file'?: string; 'actor-type'?: string },
  positionals: string[],
  command: string,
): { storePath: string; decisionId: string; officer: OfficerSigner } {
  const [storePath, decisionId] = positionalsOf(
    positionals,
    ['a decision store', 'a decision id'],
    command,
  );
  const officer = officerFromKeyFile(
    values.key,
    values['passphrase-file'],
    actorType(values['actor-type']),
  );
  return { storePath: storePath as string, decisionId: decisionId as string, officer };
}

export function runApprove(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    { ...OFFICER_OPTIONS, comment: { type: 'string' }, expires: { type: 'string' } },
    'approve',
  );
  const { storePath, decisionId, officer } = officerCommand(values, positionals, 'approve');
  const [event] = approveDecision(decisionContext(storePath, values), {
    decisionId,
    officer,
    comment: values.comment,
    expiresAt: values.expires,
  });
  io.stdout(`approved ${decisionId} as ${officer.actor.id} (event ${event?.seq ?? '?'}, signed)\n`);
  return EXIT_CODES.pass;
}

export function runRevoke(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    { ...OFFICER_OPTIONS, reason: { type: 'string' } },
    'revoke',
  );
  const { storePath, decisionId, officer } = officerCommand(values, positionals, 'revoke');
  const [event] = revokeApproval(decisionContext(storePath, values), {
    decisionId,
    officer,
    reason: values.reason,
  });
  io.stdout(
    `revoked ${officer.actor.id}'s approval of ${decisionId} (event ${event?.seq ?? '?'}, signed)\n`,
  );
  return EXIT_CODES.pass;
}

/** `execute <db> <id> --actor ID --adapter ID [--mode M] [--timeout S] [--capabilities a,b] -- PROGRAM ARGS…` */
export async function runExecute(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      ...COMMON,
      actor: { type: 'string' },
      'actor-type': { type: 'string' },
      adapter: { type: 'string' },
      mode: { type: 'string' },
      timeout: { type: 'string' },
      capabilities: { type: 'string' },
    },
    'execute',
  );
  const [storePath, decisionId, ...command] = positionalsOf(
    positionals,
    ['a decision store', 'a decision id'],
    'execute',
  );
  if (values.actor === undefined || values.adapter === undefined) {
    throw new ProofdeskError('USAGE', 'execute needs --actor ID and --adapter ID.');
  }
  if (command.length === 0) {
    throw new ProofdeskError(
      'USAGE',
      'execute needs the router command after --, e.g. `-- node router.mjs`.',
    );
  }
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new ProofdeskError(
      'USAGE',
      `--timeout must be a positive number of seconds, not ${JSON.stringify(values.timeout)}.`,
    );
  }
  const capabilities = list(values.capabilities);
  const outcome = await executeDecision(decisionContext(storePath as string, values), {
    decisionId: decisionId as string,
    actor: { type: actorType(values['actor-type']), id: values.actor },
    adapterId: values.adapter,
    mode: mode(values.mode, undefined),
    router: createSubprocessRouter({
      command,
      timeoutMs: timeoutSeconds * 1000,
      capabilities: capabilities === undefined ? null : new Set(capabilities),
    }),
  });
  if (outcome.error !== null) {
    io.stderr(`proofdesk: the router failed and the failure is recorded: ${outcome.error}\n`);
    return EXIT_CODES.fail;
  }
  io.stdout(`executed ${decisionId}: run ${outcome.runId ?? '?'}\n`);
  return EXIT_CODES.pass;
}
