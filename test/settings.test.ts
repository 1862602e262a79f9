/**
 * Settings over real files: the officer key kept by the OS key store (a stand-in for Electron's
 * safeStorage), key files imported from `proofdesk keygen`, the twin's command-line officer, and
 * keyrings of trusted signers that change what verification and approval checks trust.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hexToBytes } from '../src-shared/crypto/hex';
import { IPC_CHANNELS, type ChannelOutput } from '../src-shared/ipc/ipc-contract';
import type { SafeStorage } from '../src-main/crypto/officer-key-vault';
import { writeNewKeyFile } from '../src-main/crypto/key-file';
import { dispatchIpcCall, type Handlers } from '../src-main/ipc/ipc-handlers';
import {
  commandLineOfficerKeys,
  keyStoreOfficerKeys,
  type OfficerKeys,
} from '../src-main/settings/officer-keys';
import { createSettingsHandlers, currentOfficer } from '../src-main/settings/settings-handlers';
import { AnchorTrustFiles } from '../src-main/settings/anchor-trust-files';
import { TrustedKeyrings } from '../src-main/settings/trusted-keyrings';
import { Workspace } from '../src-main/workspace/workspace';
import { copyTo, nexusconeFixture, temporaryDirectory } from './support/ledger-fixtures';
import { itWithFixtures } from './support/shared-fixtures';

const demoDir = fileURLToPath(new URL('../resources/demo/', import.meta.url));
const noEmit = (): void => {};
const matching = (pattern: RegExp): string => expect.stringMatching(pattern) as string;

/** Reversible but not identity, so ciphertext differs from plaintext. */
const keyStore = (available = true): SafeStorage => ({
  isEncryptionAvailable: () => available,
  encryptString: (text) => Buffer.from([...Buffer.from(text, 'utf8')].map((byte) => byte ^ 0x5a)),
  decryptString: (data) => Buffer.from([...data].map((byte) => byte ^ 0x5a)).toString('utf8'),
});

const open: Workspace[] = [];
afterEach(async () => {
  for (const workspace of open.splice(0)) await workspace.close();
});

/** A workspace on `initialPath` with the settings channels, as the app wires them. */
function appWith(officerKeys: OfficerKeys, initialPath?: string, commandLineKeyring?: string) {
  const stateDir = temporaryDirectory();
  const keyrings = new TrustedKeyrings(stateDir, commandLineKeyring ?? null);
  const anchorTrust = new AnchorTrustFiles(stateDir);
  const workspace = new Workspace(
    {
      resourcesDemoDir: demoDir,
      stateDir,
      trust: () => ({
        keyring: keyrings.merged(),
        officer: currentOfficer(officerKeys),
        anchorProofs: anchorTrust.proofTrust(),
      }),
      browseHome: stateDir,
    },
    initialPath,
  );
  open.push(workspace);
  const settings = createSettingsHandlers({
    officerKeys,
    keyrings,
    anchorTrust,
    handles: workspace.handles,
    onTrustChanged: () => workspace.refresh(),
  });
  const handlers = (): Partial<Handlers> => ({ ...workspace.handlers(), ...settings });
  const call = async <C extends keyof typeof IPC_CHANNELS>(channel: C, input: unknown = {}) => {
    const reply = await dispatchIpcCall(handlers(), channel, input, noEmit);
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return IPC_CHANNELS[channel].output.parse(reply.data) as ChannelOutput<C>;
  };
  const failure = async (channel: keyof typeof IPC_CHANNELS, input: unknown = {}) => {
    const reply = await dispatchIpcCall(handlers(), channel, input, noEmit);
    if (reply.ok) throw new Error(`${channel} succeeded`);
    return reply.error;
  };
  /** The handle the in-app chooser would give for a file in `folder`. */
  const handleOf = async (folder: string, name: string): Promise<string> => {
    const listing = await call('workspace/browse', {
      folder: workspace.handles.handleFor(folder),
    });
    const entry = listing.entries.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new Error(`${name} is not listed in ${folder}`);
    return entry.handle;
  };
  return { stateDir, workspace, call, failure, handleOf, handlers };
}

describe('officer key in the OS key store', () => {
  it('creates a key, signs with it, refuses a second, and removes it', () => {
    const stateDir = temporaryDirectory();
    const keys = keyStoreOfficerKeys(stateDir, keyStore());
    expect(keys.identity()).toBeNull();
    expect(keys.changesRefused).toBeNull();
    keys.create('jane@example.com');
    const identity = keys.identity();
    expect(identity).toMatchObject({ keyId: 'jane@example.com', source: 'key-store' });
    const signer = keys.signer();
    const message = new TextEncoder().encode('approve d1');
    expect(signer?.actor).toEqual({ type: 'human', id: 'jane@example.com' });
    const signature = signer?.sign(message) ?? new Uint8Array();
    expect(ed25519.verify(signature, message, hexToBytes(identity?.publicKeyHex ?? ''))).toBe(true);
    // The seed is stored encrypted, never as hex.
    expect(readFileSync(join(stateDir, 'officer-key.json'), 'utf8')).not.toMatch(/seed_hex/);
    expect(() => keys.create('other@example.com')).toThrow(
      expect.objectContaining({ code: 'KEY_FILE_EXISTS' }),
    );
    keys.remove();
    expect(keys.identity()).toBeNull();
    expect(() => keys.remove()).toThrow(/No officer key is set up/);
    expect(() => keys.create('jane\ndoe')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('imports key files from keygen, plain and encrypted', () => {
    const folder = temporaryDirectory();
    const seed = new Uint8Array(32).fill(9);
    const plain = join(folder, 'plain.key');
    const encrypted = join(folder, 'encrypted.key');
    writeNewKeyFile(plain, 'plain@example.com', seed);
    writeNewKeyFile(encrypted, 'sealed@example.com', seed, { passphrase: 'correct horse' });

    const keys = keyStoreOfficerKeys(temporaryDirectory(), keyStore());
    expect(() => keys.importKeyFile(encrypted, undefined)).toThrow(/give its passphrase/);
    expect(() => keys.importKeyFile(encrypted, 'wrong')).toThrow(
      expect.objectContaining({ code: 'KEY_PASSPHRASE_WRONG' }),
    );
    keys.importKeyFile(encrypted, 'correct horse');
    expect(keys.identity()?.keyId).toBe('sealed@example.com');
    keys.remove();
    keys.importKeyFile(plain, undefined);
    expect(keys.identity()?.keyId).toBe('plain@example.com');
  });

  it('refuses every change where the OS has no key store', () => {
    const keys = keyStoreOfficerKeys(temporaryDirectory(), keyStore(false));
    expect(keys.changesRefused).toMatch(/no key store/);
    expect(() => keys.create('jane@example.com')).toThrow(/no key store/);
  });

  it("the twin signs only as the key named on serve's command line", () => {
    const none = commandLineOfficerKeys(null);
    expect(none.identity()).toBeNull();
    expect(none.changesRefused).toMatch(/serve --key FILE/);
    expect(() => none.create('jane@example.com')).toThrow(/keeps no keys/);
  });
});

describe('trusted keyrings', () => {
  const keyA = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
  const keyB = 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025';

  it('merges keyrings, refuses duplicates and conflicts, and reports a file gone', () => {
    const folder = temporaryDirectory();
    const first = join(folder, 'first.json');
    const second = join(folder, 'second.json');
    const conflicting = join(folder, 'conflicting.json');
    writeFileSync(first, JSON.stringify({ alice: keyA }));
    writeFileSync(second, JSON.stringify({ bob: keyB, alice: keyA }));
    writeFileSync(conflicting, JSON.stringify({ alice: keyB }));
    const keyrings = new TrustedKeyrings(temporaryDirectory());
    expect(keyrings.merged()).toBeNull();
    keyrings.add(first);
    keyrings.add(second);
    expect([...(keyrings.merged()?.keys() ?? [])].sort()).toEqual(['alice', 'bob']);
    expect(() => keyrings.add(first)).toThrow(/already a trusted keyring/);
    expect(() => keyrings.add(conflicting)).toThrow(
      'Key id "alice" has one key in first.json and another in conflicting.json, so conflicting.json was not added.',
    );
    unlinkSync(first);
    expect(keyrings.list().map((file) => [file.path, file.problem])).toEqual([
      [first, matching(/There is no keyring file/)],
      [second, null],
    ]);
    keyrings.remove(first);
    expect(keyrings.list().map((file) => file.path)).toEqual([second]);
  });

  it('refuses a malformed keyring with its reason, and keeps a command-line one', () => {
    const folder = temporaryDirectory();
    const broken = join(folder, 'broken.json');
    writeFileSync(broken, '{"alice": "not hex"}');
    const cli = join(folder, 'cli.json');
    writeFileSync(cli, JSON.stringify({ bob: keyB }));
    const keyrings = new TrustedKeyrings(temporaryDirectory(), cli);
    expect(() => keyrings.add(broken)).toThrow(
      expect.objectContaining({ code: 'KEYRING_MALFORMED' }),
    );
    expect(keyrings.list()).toEqual([
      expect.objectContaining({ path: cli, removable: false, problem: null }),
    ]);
    expect(() => keyrings.remove(cli)).toThrow(/named on the command line/);
  });
});

describe('settings channels', () => {
  it('with the workspace, as the app and the twin wire them, every channel has a handler', () => {
    const { handlers } = appWith(commandLineOfficerKeys(null));
    expect(Object.keys(handlers()).sort()).toEqual(Object.keys(IPC_CHANNELS).sort());
  });

  it('a keyring added through the chooser makes the next verification check signatures', async () => {
    const folder = temporaryDirectory();
    const ledger = copyTo(folder, join(demoDir, 'demo-ledger.db'));
    copyTo(folder, join(demoDir, 'demo-keyring.json'));
    const { call, failure, handleOf } = appWith(
      keyStoreOfficerKeys(temporaryDirectory(), keyStore()),
      ledger,
    );
    const signatures = async () =>
      (await call('ledger/verify')).checks.find((check) => check.check === 'ledger.signatures');
    expect(await signatures()).toMatchObject({ status: 'SKIP' });

    const added = await call('settings/add-keyring', {
      handle: await handleOf(folder, 'demo-keyring.json'),
    });
    expect(added.changed).toBe(true);
    expect(added.settings.keyrings).toEqual([
      expect.objectContaining({ fileName: 'demo-keyring.json', folder, problem: null }),
    ]);
    expect(await signatures()).toMatchObject({ status: 'PASS' });

    // The twin has no system dialog: a keyring comes by handle or not at all.
    expect((await failure('settings/add-keyring', {})).message).toMatch(/own list/);
    const handle = added.settings.keyrings[0]?.handle;
    expect((await call('settings/remove-keyring', { handle })).keyrings).toEqual([]);
    expect(await signatures()).toMatchObject({ status: 'SKIP' });
  });

  it('an officer key created in Settings signs approvals of an opened decision store', async () => {
    const folder = temporaryDirectory();
    const store = copyTo(folder, join(demoDir, 'demo-decisions.db'));
    copyTo(folder, join(demoDir, 'demo-decisions.ledger.db'));
    const { call, failure } = appWith(keyStoreOfficerKeys(temporaryDirectory(), keyStore()), store);
    expect((await call('workspace/describe')).decisionStore?.readOnlyReason).toMatch(
      /No officer key/,
    );
    const settings = await call('settings/create-officer-key', { keyId: 'jane@example.com' });
    expect(settings.officer).toMatchObject({ keyId: 'jane@example.com', source: 'key-store' });
    expect((await failure('settings/create-officer-key', { keyId: 'x@example.com' })).code).toBe(
      'KEY_FILE_EXISTS',
    );
    // Reopened with the new trust: approving is possible now.
    expect((await call('workspace/describe')).decisionStore?.readOnlyReason).toBeNull();
    const { decisions } = await call('decision/list');
    const pending = decisions.find((decision) => decision.state === 'pending_approval');
    const approved = await call('decision/approve', {
      decisionId: pending?.decisionId,
      comment: 'checked the plan',
    });
    const mine = approved.approvals.find((approval) => approval.actorId === 'jane@example.com');
    // Signed, but this officer is in no trusted keyring, so the signature is not counted as trusted.
    expect(mine).toMatchObject({ comment: 'checked the plan' });
    expect(mine?.signature).not.toBe('unsigned');

    await call('settings/remove-officer-key');
    expect((await call('workspace/describe')).decisionStore?.readOnlyReason).toMatch(
      /No officer key/,
    );
  });

  it('describes where keys cannot be changed, and why', async () => {
    const { call, failure } = appWith(commandLineOfficerKeys(null));
    const settings = await call('settings/describe');
    expect(settings).toMatchObject({
      officer: null,
      officerProblem: null,
      officerKeyChanges: { allowed: false, reason: matching(/keeps no keys/) },
      keyrings: [],
      fileDialog: 'in-app',
    });
    expect((await failure('settings/import-officer-key', {})).message).toMatch(/keeps no keys/);
  });

  itWithFixtures('TSA roots chosen in Settings make the anchors verifiable', async () => {
    const folder = temporaryDirectory();
    const ledger = copyTo(folder, nexusconeFixture('anchored_witnessed.db'));
    copyTo(folder, nexusconeFixture('tsa_test_root_ca.pem'));
    writeFileSync(join(folder, 'not-pem.pem'), 'nothing here');
    const { call, failure, handleOf } = appWith(commandLineOfficerKeys(null), ledger);
    const anchorLines = async () =>
      (await call('ledger/verify')).checks
        .filter((check) => check.check === 'anchors.tsa' || check.check === 'anchors.ots')
        .map((check) => `${check.status} ${check.code ?? ''} ${check.anchorId ?? ''}`.trim());
    // Asked for, with no trust material: stated SKIPs and PENDINGs, never a PASS.
    expect(await anchorLines()).toEqual([
      'WARN ANCHOR_OTS_BRANCHES_DISAGREE 1',
      'SKIP ANCHOR_OTS_HEADERS_MISSING 1',
      'PENDING ANCHOR_OTS_PENDING 2',
      'PENDING ANCHOR_OTS_PENDING 4',
      'SKIP ANCHOR_TSA_ROOTS_MISSING 1',
      'SKIP ANCHOR_TSA_ROOTS_MISSING 2',
      'SKIP ANCHOR_TSA_ROOTS_MISSING 3',
    ]);
    expect(
      (await failure('settings/add-tsa-roots', { handle: await handleOf(folder, 'not-pem.pem') }))
        .code,
    ).toBe('USAGE');
    const added = await call('settings/add-tsa-roots', {
      handle: await handleOf(folder, 'tsa_test_root_ca.pem'),
    });
    expect(added.settings.tsaRoots).toEqual([
      expect.objectContaining({ fileName: 'tsa_test_root_ca.pem', certificates: 1, problem: null }),
    ]);
    expect((await anchorLines()).filter((line) => line.includes('TSA'))).toEqual([]);
    expect(await anchorLines()).toContain('PASS');
  });
});
