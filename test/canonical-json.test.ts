/**
 * The Python json emulation against bytes captured from the real producers (nexuscone hash
 * vectors, nexus-attest canonical-json vectors), against behaviour observed in CPython 3.11.7
 * (the tables below were produced by running Python), and against properties that must hold for
 * any value.
 */
import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NEXUS_ATTEST_DIALECT,
  NEXUSCONE_DIALECT,
  PyJsonError,
  PyNumber,
  canonicalizePythonJson,
  compareByCodePoint,
  escapePythonJsonString,
  fromJsValue,
  parsePythonJson,
  pythonFloatRepr,
  serializePythonJson,
  type PyJsonDialect,
  type PyJsonValue,
} from '../src-shared/canonical-json/python-json';
import { describeWithFixtures, sharedFixturePath } from './support/shared-fixtures';

const DIALECTS: readonly PyJsonDialect[] = [NEXUSCONE_DIALECT, NEXUS_ATTEST_DIALECT];

function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

function readFixtureJson(...segments: string[]): unknown {
  return JSON.parse(readFileSync(sharedFixturePath(...segments), 'utf8'));
}

function parseObject(text: string): Map<string, PyJsonValue> {
  const value = parsePythonJson(text);
  if (!(value instanceof Map)) throw new Error(`expected a JSON object, got ${text.slice(0, 40)}`);
  return value;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function expectPyJsonError(fn: () => unknown, message: RegExp | string): PyJsonError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(PyJsonError);
  const pyError = error as PyJsonError;
  if (typeof message === 'string') expect(pyError.message).toContain(message);
  else expect(pyError.message).toMatch(message);
  return pyError;
}

// ---------------------------------------------------------------------------------------------

interface HashVector {
  readonly entry_id: number;
  readonly format_version: number;
  readonly hash_input_utf8: string;
  readonly entry_hash: string;
}

interface WitnessVector {
  readonly attestation_id: number;
  readonly hash_input_utf8: string;
  readonly attestation_hash: string;
}

interface LedgerVectors {
  readonly entries?: readonly HashVector[];
  readonly witness_attestations?: readonly WitnessVector[];
}

/**
 * Payloads that nexuscone wrote but that no json.loads/json.dumps round trip can reproduce:
 * Python sorted the int keys 9, 10, 100 numerically before turning them into strings, and
 * re-sorting the string keys puts "10" first. The stored text must be hashed as stored.
 */
const PAYLOADS_NOT_REPRODUCIBLE = new Map([
  ['valid_unsigned_edge_nonstandard.db entry 5', '{"10":"a","100":"c","9":"b"}'],
]);

describeWithFixtures('nexuscone hash vectors (canonical_json, ensure_ascii=True)', () => {
  const file = readFixtureJson('nexuscone', 'hash_vectors.json') as Record<string, unknown>;
  const ledgers = Object.entries(file).filter(
    (pair): pair is [string, LedgerVectors] => typeof pair[1] === 'object' && pair[1] !== null,
  );
  const entries = ledgers.flatMap(([db, ledger]) =>
    (ledger.entries ?? []).map((vector) => ({ label: `${db} entry ${vector.entry_id}`, vector })),
  );
  const witnesses = ledgers.flatMap(([db, ledger]) =>
    (ledger.witness_attestations ?? []).map((vector) => ({
      label: `${db} attestation ${vector.attestation_id}`,
      vector,
    })),
  );

  it('has the 154 entries the fixtures were captured with', () => {
    expect(entries).toHaveLength(154);
  });

  it('lists only non-reproducible payloads that exist', () => {
    const labels = new Set(entries.map((entry) => entry.label));
    for (const label of PAYLOADS_NOT_REPRODUCIBLE.keys()) expect(labels).toContain(label);
  });

  for (const { label, vector } of entries) {
    it(`${label}: hash input and payload re-serialise byte for byte`, () => {
      const input = vector.hash_input_utf8;
      expect(input).toMatch(/^[\x20-\x7e]*$/);
      expect(canonicalizePythonJson(input, NEXUSCONE_DIALECT)).toBe(input);
      expect(sha256Hex(input)).toBe(vector.entry_hash);

      const payload = parseObject(input).get('payload');
      expect(typeof payload).toBe('string');
      const payloadText = payload as string;
      const expected = PAYLOADS_NOT_REPRODUCIBLE.get(label) ?? payloadText;
      expect(canonicalizePythonJson(payloadText, NEXUSCONE_DIALECT)).toBe(expected);
    });
  }

  it('has witness attestation vectors', () => {
    expect(witnesses.length).toBeGreaterThan(0);
  });

  for (const { label, vector } of witnesses) {
    it(`${label}: hash input re-serialises byte for byte`, () => {
      const input = vector.hash_input_utf8;
      expect(canonicalizePythonJson(input, NEXUSCONE_DIALECT)).toBe(input);
      expect(sha256Hex(input)).toBe(vector.attestation_hash);
    });
  }
});

interface AttestVectors {
  readonly rule: string;
  readonly vectors: readonly { input_json: string; canonical: string; sha256_hex: string }[];
  readonly errors: Readonly<Record<string, string>>;
}

/** Inputs for each `errors` case of the fixture, keyed as the fixture keys them. */
const NON_FINITE_INPUTS: Readonly<Record<string, readonly string[]>> = {
  nan: ['NaN', '{"x":NaN}', '[1,[NaN]]'],
  inf: ['Infinity', '-Infinity', '{"x":[-Infinity]}', '1e400', '-1e999', '1.5e309'],
};

describeWithFixtures(
  'nexus-attest canonical JSON vectors (ensure_ascii=False, allow_nan=False)',
  () => {
    const file = readFixtureJson('nexus-attest', 'canonical-json', 'vectors.json') as AttestVectors;

    it('describes the dialect this module emulates', () => {
      expect(file.rule).toContain('ensure_ascii=False');
      expect(file.rule).toContain('allow_nan=False');
      expect(file.vectors.length).toBeGreaterThan(0);
    });

    file.vectors.forEach((vector, index) => {
      it(`vector ${index}: canonical bytes and digest`, () => {
        const canonical = canonicalizePythonJson(vector.input_json, NEXUS_ATTEST_DIALECT);
        expect(canonical).toBe(vector.canonical);
        expect(sha256Hex(canonical)).toBe(vector.sha256_hex);
        expect(canonicalizePythonJson(vector.canonical, NEXUS_ATTEST_DIALECT)).toBe(
          vector.canonical,
        );
      });
    });

    for (const [name, pythonError] of Object.entries(file.errors)) {
      it(`error case ${name}: rejected like Python's ${pythonError}`, () => {
        const inputs = NON_FINITE_INPUTS[name];
        expect(inputs, `no inputs for the fixture's "${name}" error case`).toBeDefined();
        const message = pythonError.replace(/^ValueError: /, '');
        for (const input of inputs ?? []) {
          expectPyJsonError(() => canonicalizePythonJson(input, NEXUS_ATTEST_DIALECT), message);
          expect(() => canonicalizePythonJson(input, NEXUSCONE_DIALECT)).not.toThrow();
        }
      });
    }
  },
);

// ---------------------------------------------------------------------------------------------

describe('pythonFloatRepr', () => {
  // Every expected string is repr(x) from CPython 3.11.7.
  const table: readonly [number, string][] = [
    [1.0, '1.0'],
    [-0.0, '-0.0'],
    [0.0, '0.0'],
    [100.0, '100.0'],
    [1e-7, '1e-07'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [5e-5, '5e-05'],
    [0.00012345, '0.00012345'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1e17, '1e+17'],
    [1e21, '1e+21'],
    [1e22, '1e+22'],
    [1e23, '1e+23'],
    [1.5e300, '1.5e+300'],
    [1e308, '1e+308'],
    [5e-324, '5e-324'],
    [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [2.225073858507201e-308, '2.225073858507201e-308'],
    [123456789012345.6, '123456789012345.6'],
    [1234567890123456.8, '1234567890123456.8'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.1, '0.1'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1 / 3, '0.3333333333333333'],
    [-2.5e-5, '-2.5e-05'],
    [1.23e-18, '1.23e-18'],
    [-1e-300, '-1e-300'],
    [2 ** 53, '9007199254740992.0'],
    [2 ** 63, '9.223372036854776e+18'],
    [2 ** 64, '1.8446744073709552e+19'],
    [Number('12345678901234567890'), '1.2345678901234567e+19'],
    [123.456, '123.456'],
    [4.35, '4.35'],
    [6.02214076e23, '6.02214076e+23'],
    [299792458, '299792458.0'],
    [1.5e-10, '1.5e-10'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
  ];

  it.each(table)('repr(%s) is %s', (x, expected) => {
    expect(pythonFloatRepr(x)).toBe(expected);
  });

  it('floats serialise through repr, non-finite ones per dialect', () => {
    const text = '[1.0,1E2,-0.0,1e-7,1e16,0.30000000000000004,1e400,-1e400,NaN]';
    expect(canonicalizePythonJson(text, NEXUSCONE_DIALECT)).toBe(
      '[1.0,100.0,-0.0,1e-07,1e+16,0.30000000000000004,Infinity,-Infinity,NaN]',
    );
    expectPyJsonError(
      () => canonicalizePythonJson(text, NEXUS_ATTEST_DIALECT),
      'Out of range float values are not JSON compliant',
    );
  });
});

describe('integers', () => {
  it('prints ints in full at any size', () => {
    const max64 = (2n ** 64n - 1n).toString();
    const googol = (10n ** 100n).toString();
    expect(max64).toBe('18446744073709551615');
    for (const dialect of DIALECTS) {
      expect(canonicalizePythonJson(`[${max64},-${googol},-0,0]`, dialect)).toBe(
        `[${max64},-${googol},0,0]`,
      );
      expect(serializePythonJson(fromJsValue([2n ** 64n - 1n, 10n ** 100n]), dialect)).toBe(
        `[${max64},${googol}]`,
      );
    }
  });

  it('accepts 4300 digits and rejects 4301, like sys.get_int_max_str_digits()', () => {
    const digits4300 = '9'.repeat(4300);
    expect(canonicalizePythonJson(digits4300, NEXUSCONE_DIALECT)).toBe(digits4300);
    // Python counts digits, not the sign.
    expect(canonicalizePythonJson(`-${digits4300}`, NEXUSCONE_DIALECT)).toBe(`-${digits4300}`);
    const error = expectPyJsonError(
      () => parsePythonJson(`[1,${digits4300}9]`),
      /4301 digits.*limit of 4300 digits/,
    );
    expect(error.position).toBe(3);
    expectPyJsonError(
      () => serializePythonJson(new PyNumber(`${digits4300}9`), NEXUSCONE_DIALECT),
      /limit of 4300 digits/,
    );
  });

  it('applies no digit limit to floats', () => {
    const long = `${'1'.repeat(5000)}.5`;
    expect(canonicalizePythonJson(long, NEXUSCONE_DIALECT)).toBe('Infinity');
    expect(canonicalizePythonJson(`0.${'0'.repeat(5000)}1`, NEXUSCONE_DIALECT)).toBe('0.0');
  });
});

describe('PyNumber', () => {
  it('classifies lexemes as Python does', () => {
    const cases: readonly [string, boolean][] = [
      ['0', true],
      ['-0', true],
      ['123', true],
      ['1.0', false],
      ['1e5', false],
      ['1E-5', false],
      ['NaN', false],
      ['Infinity', false],
      ['-Infinity', false],
    ];
    for (const [lexeme, isInteger] of cases) {
      expect(new PyNumber(lexeme).isInteger).toBe(isInteger);
      expect(new PyNumber(lexeme).lexeme).toBe(lexeme);
    }
  });

  it('rejects anything that is not a JSON number lexeme', () => {
    for (const lexeme of ['01', '1.', '.5', '+1', 'nan', 'inf', ' 1', '1e', '0x10', '', '-']) {
      expectPyJsonError(() => new PyNumber(lexeme), 'is not a JSON number lexeme');
    }
  });
});

describe('key order', () => {
  it('sorts keys by code point, not by UTF-16 unit', () => {
    const text = '{"\\ud83d\\ude00":1,"\\uff01":2,"\\ue000":3,"a":4,"Z":5,"":6,"\\ud800":7}';
    expect(canonicalizePythonJson(text, NEXUSCONE_DIALECT)).toBe(
      '{"":6,"Z":5,"a":4,"\\ud800":7,"\\ue000":3,"\\uff01":2,"\\ud83d\\ude00":1}',
    );
    expect(canonicalizePythonJson(text, NEXUS_ATTEST_DIALECT)).toBe(
      '{"":6,"Z":5,"a":4,"\ud800":7,"\ue000":3,"\uff01":2,"😀":1}',
    );
    // What a naive JS implementation would produce instead.
    expect(['\ue000', '\uff01', '😀'].sort()).toEqual(['😀', '\ue000', '\uff01']);
  });

  it('compares strings like Python str', () => {
    const ordered: readonly [string, string][] = [
      ['\ue000', '😀'],
      ['\uffff', '\ud800\udc00'],
      ['\ud800', '\ue000'],
      ['\ud83d', '\ud83d\ude00'],
      ['\ud83dx', '\ud83d\ude00'],
      // [U+D83D, U+FFFF] < [U+1F600] although the second UTF-16 unit says otherwise.
      ['\ud83d\uffff', '\ud83d\ude00'],
      ['\ud83d\ude00', '\ud83d\ude01'],
      ['a', 'ab'],
      ['', 'a'],
    ];
    for (const [low, high] of ordered) {
      expect(compareByCodePoint(low, high)).toBe(-1);
      expect(compareByCodePoint(high, low)).toBe(1);
      expect(compareByCodePoint(low, low)).toBe(0);
    }
  });
});

describe('strings', () => {
  const everyAscii = Array.from({ length: 0x80 }, (_, code) => String.fromCharCode(code)).join('');
  const sample = `${everyAscii}\u00e9\u2028\u2029\ufeff\ue000\uffff😀\ud800x\udfff/`;

  it('ensure_ascii=True escapes exactly as py_encode_basestring_ascii', () => {
    expect(escapePythonJsonString(sample, true)).toBe(
      String.raw`"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_` +
        '`' +
        String.raw`abcdefghijklmnopqrstuvwxyz{|}~\u007f\u00e9\u2028\u2029\ufeff\ue000\uffff\ud83d\ude00\ud800x\udfff/"`,
    );
    expect(escapePythonJsonString('plain ASCII / text', true)).toBe('"plain ASCII / text"');
  });

  it('ensure_ascii=False escapes exactly as py_encode_basestring', () => {
    expect(escapePythonJsonString(sample, false)).toBe(
      String.raw`"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_` +
        '`abcdefghijklmnopqrstuvwxyz{|}~\x7f\u00e9\u2028\u2029\ufeff\ue000\uffff😀\ud800x\udfff/"',
    );
  });

  it('keeps lone surrogates from \\u escapes and joins only escaped pairs', () => {
    const cases: readonly [string, string][] = [
      ['"\\ud800"', '\ud800'],
      ['"\\udc00"', '\udc00'],
      ['"\\ud83d\\ude00"', '😀'],
      ['"\\uD83D\\uDE00"', '😀'],
      ['"\\ud83d\\u0041"', '\ud83dA'],
      ['"\\ud83d\\n"', '\ud83d\n'],
      ['"\\udc00\\ud83d"', '\udc00\ud83d'],
      ['"\\ud83d\\ud83d\\ude00"', '\ud83d😀'],
    ];
    for (const [text, expected] of cases) expect(parsePythonJson(text)).toBe(expected);
    expect(canonicalizePythonJson('"\\ud800"', NEXUSCONE_DIALECT)).toBe('"\\ud800"');
    expect(canonicalizePythonJson('"\\ud800"', NEXUS_ATTEST_DIALECT)).toBe('"\ud800"');
  });

  it('rejects raw control characters inside strings (strict=True) but not U+007F', () => {
    for (let code = 0; code < 0x20; code++) {
      const error = expectPyJsonError(
        () => parsePythonJson(`"a${String.fromCharCode(code)}b"`),
        /^Invalid control character at line 1 column 3 \(char 2\)\.$/,
      );
      expect(error.position).toBe(2);
    }
    expect(parsePythonJson('"a\x7fb"')).toBe('a\x7fb');
  });

  it('decodes every simple escape, including \\/', () => {
    expect(parsePythonJson('"\\"\\\\\\/\\b\\f\\n\\r\\t"')).toBe('"\\/\b\f\n\r\t');
  });
});

describe('parser', () => {
  it('keeps the last value of a duplicate key, in the first slot', () => {
    const value = parseObject('{"a":1,"b":2,"a":{"c":3}}');
    expect([...value.keys()]).toEqual(['a', 'b']);
    expect(value.get('a')).toEqual(new Map([['c', new PyNumber('3')]]));
    expect(canonicalizePythonJson('{"b":2,"a":1,"a":3}', NEXUSCONE_DIALECT)).toBe('{"a":3,"b":2}');
  });

  it('accepts NaN and the infinities, which nexus-attest then refuses to write', () => {
    expect(canonicalizePythonJson('[NaN,Infinity,-Infinity]', NEXUSCONE_DIALECT)).toBe(
      '[NaN,Infinity,-Infinity]',
    );
    expect(parsePythonJson('NaN')).toEqual(new PyNumber('NaN'));
    expectPyJsonError(
      () => serializePythonJson(parsePythonJson('{"x":NaN}'), NEXUS_ATTEST_DIALECT),
      'Out of range float values are not JSON compliant',
    );
  });

  it('accepts only space, tab, LF and CR as whitespace', () => {
    expect(canonicalizePythonJson(' \t\n\r[ 1 ,\t2 ]\r\n', NEXUSCONE_DIALECT)).toBe('[1,2]');
    for (const text of ['\f1', '\v1', '\u00a01', '1\u2028', '\u30001']) {
      expectPyJsonError(() => parsePythonJson(text), /^(Expecting value|Extra data) at /);
    }
  });

  // Messages and positions are json.loads' own (CPython 3.11.7), in this module's phrasing.
  const errors: readonly [string, string][] = [
    ['', 'Expecting value at line 1 column 1 (char 0).'],
    [' ', 'Expecting value at line 1 column 2 (char 1).'],
    ['[1,]', 'Expecting value at line 1 column 4 (char 3).'],
    ['{"a":1,}', 'Expecting property name enclosed in double quotes at line 1 column 8 (char 7).'],
    ['{1:2}', 'Expecting property name enclosed in double quotes at line 1 column 2 (char 1).'],
    ['[1 2]', "Expecting ',' delimiter at line 1 column 4 (char 3)."],
    ['[1,2', "Expecting ',' delimiter at line 1 column 5 (char 4)."],
    ['{"a" 1}', "Expecting ':' delimiter at line 1 column 6 (char 5)."],
    ['{"a":', 'Expecting value at line 1 column 6 (char 5).'],
    ['"\\x"', 'Invalid \\escape at line 1 column 2 (char 1).'],
    ['"\\u12"', 'Invalid \\uXXXX escape at line 1 column 3 (char 2).'],
    ['"\\u0041', 'Invalid \\uXXXX escape at line 1 column 3 (char 2).'],
    ['"\\ud83d\\uzzzz"', 'Invalid \\uXXXX escape at line 1 column 9 (char 8).'],
    ['"abc', 'Unterminated string starting at line 1 column 1 (char 0).'],
    ['"\\ud83d\\"', 'Unterminated string starting at line 1 column 1 (char 0).'],
    ['nan', 'Expecting value at line 1 column 1 (char 0).'],
    ['-NaN', 'Expecting value at line 1 column 1 (char 0).'],
    ['tru', 'Expecting value at line 1 column 1 (char 0).'],
    ['\ufeff1', 'Unexpected UTF-8 BOM (decode using utf-8-sig) at line 1 column 1 (char 0).'],
    ['[\n1,\n  x]', 'Expecting value at line 3 column 3 (char 7).'],
  ];

  it.each(errors)('rejects %j with %j', (text, message) => {
    expectPyJsonError(() => parsePythonJson(text), new RegExp(`^${escapeRegExp(message)}$`));
  });

  it('rejects trailing data', () => {
    const cases: readonly [string, number][] = [
      ['[1]x', 3],
      ['1 2', 2],
      ['{}}', 2],
      ['1.', 1],
      ['1.e5', 1],
      ['1e', 1],
      ['1e+', 1],
      ['01', 1],
      ['-01', 2],
      ['"a"b', 3],
      ['-Infinityx', 9],
    ];
    for (const [text, position] of cases) {
      const error = expectPyJsonError(() => parsePythonJson(text), /^Extra data at /);
      expect(error.position).toBe(position);
    }
  });

  it('limits nesting depth without overflowing the stack', () => {
    expectPyJsonError(
      () => parsePythonJson('['.repeat(100_000)),
      /exceeds the maximum depth of 512 /,
    );
    expectPyJsonError(() => parsePythonJson('{"a":'.repeat(100_000)), /exceeds the maximum depth/);
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    expect(canonicalizePythonJson(nested(512), NEXUSCONE_DIALECT)).toBe(nested(512));
    expectPyJsonError(() => parsePythonJson(nested(513)), /exceeds the maximum depth of 512 /);
    expectPyJsonError(() => parsePythonJson('[[1]]', { maxDepth: 1 }), /maximum depth of 1 /);
    expect(parsePythonJson('1', { maxDepth: 0 })).toEqual(new PyNumber('1'));
  });

  it('handles deep nesting iteratively when the caller raises the limit', () => {
    const deep = '[{"k":'.repeat(50_000) + 'null' + '}]'.repeat(50_000);
    const value = parsePythonJson(deep, { maxDepth: 100_000 });
    expect(serializePythonJson(value, NEXUSCONE_DIALECT)).toBe(deep);
  });
});

describe('serializer', () => {
  it('detects circular references, but allows shared ones as Python does', () => {
    const loop: PyJsonValue[] = [];
    loop.push(loop);
    expectPyJsonError(() => serializePythonJson(loop, NEXUSCONE_DIALECT), 'Circular reference');
    const shared: PyJsonValue = [new PyNumber('1')];
    expect(serializePythonJson([shared, new Map([['a', shared]])], NEXUSCONE_DIALECT)).toBe(
      '[[1],{"a":[1]}]',
    );
  });

  it('refuses bare JS numbers, because Python needs int versus float', () => {
    const value = [1] as unknown as PyJsonValue;
    expectPyJsonError(() => serializePythonJson(value, NEXUSCONE_DIALECT), /int from float/);
  });
});

describe('fromJsValue', () => {
  it('maps JS values to Python ints, floats, lists and dicts', () => {
    const value = fromJsValue({
      b: 1,
      a: [1.5, -0, 2n ** 64n, 'x', null, true, NaN, -Infinity, 1e21, 0.1],
      c: new Map([['z', new PyNumber('1.0')]]),
    });
    expect(serializePythonJson(value, NEXUSCONE_DIALECT)).toBe(
      '{"a":[1.5,0,18446744073709551616,"x",null,true,NaN,-Infinity,1000000000000000000000,0.1],"b":1,"c":{"z":1.0}}',
    );
  });

  it('rejects what Python json could not have produced', () => {
    const loop: unknown[] = [];
    loop.push(loop);
    const cases: readonly unknown[] = [
      undefined,
      [undefined],
      { f: () => 1 },
      Symbol('s'),
      new Date(0),
      new Uint8Array(1),
      new Map([[1, 'a']]),
      loop,
    ];
    for (const value of cases)
      expectPyJsonError(() => fromJsValue(value), /not JSON|must be|Circular/);
  });

  it('allows shared references', () => {
    const shared = { x: 1 };
    expect(serializePythonJson(fromJsValue([shared, shared]), NEXUSCONE_DIALECT)).toBe(
      '[{"x":1},{"x":1}]',
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** Any UTF-16 unit, so lone surrogates and broken pairs turn up, plus hand-picked troublemakers. */
const utf16Unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom('\ud83d', '\ude00', '\ue000', '\uff01', '😀', '"', '\\', '\x7f', '\u2028', '/'),
);
const anyString = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: utf16Unit }));

const intNumber = fc
  .oneof(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.bigInt({ min: -5n, max: 5n }))
  .map((n) => new PyNumber(n.toString()));

function floatNumber(allowNan: boolean): fc.Arbitrary<PyNumber> {
  const fromDouble = fc
    .double({ noNaN: !allowNan, noDefaultInfinity: !allowNan })
    .map((x) =>
      Number.isFinite(x)
        ? new PyNumber(pythonFloatRepr(x))
        : new PyNumber(Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity'),
    );
  // Arbitrary lexemes exercise decimal-to-double rounding, not just repr of known doubles.
  const fromLexeme = fc
    .tuple(
      fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
      fc.stringMatching(/^[0-9]{1,20}$/),
      fc.integer({ min: allowNan ? -400 : -330, max: allowNan ? 400 : 280 }),
    )
    .map(([whole, fraction, exp]) => new PyNumber(`${whole}.${fraction}e${exp}`));
  return fc.oneof(fromDouble, fromLexeme);
}

function pyJsonValue(dialect: PyJsonDialect): fc.Arbitrary<PyJsonValue> {
  return fc.letrec<{ value: PyJsonValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      anyString,
      intNumber,
      floatNumber(dialect.allowNan),
      fc.array(tie('value'), { maxLength: 5 }),
      fc
        .array(fc.tuple(anyString, tie('value')), { maxLength: 5 })
        .map((entries) => new Map(entries)),
    ),
  })).value;
}

/** Structure without Python's int/float distinction, for comparing with JSON.parse. */
function comparable(value: unknown): unknown {
  if (value instanceof PyNumber) return Number(value.lexeme) + 0;
  if (typeof value === 'number') return value + 0;
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Map) {
    return [...value.entries()]
      .map(([key, item]): [unknown, unknown] => [key, comparable(item)])
      .sort((a, b) => compareByCodePoint(String(a[0]), String(b[0])));
  }
  if (value !== null && typeof value === 'object') {
    return comparable(new Map(Object.entries(value)));
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('properties', () => {
  for (const dialect of DIALECTS) {
    it(`${dialect.name}: serialise -> parse -> serialise is stable`, () => {
      fc.assert(
        fc.property(pyJsonValue(dialect), (value) => {
          const text = serializePythonJson(value, dialect);
          expect(serializePythonJson(parsePythonJson(text), dialect)).toBe(text);
          expect(canonicalizePythonJson(text, dialect)).toBe(text);
          if (dialect.ensureAscii) expect(text).toMatch(/^[\x20-\x7e]*$/);
        }),
        { numRuns: 500 },
      );
    });
  }

  it('pythonFloatRepr round-trips every finite double and has Python shape', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const repr = pythonFloatRepr(x);
        expect(Object.is(Number(repr), x)).toBe(true);
        expect(repr).toMatch(/^-?(?:[0-9]+\.[0-9]+|[1-9](?:\.[0-9]*[1-9])?e[+-][0-9]{2,3})$/);
        expect(new PyNumber(repr).isInteger).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('escaped strings decode back to the same UTF-16 units with JSON.parse', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(JSON.parse(escapePythonJsonString(s, true))).toBe(s);
        expect(JSON.parse(escapePythonJsonString(s, false))).toBe(s);
        expect(parsePythonJson(escapePythonJsonString(s, true))).toBe(s);
        expect(parsePythonJson(escapePythonJsonString(s, false))).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('compareByCodePoint orders like a comparison of code point sequences', () => {
    const codePoints = (s: string): number[] => Array.from(s, (c) => c.codePointAt(0) ?? 0);
    const reference = (a: string, b: string): number => {
      const ca = codePoints(a);
      const cb = codePoints(b);
      for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
        const x = ca[i] ?? 0;
        const y = cb[i] ?? 0;
        if (x !== y) return x < y ? -1 : 1;
      }
      return Math.sign(ca.length - cb.length);
    };
    const shortString = fc.string({ unit: utf16Unit, maxLength: 4 });
    fc.assert(
      fc.property(shortString, shortString, (a, b) => {
        expect(compareByCodePoint(a, b)).toBe(reference(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with JSON.parse on valid JSON', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(comparable(parsePythonJson(text))).toEqual(comparable(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly what JSON.parse accepts when NaN and Infinity cannot occur', () => {
    const token = fc.constantFrom(
      ...'[]{}",:0123456789.-+eE \t\n\r\\/ntrufalsbx'.split(''),
      '\\u',
      '\\ud83d',
      '\\ude00',
      '\x01',
      '\x7f',
      '\ufeff',
      '\u00a0',
      '"a"',
      'null',
      'true',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 14 }), (tokens) => {
        const text = tokens.join('');
        let expected: unknown;
        try {
          expected = comparable(JSON.parse(text));
        } catch {
          expectPyJsonError(() => parsePythonJson(text), / at line \d+ column \d+ \(char \d+\)\.$/);
          return;
        }
        expect(comparable(parsePythonJson(text))).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });
});
