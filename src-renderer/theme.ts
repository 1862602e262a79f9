/**
 * The System / Light / Dark setting. The chosen theme is stored in this renderer's localStorage (a
 * display preference, not evidence); System follows the operating system as it changes.
 */
export const THEME_PREFERENCES = ['system', 'light', 'dark'] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];

const STORAGE_KEY = 'proofdesk.theme';
const systemDark = (): MediaQueryList => window.matchMedia('(prefers-color-scheme: dark)');

export function loadThemePreference(): ThemePreference {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return (THEME_PREFERENCES as readonly string[]).includes(stored ?? '')
    ? (stored as ThemePreference)
    : 'system';
}

function apply(preference: ThemePreference): void {
  const dark = preference === 'dark' || (preference === 'system' && systemDark().matches);
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
}

let current: ThemePreference = 'system';

/** Applies and remembers a preference. */
export function setThemePreference(preference: ThemePreference): void {
  current = preference;
  window.localStorage.setItem(STORAGE_KEY, preference);
  apply(preference);
}

/** Applies the stored preference before the first render and keeps System in step with the OS. */
export function initialiseTheme(): void {
  current = loadThemePreference();
  apply(current);
  systemDark().addEventListener('change', () => apply(current));
}
