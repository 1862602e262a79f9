/**
 * `proofdesk serve [db] [--port N] [--keys FILE] [--key FILE [--passphrase-file FILE]]
 * [--state-dir DIR]`: the browser twin of the
 * desktop app, for machines without the Electron binary. It serves the built renderer
 * (out/renderer, rebuilt with electron-vite first when missing or stale in a development
 * checkout) and the same IPC handlers over HTTP on 127.0.0.1 (see serve/serve-server.ts for the
 * security rules), prints the page address with its access token as the only line on stdout,
 * and runs until SIGINT or SIGTERM, then closes cleanly with exit code 0.
 *
 * The db may be a nexuscone ledger or a nexus-attest decision store (with its bound ledger).
 * Without one it serves the bundled demo (resources/demo: the ledger with its keyring, and a
 * working copy of the demo decisions in the state directory), as the app does. The page's Open…
 * lists folders through main by handle, starting where serve was run. --keys names a keyring
 * trusted beside those added in Settings; --key names the officer key approvals are signed with
 * (the twin keeps no keys of its own). --port 0, the
 * default, takes any free port. Bad input (a missing or non-SQLite db, an unreadable keyring, a
 * bad port, a port in use) is one sentence on stderr and exit code 2.
 */
import { join, resolve } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { IpcEvent } from '../../src-shared/ipc/ipc-contract';
import { dispatchIpcCall } from '../ipc/ipc-handlers';
import { defaultUserDataDir } from '../ledger/trusted-head-store';
import { loadRenderer, PACKAGE_ROOT } from '../serve/renderer-bundle';
import { SERVE_HOST, startServeServer } from '../serve/serve-server';
import { readKeyFile } from '../crypto/key-file';
import { AnchorTrustFiles } from '../settings/anchor-trust-files';
import { commandLineOfficerKeys } from '../settings/officer-keys';
import { createSettingsHandlers, currentOfficer } from '../settings/settings-handlers';
import { readKeyringFile, TrustedKeyrings } from '../settings/trusted-keyrings';
import { Workspace } from '../workspace/workspace';
import { parseCommandLine, passphraseProvider, type CliIo } from './cli-arguments';
import { generatorVersion } from './report-commands';

const DEMO_DIR = join(PACKAGE_ROOT, 'resources', 'demo');

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new ProofdeskError(
      'USAGE',
      `--port needs a whole number from 0 to 65535 (0: any free port), not ${JSON.stringify(text)}.`,
    );
  }
  return Number(text);
}

function untilStopped(): Promise<void> {
  return new Promise((resolvePromise) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second signal now finds no handler and ends the process at once.
      resolvePromise();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function runServe(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      port: { type: 'string' },
      keys: { type: 'string' },
      key: { type: 'string' },
      'passphrase-file': { type: 'string' },
      'state-dir': { type: 'string' },
    },
    'serve',
  );
  if (positionals.length > 1) {
    throw new ProofdeskError(
      'USAGE',
      `serve takes at most one ledger file, but ${positionals.length} were given.`,
    );
  }
  const port = parsePort(values.port);
  const db = positionals[0];
  const stateDir = values['state-dir'] ?? defaultUserDataDir();
  // Read now, so a bad file is one sentence at start-up rather than a failure later.
  if (values.keys !== undefined) readKeyringFile(values.keys);
  const keyrings = new TrustedKeyrings(
    stateDir,
    values.keys === undefined ? null : resolve(values.keys),
  );
  const anchorTrust = new AnchorTrustFiles(stateDir);
  const officerKeys = commandLineOfficerKeys(
    values.key === undefined
      ? null
      : readKeyFile(values.key, passphraseProvider(values['passphrase-file'])),
  );
  const workspace = new Workspace(
    {
      resourcesDemoDir: DEMO_DIR,
      stateDir,
      trust: () => ({
        keyring: keyrings.merged(),
        officer: currentOfficer(officerKeys),
        anchorProofs: anchorTrust.proofTrust(),
      }),
      // The in-app chooser starts where `proofdesk serve` was run.
      browseHome: process.cwd(),
      generatorVersion: generatorVersion(),
    },
    db,
  );
  // Anchors a ledger on its schedule, once the user has enabled one for it.
  workspace.anchoring.start(() => workspace.anchoringTarget());
  const settingsHandlers = createSettingsHandlers({
    officerKeys,
    keyrings,
    anchorTrust,
    handles: workspace.handles,
    onTrustChanged: () => workspace.refresh(),
  });
  // Rebuilt quietly when stale: it takes well under a second.
  const assets = loadRenderer();
  const server = await startServeServer({
    port,
    assets,
    dispatch: (channel, input, emit: (event: IpcEvent, payload: unknown) => void) =>
      dispatchIpcCall({ ...workspace.handlers(), ...settingsHandlers }, channel, input, emit),
  });
  const stopped = untilStopped();
  const opened = workspace.describe();
  io.stderr(
    `Serving ${opened.title}${db === undefined ? ' (the bundled demo)' : ''} on ${SERVE_HOST}:${server.port} only; open this address in a browser, and press Ctrl+C to stop:\n`,
  );
  io.stdout(`${server.url}\n`);
  await stopped;
  // A verification still running would otherwise keep its workers alive.
  await workspace.close();
  await server.close();
  io.stderr('Stopped serving.\n');
  return 0;
}
