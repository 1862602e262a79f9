import { ProofdeskError } from './check-code';
import { ed25519PublicKeyProblem } from './crypto/ed25519-portable';
import { bytesToHex, hexToBytes } from './crypto/hex';

/**
 * Entry-signing public keys by key id (nexuscone spec §3): the database stores none, so the
 * auditor supplies them. Values are raw 32-byte Ed25519 public keys already checked to be usable.
 */
export type Keyring = ReadonlyMap<string, Uint8Array>;

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/**
 * Parses a keyring file's text: a JSON object of `{ "key id": "64 hex characters" }`.
 * Throws `ProofdeskError('KEYRING_MALFORMED')` naming `sourceName` and, where there is one, the
 * offending key id, so a typo in one entry is found without bisecting the file.
 */
export function parseKeyring(jsonText: string, sourceName: string): Keyring {
  // Editors on Windows often save JSON with a byte-order mark, which JSON.parse rejects.
  const text = jsonText.startsWith('\uFEFF') ? jsonText.slice(1) : jsonText;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes short input whole, newlines included; the error must stay one line.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
    throw malformed(`The keyring ${sourceName} is not valid JSON (${reason}).`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed(
      `The keyring ${sourceName} must be a JSON object mapping key ids to public keys, but it is ${describeJsonValue(parsed)}.`,
    );
  }

  const keyring = new Map<string, Uint8Array>();
  // Object.entries sees "__proto__" as an ordinary own key, since JSON.parse defines properties.
  for (const [keyId, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (keyId.length === 0) {
      throw malformed(
        `The keyring ${sourceName} contains an empty key id; every key id must be a non-empty string.`,
      );
    }
    const id = JSON.stringify(keyId);
    if (typeof value !== 'string') {
      throw malformed(
        `The keyring ${sourceName} gives key id ${id} ${describeJsonValue(value)} instead of a public key as 64 hex characters.`,
      );
    }
    if (!HEX_64.test(value)) {
      const why =
        value.length === 64
          ? 'contains a character that is not a hex digit'
          : `is ${value.length} characters long instead of 64 hex characters`;
      throw malformed(`The keyring ${sourceName} gives key id ${id} a public key that ${why}.`);
    }
    const publicKey = hexToBytes(value);
    const problem = ed25519PublicKeyProblem(publicKey);
    if (problem !== undefined) {
      throw malformed(`The keyring ${sourceName} gives key id ${id} a public key that ${problem}.`);
    }
    keyring.set(keyId, publicKey);
  }
  return keyring;
}

/**
 * The keyring in its file form: keys sorted, two-space indent, lowercase hex, trailing newline.
 * Written by hand because JSON.stringify of an object would list integer-like ids ("10", "9")
 * numerically first and would turn a "__proto__" id into a prototype assignment.
 */
export function keyringToJson(keyring: Keyring): string {
  const ids = [...keyring.keys()].sort();
  if (ids.length === 0) return '{}\n';
  const lines = ids.map((keyId) => {
    const publicKey = keyring.get(keyId) ?? new Uint8Array();
    return `  ${JSON.stringify(keyId)}: ${JSON.stringify(bytesToHex(publicKey))}`;
  });
  return `{\n${lines.join(',\n')}\n}\n`;
}

function malformed(message: string): ProofdeskError {
  return new ProofdeskError('KEYRING_MALFORMED', message);
}

function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value;
  return kind === 'object' ? 'an object' : `a ${kind}`;
}
