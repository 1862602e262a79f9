/**
 * `proofdesk append`: one entry from flags, or a batch of JSON lines from stdin, written in one
 * durable transaction. Every line is validated before anything is written.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import {
  NEXUSCONE_DIALECT,
  parsePythonJson,
  PyJsonError,
  serializePythonJson,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import { EXIT_CODES } from '../../src-shared/verification-report';
import { readKeyFile } from '../crypto/key-file';
import { createNodeEd25519Signer } from '../crypto/node-crypto-provider';
import { appendEntries, type EntrySigner, type NewEntry } from '../ledger/ledger-writer';
import { onePositional, parseCommandLine, passphraseProvider, type CliIo } from './cli-arguments';

const DEFAULT_EVENT_TYPE = 'request';
const LINE_FIELDS = new Set(['actor', 'action', 'event_type', 'payload']);

/** Python-canonical ASCII text of a payload, which must be a JSON object as nexuscone expects. */
function canonicalPayload(value: PyJsonValue, where: string): string {
  if (!(value instanceof Map)) {
    throw new ProofdeskError('PAYLOAD_MALFORMED', `The payload ${where} must be a JSON object.`);
  }
  try {
    return serializePythonJson(value, NEXUSCONE_DIALECT);
  } catch (error) {
    throw new ProofdeskError(
      'PAYLOAD_MALFORMED',
      `The payload ${where} cannot be written: ${(error as Error).message}`,
    );
  }
}

function parseJson(text: string, where: string): PyJsonValue {
  try {
    return parsePythonJson(text);
  } catch (error) {
    if (error instanceof PyJsonError) {
      throw new ProofdeskError(
        'PAYLOAD_MALFORMED',
        // Input is one line here, so Python's "line 1 column N (char M)" reduces to the column.
        `${where} is not valid JSON: ${error.message.replace(/:? line 1 column (\d+) \(char \d+\)/, ' at column $1').replace(/\.$/, '')}.`,
      );
    }
    throw error;
  }
}

function entryFromLine(line: string, lineNumber: number): NewEntry {
  const where = `line ${lineNumber} of standard input`;
  const value = parseJson(line, where);
  if (!(value instanceof Map))
    throw new ProofdeskError('PAYLOAD_MALFORMED', `${where} must be a JSON object.`);
  const unknown = [...value.keys()].filter((key) => !LINE_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new ProofdeskError(
      'PAYLOAD_MALFORMED',
      `${where} has the unknown field ${JSON.stringify(unknown[0])}; use actor, action, event_type and payload.`,
    );
  }
  const text = (field: string, fallback?: string): string => {
    const fieldValue = value.get(field);
    if (fieldValue === undefined && fallback !== undefined) return fallback;
    if (typeof fieldValue !== 'string')
      throw new ProofdeskError('PAYLOAD_MALFORMED', `${where} needs "${field}" as a string.`);
    return fieldValue;
  };
  const payload = value.get('payload');
  return {
    actor: text('actor'),
    action: text('action'),
    eventType: text('event_type', DEFAULT_EVENT_TYPE),
    payload: payload === undefined ? '{}' : canonicalPayload(payload, `on ${where}`),
  };
}

function signerFromKeyFile(
  path: string,
  keyIdOverride: string | undefined,
  passphraseFile: string | undefined,
): EntrySigner {
  const key = readKeyFile(path, passphraseProvider(passphraseFile));
  return {
    keyId: keyIdOverride ?? key.keyId,
    sign: createNodeEd25519Signer(key.seed),
  };
}

export function runAppend(args: string[], io: CliIo): number {
  const { values, positionals } = parseCommandLine(
    args,
    {
      actor: { type: 'string' },
      action: { type: 'string' },
      'event-type': { type: 'string' },
      payload: { type: 'string' },
      key: { type: 'string' },
      'key-id': { type: 'string' },
      'passphrase-file': { type: 'string' },
    },
    'append',
  );
  const dbPath = onePositional(positionals, 'ledger file', 'append');
  if (values['key-id'] !== undefined && values.key === undefined) {
    throw new ProofdeskError(
      'USAGE',
      '--key-id labels a signing key, so it needs --key FILE as well.',
    );
  }
  const fromFlags = values.actor !== undefined || values.action !== undefined;
  let entries: NewEntry[];
  if (fromFlags) {
    if (values.actor === undefined || values.action === undefined) {
      throw new ProofdeskError('USAGE', 'append needs both --actor and --action.');
    }
    entries = [
      {
        actor: values.actor,
        action: values.action,
        eventType: values['event-type'] ?? DEFAULT_EVENT_TYPE,
        payload:
          values.payload === undefined
            ? '{}'
            : canonicalPayload(parseJson(values.payload, '--payload'), 'given with --payload'),
      },
    ];
  } else {
    if (values['event-type'] !== undefined || values.payload !== undefined) {
      throw new ProofdeskError(
        'USAGE',
        '--event-type and --payload need --actor and --action; batches from standard input carry them per line.',
      );
    }
    if (io.stdinIsTty) {
      throw new ProofdeskError(
        'USAGE',
        'append needs --actor and --action, or JSON lines on standard input.',
      );
    }
    const input = io.readStdin() ?? '';
    entries = input
      .split('\n')
      .map((line, index) => ({ line: line.trim(), lineNumber: index + 1 }))
      .filter(({ line }) => line.length > 0)
      .map(({ line, lineNumber }) => entryFromLine(line, lineNumber));
    if (entries.length === 0)
      throw new ProofdeskError('USAGE', 'Standard input held no entries to append.');
  }
  const signer =
    values.key === undefined
      ? undefined
      : signerFromKeyFile(values.key, values['key-id'], values['passphrase-file']);
  const result = appendEntries(dbPath, entries, { signer, createIfMissing: true });
  const span =
    result.firstEntryId === result.lastEntryId
      ? `entry ${result.firstEntryId}`
      : `entries ${result.firstEntryId}–${result.lastEntryId}`;
  io.stdout(
    `${result.created ? 'created the ledger and appended' : 'appended'} ${span}${signer ? `, signed with ${signer.keyId}` : ''}\nhead ${result.headHash}\n`,
  );
  return EXIT_CODES.pass;
}
