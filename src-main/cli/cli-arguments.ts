/** Argument parsing shared by the CLI commands, with one-sentence errors. */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProofdeskError } from '../../src-shared/check-code';
import { parseKeyring, type Keyring } from '../../src-shared/keyring';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => string | null;
  readonly stdinIsTty: boolean;
  readonly stderrIsTty: boolean;
}

/** node:util's messages are long and suggest `--`; one sentence naming the flag is clearer. */
export function parseCommandLine<T extends ParseArgsConfig['options']>(
  args: string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown)
      throw new ProofdeskError(
        'USAGE',
        `${command} has no option ${unknown[1]}; run \`proofdesk help\` for usage.`,
      );
    const missingValue = /Option '([^']+?)(?: <value>)?' argument missing/.exec(message);
    if (missingValue)
      throw new ProofdeskError(
        'USAGE',
        `The option ${missingValue[1]?.split(',').at(-1)?.trim()} needs a value.`,
      );
    // node:util's other messages run over several lines and sentences; keep the first sentence.
    const firstSentence = message.split(/\.\s/)[0]?.replace(/\s+/g, ' ').replace(/\.$/, '');
    throw new ProofdeskError('USAGE', `${firstSentence}.`);
  }
}

export function onePositional(positionals: string[], what: string, command: string): string {
  if (positionals.length === 0) throw new ProofdeskError('USAGE', `${command} needs a ${what}.`);
  if (positionals.length > 1) {
    throw new ProofdeskError(
      'USAGE',
      `${command} takes one ${what}, but ${positionals.length} were given.`,
    );
  }
  return positionals[0] as string;
}

export const PASSPHRASE_ENV = 'PROOFDESK_PASSPHRASE';

/**
 * A key passphrase from --passphrase-file (its first line) or the PROOFDESK_PASSPHRASE variable;
 * never from the command line itself, where other users could read it in the process list.
 */
export function passphraseFrom(passphraseFile: string | undefined): string | undefined {
  if (passphraseFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(passphraseFile, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new ProofdeskError(
        code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
        `The passphrase file ${passphraseFile} cannot be read${code === 'ENOENT' ? ': it does not exist' : ''}.`,
      );
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line.length === 0)
      throw new ProofdeskError('USAGE', `The passphrase file ${passphraseFile} is empty.`);
    return line;
  }
  const fromEnvironment = process.env[PASSPHRASE_ENV];
  return fromEnvironment === undefined || fromEnvironment === '' ? undefined : fromEnvironment;
}

/** Asks for the passphrase only when an encrypted key file needs one. */
export function passphraseProvider(passphraseFile: string | undefined): () => string {
  return () => {
    const passphrase = passphraseFrom(passphraseFile);
    if (passphrase === undefined) {
      throw new ProofdeskError(
        'KEY_PASSPHRASE_WRONG',
        `The key file is encrypted; give --passphrase-file FILE or set ${PASSPHRASE_ENV}.`,
      );
    }
    return passphrase;
  };
}

/** The officers' public keys (`{officer id: key hex}`) whose signed approvals count; null without --signers. */
export function readSignersKeyring(path: string | undefined): Keyring | null {
  if (path === undefined) return null;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ProofdeskError('FILE_NOT_FOUND', `The trusted signers file ${path} cannot be read.`);
  }
  return parseKeyring(text, path);
}
