/**
 * The settings channels, free of electron: the officer key (officer-keys.ts) and the trusted
 * keyrings (trusted-keyrings.ts). Files come from main's dialog or a chooser handle, never a
 * path from the renderer. A change of trust reopens what is open, so the next verification or
 * approval uses it.
 */
import { basename, dirname } from 'node:path';
import { ProofdeskError } from '../../src-shared/check-code';
import type { ChannelOutput, IpcChannel } from '../../src-shared/ipc/ipc-contract';
import type { ChannelHandlers } from '../ipc/ipc-handlers';
import type { FileHandles } from '../workspace/file-handles';
import type { AnchorTrustFiles } from './anchor-trust-files';
import type { OfficerKeys } from './officer-keys';
import type { TrustedKeyrings } from './trusted-keyrings';

type SettingsChannel = Extract<IpcChannel, `settings/${string}`>;
type Settings = ChannelOutput<'settings/describe'>;

export type SettingsFileKind = 'keyring' | 'officer-key' | 'tsa-roots' | 'block-headers';

export interface SettingsOptions {
  readonly officerKeys: OfficerKeys;
  readonly keyrings: TrustedKeyrings;
  readonly anchorTrust: AnchorTrustFiles;
  readonly handles: FileHandles;
  /** main's dialog for a file of this kind (the app); absent in the twin. */
  readonly chooseFile?: (kind: SettingsFileKind) => Promise<string | null>;
  /** Reopens what is open with the new trust. */
  readonly onTrustChanged: () => Promise<void>;
}

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

export function describeSettings(options: SettingsOptions): Settings {
  let officer: Settings['officer'] = null;
  let officerProblem: string | null = null;
  try {
    officer = options.officerKeys.identity();
  } catch (error) {
    officerProblem = message(error);
  }
  const refused = options.officerKeys.changesRefused;
  return {
    officer,
    officerProblem,
    officerKeyChanges: { allowed: refused === null, reason: refused },
    keyrings: options.keyrings.list().map((file) => ({
      handle: options.handles.handleFor(file.path),
      fileName: basename(file.path),
      folder: dirname(file.path),
      keyIds: file.keyring === null ? [] : [...file.keyring.keys()].sort(),
      problem: file.problem,
      removable: file.removable,
    })),
    tsaRoots: options.anchorTrust.tsaRoots().map((file) => ({
      handle: options.handles.handleFor(file.path),
      fileName: basename(file.path),
      folder: dirname(file.path),
      certificates: file.value?.length ?? 0,
      problem: file.problem,
    })),
    blockHeaders: headersOf(options),
    fileDialog: options.chooseFile === undefined ? 'in-app' : 'native',
  };
}

function headersOf(options: SettingsOptions): Settings['blockHeaders'] {
  const file = options.anchorTrust.blockHeaders();
  return file === null
    ? null
    : {
        handle: options.handles.handleFor(file.path),
        fileName: basename(file.path),
        folder: dirname(file.path),
        heights: file.value?.size ?? 0,
        problem: file.problem,
      };
}

/** The officer as the workspace signs: null when there is none or it cannot be read. */
export function currentOfficer(officerKeys: OfficerKeys) {
  try {
    return officerKeys.signer();
  } catch {
    return null;
  }
}

export function createSettingsHandlers(options: SettingsOptions): ChannelHandlers<SettingsChannel> {
  const describe = (): Settings => describeSettings(options);
  /** The chosen file: a handle from the in-app chooser, or main's dialog; null if cancelled. */
  const chosen = async (handle: string | undefined, kind: SettingsFileKind) => {
    if (handle !== undefined) return options.handles.resolve(handle);
    if (options.chooseFile === undefined) {
      throw new ProofdeskError(
        'USAGE',
        'This window has no system Open dialog; choose the file in Proofdesk’s own list instead.',
      );
    }
    return options.chooseFile(kind);
  };
  const changed = async (): Promise<Settings> => {
    await options.onTrustChanged();
    return describe();
  };
  return {
    'settings/describe': () => Promise.resolve(describe()),
    'settings/create-officer-key': async ({ keyId }) => {
      options.officerKeys.create(keyId);
      return changed();
    },
    'settings/import-officer-key': async ({ handle, passphrase }) => {
      if (options.officerKeys.changesRefused !== null)
        throw new ProofdeskError('USAGE', options.officerKeys.changesRefused);
      const path = await chosen(handle, 'officer-key');
      if (path === null) return { changed: false, settings: describe() };
      options.officerKeys.importKeyFile(path, passphrase);
      return { changed: true, settings: await changed() };
    },
    'settings/remove-officer-key': async () => {
      options.officerKeys.remove();
      return changed();
    },
    'settings/add-keyring': async ({ handle }) => {
      const path = await chosen(handle, 'keyring');
      if (path === null) return { changed: false, settings: describe() };
      options.keyrings.add(path);
      return { changed: true, settings: await changed() };
    },
    'settings/remove-keyring': async ({ handle }) => {
      options.keyrings.remove(options.handles.resolve(handle));
      return changed();
    },
    'settings/add-tsa-roots': async ({ handle }) => {
      const path = await chosen(handle, 'tsa-roots');
      if (path === null) return { changed: false, settings: describe() };
      options.anchorTrust.addTsaRoots(path);
      return { changed: true, settings: await changed() };
    },
    'settings/remove-tsa-roots': async ({ handle }) => {
      options.anchorTrust.removeTsaRoots(options.handles.resolve(handle));
      return changed();
    },
    'settings/set-block-headers': async ({ handle }) => {
      const path = await chosen(handle, 'block-headers');
      if (path === null) return { changed: false, settings: describe() };
      options.anchorTrust.setBlockHeaders(path);
      return { changed: true, settings: await changed() };
    },
    'settings/clear-block-headers': async () => {
      options.anchorTrust.setBlockHeaders(null);
      return changed();
    },
  };
}
