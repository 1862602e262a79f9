/**
 * The Electron main process: the thin app layer. It owns the window and the dialogs, applies the
 * security checklist, and routes the typed IPC contract to the electron-free handlers.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  safeStorage,
  session,
  shell,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
} from 'electron';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProofdeskError } from '../../src-shared/check-code';
import { IPC_CHANNELS, type IpcChannel } from '../../src-shared/ipc/ipc-contract';
import { dispatchIpcCall, type Handlers } from '../ipc/ipc-handlers';
import { AnchorTrustFiles } from '../settings/anchor-trust-files';
import { keyStoreOfficerKeys } from '../settings/officer-keys';
import { createSettingsHandlers, currentOfficer } from '../settings/settings-handlers';
import { TrustedKeyrings } from '../settings/trusted-keyrings';
import { Workspace } from '../workspace/workspace';
import {
  CONTENT_SECURITY_POLICY,
  isTrustedRendererUrl,
  secureWebPreferences,
} from './window-security';

const resourcesDir = app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
const demoDir = join(resourcesDir, 'demo');

/** A ledger or decision store named on the command line, if any. */
function pathFromCommandLine(): string | undefined {
  return process.argv
    .slice(app.isPackaged ? 1 : 2)
    .find((arg) => !arg.startsWith('-') && existsSync(arg));
}

let mainWindow: BrowserWindow | null = null;

const OPEN_DIALOGS = {
  evidence: {
    title: 'Open an audit database',
    filters: [
      { name: 'Audit databases', extensions: ['db', 'sqlite', 'sqlite3'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
  keyring: {
    title: 'Trust the signers in a keyring',
    filters: [
      { name: 'Keyrings', extensions: ['json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
  'tsa-roots': {
    title: 'Trust the TSA roots in a PEM file',
    filters: [
      { name: 'Certificates', extensions: ['pem', 'crt', 'cer'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
  'block-headers': {
    title: 'Use a file of Bitcoin block headers',
    filters: [
      { name: 'Headers', extensions: ['txt', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
  'officer-key': {
    title: 'Import an officer key (from proofdesk keygen)',
    filters: [
      { name: 'Key files', extensions: ['key', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
  },
} satisfies Record<string, { title: string; filters: Electron.FileFilter[] }>;

/** The system's Open dialog, attached to the window. */
async function chooseFile(kind: keyof typeof OPEN_DIALOGS): Promise<string | null> {
  const options: Electron.OpenDialogOptions = { ...OPEN_DIALOGS[kind], properties: ['openFile'] };
  const result =
    mainWindow === null
      ? await dialog.showOpenDialog(options)
      : await dialog.showOpenDialog(mainWindow, options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

interface Services {
  readonly workspace: Workspace;
  readonly handlers: () => Partial<Handlers>;
  readonly startupError: string | null;
}

/**
 * What the window talks to: the file from the command line (or the demo when there is none or
 * it cannot be opened), and the settings. Made once the app is ready, since safeStorage can only
 * say whether the OS key store is there from then on.
 */
function startServices(): Services {
  const stateDir = app.getPath('userData');
  const officerKeys = keyStoreOfficerKeys(stateDir, safeStorage);
  const keyrings = new TrustedKeyrings(stateDir);
  const anchorTrust = new AnchorTrustFiles(stateDir);
  const options = {
    generatorVersion: app.getVersion(),
    chooseSavePath: async (suggestedName: string, format: 'pdf' | 'json' | 'md') => {
      const dialogOptions: Electron.SaveDialogOptions = {
        title: 'Export the report',
        defaultPath: suggestedName,
        filters: [{ name: format.toUpperCase(), extensions: [format] }],
      };
      const result =
        mainWindow === null
          ? await dialog.showSaveDialog(dialogOptions)
          : await dialog.showSaveDialog(mainWindow, dialogOptions);
      return result.canceled || result.filePath === undefined ? null : result.filePath;
    },
    resourcesDemoDir: demoDir,
    stateDir,
    trust: () => ({
      keyring: keyrings.merged(),
      officer: currentOfficer(officerKeys),
      anchorProofs: anchorTrust.proofTrust(),
    }),
    chooseFile: () => chooseFile('evidence'),
    onOpenedInPlace: (path: string) => {
      app.addRecentDocument(path);
      if (services !== null) buildMenu(services.workspace);
    },
  };
  let workspace: Workspace;
  let startupError: string | null = null;
  try {
    workspace = new Workspace(options, pathFromCommandLine());
  } catch (error) {
    workspace = new Workspace(options);
    startupError = error instanceof Error ? error.message : String(error);
  }
  // Anchors the open ledger on its schedule, once the user has enabled one for it.
  workspace.anchoring.start(() => workspace.anchoringTarget());
  const settingsHandlers = createSettingsHandlers({
    officerKeys,
    keyrings,
    anchorTrust,
    handles: workspace.handles,
    chooseFile: (kind) => chooseFile(kind),
    onTrustChanged: () => workspace.refresh(),
  });
  return {
    workspace,
    handlers: () => ({ ...workspace.handlers(), ...settingsHandlers }),
    startupError,
  };
}

let services: Services | null = null;

/** Opens a file main chose (menu, Open Recent, the OS) and tells the window. */
async function openFromMain(path: string | null, origin: 'dialog' | 'recent'): Promise<void> {
  if (path === null || services === null) return;
  try {
    const opened = await services.workspace.open(path, origin);
    mainWindow?.webContents.send('workspace/changed', opened);
  } catch (error) {
    const message =
      error instanceof ProofdeskError || error instanceof Error ? error.message : String(error);
    await dialog.showMessageBox({
      type: 'error',
      title: 'Proofdesk',
      message: `${basename(path)} was not opened.`,
      detail: message,
    });
  }
}

function buildMenu(workspace: Workspace): void {
  const isMac = process.platform === 'darwin';
  // macOS keeps its own recent-documents menu, fed by app.addRecentDocument.
  const recentItems: MenuItemConstructorOptions[] = isMac
    ? [{ role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] }]
    : [
        {
          label: 'Open Recent',
          submenu: workspace.recentPaths().map((path) => ({
            label: path,
            click: () => void openFromMain(path, 'recent'),
          })),
          enabled: workspace.recentPaths().length > 0,
        },
      ];
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        {
          label: 'Open…',
          accelerator: 'CmdOrCtrl+O',
          click: () => void chooseFile('evidence').then((path) => openFromMain(path, 'dialog')),
        },
        ...recentItems,
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function rendererUrl(): string {
  const devServer = process.env.ELECTRON_RENDERER_URL;
  return devServer ?? pathToFileURL(join(import.meta.dirname, '../renderer/index.html')).href;
}

function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-redirect', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

function registerIpc(window: BrowserWindow, url: string): void {
  for (const channel of Object.keys(IPC_CHANNELS) as IpcChannel[]) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      const senderUrl = event.senderFrame?.url ?? '';
      if (event.sender !== window.webContents || !isTrustedRendererUrl(senderUrl, url)) {
        return {
          ok: false,
          error: { code: 'USAGE', message: 'IPC is only accepted from the Proofdesk window.' },
        };
      }
      if (services === null) {
        return { ok: false, error: { code: 'INTERNAL', message: 'Proofdesk is still starting.' } };
      }
      return dispatchIpcCall(services.handlers(), channel, input, (name, payload) =>
        window.webContents.send(name, payload),
      );
    });
  }
}

async function createWindow(): Promise<void> {
  const url = rendererUrl();
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    title: 'Proofdesk',
    show: false,
    webPreferences: secureWebPreferences(join(import.meta.dirname, '../preload/preload.cjs')),
  });
  mainWindow = window;
  window.on('closed', () => (mainWindow = null));
  registerIpc(window, url);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(url);
}

app.enableSandbox();
// macOS hands over files opened from Finder, the Dock or the recent-documents menu this way.
app.on('open-file', (event, path) => {
  event.preventDefault();
  void app.whenReady().then(() => openFromMain(path, 'recent'));
});
void app.whenReady().then(async () => {
  hardenSessions();
  services = startServices();
  buildMenu(services.workspace);
  await createWindow();
  const { startupError } = services;
  if (startupError !== null) {
    await dialog.showMessageBox({
      type: 'error',
      title: 'Proofdesk',
      message: 'The file named on the command line was not opened; the demo is open instead.',
      detail: startupError,
    });
  }
});
app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => void services?.workspace.close());
