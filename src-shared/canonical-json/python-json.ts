/**
 * Exact emulation of CPython 3.11's `json` module as the audited producers call it:
 *
 *  - `json.loads(text)` with default arguments (the C scanner, strict=True): parsed losslessly, so
 *    an int stays an int and a float keeps its lexeme, which `JSON.parse` cannot do;
 *  - `json.dumps(x, sort_keys=True, separators=(",", ":"), ensure_ascii=…, allow_nan=…)` in the
 *    two dialects the producers use: nexuscone (ensure_ascii=True, allow_nan=True) and
 *    nexus-attest (ensure_ascii=False, allow_nan=False);
 *  - `repr(float)` (`float_repr_style == 'short'`), and `str` ordering by code point.
 *
 * Digests are computed over these bytes, so "close to Python" is a verification failure: every
 * rule here is Python's, including the ones that look like bugs.
 *
 * Strings are JS strings (UTF-16). A Python str is a sequence of code points; a well-formed
 * surrogate pair in JS stands for one astral code point, and a lone surrogate for that surrogate
 * code point. The one place this cannot be exact is raw (unescaped) lone surrogates adjacent to
 * each other in the input text, which Python keeps as two code points and JS fuses; valid UTF-8
 * input can never contain them. Error positions are UTF-16 offsets, not Python's code-point
 * offsets.
 *
 * Platform-free: runs in main, the renderer, the CLI and workers.
 */

export type PyJsonValue = null | boolean | string | PyNumber | PyJsonValue[] | PyJsonObject;

/** A Python dict with str keys: insertion order, and a repeated key keeps its first slot but takes the last value. */
export type PyJsonObject = Map<string, PyJsonValue>;

const NUMBER_LEXEME = /^(?:-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|NaN|-?Infinity)$/;
const FLOAT_MARKER = /[.eEIN]/;

/** Python's default `sys.get_int_max_str_digits()`: int <-> decimal str conversions refuse longer values. */
const PY_INT_MAX_STR_DIGITS = 4300;

/** Error for anything Python's json would reject, plus inputs that have no Python equivalent. */
export class PyJsonError extends Error {
  /** UTF-16 offset into the parsed text, when the error came from the parser. */
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(message);
    this.name = 'PyJsonError';
    this.position = position;
  }
}

/**
 * A JSON number exactly as written. Python decides int versus float from the lexeme (no '.', 'e'
 * or 'E' means int), and that choice changes the serialised bytes (`10` versus `10.0`).
 */
export class PyNumber {
  readonly lexeme: string;
  readonly isInteger: boolean;

  constructor(lexeme: string) {
    if (!NUMBER_LEXEME.test(lexeme)) {
      throw new PyJsonError(
        `${JSON.stringify(lexeme)} is not a JSON number lexeme or one of NaN, Infinity, -Infinity.`,
      );
    }
    this.lexeme = lexeme;
    this.isInteger = !FLOAT_MARKER.test(lexeme);
  }

  toString(): string {
    return this.lexeme;
  }
}

export interface PyJsonDialect {
  readonly ensureAscii: boolean;
  readonly allowNan: boolean;
  readonly name: string;
  /** sort_keys; default true (both canonical dialects sort). */
  readonly sortKeys?: boolean;
  /** separators=(item, key); default the compact (",", ":"). */
  readonly itemSeparator?: string;
  readonly keySeparator?: string;
}

/** nexuscone `canonical_json`: ASCII-only output, NaN and infinities written as bare tokens. */
export const NEXUSCONE_DIALECT: PyJsonDialect = Object.freeze({
  name: 'nexuscone',
  ensureAscii: true,
  allowNan: true,
});

/**
 * nexus-attest `canonical_json`: raw Unicode output (the caller UTF-8 encodes it), non-finite
 * floats rejected. Python's `.encode("utf-8")` also rejects lone surrogates; that step belongs to
 * the caller, so this serialiser writes them raw as json.dumps does.
 */
export const NEXUS_ATTEST_DIALECT: PyJsonDialect = Object.freeze({
  name: 'nexus-attest',
  ensureAscii: false,
  allowNan: false,
});

/**
 * Plain `json.dumps(x)`: insertion order, `", "` and `": "`, ensure_ascii. nexus-attest stores
 * event payloads this way (not canonically), so rows Proofdesk writes must look the same.
 */
export const PYTHON_DEFAULT_DIALECT: PyJsonDialect = Object.freeze({
  name: 'json.dumps defaults',
  ensureAscii: true,
  allowNan: true,
  sortKeys: false,
  itemSeparator: ', ',
  keySeparator: ': ',
});

// ---------------------------------------------------------------------------------------------
// Strings

/** Python str comparison: by code point. UTF-16 order differs when astral characters meet U+E000..U+FFFF. */
export function compareByCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const ca = a.charCodeAt(i);
  const cb = b.charCodeAt(i);
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) {
    // The shared high surrogate is half of an astral code point in whichever string continues
    // with a low surrogate; that code point outranks the lone high surrogate in the other.
    const lowA = isLowSurrogate(ca);
    const lowB = isLowSurrogate(cb);
    if (lowA && lowB) return ca < cb ? -1 : 1;
    if (lowA) return 1;
    if (lowB) return -1;
  }
  // Both first units differ, so the code points starting here differ too.
  return (a.codePointAt(i) ?? 0) < (b.codePointAt(i) ?? 0) ? -1 : 1;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function compareNative(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HAS_SURROGATE = /[\ud800-\udfff]/;
const ASCII_NO_ESCAPE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ASCII_TO_ESCAPE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/g;
// Matching C0 controls is the point of these two patterns.
// eslint-disable-next-line no-control-regex
const UNICODE_NEEDS_ESCAPE = /["\\\x00-\x1f]/;
// eslint-disable-next-line no-control-regex
const UNICODE_TO_ESCAPE = /["\\\x00-\x1f]/g;

const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
]);

/** Escapes for U+0000..U+007F, precomputed because the hot path calls this per character. */
const LOW_ESCAPES: readonly string[] = Array.from(
  { length: 0x80 },
  (_, code) => SHORT_ESCAPES.get(code) ?? unicodeEscape(code),
);

function unicodeEscape(unit: number): string {
  return '\\u' + unit.toString(16).padStart(4, '0');
}

/** Called by String.prototype.replace with one UTF-16 unit, so astral characters arrive as two halves. */
function escapeUnit(unit: string): string {
  const code = unit.charCodeAt(0);
  return code < 0x80 ? (LOW_ESCAPES[code] ?? unicodeEscape(code)) : unicodeEscape(code);
}

/**
 * A JSON string literal, quotes included. ensureAscii=true is `py_encode_basestring_ascii`: only
 * 0x20..0x7E survive (0x7F and astral characters become `\uXXXX`, the latter as surrogate
 * pairs). ensureAscii=false is `py_encode_basestring`: only `"`, `\` and C0 controls are
 * escaped; U+007F, U+2028 and lone surrogates are written raw. Hex is lowercase; `/` is never
 * escaped.
 */
export function escapePythonJsonString(s: string, ensureAscii: boolean): string {
  if (ensureAscii) {
    if (ASCII_NO_ESCAPE.test(s)) return '"' + s + '"';
    // Stored payloads are printable ASCII full of quotes. For printable ASCII, V8's native
    // JSON.stringify escapes exactly what Python does (only `"` and `\`), several times faster
    // than a replace, and this runs once per entry on a million-row ledger.
    if (PRINTABLE_ASCII.test(s)) return JSON.stringify(s);
    return '"' + s.replace(ASCII_TO_ESCAPE, escapeUnit) + '"';
  }
  if (!UNICODE_NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  // Without surrogates JSON.stringify escapes the same set as py_encode_basestring, with the same
  // short forms and lowercase \u00XX; it differs only by escaping lone surrogates.
  if (!HAS_SURROGATE.test(s)) return JSON.stringify(s);
  return '"' + s.replace(UNICODE_TO_ESCAPE, escapeUnit) + '"';
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * Python 3 `repr(float)`: the shortest digits that round-trip (the same digits JS picks), laid
 * out by `format_float_short` with mode 'r': scientific notation when the decimal exponent is
 * below -4 or at least 16, otherwise fixed notation that always keeps a fractional part.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const exponential = Math.abs(x).toExponential();
  const ePos = exponential.indexOf('e');
  const digits = exponential.slice(0, ePos).replace('.', '');
  // Python's decpt: value = 0.d1d2... x 10**decpt.
  const decpt = Number(exponential.slice(ePos + 1)) + 1;
  if (decpt <= -4 || decpt > 16) {
    const exp = decpt - 1;
    const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const expDigits = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${expDigits}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

function integerDigitCount(lexeme: string): number {
  return lexeme.charCodeAt(0) === 0x2d ? lexeme.length - 1 : lexeme.length;
}

function serializeNumber(n: PyNumber, allowNan: boolean): string {
  const lexeme = n.lexeme;
  if (n.isInteger) {
    if (integerDigitCount(lexeme) > PY_INT_MAX_STR_DIGITS) {
      throw new PyJsonError(
        `An int with ${integerDigitCount(lexeme)} digits exceeds Python's limit of ${PY_INT_MAX_STR_DIGITS} digits for integer string conversion (sys.set_int_max_str_digits).`,
      );
    }
    // The JSON grammar makes every int lexeme canonical except "-0", which Python's int() turns into 0.
    return lexeme === '-0' ? '0' : lexeme;
  }
  const x = Number(lexeme);
  if (Number.isFinite(x)) return pythonFloatRepr(x);
  if (!allowNan) {
    throw new PyJsonError(
      `Out of range float values are not JSON compliant (got ${lexeme}, which is ${pythonFloatRepr(x)} in Python).`,
    );
  }
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

// ---------------------------------------------------------------------------------------------
// Parser

const DEFAULT_MAX_DEPTH = 512;

const CH_TAB = 0x09;
const CH_LF = 0x0a;
const CH_CR = 0x0d;
const CH_SPACE = 0x20;
const CH_QUOTE = 0x22;
const CH_PLUS = 0x2b;
const CH_COMMA = 0x2c;
const CH_MINUS = 0x2d;
const CH_DOT = 0x2e;
const CH_0 = 0x30;
const CH_1 = 0x31;
const CH_9 = 0x39;
const CH_COLON = 0x3a;
const CH_UPPER_E = 0x45;
const CH_OPEN_BRACKET = 0x5b;
const CH_BACKSLASH = 0x5c;
const CH_CLOSE_BRACKET = 0x5d;
const CH_LOWER_E = 0x65;
const CH_OPEN_BRACE = 0x7b;
const CH_CLOSE_BRACE = 0x7d;

type OpenContainer =
  | { readonly array: PyJsonValue[]; readonly object?: undefined; key?: undefined }
  | { readonly array?: undefined; readonly object: PyJsonObject; key: string };

function isDigit(code: number): boolean {
  return code >= CH_0 && code <= CH_9;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}

/**
 * Mirrors `_json.c` `scan_once_unicode`/`scanstring_unicode` (Python 3.11), including which error
 * is reported where, but with an explicit stack instead of recursion so hostile nesting ends in a
 * PyJsonError rather than a stack overflow.
 */
class PythonJsonParser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  parseDocument(): PyJsonValue {
    if (this.text.charCodeAt(0) === 0xfeff) {
      this.fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
    }
    this.skipWhitespace();
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('Extra data', this.pos);
    return value;
  }

  private fail(message: string, position: number): never {
    const before = this.text.slice(0, position);
    const line = before.split('\n').length;
    const column = position - before.lastIndexOf('\n');
    throw new PyJsonError(
      `${message} at line ${line} column ${column} (char ${position}).`,
      position,
    );
  }

  private skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c !== CH_SPACE && c !== CH_LF && c !== CH_CR && c !== CH_TAB) break;
      pos++;
    }
    this.pos = pos;
  }

  private openContainer(stack: OpenContainer[]): void {
    if (stack.length >= this.maxDepth) {
      this.fail(`Nesting exceeds the maximum depth of ${this.maxDepth}`, this.pos);
    }
  }

  /** Reads `"key"` and the `:` after it, leaving pos at the start of the value. */
  private parseKeyAndColon(): string {
    if (this.text.charCodeAt(this.pos) !== CH_QUOTE) {
      this.fail('Expecting property name enclosed in double quotes', this.pos);
    }
    const key = this.parseString();
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== CH_COLON) this.fail("Expecting ':' delimiter", this.pos);
    this.pos++;
    this.skipWhitespace();
    return key;
  }

  private parseValue(): PyJsonValue {
    const text = this.text;
    const stack: OpenContainer[] = [];
    for (;;) {
      // pos is at the start of a value, whitespace already skipped.
      let value: PyJsonValue;
      const c = text.charCodeAt(this.pos);
      if (c === CH_OPEN_BRACKET) {
        this.openContainer(stack);
        this.pos++;
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === CH_CLOSE_BRACKET) {
          this.pos++;
          value = [];
        } else {
          stack.push({ array: [] });
          continue;
        }
      } else if (c === CH_OPEN_BRACE) {
        this.openContainer(stack);
        this.pos++;
        this.skipWhitespace();
        if (text.charCodeAt(this.pos) === CH_CLOSE_BRACE) {
          this.pos++;
          value = new Map();
        } else {
          const key = this.parseKeyAndColon();
          stack.push({ object: new Map(), key });
          continue;
        }
      } else {
        value = this.parseScalar(c);
      }

      // Hand the finished value to its container, closing every container that ends here.
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return value;
        if (top.array !== undefined) top.array.push(value);
        else top.object.set(top.key, value);
        this.skipWhitespace();
        const next = text.charCodeAt(this.pos);
        if (next === CH_COMMA) {
          this.pos++;
          this.skipWhitespace();
          if (top.object !== undefined) top.key = this.parseKeyAndColon();
          break;
        }
        if (next === (top.array !== undefined ? CH_CLOSE_BRACKET : CH_CLOSE_BRACE)) {
          this.pos++;
          stack.pop();
          value = top.array ?? top.object;
          continue;
        }
        this.fail("Expecting ',' delimiter", this.pos);
      }
    }
  }

  private parseScalar(c: number): PyJsonValue {
    const text = this.text;
    const pos = this.pos;
    switch (c) {
      case CH_QUOTE:
        return this.parseString();
      case 0x6e: // n
        if (text.startsWith('null', pos)) {
          this.pos += 4;
          return null;
        }
        break;
      case 0x74: // t
        if (text.startsWith('true', pos)) {
          this.pos += 4;
          return true;
        }
        break;
      case 0x66: // f
        if (text.startsWith('false', pos)) {
          this.pos += 5;
          return false;
        }
        break;
      case 0x4e: // N
        if (text.startsWith('NaN', pos)) {
          this.pos += 3;
          return new PyNumber('NaN');
        }
        break;
      case 0x49: // I
        if (text.startsWith('Infinity', pos)) {
          this.pos += 8;
          return new PyNumber('Infinity');
        }
        break;
      case CH_MINUS:
        if (text.startsWith('-Infinity', pos)) {
          this.pos += 9;
          return new PyNumber('-Infinity');
        }
        return this.parseNumber();
      default:
        if (isDigit(c)) return this.parseNumber();
    }
    return this.fail('Expecting value', pos);
  }

  /** `_match_number_unicode`: a '.' or exponent without digits is left for the caller to reject as trailing data. */
  private parseNumber(): PyNumber {
    const text = this.text;
    const start = this.pos;
    let i = start;
    if (text.charCodeAt(i) === CH_MINUS) i++;
    const first = text.charCodeAt(i);
    if (first === CH_0) {
      i++;
    } else if (first >= CH_1 && first <= CH_9) {
      i++;
      while (isDigit(text.charCodeAt(i))) i++;
    } else {
      this.fail('Expecting value', start);
    }
    let isFloat = false;
    if (text.charCodeAt(i) === CH_DOT && isDigit(text.charCodeAt(i + 1))) {
      isFloat = true;
      i += 2;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === CH_LOWER_E || e === CH_UPPER_E) {
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === CH_PLUS || sign === CH_MINUS) j++;
      if (isDigit(text.charCodeAt(j))) {
        isFloat = true;
        j++;
        while (isDigit(text.charCodeAt(j))) j++;
        i = j;
      }
    }
    const lexeme = text.slice(start, i);
    if (!isFloat && integerDigitCount(lexeme) > PY_INT_MAX_STR_DIGITS) {
      this.fail(
        `Integer with ${integerDigitCount(lexeme)} digits exceeds Python's limit of ${PY_INT_MAX_STR_DIGITS} digits for integer string conversion (sys.set_int_max_str_digits)`,
        start,
      );
    }
    this.pos = i;
    return new PyNumber(lexeme);
  }

  private parseString(): string {
    const text = this.text;
    const len = text.length;
    const begin = this.pos;
    let i = begin + 1;
    let chunkStart = i;
    let out = '';
    for (;;) {
      if (i >= len) this.fail('Unterminated string starting', begin);
      const c = text.charCodeAt(i);
      if (c === CH_QUOTE) {
        this.pos = i + 1;
        return out + text.slice(chunkStart, i);
      }
      if (c === CH_BACKSLASH) {
        out += text.slice(chunkStart, i) + this.parseEscape(i, begin);
        i = this.pos;
        chunkStart = i;
        continue;
      }
      if (c < 0x20) this.fail('Invalid control character', i);
      i++;
    }
  }

  /** Decodes the escape whose backslash is at `slash`, leaving pos just after it. */
  private parseEscape(slash: number, begin: number): string {
    const text = this.text;
    const len = text.length;
    if (slash + 1 >= len) this.fail('Unterminated string starting', begin);
    const kind = text.charCodeAt(slash + 1);
    if (kind !== 0x75 /* u */) {
      const simple = SIMPLE_UNESCAPES.get(kind);
      if (simple === undefined) this.fail('Invalid \\escape', slash);
      this.pos = slash + 2;
      return simple;
    }
    // Python insists on room for at least one more character after the four digits before it
    // looks at them, so an unterminated `"\u0041` is an escape error, not an unterminated string.
    const end = slash + 6;
    if (end >= len) this.fail('Invalid \\uXXXX escape', slash + 1);
    const unit = this.readHex4(slash + 2);
    if (unit < 0) this.fail('Invalid \\uXXXX escape', slash + 1);
    this.pos = end;
    // Only an escaped high surrogate directly followed by an escaped low one forms a pair; any
    // other following escape is decoded on its own and the high surrogate stays lone.
    if (
      isHighSurrogate(unit) &&
      end + 6 < len &&
      text.charCodeAt(end) === CH_BACKSLASH &&
      text.charCodeAt(end + 1) === 0x75
    ) {
      const low = this.readHex4(end + 2);
      if (low < 0) this.fail('Invalid \\uXXXX escape', end + 1);
      if (isLowSurrogate(low)) {
        this.pos = end + 6;
        return String.fromCharCode(unit, low);
      }
    }
    return String.fromCharCode(unit);
  }

  private readHex4(at: number): number {
    const text = this.text;
    const a = hexValue(text.charCodeAt(at));
    const b = hexValue(text.charCodeAt(at + 1));
    const c = hexValue(text.charCodeAt(at + 2));
    const d = hexValue(text.charCodeAt(at + 3));
    if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
  }
}

const SIMPLE_UNESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

/**
 * `json.loads(text)`. Numbers keep their lexeme; objects become Maps with Python dict semantics.
 * Nesting deeper than `maxDepth` (default 512) containers is rejected, since the input may be
 * hostile (Python itself would raise RecursionError somewhat deeper).
 */
export function parsePythonJson(text: string, options?: { maxDepth?: number }): PyJsonValue {
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0) {
    throw new RangeError(`maxDepth must be a non-negative integer, got ${maxDepth}`);
  }
  return new PythonJsonParser(text, maxDepth).parseDocument();
}

// ---------------------------------------------------------------------------------------------
// Serialiser

type OpenOutput =
  | { readonly array: readonly PyJsonValue[]; readonly object?: undefined; index: number }
  | {
      readonly array?: undefined;
      readonly object: PyJsonObject;
      readonly keys: readonly string[];
      index: number;
    };

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') {
    const proto: unknown = Object.getPrototypeOf(value);
    const ctor =
      proto !== null && typeof proto === 'object' && 'constructor' in proto
        ? (proto as { constructor: unknown }).constructor
        : undefined;
    if (typeof ctor === 'function' && ctor.name !== '') return ctor.name;
    return typeof value;
  }
  return typeof value;
}

function serializeScalar(value: unknown, dialect: PyJsonDialect): string {
  if (typeof value === 'string') return escapePythonJsonString(value, dialect.ensureAscii);
  if (value instanceof PyNumber) return serializeNumber(value, dialect.allowNan);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  const hint =
    typeof value === 'number' || typeof value === 'bigint'
      ? ' (wrap numbers in PyNumber or use fromJsValue, because Python needs to know int from float)'
      : '';
  throw new PyJsonError(`Object of type ${describeType(value)} is not JSON serializable${hint}.`);
}

function sortedKeys(object: PyJsonObject): string[] {
  const keys: string[] = [];
  let needsCodePointOrder = false;
  for (const key of object.keys()) {
    if (typeof key !== 'string') {
      throw new PyJsonError(`Object keys must be strings, not ${describeType(key)}.`);
    }
    if (!needsCodePointOrder && HAS_SURROGATE.test(key)) needsCodePointOrder = true;
    keys.push(key);
  }
  // Without surrogates UTF-16 order is code-point order, and the native comparison is much faster.
  return keys.sort(needsCodePointOrder ? compareByCodePoint : compareNative);
}

/**
 * `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=…, allow_nan=…)`.
 * Iterative, so depth is unbounded; a container that contains itself raises Python's
 * "Circular reference detected" (shared, non-circular references are fine, as in Python).
 */
export function serializePythonJson(value: PyJsonValue, dialect: PyJsonDialect): string {
  if (!Array.isArray(value) && !(value instanceof Map)) return serializeScalar(value, dialect);
  const ensureAscii = dialect.ensureAscii;
  const itemSeparator = dialect.itemSeparator ?? ',';
  const keySeparator = dialect.keySeparator ?? ':';
  const orderKeys =
    dialect.sortKeys === false ? (object: PyJsonObject) => [...object.keys()] : sortedKeys;
  const stack: OpenOutput[] = [];
  const onPath = new Set<object>();
  let out = '';
  let pending: unknown = value;
  for (;;) {
    if (Array.isArray(pending)) {
      if (onPath.has(pending)) throw new PyJsonError('Circular reference detected.');
      const array = pending as PyJsonValue[];
      if (array.length === 0) {
        out += '[]';
      } else {
        onPath.add(array);
        stack.push({ array, index: 0 });
        out += '[';
        pending = array[0];
        continue;
      }
    } else if (pending instanceof Map) {
      if (onPath.has(pending)) throw new PyJsonError('Circular reference detected.');
      const object = pending as PyJsonObject;
      const keys = orderKeys(object);
      const firstKey = keys[0];
      if (firstKey === undefined) {
        out += '{}';
      } else {
        onPath.add(object);
        stack.push({ object, keys, index: 0 });
        out += '{' + escapePythonJsonString(firstKey, ensureAscii) + keySeparator;
        pending = object.get(firstKey);
        continue;
      }
    } else {
      out += serializeScalar(pending, dialect);
    }

    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out;
      top.index++;
      if (top.array !== undefined) {
        if (top.index < top.array.length) {
          out += itemSeparator;
          pending = top.array[top.index];
          break;
        }
        out += ']';
        onPath.delete(top.array);
      } else {
        const key = top.keys[top.index];
        if (key !== undefined) {
          out += itemSeparator + escapePythonJsonString(key, ensureAscii) + keySeparator;
          pending = top.object.get(key);
          break;
        }
        out += '}';
        onPath.delete(top.object);
      }
      stack.pop();
    }
  }
}

/** `json.dumps(json.loads(text), …)` in the given dialect. */
export function canonicalizePythonJson(text: string, dialect: PyJsonDialect): string {
  return serializePythonJson(parsePythonJson(text), dialect);
}

// ---------------------------------------------------------------------------------------------
// From plain JS values

function isPlainObject(x: object): x is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function numberFromJs(x: number): PyNumber {
  if (Number.isInteger(x)) {
    // String() would print 1e+21; BigInt gives the exact integer Python's int(x) would.
    return new PyNumber(Number.isSafeInteger(x) ? String(x) : BigInt(x).toString());
  }
  if (Number.isNaN(x)) return new PyNumber('NaN');
  if (x === Infinity) return new PyNumber('Infinity');
  if (x === -Infinity) return new PyNumber('-Infinity');
  return new PyNumber(pythonFloatRepr(x));
}

type ConvertFrame =
  | {
      readonly source: object;
      readonly items: readonly unknown[];
      readonly array: PyJsonValue[];
      readonly object?: undefined;
      readonly keys?: undefined;
      index: number;
    }
  | {
      readonly source: object;
      readonly items: readonly unknown[];
      readonly array?: undefined;
      readonly object: PyJsonObject;
      readonly keys: readonly string[];
      index: number;
    };

/**
 * Plain JS data to a PyJsonValue, deciding int versus float the way a JS caller would mean it:
 * `Number.isInteger` numbers (including -0) and bigints become ints, other numbers floats.
 * Accepts arrays, plain objects and string-keyed Maps; PyNumber passes through. Anything Python's
 * json could not have produced (undefined, functions, symbols, class instances, cycles) throws.
 */
export function fromJsValue(x: unknown): PyJsonValue {
  const stack: ConvertFrame[] = [];
  const onPath = new Set<object>();

  // Converts a scalar, or creates an empty container and schedules filling it.
  const convert = (v: unknown): PyJsonValue => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return numberFromJs(v);
      case 'bigint':
        return new PyNumber(v.toString());
      case 'object': {
        if (v === null) return null;
        if (v instanceof PyNumber) return v;
        if (onPath.has(v)) throw new PyJsonError('Circular reference detected.');
        if (Array.isArray(v)) {
          const array: PyJsonValue[] = [];
          onPath.add(v);
          stack.push({ source: v, items: v as unknown[], array, index: 0 });
          return array;
        }
        let keys: string[];
        let items: unknown[];
        if (v instanceof Map) {
          keys = [];
          items = [];
          for (const [key, item] of v as Map<unknown, unknown>) {
            if (typeof key !== 'string') {
              throw new PyJsonError(`Map keys must be strings, not ${describeType(key)}.`);
            }
            keys.push(key);
            items.push(item);
          }
        } else if (isPlainObject(v)) {
          keys = Object.keys(v);
          items = keys.map((key) => v[key]);
        } else {
          throw new PyJsonError(`Object of type ${describeType(v)} is not JSON serializable.`);
        }
        const object: PyJsonObject = new Map();
        onPath.add(v);
        stack.push({ source: v, items, object, keys, index: 0 });
        return object;
      }
      case 'undefined':
      case 'function':
      case 'symbol':
        throw new PyJsonError(`Object of type ${describeType(v)} is not JSON serializable.`);
    }
  };

  const root = convert(x);
  for (;;) {
    const top = stack[stack.length - 1];
    if (top === undefined) return root;
    if (top.index >= top.items.length) {
      onPath.delete(top.source);
      stack.pop();
      continue;
    }
    const index = top.index++;
    // convert() may push a child frame; the child container is already linked into its parent.
    const item = convert(top.items[index]);
    if (top.array !== undefined) top.array.push(item);
    else top.object.set(top.keys[index] ?? '', item);
  }
}

/** Python truthiness of a JSON value (`if value:`), exact for integers of any size. */
export function pythonTruthy(value: PyJsonValue | undefined): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof PyNumber) {
    return value.isInteger ? BigInt(value.lexeme) !== 0n : Number(value.lexeme) !== 0;
  }
  if (Array.isArray(value)) return value.length > 0;
  return value.size > 0;
}

/** How an error message names a value's type: "a string", "an integer", "missing", … */
export function describePythonJsonType(value: PyJsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (value instanceof PyNumber) return value.isInteger ? 'an integer' : 'a float';
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}
