/**
 * The Electron security checklist as data and small pure functions, so a unit test can assert
 * every value without starting Electron.
 */
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Served with every renderer response and repeated in index.html's meta tag. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** True only for the app's own renderer document, which is the only sender IPC accepts. */
export function isTrustedRendererUrl(url: string, rendererUrl: string): boolean {
  try {
    const candidate = new URL(url);
    const expected = new URL(rendererUrl);
    if (candidate.protocol !== expected.protocol) return false;
    if (expected.protocol === 'file:') return candidate.pathname === expected.pathname;
    return candidate.origin === expected.origin;
  } catch {
    return false;
  }
}
