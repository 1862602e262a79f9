/**
 * The workspace channels over real files: the demo by default, a ledger or a decision store named
 * by main, the in-app chooser's handles, the system dialog's stand-in, recent files, and a dropped
 * file received as bytes into a private copy. Evidence files are never changed and nothing is
 * left beside them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { IPC_CHANNELS, type ChannelOutput } from '../src-shared/ipc/ipc-contract';
import { DROP_CHUNK_BYTES } from '../src-shared/ipc/workspace-contract';
import { dispatchIpcCall } from '../src-main/ipc/ipc-handlers';
import { Workspace, type WorkspaceOptions } from '../src-main/workspace/workspace';
import { safeFileName } from '../src-main/workspace/dropped-files';
import { copyTo, sha256OfFile, sideFilesOf, temporaryDirectory } from './support/ledger-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const demoLedger = join(demoDir, 'demo-ledger.db');
const demoStore = join(demoDir, 'demo-decisions.db');
const noEmit = (): void => {};
/** An asymmetric matcher typed as the string it stands for. */
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;

const open: Workspace[] = [];
afterEach(async () => {
  for (const workspace of open.splice(0)) await workspace.close();
});

function workspaceWith(options: Partial<WorkspaceOptions> = {}, initialPath?: string) {
  const stateDir = temporaryDirectory();
  const workspace = new Workspace(
    {
      resourcesDemoDir: demoDir,
      stateDir,
      trust: () => ({ keyring: null, officer: null }),
      ...options,
    },
    initialPath,
  );
  open.push(workspace);
  const call = async <C extends keyof typeof IPC_CHANNELS>(channel: C, input: unknown = {}) => {
    const reply = await dispatchIpcCall(workspace.handlers(), channel, input, noEmit);
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return IPC_CHANNELS[channel].output.parse(reply.data) as ChannelOutput<C>;
  };
  const failure = async (channel: keyof typeof IPC_CHANNELS, input: unknown = {}) => {
    const reply = await dispatchIpcCall(workspace.handlers(), channel, input, noEmit);
    if (reply.ok) throw new Error(`${channel} succeeded`);
    return reply.error;
  };
  return { workspace, stateDir, call, failure };
}

/** Sends a file's bytes as the renderer does on a drop. */
async function drop(
  call: ReturnType<typeof workspaceWith>['call'],
  fileName: string,
  bytes: Uint8Array,
  chunkBytes = DROP_CHUNK_BYTES,
) {
  const { receiptId } = await call('workspace/drop-begin', { fileName, bytes: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    const chunk = Buffer.from(bytes.subarray(offset, offset + chunkBytes)).toString('base64');
    await call('workspace/drop-chunk', { receiptId, offset, base64: chunk });
  }
  return call('workspace/drop-open', { receiptId });
}

const dropFolders = (): string[] =>
  readdirSync(tmpdir()).filter((name) => name.startsWith('proofdesk-drop-'));

describe('workspace', () => {
  it('opens the demo when nothing is named, answering every channel but the settings ones', async () => {
    const { workspace, call } = workspaceWith();
    expect(Object.keys(workspace.handlers()).sort()).toEqual(
      Object.keys(IPC_CHANNELS)
        .filter((channel) => !channel.startsWith('settings/'))
        .sort(),
    );
    const described = await call('workspace/describe');
    expect(described).toMatchObject({
      kind: 'demo',
      origin: 'demo',
      title: 'demo-ledger.db',
      fileDialog: 'in-app',
      recent: [],
    });
    expect((await call('decision/list')).decisions.length).toBeGreaterThan(0);
  });

  it('opens a ledger from the command line read-only, serving ledger channels only', async () => {
    const folder = temporaryDirectory();
    const ledger = copyTo(folder, demoLedger);
    const before = sha256OfFile(ledger);
    const { call, failure } = workspaceWith({}, ledger);
    const described = await call('workspace/describe');
    expect(described).toMatchObject({
      kind: 'ledger',
      origin: 'command-line',
      title: 'demo-ledger.db',
      ledger: { fileName: 'demo-ledger.db' },
      decisionStore: null,
    });
    expect(described.recent.map((file) => [file.fileName, file.folder])).toEqual([
      ['demo-ledger.db', folder],
    ]);
    expect((await call('ledger/verify')).verdict).toBe('pass');
    expect((await failure('decision/list')).message).toMatch(/not available/);
    expect(sha256OfFile(ledger)).toBe(before);
    expect(sideFilesOf(ledger)).toEqual([]);
  });

  it('opens a decision store with its bound ledger, and says why approving is off', async () => {
    const folder = temporaryDirectory();
    const store = copyTo(folder, demoStore);
    copyTo(folder, join(demoDir, 'demo-decisions.ledger.db'));
    const { call } = workspaceWith({}, store);
    const described = await call('workspace/describe');
    expect(described).toMatchObject({
      kind: 'decision-store',
      title: 'demo-decisions.db',
      ledger: { fileName: 'demo-decisions.ledger.db' },
      decisionStore: {
        fileName: 'demo-decisions.db',
        readOnlyReason: matching(/No officer key/),
      },
    });
    const { decisions } = await call('decision/list');
    const pending = decisions.find((decision) => decision.state === 'pending_approval');
    const detail = await call('decision/get', { decisionId: pending?.decisionId });
    expect(detail.canApprove).toEqual({
      allowed: false,
      reason: 'No officer key is set up, so approvals cannot be signed.',
    });
    expect((await call('ledger/verify')).file.fileName).toBe('demo-decisions.ledger.db');
  });

  it('keeps what is open when asked to open something that is not evidence', async () => {
    const folder = temporaryDirectory();
    const other = join(folder, 'notes.db');
    new Database(other).exec('CREATE TABLE notes (text TEXT)').close();
    const ledger = copyTo(folder, demoLedger);
    const { workspace, call } = workspaceWith({}, ledger);
    await expect(workspace.open(other, 'dialog')).rejects.toMatchObject({ code: 'NOT_A_LEDGER' });
    await expect(workspace.open(join(folder, 'absent.db'), 'dialog')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
    });
    expect((await call('workspace/describe')).title).toBe('demo-ledger.db');
    expect((await call('ledger/verify')).verdict).toBe('pass');
  });

  it('lists folders for the in-app chooser by handle, and opens a file by its handle', async () => {
    // A folder of its own under a fresh parent: /tmp itself may hold more than the 1,000
    // entries a listing shows.
    const folder = join(temporaryDirectory(), 'ledgers');
    mkdirSync(folder);
    copyTo(folder, demoLedger);
    writeFileSync(join(folder, '.hidden.db'), '');
    const { call, failure } = workspaceWith({ browseHome: folder });
    const listing = await call('workspace/browse');
    expect(listing.folder.display).toBe(folder);
    expect(listing.parent).not.toBeNull();
    expect(listing.entries.map(({ name, kind }) => [name, kind])).toEqual([
      ['demo-ledger.db', 'file'],
    ]);
    const parent = await call('workspace/browse', { folder: listing.parent });
    expect(parent.entries.some((entry) => entry.handle === listing.folder.handle)).toBe(true);

    const file = listing.entries[0];
    const opened = await call('workspace/open', { handle: file?.handle });
    expect(opened).toMatchObject({ kind: 'ledger', origin: 'dialog', title: 'demo-ledger.db' });
    // The file is now a recent one, offered back under the same handle.
    expect(opened.recent[0]?.handle).toBe(file?.handle);
    expect((await call('workspace/open', { handle: file?.handle })).origin).toBe('recent');

    expect(await failure('workspace/open', { handle: '0'.repeat(32) })).toMatchObject({
      code: 'USAGE',
      message: matching(/unknown to this session/),
    });
    expect((await failure('workspace/open', { handle: listing.folder.handle })).code).toBe(
      'FILE_IS_DIRECTORY',
    );
    expect((await failure('workspace/open', { handle: '../etc/passwd' })).code).toBe('USAGE');
  });

  it('uses the system dialog where there is one, and does nothing when it is cancelled', async () => {
    const folder = temporaryDirectory();
    const ledger = copyTo(folder, demoLedger);
    const answers: (string | null)[] = [null, ledger];
    const opened: string[] = [];
    const { call } = workspaceWith({
      chooseFile: () => Promise.resolve(answers.shift() ?? null),
      onOpenedInPlace: (path) => opened.push(path),
    });
    expect((await call('workspace/describe')).fileDialog).toBe('native');
    expect(await call('workspace/open-dialog')).toMatchObject({
      opened: false,
      workspace: { kind: 'demo' },
    });
    expect(await call('workspace/open-dialog')).toMatchObject({
      opened: true,
      workspace: { kind: 'ledger', origin: 'dialog' },
    });
    expect(opened).toEqual([ledger]);
  });

  it('has no system dialog in the twin, and says to use the in-app list', async () => {
    const { failure } = workspaceWith();
    expect(await failure('workspace/open-dialog')).toMatchObject({
      code: 'USAGE',
      message: matching(/own list/),
    });
  });

  it('opens a dropped file as a private read-only copy, removed when something else opens', async () => {
    const foldersBefore = dropFolders();
    const folder = temporaryDirectory();
    const store = copyTo(folder, demoStore);
    const { call } = workspaceWith({ browseHome: folder });
    // Small chunks, so the file arrives in many pieces.
    const described = await drop(call, 'demo-decisions.db', readFileSync(store), 64 * 1024);
    expect(described).toMatchObject({
      kind: 'decision-store',
      origin: 'drop',
      title: 'demo-decisions.db',
      ledger: null,
      decisionStore: { readOnlyReason: matching(/copy of the file you dropped/) },
      recent: [],
    });
    const { decisions } = await call('decision/list');
    const pending = decisions.find((decision) => decision.state === 'pending_approval');
    const detail = await call('decision/get', { decisionId: pending?.decisionId });
    expect(detail.canApprove.reason).toMatch(/copy of the file you dropped/);
    expect(dropFolders().length).toBe(foldersBefore.length + 1);

    const ledger = await drop(call, 'demo-ledger.db', readFileSync(demoLedger));
    expect(ledger).toMatchObject({ kind: 'ledger', origin: 'drop' });
    const verification = await call('ledger/verify');
    expect(verification.verdict).toBe('pass');
    expect(verification.file.sha256).toBe(sha256OfFile(demoLedger));
    // A copy's path is new each time, so no trusted head is kept for it, and the check says so.
    expect(verification.checks.find((check) => check.check === 'trusted_head')).toMatchObject({
      status: 'SKIP',
      code: 'TRUSTED_HEAD_NOT_RECORDED',
    });
    // The first copy went when the second was opened.
    expect(dropFolders().length).toBe(foldersBefore.length + 1);

    const listing = await call('workspace/browse');
    await call('workspace/open', { handle: listing.entries[0]?.handle });
    expect(dropFolders()).toEqual(foldersBefore);
    expect(sha256OfFile(store)).toBe(sha256OfFile(demoStore));
  });

  it('discards a drop that arrives out of order, too long, short, or is not evidence', async () => {
    const foldersBefore = dropFolders();
    const { call, failure } = workspaceWith();
    const bytes = readFileSync(demoLedger);

    const outOfOrder = await call('workspace/drop-begin', {
      fileName: 'a.db',
      bytes: bytes.length,
    });
    expect(
      await failure('workspace/drop-chunk', {
        receiptId: outOfOrder.receiptId,
        offset: 10,
        base64: 'AAAA',
      }),
    ).toMatchObject({ code: 'USAGE', message: matching(/out of order/) });
    expect((await failure('workspace/drop-open', outOfOrder)).message).toMatch(/no longer/);

    const tooLong = await call('workspace/drop-begin', { fileName: 'b.db', bytes: 2 });
    expect(
      (await failure('workspace/drop-chunk', { ...tooLong, offset: 0, base64: 'AAAA' })).message,
    ).toMatch(/More bytes arrived than the 2 announced/);

    const short = await call('workspace/drop-begin', { fileName: 'c.db', bytes: 10 });
    await call('workspace/drop-chunk', { ...short, offset: 0, base64: 'AAAA' });
    expect((await failure('workspace/drop-open', short)).message).toMatch(/Only 3 of c.db's 10/);

    const text = new TextEncoder().encode('not a database at all, just some words');
    const notSqlite = await call('workspace/drop-begin', {
      fileName: 'notes.txt',
      bytes: text.length,
    });
    await call('workspace/drop-chunk', {
      ...notSqlite,
      offset: 0,
      base64: Buffer.from(text).toString('base64'),
    });
    const refused = await failure('workspace/drop-open', notSqlite);
    // The message names the dropped file, not the private copy's temporary path.
    expect(refused).toEqual({
      code: 'NOT_SQLITE',
      message: 'notes.txt is not an SQLite database.',
    });

    const aborted = await call('workspace/drop-begin', { fileName: 'd.db', bytes: 10 });
    expect(await call('workspace/drop-abort', aborted)).toEqual({ aborted: true });
    expect(await call('workspace/drop-abort', aborted)).toEqual({ aborted: false });

    expect(dropFolders()).toEqual(foldersBefore);
    expect((await call('workspace/describe')).kind).toBe('demo');
  });

  it('makes a dropped name one safe path component', () => {
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeFileName('a\\b\u0000.db')).toBe('a_b.db');
    expect(safeFileName('..')).toBe('dropped.db');
    expect(safeFileName('  ')).toBe('dropped.db');
  });

  it('remembers recent files newest first across sessions, and forgets ones that are gone', async () => {
    const folder = temporaryDirectory();
    const first = copyTo(folder, demoLedger, 'first.db');
    const second = copyTo(folder, demoLedger, 'second.db');
    const { workspace, stateDir } = workspaceWith({}, first);
    await workspace.open(second, 'dialog');
    await workspace.open(first, 'recent');
    expect(workspace.recentPaths()).toEqual([first, second]);
    const again = new Workspace({
      resourcesDemoDir: demoDir,
      stateDir,
      trust: () => ({ keyring: null, officer: null }),
    });
    open.push(again);
    expect(again.recentPaths()).toEqual([first, second]);
    writeFileSync(join(stateDir, 'recent-files.json'), '{ damaged');
    expect(again.recentPaths()).toEqual([]);
    expect(existsSync(join(stateDir, 'recent-files.json'))).toBe(true);
  });
});
