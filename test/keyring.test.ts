import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  existsSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { ProofdeskError, type ErrorCode } from '../src-shared/check-code';
import {
  portableCryptoProvider,
  publicKeyFromSeed,
  randomEd25519Seed,
  signEd25519,
} from '../src-shared/crypto/ed25519-portable';
import { bytesToHex } from '../src-shared/crypto/hex';
import { keyringToJson, parseKeyring } from '../src-shared/keyring';
import { readKeyFile, writeNewKeyFile } from '../src-main/crypto/key-file';

// RFC 8032 TEST 1 and TEST 2 public keys: known-good points that need no fixtures.
const KEY_1 = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const KEY_2 = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
// TEST 1's key plus a point of order 8: on the curve, yet no key generation produces it.
const MIXED_ORDER_KEY_HEX = ed25519.Point.fromHex(KEY_1)
  .add(ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'))
  .toHex();

function expectProofdeskError(
  run: () => unknown,
  code: ErrorCode,
  message: RegExp,
): ProofdeskError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProofdeskError);
  const error = thrown as ProofdeskError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  // One sentence: the messages end with a period and do not run on.
  expect(error.message).toMatch(/\.$/);
  return error;
}

describe('parseKeyring', () => {
  it('parses a good keyring, accepting either hex case', () => {
    const keyring = parseKeyring(
      JSON.stringify({ 'key-A': KEY_1, 'key-B': KEY_2.toUpperCase() }),
      'keys.json',
    );
    expect([...keyring.keys()]).toEqual(['key-A', 'key-B']);
    expect(bytesToHex(keyring.get('key-A') ?? new Uint8Array())).toBe(KEY_1);
    expect(bytesToHex(keyring.get('key-B') ?? new Uint8Array())).toBe(KEY_2);
    expect(keyring.get('key-B')).toBeInstanceOf(Uint8Array);
  });

  it('accepts an empty object and a leading byte-order mark', () => {
    expect(parseKeyring('{}', 'empty.json').size).toBe(0);
    expect(parseKeyring(`\uFEFF{"k": "${KEY_1}"}`, 'bom.json').size).toBe(1);
  });

  it('treats "__proto__" and integer-like ids as ordinary key ids', () => {
    const keyring = parseKeyring(
      `{"__proto__": "${KEY_1}", "10": "${KEY_2}", "9": "${KEY_1}"}`,
      'k',
    );
    expect(keyring.size).toBe(3);
    expect(bytesToHex(keyring.get('__proto__') ?? new Uint8Array())).toBe(KEY_1);
  });

  it.each([
    ['not JSON', '{"k": ', /keys\.json is not valid JSON/],
    ['an array', `["${KEY_1}"]`, /keys\.json must be a JSON object .* but it is an array/],
    ['null', 'null', /keys\.json must be a JSON object .* but it is null/],
    ['a string', `"${KEY_1}"`, /keys\.json must be a JSON object .* but it is a string/],
    ['a number', '42', /but it is a number/],
    ['an empty key id', `{"": "${KEY_1}"}`, /keys\.json contains an empty key id/],
    ['a non-string value', '{"key-A": 7}', /keys\.json gives key id "key-A" a number instead of/],
    ['a null value', '{"key-A": null}', /key id "key-A" null instead of/],
    ['an object value', `{"key-A": {"hex": "${KEY_1}"}}`, /key id "key-A" an object instead of/],
    ['non-hex characters', `{"key-A": "${'zz'.repeat(32)}"}`, /key id "key-A" .*not a hex digit/],
    ['a 0x prefix', `{"key-A": "0x${KEY_1.slice(2)}"}`, /key id "key-A" .*not a hex digit/],
    ['62 hex characters', `{"key-A": "${KEY_1.slice(2)}"}`, /key id "key-A" .*62 characters long/],
    ['66 hex characters', `{"key-A": "${KEY_1}00"}`, /key id "key-A" .*66 characters long/],
    [
      'not a curve point',
      `{"key-A": "02${'00'.repeat(31)}"}`,
      /key id "key-A" .*not the encoding of a point/,
    ],
    [
      'a non-canonical encoding',
      `{"key-A": "ee${'ff'.repeat(30)}7f"}`,
      /key id "key-A" .*not a canonical/,
    ],
    ['the all-zero key', `{"key-A": "${'00'.repeat(32)}"}`, /key id "key-A" .*low-order point/],
    ['the identity point', `{"key-A": "01${'00'.repeat(31)}"}`, /key id "key-A" .*low-order point/],
  ])('rejects %s with KEYRING_MALFORMED', (_name, text, message) => {
    expectProofdeskError(() => parseKeyring(text, 'keys.json'), 'KEYRING_MALFORMED', message);
  });

  it('names the offending id among good ones, escaping unprintable characters', () => {
    const text = JSON.stringify({ good: KEY_1, 'bad\nid': 'abc' });
    expectProofdeskError(() => parseKeyring(text, 'k.json'), 'KEYRING_MALFORMED', /"bad\\nid"/);
  });

  it('rejects a point with a low-order component', () => {
    expectProofdeskError(
      () => parseKeyring(JSON.stringify({ dirty: MIXED_ORDER_KEY_HEX }), 'k.json'),
      'KEYRING_MALFORMED',
      /key id "dirty" .*low-order component/,
    );
  });
});

describe('keyringToJson', () => {
  it('writes sorted ids, lowercase hex, two-space indent and a trailing newline', () => {
    const keyring = parseKeyring(
      JSON.stringify({ b: KEY_2.toUpperCase(), a: KEY_1, '10': KEY_1, '9': KEY_2 }),
      'k',
    );
    const text = keyringToJson(keyring);
    expect(text).toBe(
      `{\n  "10": "${KEY_1}",\n  "9": "${KEY_2}",\n  "a": "${KEY_1}",\n  "b": "${KEY_2}"\n}\n`,
    );
    expect(keyringToJson(parseKeyring(text, 'round trip'))).toBe(text);
  });

  it('writes an empty keyring as {} and keeps a "__proto__" id', () => {
    expect(keyringToJson(new Map())).toBe('{}\n');
    const text = keyringToJson(parseKeyring(`{"__proto__": "${KEY_1}"}`, 'k'));
    expect(text).toBe(`{\n  "__proto__": "${KEY_1}"\n}\n`);
    expect(parseKeyring(text, 'k').size).toBe(1);
  });
});

describe('private key file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'proofdesk-key-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  const freshPath = () => join(dir, `key-${++counter}.json`);

  function writeTampered(fields: Record<string, unknown>): string {
    const path = freshPath();
    writeNewKeyFile(path, 'signer', randomEd25519Seed());
    const original = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const tampered = freshPath();
    writeFileSync(tampered, JSON.stringify({ ...original, ...fields }));
    return tampered;
  }

  it('round-trips key id, seed and public key, and the key signs verifiably', () => {
    const path = freshPath();
    const seed = randomEd25519Seed();
    const { publicKeyHex } = writeNewKeyFile(path, 'proofdesk-signer-2026', seed);
    expect(publicKeyHex).toBe(bytesToHex(publicKeyFromSeed(seed)));
    const key = readKeyFile(path);
    expect(key.keyId).toBe('proofdesk-signer-2026');
    expect(bytesToHex(key.seed)).toBe(bytesToHex(seed));
    expect(bytesToHex(key.publicKey)).toBe(publicKeyHex);
    const message = new TextEncoder().encode('e'.repeat(64));
    expect(
      portableCryptoProvider.verifyEd25519(key.publicKey, message, signEd25519(key.seed, message)),
    ).toBe(true);
  });

  it('writes the documented JSON format', () => {
    const path = freshPath();
    const seed = new Uint8Array(32).fill(1);
    writeNewKeyFile(path, 'k', seed);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      format: 'proofdesk-ed25519-private-key',
      version: 1,
      key_id: 'k',
      public_key_hex: bytesToHex(publicKeyFromSeed(seed)),
      seed_hex: '01'.repeat(32),
    });
    expect(readFileSync(path, 'utf8').endsWith('}\n')).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('is created with mode 0600', () => {
    const path = freshPath();
    writeNewKeyFile(path, 'k', randomEd25519Seed());
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to overwrite an existing file and leaves it untouched', () => {
    const path = freshPath();
    writeNewKeyFile(path, 'first', randomEd25519Seed());
    const before = readFileSync(path, 'utf8');
    expectProofdeskError(
      () => writeNewKeyFile(path, 'second', randomEd25519Seed()),
      'KEY_FILE_EXISTS',
      /already exists/,
    );
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it.skipIf(process.platform === 'win32')('refuses to write through a dangling symlink', () => {
    const target = join(dir, 'symlink-target.json');
    const link = freshPath();
    symlinkSync(target, link);
    expectProofdeskError(
      () => writeNewKeyFile(link, 'k', randomEd25519Seed()),
      'KEY_FILE_EXISTS',
      /already exists/,
    );
    expect(existsSync(target)).toBe(false);
  });

  it('reports a missing directory as FILE_NOT_FOUND', () => {
    expectProofdeskError(
      () => writeNewKeyFile(join(dir, 'no-such-dir', 'key.json'), 'k', randomEd25519Seed()),
      'FILE_NOT_FOUND',
      /directory .* does not exist/,
    );
  });

  it.each([
    ['empty', ''],
    ['longer than 200 characters', 'k'.repeat(201)],
    ['a control character', 'key\u0007'],
    ['a newline', 'key\nid'],
    ['a bidi override', 'key\u202Eid'],
    ['a lone surrogate', 'key\uD800'],
  ])('refuses a key id that is %s', (_name, keyId) => {
    const path = freshPath();
    expectProofdeskError(
      () => writeNewKeyFile(path, keyId, randomEd25519Seed()),
      'USAGE',
      /key id/,
    );
    expect(existsSync(path)).toBe(false);
  });

  it('accepts a 200-character id and printable non-ASCII ids', () => {
    for (const keyId of ['k'.repeat(200), 'clé Ä 签名 😀'.padEnd(200, 'x'), 'with spaces']) {
      const path = freshPath();
      writeNewKeyFile(path, keyId, randomEd25519Seed());
      expect(readKeyFile(path).keyId).toBe(keyId);
    }
  });

  it('reports a missing file as FILE_NOT_FOUND and a directory as FILE_IS_DIRECTORY', () => {
    expectProofdeskError(
      () => readKeyFile(join(dir, 'absent.json')),
      'FILE_NOT_FOUND',
      /absent\.json does not exist/,
    );
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expectProofdeskError(() => readKeyFile(sub), 'FILE_IS_DIRECTORY', /is a directory/);
  });

  it.skipIf(process.platform === 'win32')('rejects a device instead of reading it forever', () => {
    expectProofdeskError(
      () => readKeyFile('/dev/zero'),
      'KEY_FILE_MALFORMED',
      /not a regular file/,
    );
  });

  it('rejects a seed that does not derive the stored public key', () => {
    const path = writeTampered({ seed_hex: bytesToHex(randomEd25519Seed()) });
    expectProofdeskError(
      () => readKeyFile(path),
      'KEY_FILE_MALFORMED',
      /"public_key_hex" that is not the public key of its "seed_hex"/,
    );
  });

  it('rejects a public key that the seed does not derive', () => {
    const path = writeTampered({
      public_key_hex: bytesToHex(publicKeyFromSeed(randomEd25519Seed())),
    });
    expectProofdeskError(
      () => readKeyFile(path),
      'KEY_FILE_MALFORMED',
      /not the public key of its/,
    );
  });

  it.each([
    ['wrong format', { format: 'pem' }, /"format"/],
    ['version 3', { version: 3 }, /"version"/],
    ['version 2 without its encryption fields', { version: 2 }, /no "kdf" field/],
    ['version as a string', { version: '1' }, /"version"/],
    ['an extra field', { comment: 'x' }, /unexpected field "comment"/],
    ['a missing key id', { key_id: undefined }, /"key_id"/],
    ['an empty key id', { key_id: '' }, /"key_id" that is empty/],
    [
      'an unprintable key id',
      { key_id: 'a\u0000b' },
      /"key_id" that contains a character that is not printable/,
    ],
    ['a short seed', { seed_hex: 'ab'.repeat(31) }, /"seed_hex"/],
    ['an uppercase seed', { seed_hex: 'AB'.repeat(32) }, /"seed_hex"/],
    ['a numeric public key', { public_key_hex: 5 }, /"public_key_hex"/],
  ])('rejects a key file with %s', (_name, fields, message) => {
    expectProofdeskError(() => readKeyFile(writeTampered(fields)), 'KEY_FILE_MALFORMED', message);
  });

  it.each([
    ['not JSON', 'seed=abc', /not valid UTF-8 JSON/],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8 JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['too large', ' '.repeat(70_000), /too large/],
  ])('rejects a key file that is %s', (_name, content, message) => {
    const path = freshPath();
    writeFileSync(path, content);
    expectProofdeskError(() => readKeyFile(path), 'KEY_FILE_MALFORMED', message);
  });
});

describe('passphrase-protected key files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'proofdesk-encrypted-key-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const seed = randomEd25519Seed();

  it('round-trips the seed and never stores it in the clear', () => {
    const path = join(directory, 'officer.key');
    const { publicKeyHex } = writeNewKeyFile(path, 'alice@example.com', seed, {
      passphrase: 'correct horse',
    });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(bytesToHex(seed));
    expect(JSON.parse(text)).toMatchObject({
      version: 2,
      kdf: { name: 'scrypt' },
      cipher: { name: 'aes-256-gcm' },
    });
    const key = readKeyFile(path, () => 'correct horse');
    expect(bytesToHex(key.seed)).toBe(bytesToHex(seed));
    expect(bytesToHex(key.publicKey)).toBe(publicKeyHex);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('a wrong or missing passphrase, or a swapped key id, is KEY_PASSPHRASE_WRONG', () => {
    const path = join(directory, 'officer-2.key');
    writeNewKeyFile(path, 'bob@example.com', seed, { passphrase: 'secret' });
    expectProofdeskError(
      () => readKeyFile(path, () => 'Secret'),
      'KEY_PASSPHRASE_WRONG',
      /does not unlock/,
    );
    expectProofdeskError(
      () => readKeyFile(path),
      'KEY_PASSPHRASE_WRONG',
      /encrypted and no passphrase/,
    );
    const swapped = join(directory, 'swapped.key');
    writeFileSync(
      swapped,
      readFileSync(path, 'utf8').replace('bob@example.com', 'mallory@example.com'),
    );
    expectProofdeskError(
      () => readKeyFile(swapped, () => 'secret'),
      'KEY_PASSPHRASE_WRONG',
      /does not unlock/,
    );
  });
});
