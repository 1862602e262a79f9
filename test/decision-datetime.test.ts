/**
 * python-datetime.ts against CPython: fixed cases observed in Python 3.11.7, and (when python3 is
 * on PATH) a differential run of a few thousand generated strings through the real
 * `datetime.fromisoformat`, comparing the parsed fields, the UTC offset and `isoformat()`.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NaiveAwareComparisonError,
  PythonDateTimeError,
  comparePythonDateTimes,
  epochMicrosFromDate,
  formatPythonIsoformat,
  parsePythonIsoformat,
  tryParsePythonIsoformat,
  utcDateTimeFromEpochMicros,
} from '../src-shared/decisions/python-datetime';

describe('parsePythonIsoformat: what nexus-attest stores', () => {
  it('parses isoformat with and without microseconds, keeping microsecond precision', () => {
    const a = parsePythonIsoformat('2026-11-22T21:17:42.108328+00:00');
    expect(a).toMatchObject({ year: 2026, month: 11, day: 22, hour: 21, minute: 17, second: 42 });
    expect(a.microsecond).toBe(108328);
    expect(a.hasOffset).toBe(true);
    expect(a.epochMicros).toBe(BigInt(Date.UTC(2026, 10, 22, 21, 17, 42)) * 1000n + 108328n);
    const b = parsePythonIsoformat('2026-11-22T21:17:42+00:00');
    expect(b.epochMicros).toBe(BigInt(Date.UTC(2026, 10, 22, 21, 17, 42)) * 1000n);
    expect(formatPythonIsoformat(a)).toBe('2026-11-22T21:17:42.108328+00:00');
    expect(formatPythonIsoformat(b)).toBe('2026-11-22T21:17:42+00:00');
  });

  it('treats a string without an offset as naive and refuses to order it against an aware one', () => {
    const naive = parsePythonIsoformat('2099-01-01T00:00:00');
    expect(naive.hasOffset).toBe(false);
    const aware = parsePythonIsoformat('2026-11-22T21:22:57.688216+00:00');
    expect(() => comparePythonDateTimes(naive, aware)).toThrow(NaiveAwareComparisonError);
    expect(() => comparePythonDateTimes(naive, aware)).toThrow(
      "can't compare offset-naive and offset-aware datetimes",
    );
    expect(comparePythonDateTimes(naive, parsePythonIsoformat('2098-12-31 23:59'))).toBe(1);
  });

  it('compares aware values as instants whatever their offsets', () => {
    const utc = parsePythonIsoformat('2026-01-01T12:00:00Z');
    const plusOne = parsePythonIsoformat('2026-01-01T13:00:00+01:00');
    expect(comparePythonDateTimes(utc, plusOne)).toBe(0);
    expect(formatPythonIsoformat(utc)).toBe('2026-01-01T12:00:00+00:00');
    expect(formatPythonIsoformat(plusOne)).toBe('2026-01-01T13:00:00+01:00');
  });

  it.each([
    // Observed in CPython 3.11.7.
    ['2099-01-01T12:34:56:789', '2099-01-01T12:34:56.789000'],
    ['2099-01-01T12:34.5', '2099-01-01T12:34:00.500000'],
    ['2099-01-01T12:34:56.1234567abc+00:00', '2099-01-01T12:34:56.123456+00:00'],
    ['2099-01-01T12:00+00:99', '2099-01-01T12:00:00+01:39'],
    ['2099-01-01T12:00+00:00:00.5', '2099-01-01T12:00:00+00:00'],
    ['2099-01-01T12:00+23:59:59.999999', '2099-01-01T12:00:00+23:59:59.999999'],
    ['2099-01-01T12:00Z\u0000junk', '2099-01-01T12:00:00+00:00'],
    ['0001-W01-1', '0001-01-01T00:00:00'],
    ['9999-W52-5', '9999-12-31T00:00:00'],
    ['2020W537', '2021-01-03T00:00:00'],
    ['20260102T030405,5-0130', '2026-01-02T03:04:05.500000-01:30'],
    ['2026-01-02\ud80003:04', '2026-01-02T03:04:00'],
    ['2026-01-02é03:04', '2026-01-02T03:04:00'],
  ])('accepts %j as Python does', (text, isoformat) => {
    expect(formatPythonIsoformat(parsePythonIsoformat(text))).toBe(isoformat);
  });

  it.each([
    ['20990101T1234567', "Invalid isoformat string: '20990101T1234567'"],
    ['2099-01-01T24:00', 'hour must be in 0..23'],
    ['9999-W52-6', 'year 10000 is out of range'],
    ['0000-W52-7', undefined],
    ['2099-01-01T', undefined],
    ['2099-02-29', 'day is out of range for month'],
    ['2099-01', undefined],
    ['2099-01-01T00:00:00+24:00', undefined],
    ['2099-01-01T00:00:00Zjunk', undefined],
    ['2099-01-01T00:00:00 ', undefined],
    ["it's", `Invalid isoformat string: "it's"`],
    ['2099-01-01T00:00\ud800', undefined],
  ])('rejects %j as Python does', (text, message) => {
    const result = tryParsePythonIsoformat(text);
    expect(result.ok).toBe(false);
    if (!result.ok && message !== undefined) expect(result.message).toBe(message);
    expect(() => parsePythonIsoformat(text)).toThrow(PythonDateTimeError);
  });

  it('converts instants both ways', () => {
    const micros = 1_795_382_577_688_216n;
    const dt = utcDateTimeFromEpochMicros(micros);
    expect(formatPythonIsoformat(dt)).toBe('2026-11-22T21:22:57.688216+00:00');
    expect(parsePythonIsoformat(formatPythonIsoformat(dt)).epochMicros).toBe(micros);
    expect(formatPythonIsoformat(utcDateTimeFromEpochMicros(-1n))).toBe(
      '1969-12-31T23:59:59.999999+00:00',
    );
    expect(epochMicrosFromDate(new Date('2026-11-22T21:22:57.688Z'))).toBe(1_795_382_577_688_000n);
  });
});

// ---------------------------------------------------------------------------------------------
// Differential run against CPython

const PYTHON_ORACLE = String.raw`
import json, sys
from datetime import datetime
out = []
for s in json.load(sys.stdin):
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        out.append(None)
        continue
    off = d.utcoffset()
    out.append([d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond,
                None if off is None else (off.days * 86400 + off.seconds) * 1000000 + off.microseconds,
                d.isoformat()])
print(json.dumps(out))
`;

function python311(): string | undefined {
  for (const command of ['python3.11', 'python3']) {
    const probe = spawnSync(command, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    });
    if (probe.error === undefined && probe.status === 0 && probe.stdout.trim() === '3.11') {
      return command;
    }
  }
  return undefined;
}

const digit = fc.constantFrom(...'0123456789');
const digits = (min: number, max: number) =>
  fc.array(digit, { minLength: min, maxLength: max }).map((d) => d.join(''));
const twoDigits = fc.oneof(
  digits(2, 2),
  fc.integer({ min: 0, max: 30 }).map((n) => String(n).padStart(2, '0')),
);

const datePart = fc.oneof(
  fc
    .tuple(digits(4, 4), twoDigits, twoDigits, fc.boolean())
    .map(([y, m, d, dash]) => (dash ? `${y}-${m}-${d}` : `${y}${m}${d}`)),
  fc
    .tuple(digits(4, 4), twoDigits, fc.option(digits(1, 1)), fc.boolean())
    .map(([y, w, d, dash]) =>
      dash ? `${y}-W${w}${d === null ? '' : '-' + d}` : `${y}W${w}${d ?? ''}`,
    ),
  fc.constantFrom('2026-11-22', '2024-02-29', '2099-12-31', '0001-01-01', '9999-12-31'),
);
const separator = fc.constantFrom('T', ' ', 'é', '😀', '\ud800', '-', '1', 'x', '');
const fraction = fc.tuple(fc.constantFrom('.', ','), digits(0, 9)).map(([mark, ds]) => mark + ds);
const timePart = fc.oneof(
  fc
    .tuple(twoDigits, fc.option(twoDigits), fc.option(twoDigits), fc.option(fraction), fc.boolean())
    .map(([h, m, s, f, colon]) => {
      const sep = colon ? ':' : '';
      let out = h;
      if (m !== null) out += sep + m;
      if (m !== null && s !== null) out += sep + s;
      if (f !== null) out += f;
      return out;
    }),
  fc.constantFrom('21:17:42.108328', '00:00', '23:59:59.999999', '12'),
);
const zonePart = fc.oneof(
  fc.constant(''),
  fc.constantFrom('Z', '+00:00', '-00:00', '+05:30', '-0800', '+01', '+00:00:00.5'),
  fc
    .tuple(
      fc.constantFrom('+', '-'),
      twoDigits,
      fc.option(twoDigits),
      fc.option(twoDigits),
      fc.option(fraction),
      fc.boolean(),
    )
    .map(([sign, h, m, s, f, colon]) => {
      const sep = colon ? ':' : '';
      let out = sign + h;
      if (m !== null) out += sep + m;
      if (m !== null && s !== null) out += sep + s;
      if (f !== null) out += f;
      return out;
    }),
);
const wellShaped = fc
  .tuple(datePart, separator, fc.option(timePart), zonePart)
  .map(([d, sep, t, z]) => (t === null ? d : d + sep + t + z));
const junkChar = fc.constantFrom(...'0123456789-:T+Z.,W é\u0000😀x');
const mutated = fc
  .tuple(wellShaped, fc.nat(40), fc.option(junkChar), fc.boolean())
  .map(([s, at, ch, remove]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + (ch ?? '') + s.slice(remove ? i + 1 : i);
  });

// Only CPython 3.11 can judge (3.12 rewrote parts of fromisoformat), so without it this one test
// is skipped with a warning, in CI too; the fixed cases above always run.
const python = python311();
const describePython = python === undefined ? describe.skip : describe;
if (python === undefined) {
  console.warn('Skipping the fromisoformat differential test: no Python 3.11 on PATH.');
}

describePython('parsePythonIsoformat against CPython 3.11 fromisoformat', () => {
  it('agrees on a few thousand generated strings', () => {
    const inputs = [
      ...fc.sample(wellShaped, { numRuns: 2500, seed: 20261122 }),
      ...fc.sample(mutated, { numRuns: 2500, seed: 42 }),
    ];
    const run = spawnSync(python ?? 'python3', ['-c', PYTHON_ORACLE], {
      input: JSON.stringify(inputs),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(run.status, run.stderr).toBe(0);
    const expected = JSON.parse(run.stdout) as (
      [number, number, number, number, number, number, number, number | null, string] | null
    )[];
    const mismatches: string[] = [];
    let accepted = 0;
    inputs.forEach((text, index) => {
      const want = expected[index];
      const got = tryParsePythonIsoformat(text);
      if (want === null || want === undefined) {
        if (got.ok) mismatches.push(`${JSON.stringify(text)}: Python rejects, we accept`);
        return;
      }
      accepted++;
      if (!got.ok) {
        mismatches.push(`${JSON.stringify(text)}: Python accepts (${want[8]}), we reject`);
        return;
      }
      const v = got.value;
      const mine = [
        v.year,
        v.month,
        v.day,
        v.hour,
        v.minute,
        v.second,
        v.microsecond,
        v.hasOffset ? Number(v.offsetMicros) : null,
        formatPythonIsoformat(v),
      ];
      if (JSON.stringify(mine) !== JSON.stringify(want)) {
        mismatches.push(
          `${JSON.stringify(text)}: Python ${JSON.stringify(want)}, we ${JSON.stringify(mine)}`,
        );
      }
    });
    expect(mismatches.slice(0, 20)).toEqual([]);
    // The generators must exercise both outcomes substantially.
    expect(accepted).toBeGreaterThan(800);
    expect(inputs.length - accepted).toBeGreaterThan(1000);
  });
});
