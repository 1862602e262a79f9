/**
 * `proofdesk keygen`: a new Ed25519 signing key (entry signing, or an officer's approval key);
 * private file 0600, encrypted when a passphrase is given, public key printed.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import { randomEd25519Seed } from '../../src-shared/crypto/ed25519-portable';
import { EXIT_CODES } from '../../src-shared/verification-report';
import { writeNewKeyFile } from '../crypto/key-file';
import { parseCommandLine, passphraseFrom, type CliIo } from './cli-arguments';

export function runKeygen(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      'key-id': { type: 'string' },
      out: { type: 'string' },
      'passphrase-file': { type: 'string' },
    },
    'keygen',
  );
  if (positionals.length > 0)
    throw new ProofdeskError('USAGE', 'keygen takes no file argument; use --out FILE.');
  if (values['key-id'] === undefined || values.out === undefined) {
    throw new ProofdeskError('USAGE', 'keygen needs --key-id ID and --out FILE.');
  }
  const passphrase = passphraseFrom(values['passphrase-file']);
  const { publicKeyHex } = writeNewKeyFile(values.out, values['key-id'], randomEd25519Seed(), {
    passphrase,
  });
  // The keyring line on stdout can be pasted straight into a --keys file.
  io.stdout(`${JSON.stringify({ [values['key-id']]: publicKeyHex })}\n`);
  io.stderr(
    `Private key written to ${values.out} (mode 0600${passphrase === undefined ? ', not encrypted' : ', encrypted with the passphrase'}); keep it secret.\n`,
  );
  return EXIT_CODES.pass;
}
