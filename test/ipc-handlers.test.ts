/** The main-side boundary of the IPC contract: schemas, envelopes, and every channel handled. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  IPC_CHANNELS,
  IPC_EVENTS,
  PRELOAD_EVENT_METHODS,
  PRELOAD_METHODS,
} from '../src-shared/ipc/ipc-contract';
import { parseKeyring } from '../src-shared/keyring';
import { createLedgerHandlers, dispatchIpcCall } from '../src-main/ipc/ipc-handlers';
import { temporaryDirectory } from './support/ledger-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));

describe('IPC handlers', () => {
  const stateDir = temporaryDirectory();
  const handlers = createLedgerHandlers({
    ledgerPath: join(demoDir, 'demo-ledger.db'),
    keyring: parseKeyring(readFileSync(join(demoDir, 'demo-keyring.json'), 'utf8'), 'demo'),
    stateDir,
  });
  const noEmit = (): void => {};

  it('every ledger channel has a handler, every channel a schema pair and exactly one preload method', () => {
    // Each namespace has its own handler set; the demo session merges them (decision-handlers.test.ts).
    expect(Object.keys(handlers).sort()).toEqual(
      Object.keys(IPC_CHANNELS)
        .filter((channel) => channel.startsWith('ledger/'))
        .sort(),
    );
    expect(Object.keys(PRELOAD_METHODS).sort()).toEqual(Object.keys(IPC_CHANNELS).sort());
    expect(new Set(Object.values(PRELOAD_METHODS)).size).toBe(Object.keys(PRELOAD_METHODS).length);
    expect(Object.keys(PRELOAD_EVENT_METHODS).sort()).toEqual(Object.keys(IPC_EVENTS).sort());
    for (const channel of Object.values(IPC_CHANNELS)) {
      expect(channel.input).toBeDefined();
      expect(channel.output).toBeDefined();
    }
  });

  it('rejects unknown channels and inputs outside the schema, with a code', async () => {
    expect(await dispatchIpcCall(handlers, 'ledger/delete', {}, noEmit)).toMatchObject({
      ok: false,
      error: { code: 'USAGE' },
    });
    // A renderer must never pass a path: the schema admits no fields at all.
    expect(
      await dispatchIpcCall(handlers, 'ledger/verify', { path: '/etc/passwd' }, noEmit),
    ).toMatchObject({
      ok: false,
      error: { code: 'USAGE' },
    });
  });

  it('describes and verifies the open ledger; outputs match their schemas', async () => {
    const described = await dispatchIpcCall(handlers, 'ledger/describe', {}, noEmit);
    expect(described.ok).toBe(true);
    expect(
      IPC_CHANNELS['ledger/describe'].output.parse(described.ok && described.data),
    ).toMatchObject({ fileName: 'demo-ledger.db' });

    const progress: unknown[] = [];
    const verified = await dispatchIpcCall(handlers, 'ledger/verify', {}, (_event, payload) =>
      progress.push(payload),
    );
    expect(verified.ok).toBe(true);
    const data = IPC_CHANNELS['ledger/verify'].output.parse(verified.ok && verified.data);
    expect(data.verdict).toBe('pass');
    expect(progress.at(-1)).toEqual({ rowsDone: 3000, rowsTotal: 3000 });
  });

  it('a missing ledger is an error envelope with its code, not a throw', async () => {
    const missing = createLedgerHandlers({
      ledgerPath: join(stateDir, 'nope.db'),
      keyring: null,
      stateDir,
    });
    expect(await dispatchIpcCall(missing, 'ledger/describe', {}, noEmit)).toMatchObject({
      ok: false,
      error: { code: 'FILE_NOT_FOUND' },
    });
  });

  it('cancel reports whether anything was running', async () => {
    expect(await dispatchIpcCall(handlers, 'ledger/cancel-verify', {}, noEmit)).toEqual({
      ok: true,
      data: { cancelled: false },
    });
  });
});
