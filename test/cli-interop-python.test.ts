/**
 * Entries written by `proofdesk append` checked by Python itself: every entry_hash recomputed with
 * nexuscone's exact formula (spec §2: json.dumps(sort_keys=True, separators=(",", ":")) over the
 * seven v2 fields, payload as the stored string), the chain links, and every payload equal to what
 * Python's json.dumps gives for json.loads of it, so nexuscone reads back exactly what it would
 * have written.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './support/ledger-fixtures';
import { describeRun, EXIT, runCli, temporaryConfigHome, type CliResult } from './support/cli';

const PYTHON_CHECK = String.raw`
import hashlib, json, sys

rows = json.load(sys.stdin)
problems = []
previous = "0" * 64
for row in rows:
    fields = {key: row[key] for key in (
        "action", "actor", "entry_id", "event_type", "payload", "previous_hash", "timestamp")}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != row["entry_hash"]:
        problems.append("entry %d: python hash %s != stored %s" % (row["entry_id"], digest, row["entry_hash"]))
    if row["previous_hash"] != previous:
        problems.append("entry %d: previous_hash does not link" % row["entry_id"])
    previous = row["entry_hash"]
    redumped = json.dumps(json.loads(row["payload"]), sort_keys=True, separators=(",", ":"))
    if redumped != row["payload"]:
        problems.append("entry %d: payload %r re-dumps as %r" % (row["entry_id"], row["payload"], redumped))
    if not all(ord(c) < 128 for c in row["payload"]):
        problems.append("entry %d: payload is not ASCII" % row["entry_id"])
print(json.dumps({"checked": len(rows), "problems": problems}))
`;

function pythonAvailable(): boolean {
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.version_info[0])'], {
    encoding: 'utf8',
  });
  return probe.error === undefined && probe.status === 0 && probe.stdout.trim() === '3';
}

function describeWithPython(name: string, fn: () => void): void {
  if (pythonAvailable()) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has python3', () => {
        throw new Error('CI requires python3 on PATH for the nexuscone interop check.');
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": python3 is not on PATH.`);
  describe.skip(name, () => {
    it('needs python3', () => {});
  });
}

const PAYLOADS: unknown[] = [
  { b: 1, a: 'é', f: 1.0, big: 18446744073709551616n },
  {
    floats: [0.1, 1.0, -0.0, 1e-7, 1e16, 1e21, 1.5e300, 5e-324, 100.0, 2.5],
    ints: [0, -1, 9007199254740993n, 10n ** 30n],
  },
  {
    nested: { deeper: { deepest: [{ z: null, y: true, x: false }, [], {}] } },
    text: 'tab\there, quote " backslash \\ slash / control \u0001 del \u007f',
    emoji: '😀 Zoë 🚀',
    '\ue000': 'private use',
    '\uff01': 'fullwidth',
    '😀': 'astral key',
    rtl: 'שלום',
    combining: 'e\u0301',
  },
  {},
];

/** JSON text with bigints written as plain integers. */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'bigint' ? `@@${item.toString()}@@` : item,
  ).replace(/"@@(-?\d+)@@"/g, '$1');
}

describeWithPython('ledgers written by proofdesk append, checked by Python (nexuscone §2)', () => {
  const configHome = temporaryConfigHome();
  const directory = temporaryDirectory();
  const cli = (args: string[], input?: string): CliResult => runCli(args, { configHome, input });

  it('every entry_hash and payload matches what nexuscone computes', () => {
    const folder = mkdtempSync(join(directory, 'case-'));
    const path = join(folder, 'python.db');
    // Floats Python writes with a ".0" or an exponent are passed as text, exactly as typed.
    const flagPayload = '{"b":1,"a":"é","f":1.0,"big":18446744073709551616,"e":1E16,"m":-0.0}';
    const first = cli([
      'append',
      path,
      '--actor',
      'Zoë 🚀',
      '--action',
      'créer',
      '--event-type',
      'décision',
      '--payload',
      flagPayload,
    ]);
    expect(first.status, describeRun(first)).toBe(EXIT.pass);

    const keyFile = join(folder, 'k.json');
    expect(cli(['keygen', '--key-id', 'officer-1', '--out', keyFile]).status).toBe(EXIT.pass);
    const batch = PAYLOADS.map((payload, index) =>
      jsonText({
        actor: index % 2 === 0 ? 'Zoë 🚀' : 'агент-7',
        action: `step ${index} — “quoted”`,
        event_type: index === 0 ? 'tool' : 'request',
        payload,
      }),
    ).join('\n');
    const second = cli(['append', path, '--key', keyFile], batch);
    expect(second.status, describeRun(second)).toBe(EXIT.pass);
    // A raw float literal must survive exactly as Python would print it.
    const third = cli(['append', path], '{"actor":"x","action":"y","payload":{"v":1.10,"w":3e-5}}');
    expect(third.status, describeRun(third)).toBe(EXIT.pass);

    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT * FROM entries ORDER BY entry_id').all() as Record<
      string,
      unknown
    >[];
    db.close();
    expect(rows).toHaveLength(PAYLOADS.length + 2);
    expect(rows[0]?.['actor']).toBe('Zoë 🚀');

    const python = spawnSync('python3', ['-c', PYTHON_CHECK], {
      input: JSON.stringify(rows),
      encoding: 'utf8',
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUTF8: '1' },
    });
    expect(python.status, python.stderr).toBe(0);
    const report = JSON.parse(python.stdout) as { checked: number; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(report.checked).toBe(rows.length);

    // Spot checks of Python's own formatting.
    expect(rows[0]?.['payload']).toBe(
      '{"a":"\\u00e9","b":1,"big":18446744073709551616,"e":1e+16,"f":1.0,"m":-0.0}',
    );
    expect(rows.at(-1)?.['payload']).toBe('{"v":1.1,"w":3e-05}');

    const verified = cli(['verify', '--state-dir', join(folder, 'state'), path]);
    expect(verified.status, describeRun(verified)).toBe(EXIT.pass);
  });
});
