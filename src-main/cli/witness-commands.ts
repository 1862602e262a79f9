/**
 * `proofdesk witness add|retire|attest`: witnesses in nexuscone's format (witness-writer.ts).
 *
 *   witness add <db> --label L --public-key HEX [--role consortium|regulator|self]
 *   witness retire <db> <label|id>
 *   witness attest <db> <label|id> --key FILE [--passphrase-file FILE]
 *
 * The attesting key is a key file from `proofdesk keygen`; its public key must be the one the
 * witness was registered with. Each prints one line saying what was written.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { signEd25519 } from '../../src-shared/crypto/ed25519-portable';
import { bytesToHex } from '../../src-shared/crypto/hex';
import { readKeyFile } from '../crypto/key-file';
import {
  attestWithWitness,
  registerWitness,
  retireWitness,
  WITNESS_ROLES,
  type WitnessRole,
} from '../anchoring/witness-writer';
import { parseCommandLine, passphraseProvider, type CliIo } from './cli-arguments';

/** A witness named by its numeric id or its label. */
function witnessReference(text: string): string | number {
  return /^[1-9]\d{0,15}$/.test(text) ? Number(text) : text;
}

function twoPositionals(positionals: string[], command: string): [string, string] {
  if (positionals.length !== 2) {
    throw new ProofdeskError(
      'USAGE',
      `witness ${command} needs a ledger file and a witness label or id, but ${positionals.length} argument${positionals.length === 1 ? ' was' : 's were'} given.`,
    );
  }
  return [positionals[0] as string, positionals[1] as string];
}

function runAdd(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    { label: { type: 'string' }, 'public-key': { type: 'string' }, role: { type: 'string' } },
    'witness add',
  );
  if (positionals.length !== 1)
    throw new ProofdeskError('USAGE', 'witness add needs exactly one ledger file.');
  if (values.label === undefined || values['public-key'] === undefined)
    throw new ProofdeskError('USAGE', 'witness add needs --label L and --public-key HEX.');
  const role = values.role ?? 'consortium';
  if (!(WITNESS_ROLES as readonly string[]).includes(role)) {
    throw new ProofdeskError(
      'USAGE',
      `--role is one of ${WITNESS_ROLES.join(', ')}, not ${JSON.stringify(role)}.`,
    );
  }
  const { witnessId } = registerWitness(positionals[0] as string, {
    label: values.label,
    publicKeyHex: values['public-key'].toLowerCase(),
    role: role as WitnessRole,
  });
  io.stdout(`registered witness ${witnessId} ${JSON.stringify(values.label)} (${role})\n`);
  return 0;
}

function runRetire(args: string[], io: CliIo): number {
  const { positionals } = parseCommandLine(args, {}, 'witness retire');
  const [db, witness] = twoPositionals(positionals, 'retire');
  const result = retireWitness(db, witnessReference(witness));
  io.stdout(
    result.alreadyRetired
      ? `witness ${result.witnessId} was already retired at ${result.retiredAt}\n`
      : `retired witness ${result.witnessId} at ${result.retiredAt}\n`,
  );
  return 0;
}

function runAttest(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    { key: { type: 'string' }, 'passphrase-file': { type: 'string' } },
    'witness attest',
  );
  const [db, witness] = twoPositionals(positionals, 'attest');
  if (values.key === undefined)
    throw new ProofdeskError('USAGE', "witness attest needs the witness's key with --key FILE.");
  const key = readKeyFile(values.key, passphraseProvider(values['passphrase-file']));
  const attestation = attestWithWitness(db, witnessReference(witness), {
    publicKeyHex: bytesToHex(key.publicKey),
    sign: (message) => signEd25519(key.seed, message),
  });
  io.stdout(
    `witness ${attestation.witnessId} attested entry ${attestation.chainHeadEntryId} (attestation ${attestation.attestationId}, ${attestation.attestationHash})\n`,
  );
  return 0;
}

export function runWitness(args: string[], io: CliIo): number {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'add':
      return runAdd(rest, io);
    case 'retire':
      return runRetire(rest, io);
    case 'attest':
      return runAttest(rest, io);
    case undefined:
    default:
      throw new ProofdeskError(
        'USAGE',
        `witness takes add, retire or attest${subcommand === undefined ? '' : `, not ${JSON.stringify(subcommand)}`}.`,
      );
  }
}
