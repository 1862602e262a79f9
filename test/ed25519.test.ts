import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CryptoProvider } from '../src-shared/crypto/crypto-provider';
import {
  ed25519PublicKeyProblem,
  portableCryptoProvider,
  publicKeyFromSeed,
  randomEd25519Seed,
  signEd25519,
} from '../src-shared/crypto/ed25519-portable';
import { asciiToBytes, bytesToHex, hexToBytes } from '../src-shared/crypto/hex';
import { createNodeCryptoProvider, signEd25519Node } from '../src-main/crypto/node-crypto-provider';
import { describeWithFixtures, sharedFixturesDir } from './support/shared-fixtures';

const PROVIDERS: [string, CryptoProvider][] = [
  ['node:crypto', createNodeCryptoProvider()],
  ['noble', portableCryptoProvider],
];

interface RfcVector {
  readonly name: string;
  readonly seedHex: string;
  readonly publicKeyHex: string;
  readonly messageHex: string;
  readonly signatureHex: string;
}

// RFC 8032 §7.1. Each signature verifying under the public key derived from its seed is itself
// the check that these strings were transcribed without error.
const RFC8032_VECTORS: readonly RfcVector[] = [
  {
    name: 'TEST 1',
    seedHex: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKeyHex: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    messageHex: '',
    signatureHex:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2',
    seedHex: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKeyHex: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    messageHex: '72',
    signatureHex:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3',
    seedHex: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKeyHex: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    messageHex: 'af82',
    signatureHex:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST 1024',
    seedHex: 'f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5',
    publicKeyHex: '278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e',
    messageHex: [
      '08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8',
      '79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc',
      '1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e',
      '06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7',
      'aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2',
      'd17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270',
      '88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07',
      '07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a',
      'ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7',
      '51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8',
      'ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08',
      'd78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4',
      '88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e',
      '6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5',
      '0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d',
      'b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0',
    ].join(''),
    signatureHex:
      '0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03',
  },
  {
    name: 'TEST SHA(abc)',
    seedHex: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKeyHex: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    messageHex:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signatureHex:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

function rfcVector(name: string): RfcVector {
  const vector = RFC8032_VECTORS.find((candidate) => candidate.name === name);
  if (vector === undefined) throw new Error(`no RFC 8032 vector named ${name}`);
  return vector;
}

// ---- Crafted inputs for the cases where OpenSSL and noble, left alone, would disagree. ----

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const P = 2n ** 255n - 19n;
const modL = (n: bigint): bigint => ((n % L) + L) % L;
const challenge = (r: Uint8Array, a: Uint8Array, m: Uint8Array): bigint =>
  modL(bytesToNumberLE(sha512(concatBytes(r, a, m))));

/** The RFC 8032 secret scalar (clamped), so tests can build signatures noble's sign() never makes. */
function secretScalar(seed: Uint8Array): bigint {
  const head = sha512(seed).slice(0, 32);
  head[0] = (head[0] ?? 0) & 248;
  head[31] = ((head[31] ?? 0) & 127) | 64;
  return modL(bytesToNumberLE(head));
}

const IDENTITY = Point.ZERO.toBytes();
/** R = identity, S = 0: satisfies [S]B = R + [k]A whenever [k]A is the identity. */
const ZERO_FORGERY = concatBytes(IDENTITY, new Uint8Array(32));
const ORDER_8_POINT = Point.fromHex(
  ED25519_TORSION_SUBGROUP.find((hex) => !Point.fromHex(hex).double().double().is0()) ?? '',
);
const CRAFT_SEED = new Uint8Array(32).fill(7);
const CRAFT_SCALAR = secretScalar(CRAFT_SEED);
const CRAFT_NONCE = 0x1234567n;

/** A message for which the challenge k is a multiple of `modulus`, found by counting. */
function messageWithChallengeMultipleOf(modulus: bigint, r: Uint8Array, a: Uint8Array): Uint8Array {
  for (let i = 0; ; i++) {
    const message = asciiToBytes(`forgery attempt ${i}`);
    if (challenge(r, a, message) % modulus === 0n) return message;
  }
}

/**
 * S = nonce + k·scalar for whatever 32 bytes are put in the R half, with k hashed over those exact
 * bytes: the signature any signer holding `scalar` could emit, honest or not.
 */
function signWithRBytes(
  rBytes: Uint8Array,
  publicKey: Uint8Array,
  message: Uint8Array,
  nonce = CRAFT_NONCE,
  scalar = CRAFT_SCALAR,
): Uint8Array {
  const k = challenge(rBytes, publicKey, message);
  return concatBytes(rBytes, numberToBytesLE(modL(nonce + k * scalar), 32));
}

/** A signature by CRAFT_SCALAR with an arbitrary R point and public key encoding. */
function signWithParts(R: typeof Point.BASE, publicKey: Uint8Array, message: Uint8Array) {
  return signWithRBytes(R.toBytes(), publicKey, message);
}

/** CRAFT_SEED's honest public key, [CRAFT_SCALAR]B. */
const CRAFT_KEY = publicKeyFromSeed(CRAFT_SEED);
const DIRTY_R_MESSAGE = asciiToBytes('signed with a dirty nonce point');
/**
 * R = [r]B + T with T of order 8: [S]B = R + [k]A fails by exactly T, which the cofactored
 * equation multiplies away. Only the private key holder can make it (malleability, not forgery).
 */
const DIRTY_R_SIGNATURE = signWithParts(
  Point.BASE.multiply(CRAFT_NONCE).add(ORDER_8_POINT),
  CRAFT_KEY,
  DIRTY_R_MESSAGE,
);
const HONEST_R_SIGNATURE = signWithParts(
  Point.BASE.multiply(CRAFT_NONCE),
  CRAFT_KEY,
  DIRTY_R_MESSAGE,
);

/** y = 1 + p: the identity point under a non-canonical encoding OpenSSL reduces silently. */
const NON_CANONICAL_IDENTITY = hexToBytes(`ee${'ff'.repeat(30)}7f`);
/** y = 1 with the sign bit set: x = 0 has no negative, so RFC 8032 decoding must fail. */
const IDENTITY_WITH_SIGN_BIT = hexToBytes(`01${'00'.repeat(30)}80`);
const ALL_ZERO_KEY = new Uint8Array(32);
const ALL_ZERO_KEY_MESSAGE = messageWithChallengeMultipleOf(4n, IDENTITY, ALL_ZERO_KEY);
const MIXED_ORDER_KEY = Point.BASE.multiply(CRAFT_SCALAR).add(ORDER_8_POINT).toBytes();
const MIXED_ORDER_KEY_MESSAGE = asciiToBytes('signed under a key with a torsion component');
const MIXED_ORDER_KEY_SIGNATURE = signWithParts(
  Point.BASE.multiply(CRAFT_NONCE),
  MIXED_ORDER_KEY,
  MIXED_ORDER_KEY_MESSAGE,
);

interface VerifyCase {
  readonly name: string;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly expected: boolean;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

function withSPlusL(signature: Uint8Array): Uint8Array {
  const s = bytesToNumberLE(signature.subarray(32));
  return concatBytes(signature.subarray(0, 32), numberToBytesLE(s + L, 32));
}

function buildCases(): VerifyCase[] {
  const cases: VerifyCase[] = RFC8032_VECTORS.map((v) => ({
    name: `RFC 8032 ${v.name}`,
    publicKey: hexToBytes(v.publicKeyHex),
    message: hexToBytes(v.messageHex),
    signature: hexToBytes(v.signatureHex),
    expected: true,
  }));
  const t1 = rfcVector('TEST 1');
  const t2 = rfcVector('TEST 2');
  const t3 = rfcVector('TEST 3');
  const key2 = hexToBytes(t2.publicKeyHex);
  const msg2 = hexToBytes(t2.messageHex);
  const sig2 = hexToBytes(t2.signatureHex);
  const sig3 = hexToBytes(t3.signatureHex);
  const key3 = hexToBytes(t3.publicKeyHex);
  const msg3 = hexToBytes(t3.messageHex);
  const reject = (
    name: string,
    publicKey: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
  ) => cases.push({ name, publicKey, message, signature, expected: false });

  reject('signature bit flipped in R', key2, msg2, flipBit(sig2, 5));
  reject('signature bit flipped in S', key2, msg2, flipBit(sig2, 300));
  reject('signature top bit of S set', key2, msg2, flipBit(sig2, 511));
  reject('wrong message (one bit flipped)', key2, flipBit(msg2, 0), sig2);
  reject('wrong message (empty instead of 0x72)', key2, new Uint8Array(), sig2);
  reject('wrong message (byte appended)', key3, concatBytes(msg3, Uint8Array.of(0)), sig3);
  reject('wrong key (TEST 1 key, TEST 2 signature)', hexToBytes(t1.publicKeyHex), msg2, sig2);
  reject('non-canonical S (S + L)', key2, msg2, withSPlusL(sig2));
  reject('non-canonical S (S + L) on TEST 3', key3, msg3, withSPlusL(sig3));
  reject('63-byte signature', key2, msg2, sig2.subarray(0, 63));
  reject('65-byte signature', key2, msg2, concatBytes(sig2, Uint8Array.of(0)));
  reject('empty signature', key2, msg2, new Uint8Array());
  reject('31-byte key', key2.subarray(0, 31), msg2, sig2);
  reject('33-byte key', concatBytes(key2, Uint8Array.of(0)), msg2, sig2);
  reject('all-zero signature', key2, msg2, new Uint8Array(64));
  reject('all-zero key, TEST 2 signature', ALL_ZERO_KEY, msg2, sig2);
  reject('key that is not a curve point (y = 2)', hexToBytes(`02${'00'.repeat(31)}`), msg2, sig2);
  reject(
    'all-zero key (order 4), crafted R = identity, S = 0',
    ALL_ZERO_KEY,
    ALL_ZERO_KEY_MESSAGE,
    ZERO_FORGERY,
  );
  reject('identity key, crafted R = identity, S = 0', IDENTITY, msg2, ZERO_FORGERY);
  reject(
    'identity key encoded non-canonically (y = 1 + p)',
    NON_CANONICAL_IDENTITY,
    msg2,
    ZERO_FORGERY,
  );
  reject('identity key with the sign bit set', IDENTITY_WITH_SIGN_BIT, msg2, ZERO_FORGERY);
  for (const hex of ED25519_TORSION_SUBGROUP) {
    const key = hexToBytes(hex);
    reject(
      `low-order key ${hex.slice(0, 8)}…, crafted R = identity, S = 0 (k ≡ 0 mod 8)`,
      key,
      messageWithChallengeMultipleOf(8n, IDENTITY, key),
      ZERO_FORGERY,
    );
  }
  reject(
    'key with a low-order component, signed with its scalar',
    MIXED_ORDER_KEY,
    MIXED_ORDER_KEY_MESSAGE,
    MIXED_ORDER_KEY_SIGNATURE,
  );

  // R edge cases, each signed with the real secret scalar so that only R's treatment decides.
  const rMessage = asciiToBytes('R edge cases');
  cases.push({
    name: 'honest key, R = [r]B (control for the R cases)',
    publicKey: CRAFT_KEY,
    message: DIRTY_R_MESSAGE,
    signature: HONEST_R_SIGNATURE,
    expected: true,
  });
  reject('honest key, R = [r]B + order-8 point', CRAFT_KEY, DIRTY_R_MESSAGE, DIRTY_R_SIGNATURE);
  for (const hex of ED25519_TORSION_SUBGROUP) {
    const T = Point.fromHex(hex);
    if (T.is0()) continue;
    const label = `${hex.slice(0, 8)}…${hex.slice(-2)}`;
    reject(
      `honest key, R = [r]B + low-order point ${label}`,
      CRAFT_KEY,
      rMessage,
      signWithParts(Point.BASE.multiply(CRAFT_NONCE).add(T), CRAFT_KEY, rMessage),
    );
    reject(
      `honest key, R = low-order point ${label} itself (nonce 0)`,
      CRAFT_KEY,
      rMessage,
      signWithRBytes(T.toBytes(), CRAFT_KEY, rMessage, 0n),
    );
  }
  // Nonce 0 gives R = identity, which satisfies [S]B = R + [k]A like any other R.
  cases.push({
    name: 'honest key, R = identity (nonce 0), canonical encoding',
    publicKey: CRAFT_KEY,
    message: rMessage,
    signature: signWithRBytes(IDENTITY, CRAFT_KEY, rMessage, 0n),
    expected: true,
  });
  reject(
    'honest key, R = identity encoded non-canonically (y = 1 + p), S consistent with it',
    CRAFT_KEY,
    rMessage,
    signWithRBytes(NON_CANONICAL_IDENTITY, CRAFT_KEY, rMessage, 0n),
  );
  reject(
    'honest key, R = identity with the sign bit set, S consistent with it',
    CRAFT_KEY,
    rMessage,
    signWithRBytes(IDENTITY_WITH_SIGN_BIT, CRAFT_KEY, rMessage, 0n),
  );
  reject(
    'honest key, R not on the curve (y = 2)',
    CRAFT_KEY,
    rMessage,
    signWithRBytes(hexToBytes(`02${'00'.repeat(31)}`), CRAFT_KEY, rMessage),
  );
  reject(
    'honest key, R bytes y = p (a non-canonical encoding of an order-4 point)',
    CRAFT_KEY,
    rMessage,
    signWithRBytes(numberToBytesLE(P, 32), CRAFT_KEY, rMessage),
  );
  return cases;
}

const CASES = buildCases();

describe.each(PROVIDERS)('Ed25519 verification with %s', (_name, provider) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_caseName, c) => {
    expect(provider.verifyEd25519(c.publicKey, c.message, c.signature)).toBe(c.expected);
  });

  it('never throws, whatever the input lengths', () => {
    const sizes = [0, 1, 31, 32, 33, 63, 64, 65, 128];
    for (const keyLength of sizes) {
      for (const signatureLength of sizes) {
        const result = provider.verifyEd25519(
          new Uint8Array(keyLength).fill(0xff),
          new Uint8Array(3),
          new Uint8Array(signatureLength).fill(0xff),
        );
        expect(result).toBe(false);
      }
    }
  });

  it('accepts a subarray view of a larger buffer for key, message and signature', () => {
    const v = rfcVector('TEST 3');
    const backing = hexToBytes(`aa${v.publicKeyHex}bb${v.messageHex}cc${v.signatureHex}dd`);
    expect(
      provider.verifyEd25519(
        backing.subarray(1, 33),
        backing.subarray(34, 36),
        backing.subarray(37, 101),
      ),
    ).toBe(true);
  });

  it('gives the same answer when a key is seen again (cache) after being rejected', () => {
    const v = rfcVector('TEST 2');
    const [key, msg, sig] = [v.publicKeyHex, v.messageHex, v.signatureHex].map(hexToBytes);
    if (key === undefined || msg === undefined || sig === undefined) throw new Error('unreachable');
    expect(provider.verifyEd25519(key, msg, flipBit(sig, 9))).toBe(false);
    expect(provider.verifyEd25519(key, msg, sig)).toBe(true);
    expect(provider.verifyEd25519(ALL_ZERO_KEY, ALL_ZERO_KEY_MESSAGE, ZERO_FORGERY)).toBe(false);
    expect(provider.verifyEd25519(ALL_ZERO_KEY, ALL_ZERO_KEY_MESSAGE, ZERO_FORGERY)).toBe(false);
  });

  it('hashes ASCII strings correctly', () => {
    expect(provider.sha256HexOfUtf8('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(provider.sha256HexOfUtf8('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      provider.sha256HexOfUtf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    ).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(bytesToHex(provider.sha256(asciiToBytes('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('node:crypto and noble agree', () => {
  const [nodeProvider, nobleProvider] = PROVIDERS.map(([, provider]) => provider);
  if (nodeProvider === undefined || nobleProvider === undefined) throw new Error('unreachable');

  it('on every case of the verification table', () => {
    const disagreements = CASES.filter(
      (c) =>
        nodeProvider.verifyEd25519(c.publicKey, c.message, c.signature) !==
        nobleProvider.verifyEd25519(c.publicKey, c.message, c.signature),
    ).map((c) => c.name);
    expect(disagreements).toEqual([]);
  });

  it('on SHA-256 of the UTF-8 encoding of any string, lone surrogates included', () => {
    const all127 = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i));
    for (const text of [
      '',
      'abc',
      all127,
      'x'.repeat(100_000),
      'é',
      '\u0100',
      '😀',
      '\ud800',
      'a\udfffb',
    ]) {
      expect(nodeProvider.sha256HexOfUtf8(text)).toBe(nobleProvider.sha256HexOfUtf8(text));
    }
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    expect(nodeProvider.sha256(bytes)).toEqual(nobleProvider.sha256(bytes));
  });

  it('signs RFC 8032 vectors byte-identically, equal to the published signatures', () => {
    for (const v of RFC8032_VECTORS) {
      const seed = hexToBytes(v.seedHex);
      const message = hexToBytes(v.messageHex);
      expect(bytesToHex(publicKeyFromSeed(seed))).toBe(v.publicKeyHex);
      expect(bytesToHex(signEd25519(seed, message))).toBe(v.signatureHex);
      expect(bytesToHex(signEd25519Node(seed, message))).toBe(v.signatureHex);
    }
  });

  it('signs a random seed byte-identically, and both verify it', () => {
    const seed = randomEd25519Seed();
    expect(seed).toHaveLength(32);
    expect(randomEd25519Seed()).not.toEqual(seed);
    const message = asciiToBytes('a'.repeat(64));
    const signature = signEd25519(seed, message);
    expect(signEd25519Node(seed, message)).toEqual(signature);
    const publicKey = publicKeyFromSeed(seed);
    expect(nodeProvider.verifyEd25519(publicKey, message, signature)).toBe(true);
    expect(nobleProvider.verifyEd25519(publicKey, message, signature)).toBe(true);
  });

  it('refuses seeds that are not 32 bytes when signing', () => {
    expect(() => signEd25519(new Uint8Array(31), new Uint8Array())).toThrow(RangeError);
    expect(() => signEd25519Node(new Uint8Array(33), new Uint8Array())).toThrow(RangeError);
    expect(() => publicKeyFromSeed(new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('why both providers admit keys through ed25519PublicKeyProblem', () => {
  const SPKI = hexToBytes('302a300506032b6570032100');
  const rawOpenSsl = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    nodeVerify(
      null,
      message,
      createPublicKey({
        key: Buffer.from(concatBytes(SPKI, publicKey)),
        format: 'der',
        type: 'spki',
      }),
      signature,
    );
  const rawNoble = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    ed25519.verify(signature, message, publicKey, { zip215: false });
  const msg = asciiToBytes('any message at all');

  it('OpenSSL alone accepts a forged signature under the identity key, for any message', () => {
    expect(rawOpenSsl(IDENTITY, msg, ZERO_FORGERY)).toBe(true);
    expect(rawNoble(IDENTITY, msg, ZERO_FORGERY)).toBe(false);
  });

  it('OpenSSL alone accepts non-canonical key encodings', () => {
    expect(rawOpenSsl(NON_CANONICAL_IDENTITY, msg, ZERO_FORGERY)).toBe(true);
    expect(rawOpenSsl(IDENTITY_WITH_SIGN_BIT, msg, ZERO_FORGERY)).toBe(true);
    expect(rawNoble(NON_CANONICAL_IDENTITY, msg, ZERO_FORGERY)).toBe(false);
  });

  it('OpenSSL alone accepts a forgery under the all-zero key for a quarter of messages', () => {
    expect(rawOpenSsl(ALL_ZERO_KEY, ALL_ZERO_KEY_MESSAGE, ZERO_FORGERY)).toBe(true);
  });

  it('noble alone (cofactored) accepts signatures under a key with a low-order component', () => {
    expect(rawNoble(MIXED_ORDER_KEY, MIXED_ORDER_KEY_MESSAGE, MIXED_ORDER_KEY_SIGNATURE)).toBe(
      true,
    );
    const k = challenge(
      MIXED_ORDER_KEY_SIGNATURE.subarray(0, 32),
      MIXED_ORDER_KEY,
      MIXED_ORDER_KEY_MESSAGE,
    );
    // OpenSSL's cofactorless equation only holds when the torsion term [k]T vanishes.
    expect(rawOpenSsl(MIXED_ORDER_KEY, MIXED_ORDER_KEY_MESSAGE, MIXED_ORDER_KEY_SIGNATURE)).toBe(
      k % 8n === 0n,
    );
  });

  it('describes each refused key and admits honest ones', () => {
    expect(ed25519PublicKeyProblem(hexToBytes(rfcVector('TEST 1').publicKeyHex))).toBeUndefined();
    expect(ed25519PublicKeyProblem(new Uint8Array(31))).toMatch(/31 bytes/);
    expect(ed25519PublicKeyProblem(NON_CANONICAL_IDENTITY)).toMatch(/not a canonical/);
    expect(ed25519PublicKeyProblem(numberToBytesLE(P, 32))).toMatch(/not a canonical/);
    expect(ed25519PublicKeyProblem(IDENTITY_WITH_SIGN_BIT)).toMatch(/not the encoding of a point/);
    expect(ed25519PublicKeyProblem(hexToBytes(`02${'00'.repeat(31)}`))).toMatch(/not the encoding/);
    expect(ed25519PublicKeyProblem(ALL_ZERO_KEY)).toMatch(/low-order point/);
    expect(ed25519PublicKeyProblem(MIXED_ORDER_KEY)).toMatch(/low-order component/);
    // The largest canonical y (p - 1) must not be mistaken for a non-canonical one.
    expect(ed25519PublicKeyProblem(numberToBytesLE(P - 1n, 32))).not.toMatch(/canonical/);
  });
});

describe('R with a low-order component (formerly a known divergence)', () => {
  // RFC 8032 permits both equations. noble's own verify checks the cofactored one, OpenSSL (and
  // pyca/cryptography) the cofactorless one, so the portable provider checks the cofactorless one
  // itself: a signer can no longer make a signature that verifies on one path only.
  const [nodeProvider, nobleProvider] = PROVIDERS.map(([, provider]) => provider);
  if (nodeProvider === undefined || nobleProvider === undefined) throw new Error('unreachable');
  const rawNoble = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    ed25519.verify(signature, message, publicKey, { zip215: false });

  it('is rejected by both providers, while the honest signature is accepted by both', () => {
    expect(nodeProvider.verifyEd25519(CRAFT_KEY, DIRTY_R_MESSAGE, DIRTY_R_SIGNATURE)).toBe(false);
    expect(nobleProvider.verifyEd25519(CRAFT_KEY, DIRTY_R_MESSAGE, DIRTY_R_SIGNATURE)).toBe(false);
    expect(nodeProvider.verifyEd25519(CRAFT_KEY, DIRTY_R_MESSAGE, HONEST_R_SIGNATURE)).toBe(true);
    expect(nobleProvider.verifyEd25519(CRAFT_KEY, DIRTY_R_MESSAGE, HONEST_R_SIGNATURE)).toBe(true);
  });

  it("is still accepted by noble's own (cofactored) verify, which is why the provider avoids it", () => {
    expect(rawNoble(CRAFT_KEY, DIRTY_R_MESSAGE, DIRTY_R_SIGNATURE)).toBe(true);
    expect(rawNoble(CRAFT_KEY, DIRTY_R_MESSAGE, HONEST_R_SIGNATURE)).toBe(true);
  });
});

// ---- Random inputs: the two providers must agree on every one ----

describe('node:crypto and noble agree on random inputs', () => {
  const [nodeProvider, nobleProvider] = PROVIDERS.map(([, provider]) => provider);
  if (nodeProvider === undefined || nobleProvider === undefined) throw new Error('unreachable');
  /** Both answers, asserted equal; returns the common answer. */
  const agreed = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
    const node = nodeProvider.verifyEd25519(publicKey, message, signature);
    expect(nobleProvider.verifyEd25519(publicKey, message, signature)).toBe(node);
    return node;
  };
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const message = fc.uint8Array({ maxLength: 300 });
  const bitFlips = (bits: number) =>
    fc.uniqueArray(fc.integer({ min: 0, max: bits - 1 }), { minLength: 1, maxLength: 3 });
  const flipBits = (bytes: Uint8Array, bits: readonly number[]) =>
    bits.reduce((acc, bit) => flipBit(acc, bit), bytes);

  it('honest signatures, and the same with random bit flips in the signature', () => {
    fc.assert(
      fc.property(bytes32, message, bitFlips(512), (seed, msg, bits) => {
        const publicKey = publicKeyFromSeed(seed);
        const signature = signEd25519(seed, msg);
        expect(agreed(publicKey, msg, signature)).toBe(true);
        expect(agreed(publicKey, msg, flipBits(signature, bits))).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('honest signatures checked against a bit-flipped message or public key', () => {
    fc.assert(
      fc.property(bytes32, message, bitFlips(256), fc.nat(), (seed, msg, bits, messageBit) => {
        const publicKey = publicKeyFromSeed(seed);
        const signature = signEd25519(seed, msg);
        expect(agreed(flipBits(publicKey, bits), msg, signature)).toBe(false);
        const otherMessage =
          msg.length === 0 ? Uint8Array.of(0) : flipBit(msg, messageBit % (msg.length * 8));
        expect(agreed(publicKey, otherMessage, signature)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('arbitrary 32-byte strings as keys, with honest or arbitrary signatures', () => {
    fc.assert(
      fc.property(
        bytes32,
        bytes32,
        message,
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (keyBytes, seed, msg, randomSignature) => {
          expect(agreed(keyBytes, msg, signEd25519(seed, msg))).toBe(false);
          expect(agreed(keyBytes, msg, randomSignature)).toBe(false);
          expect(agreed(publicKeyFromSeed(seed), msg, randomSignature)).toBe(false);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('signatures whose R carries any of the 8 torsion points, and S pushed past L', () => {
    const torsion = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex));
    fc.assert(
      fc.property(
        bytes32,
        message,
        fc.bigInt({ min: 1n, max: L - 1n }),
        fc.integer({ min: 0, max: torsion.length - 1 }),
        fc.integer({ min: 1, max: 15 }),
        (seed, msg, nonce, t, multipleOfL) => {
          const T = torsion[t];
          if (T === undefined) throw new Error('unreachable');
          const scalar = secretScalar(seed);
          const publicKey = publicKeyFromSeed(seed);
          const rBytes = Point.BASE.multiply(nonce).add(T).toBytes();
          const signature = signWithRBytes(rBytes, publicKey, msg, nonce, scalar);
          // Only the clean R verifies, on both paths, whatever k's residue mod 8 happens to be.
          expect(agreed(publicKey, msg, signature)).toBe(T.is0());
          const s = bytesToNumberLE(signature.subarray(32));
          if (s + BigInt(multipleOfL) * L < 2n ** 256n) {
            const bigS = numberToBytesLE(s + BigInt(multipleOfL) * L, 32);
            expect(agreed(publicKey, msg, concatBytes(rBytes, bigS))).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

// ---- Shared nexuscone fixtures ----

interface ManifestKey {
  readonly key_id: string;
  readonly seed_hex: string;
  readonly public_key_hex: string;
}
interface ManifestWitness {
  readonly label: string;
  readonly seed_hex: string;
  readonly public_key_hex: string;
}
interface Manifest {
  readonly keys: {
    readonly entry_signing: readonly ManifestKey[];
    readonly witnesses: readonly ManifestWitness[];
  };
  readonly files: readonly {
    readonly file: string;
    readonly stats: {
      readonly witnesses: readonly {
        readonly witness_id: number;
        readonly public_key_hex: string;
      }[];
    };
  }[];
}
interface EntryVector {
  readonly entry_id: number;
  readonly hash_input_utf8: string;
  readonly entry_hash: string;
  readonly signing_key_id?: string;
  readonly signed_message_ascii?: string;
  readonly signature_hex?: string;
}
interface AttestationVector {
  readonly attestation_id: number;
  readonly witness_id: number;
  readonly hash_input_utf8: string;
  readonly attestation_hash: string;
  readonly signature_hex: string;
}
type HashVectors = Record<
  string,
  {
    readonly entries?: readonly EntryVector[];
    readonly witness_attestations?: readonly AttestationVector[];
  }
>;

interface LoadedFixtures {
  readonly manifest: Manifest;
  readonly entries: readonly (EntryVector & { readonly file: string })[];
  readonly attestations: readonly (AttestationVector & { readonly file: string })[];
}

let loaded: LoadedFixtures | undefined;
/** Read on first use, not at collection, so a skipped suite never touches a missing directory. */
function fixtures(): LoadedFixtures {
  if (loaded !== undefined) return loaded;
  const dir = join(sharedFixturesDir, 'nexuscone');
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const vectors = JSON.parse(readFileSync(join(dir, 'hash_vectors.json'), 'utf8')) as HashVectors;
  const entries: (EntryVector & { file: string })[] = [];
  const attestations: (AttestationVector & { file: string })[] = [];
  for (const [file, value] of Object.entries(vectors)) {
    if (typeof value !== 'object') continue;
    for (const entry of value.entries ?? []) entries.push({ ...entry, file });
    for (const attestation of value.witness_attestations ?? [])
      attestations.push({ ...attestation, file });
  }
  loaded = { manifest, entries, attestations };
  return loaded;
}

function entrySigningKey(keyId: string): ManifestKey {
  const key = fixtures().manifest.keys.entry_signing.find((k) => k.key_id === keyId);
  if (key === undefined) throw new Error(`manifest has no entry-signing key ${keyId}`);
  return key;
}

function witnessPublicKeyHex(file: string, witnessId: number): string {
  const stats = fixtures().manifest.files.find((f) => f.file === file)?.stats;
  const witness = stats?.witnesses.find((w) => w.witness_id === witnessId);
  if (witness === undefined) throw new Error(`manifest has no witness ${witnessId} for ${file}`);
  return witness.public_key_hex;
}

describeWithFixtures('nexuscone fixture signatures', () => {
  const signedEntries = () => fixtures().entries.filter((e) => e.signature_hex !== undefined);

  it('contain signed entries and witness attestations to check', () => {
    expect(signedEntries().length).toBeGreaterThan(0);
    expect(fixtures().attestations.length).toBeGreaterThan(0);
  });

  describe.each(PROVIDERS)('with %s', (_name, provider) => {
    it('hash every entry and attestation input to its stored hash', () => {
      const wrong = [
        ...fixtures().entries.filter(
          (e) => provider.sha256HexOfUtf8(e.hash_input_utf8) !== e.entry_hash,
        ),
        ...fixtures().attestations.filter(
          (a) => provider.sha256HexOfUtf8(a.hash_input_utf8) !== a.attestation_hash,
        ),
      ];
      expect(wrong).toEqual([]);
    });

    it('verify every signed entry over the ASCII bytes of its entry_hash', () => {
      const failures: string[] = [];
      for (const entry of signedEntries()) {
        // The spec signs the 64-character hex string, not the 32-byte digest.
        expect(entry.signed_message_ascii).toBe(entry.entry_hash);
        const publicKey = hexToBytes(entrySigningKey(entry.signing_key_id ?? '').public_key_hex);
        const message = asciiToBytes(entry.entry_hash);
        const signature = hexToBytes(entry.signature_hex ?? '');
        if (!provider.verifyEd25519(publicKey, message, signature)) {
          failures.push(`${entry.file} entry ${entry.entry_id}`);
        }
        // The raw digest is the wrong message for entries.
        expect(provider.verifyEd25519(publicKey, hexToBytes(entry.entry_hash), signature)).toBe(
          false,
        );
      }
      expect(failures).toEqual([]);
    });

    it('verify every witness attestation over the raw 32 bytes of its attestation_hash', () => {
      const failures: string[] = [];
      for (const attestation of fixtures().attestations) {
        const publicKey = hexToBytes(witnessPublicKeyHex(attestation.file, attestation.witness_id));
        const signature = hexToBytes(attestation.signature_hex);
        if (
          !provider.verifyEd25519(publicKey, hexToBytes(attestation.attestation_hash), signature)
        ) {
          failures.push(`${attestation.file} attestation ${attestation.attestation_id}`);
        }
        // The hex string is the wrong message for witnesses (unlike entries).
        expect(
          provider.verifyEd25519(publicKey, asciiToBytes(attestation.attestation_hash), signature),
        ).toBe(false);
      }
      expect(failures).toEqual([]);
    });
  });

  it('reproduce every fixture signature from the manifest seeds, identically on both paths', () => {
    const { manifest } = fixtures();
    for (const key of manifest.keys.entry_signing) {
      expect(bytesToHex(publicKeyFromSeed(hexToBytes(key.seed_hex)))).toBe(key.public_key_hex);
    }
    for (const entry of signedEntries()) {
      const seed = hexToBytes(entrySigningKey(entry.signing_key_id ?? '').seed_hex);
      const message = asciiToBytes(entry.entry_hash);
      const noble = bytesToHex(signEd25519(seed, message));
      expect(bytesToHex(signEd25519Node(seed, message))).toBe(noble);
      expect(noble).toBe(entry.signature_hex);
    }
    for (const attestation of fixtures().attestations) {
      const publicKeyHex = witnessPublicKeyHex(attestation.file, attestation.witness_id);
      const witness = manifest.keys.witnesses.find((w) => w.public_key_hex === publicKeyHex);
      if (witness === undefined) throw new Error(`no seed for witness key ${publicKeyHex}`);
      const seed = hexToBytes(witness.seed_hex);
      expect(bytesToHex(publicKeyFromSeed(seed))).toBe(publicKeyHex);
      const message = hexToBytes(attestation.attestation_hash);
      expect(bytesToHex(signEd25519(seed, message))).toBe(attestation.signature_hex);
      expect(bytesToHex(signEd25519Node(seed, message))).toBe(attestation.signature_hex);
    }
  });
});
