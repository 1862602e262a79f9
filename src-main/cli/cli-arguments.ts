/** Argument parsing shared by the CLI commands, with one-sentence errors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ProofdeskError } from '../../src-shared/check-code';

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
    throw new ProofdeskError('USAGE', `${message.split('. ')[0]?.replace(/\.$/, '')}.`);
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
