/**
 * Navigation cannot leave the app, proven end to end in the browser twin (Chromium against a real
 * `proofdesk serve`): a link to another site is never followed in the app page (https opens in a
 * separate tab without an opener, the twin's system browser; other schemes open nothing),
 * window.open always returns null, forms and frames are refused by the Content-Security-Policy,
 * drops do not navigate, and window.proofdesk is exactly the preload's surface and cannot be
 * swapped. Nothing leaves the machine: requests to other origins are answered by a stub here.
 *
 * What only Electron can enforce, and main.ts does: refusing a navigation the page's own script
 * starts (location.assign, will-navigate), a redirect of the document (will-redirect), webview
 * tags, permission prompts (the twin only sends a Permissions-Policy), opening https in the OS
 * browser rather than a tab, and checking the sending frame of each IPC call (the twin checks
 * the cookie, Host and Origin instead).
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PRELOAD_EVENT_METHODS, PRELOAD_METHODS } from '../src-shared/ipc/ipc-contract';
import {
  describeWithChromium,
  launchChromium,
  screenshotDir,
  startServe,
  type ServeProcess,
} from './support/renderer-harness';
import { temporaryDirectory } from './support/ledger-fixtures';

interface AppUnderTest {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests that went anywhere but the twin, answered by the stub. */
  readonly external: string[];
}

describeWithChromium('navigation cannot leave the app (browser twin)', () => {
  let browser: Browser;
  let twin: ServeProcess;

  beforeAll(async () => {
    twin = await startServe({ stateDir: join(temporaryDirectory(), 'state') });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await twin?.stop();
  });

  async function openApp(): Promise<AppUnderTest> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const external: string[] = [];
    await context.route(
      (url) => url.origin !== twin.origin,
      (route) => {
        external.push(route.request().url());
        return route.fulfill({ contentType: 'text/html', body: '<title>elsewhere</title>' });
      },
    );
    const page = await context.newPage();
    await page.goto(twin.url);
    await expect
      .poll(() => page.getByLabel('Open file').getByText('demo-ledger.db').count())
      .toBe(1);
    return { context, page, external };
  }

  /** The app page is still the app, at its own address. */
  async function expectStillTheApp(page: Page): Promise<void> {
    expect(page.url()).toBe(`${twin.origin}/`);
    expect(await page.getByRole('heading', { name: 'Proofdesk' }).count()).toBe(1);
    expect(await page.getByLabel('Open file').getByText('demo-ledger.db').count()).toBe(1);
  }

  async function addLink(page: Page, href: string, target = ''): Promise<void> {
    await page.evaluate(
      ([linkHref, linkTarget]) => {
        document.getElementById('test-link')?.remove();
        const link = document.createElement('a');
        link.id = 'test-link';
        link.href = linkHref;
        if (linkTarget !== '') link.target = linkTarget;
        link.textContent = 'a link';
        document.body.prepend(link);
      },
      [href, target] as const,
    );
  }

  it('a link to an https site opens in a separate tab without an opener, never in the app page', async () => {
    const { context, page, external } = await openApp();
    for (const [target, button] of [
      ['', 'left'],
      ['_blank', 'left'],
      ['', 'middle'],
    ] as const) {
      await addLink(page, 'https://example.org/elsewhere', target);
      const popupOpened = context.waitForEvent('page');
      await page.click('#test-link', { button });
      const popup = await popupOpened;
      await popup.waitForLoadState();
      expect(popup.url()).toBe('https://example.org/elsewhere');
      // The new tab cannot reach back into the app.
      expect(await popup.evaluate(() => window.opener === null)).toBe(true);
      await popup.close();
      await expectStillTheApp(page);
    }
    expect(external).toEqual(Array(3).fill('https://example.org/elsewhere'));
    await page.screenshot({ path: join(screenshotDir, 'twin-after-external-link.png') });
  });

  it('links to other schemes and to other paths of the twin open nothing', async () => {
    const { context, page, external } = await openApp();
    for (const href of [
      'http://example.org/plain-http',
      'file:///etc/passwd',
      `${twin.origin}/api/events`,
      '/index.html',
      'javascript:void 0',
    ]) {
      await addLink(page, href);
      await page.click('#test-link');
      await page.waitForTimeout(200);
      expect(context.pages(), href).toHaveLength(1);
      await expectStillTheApp(page);
    }
    expect(external).toEqual([]);
  });

  it('window.open always returns null; only https opens, in a tab without an opener', async () => {
    const { context, page, external } = await openApp();
    const popupOpened = context.waitForEvent('page');
    const handles = await page.evaluate(() =>
      [
        window.open('https://example.org/from-window-open'),
        window.open('http://example.org/'),
        window.open('file:///etc/passwd'),
        window.open('/'),
        window.open('javascript:void 0'),
        window.open(),
      ].map((handle) => handle === null),
    );
    expect(handles).toEqual([true, true, true, true, true, true]);
    const popup = await popupOpened;
    await popup.waitForLoadState();
    expect(popup.url()).toBe('https://example.org/from-window-open');
    expect(await popup.evaluate(() => window.opener === null)).toBe(true);
    await page.waitForTimeout(200);
    expect(context.pages()).toHaveLength(2);
    expect(external).toEqual(['https://example.org/from-window-open']);
    // Page script cannot put the real window.open back.
    expect(
      await page.evaluate(() => {
        const descriptor = Object.getOwnPropertyDescriptor(window, 'open');
        return descriptor?.writable === false && descriptor.configurable === false;
      }),
    ).toBe(true);
    await expectStillTheApp(page);
  });

  it('forms and frames cannot reach another site (Content-Security-Policy)', async () => {
    const { page, external } = await openApp();
    const violations = await page.evaluate(async () => {
      const seen: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(event.effectiveDirective),
      );
      const form = document.createElement('form');
      form.action = 'https://example.org/form';
      form.method = 'post';
      document.body.append(form);
      form.requestSubmit();
      const frame = document.createElement('iframe');
      frame.src = 'https://example.org/frame';
      document.body.append(frame);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The header and index.html's meta tag are two policies, so each reports its refusal.
      return [...new Set(seen)].sort();
    });
    expect(violations).toEqual(['form-action', 'frame-src']);
    expect(external).toEqual([]);
    await expectStillTheApp(page);
  });

  it('dropping something on the window does not navigate to it', async () => {
    const { page } = await openApp();
    const prevented = await page.evaluate(() =>
      (['dragover', 'drop'] as const).map((type) => {
        const event = new DragEvent(type, { cancelable: true, bubbles: true });
        document.body.dispatchEvent(event);
        return event.defaultPrevented;
      }),
    );
    expect(prevented).toEqual([true, true]);
  });

  it("window.proofdesk is the twin's bridge: the preload's methods only, frozen, not replaceable", async () => {
    const { page } = await openApp();
    const surface = await page.evaluate(() => {
      const global = window as unknown as { proofdesk: object };
      const before = global.proofdesk;
      try {
        global.proofdesk = { verifyLedger: () => 'forged' };
      } catch {
        // Strict-mode assignment to a read-only property throws; either way it must not stick.
      }
      return {
        keys: Object.keys(global.proofdesk).sort(),
        frozen: Object.isFrozen(global.proofdesk),
        same: global.proofdesk === before,
      };
    });
    expect(surface).toEqual({
      keys: [...Object.values(PRELOAD_METHODS), ...Object.values(PRELOAD_EVENT_METHODS)].sort(),
      frozen: true,
      same: true,
    });
  });
});
