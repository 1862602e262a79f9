/** The Electron security checklist, asserted value by value without starting Electron. */
import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  isTrustedRendererUrl,
  secureWebPreferences,
} from '../src-main/app/window-security';

describe('window security', () => {
  it('sets every webPreferences value of the checklist', () => {
    expect(secureWebPreferences('/app/out/preload/preload.cjs')).toEqual({
      preload: '/app/out/preload/preload.cjs',
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
    });
  });

  it('has a CSP that loads nothing remote and runs no inline script', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('the renderer page repeats the same policy in its meta tag', async () => {
    const { readFileSync } = await import('node:fs');
    const html = readFileSync(new URL('../src-renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    // frame-ancestors is ignored in a meta tag, so it is only sent as a header.
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });

  it('accepts IPC only from the app document', () => {
    const app = 'file:///opt/proofdesk/out/renderer/index.html';
    expect(isTrustedRendererUrl('file:///opt/proofdesk/out/renderer/index.html', app)).toBe(true);
    expect(isTrustedRendererUrl('file:///tmp/evil.html', app)).toBe(false);
    expect(isTrustedRendererUrl('https://example.com/', app)).toBe(false);
    expect(isTrustedRendererUrl('not a url', app)).toBe(false);
    expect(isTrustedRendererUrl('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
  });
});
