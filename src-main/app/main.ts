/**
 * The Electron main process: the thin app layer. It owns the window and the dialogs, applies the
 * security checklist, and routes the typed IPC contract to the electron-free handlers.
 */
import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS, type IpcChannel } from '../../src-shared/ipc/ipc-contract';
import { dispatchIpcCall, type Handlers } from '../ipc/ipc-handlers';
import { createSessionHandlers } from '../demo/demo-workspace';
import {
  CONTENT_SECURITY_POLICY,
  isTrustedRendererUrl,
  secureWebPreferences,
} from './window-security';

const resourcesDir = app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources');
const demoDir = join(resourcesDir, 'demo');

/**
 * The handlers for what is open: a ledger named on the command line, or the bundled demo (its
 * ledger, and a working copy of its decisions in the user-data folder).
 */
function sessionHandlers(): Partial<Handlers> {
  const fromArgs = process.argv
    .slice(app.isPackaged ? 1 : 2)
    .find((arg) => !arg.startsWith('-') && existsSync(arg));
  return createSessionHandlers({
    resourcesDemoDir: demoDir,
    stateDir: app.getPath('userData'),
    ledgerPath: fromArgs,
  });
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
  const handlers = sessionHandlers();
  for (const channel of Object.keys(IPC_CHANNELS) as IpcChannel[]) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, input: unknown) => {
      const senderUrl = event.senderFrame?.url ?? '';
      if (event.sender !== window.webContents || !isTrustedRendererUrl(senderUrl, url)) {
        return {
          ok: false,
          error: { code: 'USAGE', message: 'IPC is only accepted from the Proofdesk window.' },
        };
      }
      return dispatchIpcCall(handlers, channel, input, (name, payload) =>
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
  registerIpc(window, url);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(url);
}

app.enableSandbox();
void app.whenReady().then(async () => {
  hardenSessions();
  await createWindow();
});
app.on('window-all-closed', () => app.quit());
