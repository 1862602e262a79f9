/**
 * The browser twin's share of "navigation cannot leave the app". In Electron, main refuses every
 * navigation (will-navigate, will-redirect), blocks webviews, denies window.open and sends https
 * links to the system browser, whatever the page does. A page in a browser cannot stop its own
 * script from assigning `location`, so the twin does what a page can:
 *
 * - a link click (any button) never navigates the app page; https links open in a new tab with
 *   no opener and no referrer (the twin's system browser), anything else is dropped;
 * - window.open opens nothing in the app's browsing context group: https goes to a new tab
 *   without an opener, everything else is refused, and it always returns null, like Electron's
 *   deny;
 * - dropping a file or link on the window does not navigate to it.
 *
 * Forms (form-action 'none'), frames (default-src 'none') and remote loads are already refused
 * by the Content-Security-Policy.
 */

type Open = (url: string, target: string, features: string) => unknown;

function openOutside(open: Open, url: URL): void {
  if (url.protocol === 'https:') open(url.href, '_blank', 'noopener,noreferrer');
}

export function installNavigationGuard(target: Window): void {
  const originalOpen: Open = target.open.bind(target);

  const onLinkActivation = (event: MouseEvent): void => {
    const element = event.target instanceof Element ? event.target : null;
    const link = element?.closest('a[href], area[href]');
    if (!(link instanceof HTMLAnchorElement || link instanceof HTMLAreaElement)) return;
    const url = new URL(link.href, target.location.href);
    const here = new URL(target.location.href);
    // A jump within this document (#fragment) is not a navigation.
    const sameDocument =
      url.origin === here.origin &&
      url.pathname === here.pathname &&
      url.search === here.search &&
      url.hash !== '' &&
      link.target === '';
    if (sameDocument) return;
    event.preventDefault();
    if (event.type === 'click' || event.button === 1) openOutside(originalOpen, url);
  };
  target.document.addEventListener('click', onLinkActivation, true);
  target.document.addEventListener('auxclick', onLinkActivation, true);

  Object.defineProperty(target, 'open', {
    value: (url?: string | URL): null => {
      if (url !== undefined && url !== '') {
        try {
          openOutside(originalOpen, new URL(url, target.location.href));
        } catch {
          // Not a URL: nothing to open.
        }
      }
      return null;
    },
    writable: false,
    configurable: false,
  });

  const refuseDrop = (event: DragEvent): void => event.preventDefault();
  target.addEventListener('dragover', refuseDrop);
  target.addEventListener('drop', refuseDrop);
}
