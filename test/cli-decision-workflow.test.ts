/**
 * The officer workflow from the command line: keys, request, signed N-of-M approval, execution
 * through a router command, verification of the store against its ledger, and tampering caught.
 */
import Database from 'better-sqlite3';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from './support/ledger-fixtures';
import {
  describeRun,
  expectOneSentenceError,
  EXIT,
  runCli,
  temporaryConfigHome,
} from './support/cli';

describe('decision workflow (CLI)', () => {
  const configHome = temporaryConfigHome();
  const directory = temporaryDirectory();
  const cli = (...args: string[]) => runCli(args, { configHome });
  const store = join(directory, 'decisions.db');
  const ledger = join(directory, 'decisions.ledger.db');
  const signers = join(directory, 'officers.json');
  const passphrase = join(directory, 'passphrase.txt');
  const router = join(directory, 'router.mjs');

  it('runs request → approve ×2 → execute, verifies, and catches tampering', () => {
    writeFileSync(passphrase, 'officer passphrase\n');
    writeFileSync(
      router,
      `let input = '';
       process.stdin.on('data', (chunk) => (input += chunk));
       process.stdin.on('end', () => process.stdout.write(JSON.stringify({ run_id: 'run-cli-1', steps_executed: 2, echo: JSON.parse(input).goal })));`,
    );
    const keyring: Record<string, string> = {};
    for (const officer of ['alice@example.com', 'bob@example.com']) {
      const made = cli(
        'keygen',
        '--key-id',
        officer,
        '--out',
        join(directory, `${officer}.key`),
        '--passphrase-file',
        passphrase,
      );
      expect(made.status, describeRun(made)).toBe(EXIT.pass);
      Object.assign(keyring, JSON.parse(made.stdout) as Record<string, string>);
    }
    writeFileSync(signers, JSON.stringify(keyring));

    const requested = cli(
      'request',
      store,
      '--goal',
      'Rotate clés — prod',
      '--actor',
      'carol@example.com',
      '--mode',
      'apply',
      '--min-approvals',
      '2',
      '--labels',
      'prod,security',
      '--require-signed-approvals',
    );
    expect(requested.status, describeRun(requested)).toBe(EXIT.pass);
    const id = requested.stdout.trim();
    expect(existsSync(ledger)).toBe(true);

    const approve = (officer: string) =>
      cli(
        'approve',
        store,
        id,
        '--key',
        join(directory, `${officer}.key`),
        '--passphrase-file',
        passphrase,
        '--signers',
        signers,
        '--comment',
        `OK from ${officer}`,
      );
    expect(approve('alice@example.com').status).toBe(EXIT.pass);
    expectOneSentenceError(approve('alice@example.com'), /already approved/);
    expect(approve('bob@example.com').status).toBe(EXIT.pass);

    const listed = cli('decisions', 'list', store, '--json', '--signers', signers);
    // Without the officers' keys nothing counts under require_signed_approvals.
    expect(cli('decisions', 'list', store, '--json').stdout).toContain('"approvals": "0/2"');
    expect(listed.stdout).toContain('"approvals": "2/2"');

    const executeArgs = [
      'execute',
      store,
      id,
      '--actor',
      'carol@example.com',
      '--adapter',
      'ops',
      '--signers',
      signers,
      '--',
      process.execPath,
      router,
    ];
    const executed = cli(...executeArgs);
    expect(executed.status, describeRun(executed)).toBe(EXIT.pass);
    expect(executed.stdout).toContain('run-cli-1');
    expectOneSentenceError(cli(...executeArgs), /already been executed/);

    const verified = cli('decisions', 'verify', store, '--signers', signers, '--json');
    expect(verified.status, describeRun(verified)).toBe(EXIT.pass);
    const document = JSON.parse(verified.stdout) as {
      subject: string;
      verdict: string;
      checks: { check: string; status: string }[];
    };
    expect(document).toMatchObject({ subject: 'decision-store', verdict: 'pass' });
    expect(document.checks.map((check) => check.check)).toEqual(
      expect.arrayContaining([
        'decision.ledger_binding',
        'decision.approval_signatures',
        'ledger.hashes',
      ]),
    );

    const exported = join(directory, 'bundle.json');
    expect(cli('bundle', 'export', store, id, '--out', exported, '--signers', signers).status).toBe(
      EXIT.pass,
    );
    const bundleVerified = cli('bundle', 'verify', exported, '--db', store);
    expect(bundleVerified.status, describeRun(bundleVerified)).toBe(EXIT.pass);

    // Re-attribute Bob's approval: nexus-attest's digest does not cover the actor; the ledger does.
    const raw = new Database(store);
    raw
      .prepare(
        "UPDATE decision_events SET actor_id = 'mallory@example.com' WHERE decision_id = ? AND seq = 3",
      )
      .run(id);
    raw.close();
    const tampered = cli('decisions', 'verify', store, '--signers', signers);
    expect(tampered.status).toBe(EXIT.fail);
    expect(tampered.stdout).toMatch(/FAIL\s+decision\.ledger_binding\s+DECISION_EVENT_ALTERED/);
  });

  it('bad input is one sentence and writes nothing', () => {
    const fresh = join(directory, 'fresh.db');
    expectOneSentenceError(
      cli('request', fresh, '--goal', 'g', '--actor', 'a', '--min-approvals', '0'),
      /min_approvals must be at least 1/,
    );
    expect(existsSync(fresh)).toBe(false);
    expectOneSentenceError(cli('request', fresh, '--goal', 'g'), /--actor/);
    expectOneSentenceError(
      cli(
        'request',
        fresh,
        '--goal',
        'g',
        '--actor',
        'a',
        '--min-approvals',
        '99999999999999999999',
      ),
      /whole number/,
    );
    expectOneSentenceError(cli('approve', store, 'some-id'), /--key FILE/);
    expectOneSentenceError(
      cli('execute', store, 'some-id', '--actor', 'a', '--adapter', 'x'),
      /router command after --/,
    );
    expect(existsSync(fresh)).toBe(false);
  });
});
