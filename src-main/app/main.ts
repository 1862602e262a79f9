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
import { dispatchIpcCall } from '../ipc/ipc-handlers';
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

/** The system's Open dialog, attached to the window. */
async function chooseEvidenceFile(): Promise<string | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Open an audit database',
    properties: ['openFile'],
    filters: [
      { name: 'Audit databases', extensions: ['db', 'sqlite', 'sqlite3'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result =
    mainWindow === null
      ? await dialog.showOpenDialog(options)
      : await dialog.showOpenDialog(mainWindow, options);
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

const workspaceOptions = {
  resourcesDemoDir: demoDir,
  stateDir: app.getPath('userData'),
  trust: () => ({ keyring: null, officer: null }),
  chooseFile: chooseEvidenceFile,
  onOpenedInPlace: (path: string) => {
    app.addRecentDocument(path);
    if (app.isReady()) buildMenu();
  },
};

/** The file from the command line, or the demo when there is none or it cannot be opened. */
function openInitialWorkspace(): { workspace: Workspace; startupError: string | null } {
  const path = pathFromCommandLine();
  try {
    return { workspace: new Workspace(workspaceOptions, path), startupError: null };
  } catch (error) {
    return {
      workspace: new Workspace(workspaceOptions),
      startupError: error instanceof Error ? error.message : String(error),
    };
  }
}

const { workspace, startupError } = openInitialWorkspace();

/** Opens a file main chose (menu, Open Recent, the OS) and tells the window. */
async function openFromMain(path: string | null, origin: 'dialog' | 'recent'): Promise<void> {
  if (path === null) return;
  try {
    const opened = await workspace.open(path, origin);
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

function buildMenu(): void {
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
          click: () => void chooseEvidenceFile().then((path) => openFromMain(path, 'dialog')),
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
      return dispatchIpcCall(workspace.handlers(), channel, input, (name, payload) =>
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
  buildMenu();
  await createWindow();
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
app.on('will-quit', () => void workspace.close());
