/** Settings: the appearance of the app. */
import { useState } from 'react';
import {
  loadThemePreference,
  setThemePreference,
  THEME_PREFERENCES,
  type ThemePreference,
} from './theme';

const LABELS: Record<ThemePreference, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function SettingsView() {
  const [theme, setTheme] = useState<ThemePreference>(loadThemePreference);
  return (
    <form className="settings" onSubmit={(event) => event.preventDefault()}>
      <fieldset>
        <legend>Theme</legend>
        {THEME_PREFERENCES.map((preference) => (
          <label key={preference}>
            <input
              type="radio"
              name="theme"
              value={preference}
              checked={theme === preference}
              onChange={() => {
                setTheme(preference);
                setThemePreference(preference);
              }}
            />{' '}
            {LABELS[preference]}
          </label>
        ))}
      </fieldset>
    </form>
  );
}
