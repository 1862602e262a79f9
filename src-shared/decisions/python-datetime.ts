/**
 * Python 3.11's `datetime.fromisoformat` as nexus-attest relies on it (../shared/specs/nexus-attest.md
 * §2.1, §5): event `ts` strings and approval `expires_at` strings are parsed with it on every
 * replay, and an `expires_at` without a UTC offset ("naive") is what makes nexus-attest raise
 * `TypeError: can't compare offset-naive and offset-aware datetimes`.
 *
 * The parser is a port of CPython 3.11's C implementation (`Modules/_datetimemodule.c`,
 * `datetime_fromisoformat`), which is what actually runs, rather than of the documented grammar:
 * it works on the UTF-8 bytes, accepts any single character as the date/time separator, the basic
 * and extended forms, ISO week dates, `,` as the decimal mark, `Z`, offsets with seconds and
 * microseconds, and reproduces the C quirks (for example `12:34.5` is 12:34:00.5 and junk after a
 * seventh fractional digit is ignored when an offset follows). test/decision-datetime.test.ts
 * compares it with CPython on a few thousand generated strings.
 *
 * Stored strings are never reformatted: this module only turns them into instants. Platform-free.
 */
import { pythonStrRepr } from './decision-policy';

export interface PythonDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly microsecond: number;
  /** False for a naive datetime (no UTC offset); Python refuses to order naive against aware. */
  readonly hasOffset: boolean;
  /** The UTC offset in microseconds (east positive); 0 when naive. */
  readonly offsetMicros: bigint;
  /**
   * Aware: the instant, in microseconds since 1970-01-01T00:00:00Z. Naive: the wall-clock reading
   * counted the same way as if it were UTC, meaningful only against other naive values.
   */
  readonly epochMicros: bigint;
}

/** Python's ValueError from fromisoformat, with Python's message. */
export class PythonDateTimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonDateTimeError';
  }
}

/** Python's TypeError for ordering a naive datetime against an aware one. */
export class NaiveAwareComparisonError extends Error {
  constructor() {
    super("can't compare offset-naive and offset-aware datetimes");
    this.name = 'NaiveAwareComparisonError';
  }
}

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;
/** Ordinal (0001-01-01 = 1) of 1970-01-01. */
const UNIX_EPOCH_ORDINAL = 719_163;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, as Python's date)

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month] ?? 0);
}

function daysBeforeYear(year: number): number {
  const y = year - 1;
  return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400);
}

/** Python's date.toordinal(): 0001-01-01 is 1. */
function ymdToOrdinal(year: number, month: number, day: number): number {
  const beforeMonth = (DAYS_BEFORE_MONTH[month] ?? 0) + (month > 2 && isLeap(year) ? 1 : 0);
  return daysBeforeYear(year) + beforeMonth + day;
}

/** Inverse of ymdToOrdinal for ordinals >= 1 (years beyond 9999 are returned as such). */
function ordinalToYmd(ordinal: number): [number, number, number] {
  // Civil-from-days on days since 0000-03-01.
  const z = ordinal + 305;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return [year, month, day];
}

/** Monday = 0 … Sunday = 6, as date.weekday(). */
function weekday(year: number, month: number, day: number): number {
  return (ymdToOrdinal(year, month, day) + 6) % 7;
}

function isoWeek1Monday(year: number): number {
  const firstDay = ymdToOrdinal(year, 1, 1);
  const firstWeekday = (firstDay + 6) % 7;
  let week1Monday = firstDay - firstWeekday;
  if (firstWeekday > 3) week1Monday += 7;
  return week1Monday;
}

// ---------------------------------------------------------------------------------------------
// The C parser, on UTF-8 bytes with a NUL terminator

const INVALID = Symbol('invalid isoformat string');

class IsoBytes {
  constructor(private readonly bytes: readonly number[]) {}

  /** The byte at `i`, or 0 past the end (the C string's terminator). */
  at(i: number): number {
    return i >= 0 && i < this.bytes.length ? (this.bytes[i] ?? 0) : 0;
  }

  get length(): number {
    return this.bytes.length;
  }
}

const CH = {
  NUL: 0,
  PLUS: 0x2b,
  COMMA: 0x2c,
  MINUS: 0x2d,
  DOT: 0x2e,
  ZERO: 0x30,
  COLON: 0x3a,
  W: 0x57,
  Z: 0x5a,
} as const;

function isDigitByte(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

/** `parse_digits`: the value of `count` digits at `pos`, or undefined at the first non-digit. */
function parseDigits(s: IsoBytes, pos: number, count: number): number | undefined {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const byte = s.at(pos + i);
    if (!isDigitByte(byte)) return undefined;
    value = value * 10 + (byte - CH.ZERO);
  }
  return value;
}

/** `_find_isoformat_datetime_separator`. */
function findSeparator(s: IsoBytes): number {
  const len = s.length;
  if (len === 7) return 7;
  if (s.at(4) === CH.MINUS) {
    if (s.at(5) === CH.W) {
      if (len < 8) return -1;
      if (len > 8 && s.at(8) === CH.MINUS) {
        if (len === 9) return -1;
        if (len > 10 && isDigitByte(s.at(10))) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (s.at(4) === CH.W) {
    let idx = 7;
    while (idx < len && isDigitByte(s.at(idx))) idx++;
    if (idx < 9) return idx;
    return idx % 2 === 0 ? 7 : 8;
  }
  return 8;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** `parse_isoformat_date` over the first `len` bytes; week dates are converted as `iso_to_ymd`. */
function parseDate(s: IsoBytes, len: number): DateParts | typeof INVALID {
  let p = 0;
  const year = parseDigits(s, p, 4);
  if (year === undefined) return INVALID;
  p += 4;
  const usesSeparator = s.at(p) === CH.MINUS;
  if (usesSeparator) p++;
  if (s.at(p) === CH.W) {
    p++;
    const week = parseDigits(s, p, 2);
    if (week === undefined) return INVALID;
    p += 2;
    let isoDay = 1;
    if (p < len) {
      if (usesSeparator && s.at(p++) !== CH.MINUS) return INVALID;
      const parsedDay = parseDigits(s, p, 1);
      if (parsedDay === undefined) return INVALID;
      isoDay = parsedDay;
    }
    // Year 0 has no ISO week that CPython maps to a valid date (its arithmetic underflows into
    // an invalid month), so it is rejected here with the same outcome.
    if (year < 1) return INVALID;
    if (week <= 0 || week >= 53) {
      const first = weekday(year, 1, 1);
      const has53 = week === 53 && (first === 3 || (first === 2 && isLeap(year)));
      if (!has53) return INVALID;
    }
    if (isoDay <= 0 || isoDay >= 8) return INVALID;
    const [y, m, d] = ordinalToYmd(isoWeek1Monday(year) + (week - 1) * 7 + isoDay - 1);
    return { year: y, month: m, day: d };
  }
  const month = parseDigits(s, p, 2);
  if (month === undefined) return INVALID;
  p += 2;
  if (usesSeparator && s.at(p++) !== CH.MINUS) return INVALID;
  const day = parseDigits(s, p, 2);
  if (day === undefined) return INVALID;
  return { year, month, day };
}

interface TimeParts {
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
}

const FRACTION_CORRECTION = [100_000, 10_000, 1000, 100, 10];

/**
 * `parse_hh_mm_ss_ff` between byte offsets `start` and `end`: the parts, and whether the byte it
 * stopped at is not the terminator (the C function's return value 1), or INVALID.
 */
function parseHhMmSsFf(
  s: IsoBytes,
  start: number,
  end: number,
): { parts: TimeParts; notAtEnd: boolean } | typeof INVALID {
  const values = [0, 0, 0];
  let p = start;
  let hasSeparator = true;
  for (let i = 0; i < 3; i++) {
    const value = parseDigits(s, p, 2);
    if (value === undefined) return INVALID;
    values[i] = value;
    p += 2;
    const c = s.at(p++);
    if (i === 0) hasSeparator = c === CH.COLON;
    if (p >= end) {
      const [hour = 0, minute = 0, second = 0] = values;
      return { parts: { hour, minute, second, microsecond: 0 }, notAtEnd: c !== CH.NUL };
    } else if (hasSeparator && c === CH.COLON) {
      continue;
    } else if (c === CH.DOT || c === CH.COMMA) {
      break;
    } else if (!hasSeparator) {
      p--;
    } else {
      return INVALID;
    }
  }
  // Here p < end, so at least one fraction digit is required.
  const toParse = Math.min(end - p, 6);
  const fraction = parseDigits(s, p, toParse);
  if (fraction === undefined) return INVALID;
  p += toParse;
  const microsecond = fraction * (toParse < 6 ? (FRACTION_CORRECTION[toParse - 1] ?? 1) : 1);
  // Digits beyond the sixth are dropped, not rounded.
  while (isDigitByte(s.at(p))) p++;
  const [hour = 0, minute = 0, second = 0] = values;
  return { parts: { hour, minute, second, microsecond }, notAtEnd: s.at(p) !== CH.NUL };
}

interface TimeAndZone extends TimeParts {
  /** Undefined when naive. */
  offsetSeconds?: number;
  offsetMicroseconds?: number;
}

/** `parse_isoformat_time` on bytes [start, start + len). */
function parseTime(s: IsoBytes, start: number, len: number): TimeAndZone | typeof INVALID {
  const end = start + len;
  let tzPos = start;
  do {
    const byte = s.at(tzPos);
    if (byte === CH.Z || byte === CH.PLUS || byte === CH.MINUS) break;
  } while (++tzPos < end);

  const time = parseHhMmSsFf(s, start, tzPos);
  if (time === INVALID) return INVALID;
  if (tzPos === end) {
    return time.notAtEnd ? INVALID : { ...time.parts };
  }
  if (s.at(tzPos) === CH.Z) {
    if (s.at(tzPos + 1) !== CH.NUL) return INVALID;
    return { ...time.parts, offsetSeconds: 0, offsetMicroseconds: 0 };
  }
  const sign = s.at(tzPos) === CH.MINUS ? -1 : 1;
  const zone = parseHhMmSsFf(s, tzPos + 1, end);
  if (zone === INVALID || zone.notAtEnd) return INVALID;
  const { hour, minute, second, microsecond } = zone.parts;
  return {
    ...time.parts,
    offsetSeconds: sign * (hour * 3600 + minute * 60 + second),
    offsetMicroseconds: sign * microsecond,
  };
}

/** Python str's code points: a JS surrogate pair is one code point, a lone surrogate is its own. */
function codePoints(text: string): number[] {
  const points: number[] = [];
  for (const ch of text) points.push(ch.codePointAt(0) ?? 0);
  return points;
}

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** UTF-8 bytes of code points, or undefined if a surrogate remains (Python's encode fails). */
function utf8(points: readonly number[]): number[] | undefined {
  const bytes: number[] = [];
  for (const cp of points) {
    if (isSurrogate(cp)) return undefined;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      bytes.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return bytes;
}

function invalid(text: string): PythonDateTimeError {
  return new PythonDateTimeError(`Invalid isoformat string: ${pythonStrRepr(text)}`);
}

function checkFields(d: DateParts, t: TimeParts): string | undefined {
  if (d.year < 1 || d.year > 9999) return `year ${d.year} is out of range`;
  if (d.month < 1 || d.month > 12) return 'month must be in 1..12';
  if (d.day < 1 || d.day > daysInMonth(d.year, d.month)) return 'day is out of range for month';
  if (t.hour > 23) return 'hour must be in 0..23';
  if (t.minute > 59) return 'minute must be in 0..59';
  if (t.second > 59) return 'second must be in 0..59';
  return undefined;
}

/**
 * `datetime.fromisoformat(text)` as CPython 3.11 evaluates it. Throws PythonDateTimeError with
 * Python's message when Python raises ValueError.
 */
export function parsePythonIsoformat(text: string): PythonDateTime {
  const points = codePoints(text);
  if (points.length < 7) throw invalid(text);
  // `_sanitize_isoformat_str`: a surrogate is tolerated only as the separator (at 7, 8 or 10).
  for (const position of [7, 8, 10]) {
    if (position > points.length) break;
    if (isSurrogate(points[position] ?? 0)) {
      points[position] = 0x54; // 'T'
      break;
    }
  }
  const encoded = utf8(points);
  if (encoded === undefined) throw invalid(text);
  const s = new IsoBytes(encoded);
  const len = s.length;
  const separator = findSeparator(s);

  // A -1 separator (e.g. "2099-W01-") can never give a valid date in CPython either.
  const date = separator < 0 ? INVALID : parseDate(s, separator);
  let time: TimeAndZone | typeof INVALID = { hour: 0, minute: 0, second: 0, microsecond: 0 };
  if (date !== INVALID && len > separator) {
    // Skip the separator, which may be any single (UTF-8 encoded) character.
    const lead = s.at(separator);
    let p = separator;
    if ((lead & 0x80) === 0) p += 1;
    else if ((lead & 0xf0) === 0xe0) p += 3;
    else if ((lead & 0xf0) === 0xf0) p += 4;
    else p += 2;
    time = parseTime(s, p, len - p);
  }
  if (date === INVALID || time === INVALID) throw invalid(text);

  const hasOffset = time.offsetSeconds !== undefined;
  let offsetMicros = 0n;
  if (hasOffset) {
    const seconds = time.offsetSeconds ?? 0;
    // CPython returns timezone.utc for a zero-second offset, dropping any microseconds.
    offsetMicros =
      seconds === 0
        ? 0n
        : BigInt(seconds) * MICROS_PER_SECOND + BigInt(time.offsetMicroseconds ?? 0);
    if (offsetMicros <= -MICROS_PER_DAY || offsetMicros >= MICROS_PER_DAY) {
      throw new PythonDateTimeError(
        'offset must be a timedelta strictly between -timedelta(hours=24) and timedelta(hours=24).',
      );
    }
  }
  const fieldProblem = checkFields(date, time);
  if (fieldProblem !== undefined) throw new PythonDateTimeError(fieldProblem);

  const days = BigInt(ymdToOrdinal(date.year, date.month, date.day) - UNIX_EPOCH_ORDINAL);
  const wallMicros =
    days * MICROS_PER_DAY +
    BigInt(time.hour * 3600 + time.minute * 60 + time.second) * MICROS_PER_SECOND +
    BigInt(time.microsecond);
  return {
    year: date.year,
    month: date.month,
    day: date.day,
    hour: time.hour,
    minute: time.minute,
    second: time.second,
    microsecond: time.microsecond,
    hasOffset,
    offsetMicros,
    epochMicros: wallMicros - offsetMicros,
  };
}

/** parsePythonIsoformat, or the ValueError message. */
export function tryParsePythonIsoformat(
  text: string,
): { ok: true; value: PythonDateTime } | { ok: false; message: string } {
  try {
    return { ok: true, value: parsePythonIsoformat(text) };
  } catch (error) {
    if (error instanceof PythonDateTimeError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * Python's ordering of two datetimes: negative, zero or positive. Aware values compare as
 * instants, naive values by wall clock, and a naive value against an aware one throws
 * NaiveAwareComparisonError, as `<`, `<=`, `>` and `>=` do in Python.
 */
export function comparePythonDateTimes(a: PythonDateTime, b: PythonDateTime): number {
  if (a.hasOffset !== b.hasOffset) throw new NaiveAwareComparisonError();
  return a.epochMicros < b.epochMicros ? -1 : a.epochMicros > b.epochMicros ? 1 : 0;
}

/** An aware UTC datetime at an instant (microseconds since the Unix epoch), like datetime.now(UTC). */
export function utcDateTimeFromEpochMicros(epochMicros: bigint): PythonDateTime {
  const dayIndex = floorDiv(epochMicros, MICROS_PER_DAY);
  const inDay = epochMicros - dayIndex * MICROS_PER_DAY;
  const [year, month, day] = ordinalToYmd(Number(dayIndex) + UNIX_EPOCH_ORDINAL);
  const seconds = Number(inDay / MICROS_PER_SECOND);
  return {
    year,
    month,
    day,
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
    microsecond: Number(inDay % MICROS_PER_SECOND),
    hasOffset: true,
    offsetMicros: 0n,
    epochMicros,
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Microseconds since the Unix epoch of a JS Date (whole milliseconds). */
export function epochMicrosFromDate(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid Date.');
  return BigInt(ms) * 1000n;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/**
 * `datetime.isoformat()` of a parsed value: what nexus-attest prints when it re-serialises a
 * parsed timestamp. Proofdesk shows stored strings verbatim; this exists to explain differences
 * (for example a stored `Z` that Python would print as `+00:00`).
 */
export function formatPythonIsoformat(dt: PythonDateTime): string {
  let out = `${pad(dt.year, 4)}-${pad(dt.month, 2)}-${pad(dt.day, 2)}T${pad(dt.hour, 2)}:${pad(dt.minute, 2)}:${pad(dt.second, 2)}`;
  if (dt.microsecond !== 0) out += '.' + pad(dt.microsecond, 6);
  if (!dt.hasOffset) return out;
  let offset = dt.offsetMicros;
  const sign = offset < 0n ? '-' : '+';
  if (offset < 0n) offset = -offset;
  const micros = Number(offset % MICROS_PER_SECOND);
  const totalSeconds = Number(offset / MICROS_PER_SECOND);
  const hh = Math.floor(totalSeconds / 3600);
  const mm = Math.floor(totalSeconds / 60) % 60;
  const ss = totalSeconds % 60;
  out += `${sign}${pad(hh, 2)}:${pad(mm, 2)}`;
  if (ss !== 0 || micros !== 0) {
    out += ':' + pad(ss, 2);
    if (micros !== 0) out += '.' + pad(micros, 6);
  }
  return out;
}
