/**
 * One ledger row as the entry drawer shows it: every column, the payload indented, the exact
 * canonical hash input nexuscone hashes, the stored and recomputed hashes, and the signature
 * checked against the session's keyring (the same rules as the range verifier).
 */
import {
  escapePythonJsonString,
  parsePythonJson,
  PyNumber,
  type PyJsonValue,
} from '../../src-shared/canonical-json/python-json';
import { asciiToBytes, hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';
import type { LedgerEntryDetail } from '../../src-shared/ipc/ledger-browse-contract';
import type { Keyring } from '../../src-shared/keyring';
import { buildEntryHashInput, type SqlValue } from '../../src-shared/ledger/entry-hash';
import { createNodeCryptoProvider } from '../crypto/node-crypto-provider';
import type { LedgerSchema } from './ledger-database';

const crypto = createNodeCryptoProvider();

/**
 * `json.dumps(value, indent=2, ensure_ascii=False)` in the stored key order: for reading only
 * (never hashed). Numbers keep their lexeme, so 1.0 stays 1.0 and big ints stay exact.
 */
export function prettyPythonJson(value: PyJsonValue, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const close = '  '.repeat(depth);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return escapePythonJsonString(value, false);
  if (value instanceof PyNumber) return value.lexeme;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => pad + prettyPythonJson(item, depth + 1)).join(',\n')}\n${close}]`;
  }
  if (value.size === 0) return '{}';
  const members = [...value].map(
    ([key, item]) =>
      `${pad}${escapePythonJsonString(key, false)}: ${prettyPythonJson(item, depth + 1)}`,
  );
  return `{\n${members.join(',\n')}\n${close}}`;
}

function sqlType(value: SqlValue): LedgerEntryDetail['columns'][number]['type'] {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'blob';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'bigint' || Number.isInteger(value)) return 'integer';
  return 'real';
}

function describe(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (value instanceof Uint8Array) return `BLOB (${value.length} bytes)`;
  return String(value);
}

/** nexuscone's rule: format 2 hashing for format_version >= 2, else format 1. */
function hashFormatOf(value: SqlValue, schema: LedgerSchema): number {
  if (!schema.hasFormatColumns) return 1;
  const numeric = typeof value === 'number' || typeof value === 'bigint' ? Number(value) : 1;
  return numeric >= 2 ? 2 : 1;
}

function signatureCheck(
  signature: SqlValue,
  keyId: SqlValue,
  entryHash: SqlValue,
  keyring: Keyring | null,
): Pick<LedgerEntryDetail, 'signatureStatus' | 'signatureMessage'> {
  if (signature === null && keyId === null) {
    return { signatureStatus: 'unsigned', signatureMessage: 'This entry is not signed.' };
  }
  if (signature === null || keyId === null) {
    return {
      signatureStatus: 'malformed',
      signatureMessage:
        signature === null
          ? 'The entry names a signing key but its signature is NULL (stripped?).'
          : 'The entry has a signature but no signing_key_id.',
    };
  }
  if (!isLowerHex(signature, 128) || typeof keyId !== 'string' || typeof entryHash !== 'string') {
    return {
      signatureStatus: 'malformed',
      signatureMessage: 'The signature is not 128 lowercase hex characters over a text entry_hash.',
    };
  }
  if (keyring === null) {
    return {
      signatureStatus: 'not-checked',
      signatureMessage: `Signed with key ${JSON.stringify(keyId)}; no keyring is loaded, so it was not checked.`,
    };
  }
  const publicKey = keyring.get(keyId);
  if (publicKey === undefined) {
    return {
      signatureStatus: 'unknown-key',
      signatureMessage: `Signed with key ${JSON.stringify(keyId)}, which is not in the keyring.`,
    };
  }
  const valid = crypto.verifyEd25519(publicKey, asciiToBytes(entryHash), hexToBytes(signature));
  return valid
    ? {
        signatureStatus: 'valid',
        signatureMessage: `Valid Ed25519 signature by ${JSON.stringify(keyId)} over the stored entry_hash.`,
      }
    : {
        signatureStatus: 'invalid',
        signatureMessage: `The signature does not verify with key ${JSON.stringify(keyId)}.`,
      };
}

function payloadOf(value: SqlValue): LedgerEntryDetail['payload'] {
  if (typeof value !== 'string') {
    return {
      raw: describe(value),
      pretty: null,
      parseError: `The payload is ${sqlType(value)}, not text.`,
    };
  }
  try {
    return { raw: value, pretty: prettyPythonJson(parsePythonJson(value)), parseError: null };
  } catch (error) {
    return {
      raw: value,
      pretty: null,
      parseError: error instanceof Error ? error.message : String(error),
    };
  }
}

/** `names` and `values` are one `SELECT *` row of entries. */
export function describeLedgerEntry(
  names: readonly string[],
  values: readonly SqlValue[],
  schema: LedgerSchema,
  keyring: Keyring | null,
): LedgerEntryDetail {
  const byName = new Map<string, SqlValue>();
  names.forEach((name, index) => {
    const key = name.toLowerCase();
    if (!byName.has(key)) byName.set(key, values[index] ?? null);
  });
  const get = (name: string): SqlValue => byName.get(name) ?? null;
  const hashFormat = hashFormatOf(get('format_version'), schema);
  const hashInput =
    buildEntryHashInput(
      {
        entryId: get('entry_id'),
        timestamp: get('timestamp'),
        actor: get('actor'),
        action: get('action'),
        eventType: get('event_type'),
        payload: get('payload'),
        previousHash: get('previous_hash'),
      },
      hashFormat,
    ) ?? null;
  const recomputedHash = hashInput === null ? null : crypto.sha256HexOfUtf8(hashInput);
  const storedHash = get('entry_hash');
  const entryId = get('entry_id');
  const formatVersion = get('format_version');
  return {
    entryId: typeof entryId === 'number' ? entryId : Number.NaN,
    columns: names.map((name, index) => {
      const value = values[index] ?? null;
      return { name, type: sqlType(value), text: describe(value) };
    }),
    timestamp: describe(get('timestamp')),
    actor: describe(get('actor')),
    action: describe(get('action')),
    eventType: schema.hasFormatColumns ? describe(get('event_type')) : null,
    formatVersion: typeof formatVersion === 'number' ? formatVersion : null,
    hashFormat,
    payload: payloadOf(get('payload')),
    hashInput,
    storedHash: describe(storedHash),
    recomputedHash,
    hashMatches: recomputedHash !== null && recomputedHash === storedHash,
    previousHash: describe(get('previous_hash')),
    signature: get('signature') === null ? null : describe(get('signature')),
    signingKeyId: get('signing_key_id') === null ? null : describe(get('signing_key_id')),
    ...signatureCheck(get('signature'), get('signing_key_id'), storedHash, keyring),
  };
}
