/**
 * Settings: the officer this installation signs approvals as, the keyrings of trusted signers,
 * and the appearance. Keys and keyrings live in main; this view only asks for changes, and files
 * are chosen by main's dialog (the app) or the in-app chooser by handle (the twin).
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { ChannelOutput, IpcError, IpcResult } from '../src-shared/ipc/ipc-contract';
import { FileChooser } from './file-chooser';
import { proofdeskApi } from './proofdesk-api';
import {
  loadThemePreference,
  setThemePreference,
  THEME_PREFERENCES,
  type ThemePreference,
} from './theme';
import './settings.css';

type Settings = ChannelOutput<'settings/describe'>;
type Choosing = null | 'keyring' | 'officer-key' | 'tsa-roots' | 'block-headers';

const LABELS: Record<ThemePreference, string> = { system: 'System', light: 'Light', dark: 'Dark' };

const CHOOSER_TEXT: Record<Exclude<Choosing, null>, { title: string; hint: string }> = {
  keyring: {
    title: 'Trust the signers in a keyring',
    hint: 'A JSON file mapping key ids to Ed25519 public keys, as `proofdesk keygen` and nexuscone write them.',
  },
  'tsa-roots': {
    title: 'Trust the TSA roots in a PEM file',
    hint: 'CA certificates in PEM form. RFC 3161 timestamps are trusted only when their signer chains to one of them.',
  },
  'block-headers': {
    title: 'Use a file of Bitcoin block headers',
    hint: 'One 80-byte header per line as "height hex", or a JSON array of {height, hex}. OpenTimestamps confirmations are checked against it.',
  },
  'officer-key': {
    title: 'Import an officer key',
    hint: 'A key file written by `proofdesk keygen`. It is stored encrypted by the operating system.',
  },
};

function ThemeSetting() {
  const [theme, setTheme] = useState<ThemePreference>(loadThemePreference);
  return (
    <fieldset className="theme-setting">
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
  );
}

export function SettingsView() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [keyId, setKeyId] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [choosing, setChoosing] = useState<Choosing>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void proofdeskApi()
      .describeSettings({})
      .then((reply) => (reply.ok ? setSettings(reply.data) : setError(reply.error)));
  }, []);

  /** Runs one change; its answer is the settings as they now stand. */
  const change = async (
    request: () => Promise<IpcResult<Settings | { changed: boolean; settings: Settings }>>,
    done: string,
  ): Promise<IpcError | null> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    const reply = await request();
    setBusy(false);
    if (!reply.ok) {
      setError(reply.error);
      return reply.error;
    }
    const changed = 'settings' in reply.data ? reply.data.changed : true;
    setSettings('settings' in reply.data ? reply.data.settings : reply.data);
    if (changed) setNotice(done);
    return null;
  };

  const addKeyring = (handle?: string) =>
    change(
      () => proofdeskApi().addKeyring(handle === undefined ? {} : { handle }),
      'Keyring added.',
    );
  const addTsaRoots = (handle?: string) =>
    change(
      () => proofdeskApi().addTsaRoots(handle === undefined ? {} : { handle }),
      'TSA roots added.',
    );
  const setBlockHeaders = (handle?: string) =>
    change(
      () => proofdeskApi().setBlockHeaders(handle === undefined ? {} : { handle }),
      'Block headers set.',
    );
  const importKey = (handle?: string) =>
    change(
      () =>
        proofdeskApi().importOfficerKey({
          ...(handle === undefined ? {} : { handle }),
          ...(passphrase === '' ? {} : { passphrase }),
        }),
      'Officer key imported.',
    ).then((failure) => {
      if (failure === null) setPassphrase('');
      return failure;
    });
  /** The app opens main's dialog; the twin opens the in-app chooser, which passes a handle. */
  const chooseThen = (
    kind: Exclude<Choosing, null>,
    use: (handle?: string) => Promise<unknown>,
  ) => {
    if (settings?.fileDialog === 'native') void use();
    else setChoosing(kind);
  };

  const createKey = (event: FormEvent): void => {
    event.preventDefault();
    void change(
      () => proofdeskApi().createOfficerKey({ keyId: keyId.trim() }),
      'Officer key created.',
    ).then((failure) => failure === null && setKeyId(''));
  };

  const officer = settings?.officer ?? null;
  const changes = settings?.officerKeyChanges ?? { allowed: false, reason: null };
  return (
    <div className="view-body settings">
      <h2 className="visually-hidden">Settings</h2>
      {error !== null && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <p role="status" className="settings-notice">
        {notice}
      </p>

      <section aria-labelledby="officer-heading" className="settings-section">
        <h3 id="officer-heading">Officer identity and key</h3>
        {settings !== null && settings.officerProblem !== null && (
          <p className="error">{settings.officerProblem}</p>
        )}
        {officer !== null ? (
          <dl className="officer-identity">
            <dt>Signs approvals as</dt>
            <dd>{officer.keyId}</dd>
            <dt>Public key</dt>
            <dd>
              <code>{officer.publicKeyHex}</code>
            </dd>
            <dt>Kept</dt>
            <dd>
              {officer.source === 'key-store'
                ? 'encrypted by the operating system’s key store'
                : 'in the key file given to proofdesk serve --key'}
            </dd>
          </dl>
        ) : (
          <p className="settings-explain">
            No officer key is set up, so approvals and revocations cannot be signed.
          </p>
        )}
        {!changes.allowed && changes.reason !== null && (
          <p className="settings-explain">{changes.reason}</p>
        )}
        {changes.allowed && officer === null && (
          <>
            <form className="settings-row" onSubmit={createKey}>
              <label>
                Key id{' '}
                <input
                  value={keyId}
                  onChange={(event) => setKeyId(event.target.value)}
                  placeholder="e.g. jane.doe@example.com"
                  required
                  maxLength={128}
                  autoComplete="off"
                />
              </label>
              <button type="submit" disabled={busy || keyId.trim() === ''}>
                Create officer key
              </button>
            </form>
            <div className="settings-row">
              <label>
                Passphrase, if the key file has one{' '}
                <input
                  type="password"
                  value={passphrase}
                  onChange={(event) => setPassphrase(event.target.value)}
                  autoComplete="off"
                />
              </label>
              <button
                type="button"
                disabled={busy}
                onClick={() => chooseThen('officer-key', importKey)}
              >
                Import key file…
              </button>
            </div>
          </>
        )}
        {changes.allowed && officer !== null && (
          <div className="settings-row">
            {confirmingRemoval ? (
              <>
                <span>
                  Remove {officer.keyId}’s key? Approvals already signed stay valid; new ones need
                  another key.
                </span>
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void change(
                      () => proofdeskApi().removeOfficerKey({}),
                      'Officer key removed.',
                    ).then(() => setConfirmingRemoval(false))
                  }
                >
                  Remove key
                </button>
                <button type="button" onClick={() => setConfirmingRemoval(false)}>
                  Keep key
                </button>
              </>
            ) : (
              <button type="button" disabled={busy} onClick={() => setConfirmingRemoval(true)}>
                Remove officer key…
              </button>
            )}
          </div>
        )}
      </section>

      <section aria-labelledby="keyrings-heading" className="settings-section">
        <h3 id="keyrings-heading">Trusted signers</h3>
        <p className="settings-explain">
          Ledger entry signatures and officer approvals are checked against these keys. Without a
          keyring, signatures are reported as not checked.
        </p>
        {settings !== null && settings.keyrings.length > 0 && (
          <ul className="keyring-list" aria-label="Trusted keyrings">
            {settings.keyrings.map((keyring) => (
              <li key={keyring.handle}>
                <div>
                  <span className="keyring-name">{keyring.fileName}</span>{' '}
                  <span className="settings-explain">{keyring.folder}</span>
                  {keyring.problem !== null ? (
                    <p className="error">{keyring.problem}</p>
                  ) : (
                    <p className="keyring-keys">
                      {keyring.keyIds.length} {keyring.keyIds.length === 1 ? 'key' : 'keys'}:{' '}
                      {keyring.keyIds.join(', ')}
                    </p>
                  )}
                </div>
                {keyring.removable ? (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Stop trusting ${keyring.fileName}`}
                    onClick={() =>
                      void change(
                        () => proofdeskApi().removeKeyring({ handle: keyring.handle }),
                        'Keyring removed.',
                      )
                    }
                  >
                    Remove
                  </button>
                ) : (
                  <span className="settings-explain">named on the command line</span>
                )}
              </li>
            ))}
          </ul>
        )}
        <button type="button" disabled={busy} onClick={() => chooseThen('keyring', addKeyring)}>
          Add keyring…
        </button>
      </section>

      <section aria-labelledby="anchors-heading" className="settings-section">
        <h3 id="anchors-heading">Anchor evidence</h3>
        <p className="settings-explain">
          Verification checks every anchor’s RFC 3161 timestamp and OpenTimestamps proof. Who signed
          a timestamp is checked only against TSA roots you trust here, and a Bitcoin confirmation
          only against block headers you supply; without them those checks say they were skipped.
          Nothing is fetched from the network.
        </p>
        {settings !== null && settings.tsaRoots.length > 0 && (
          <ul className="keyring-list" aria-label="Trusted TSA roots">
            {settings.tsaRoots.map((file) => (
              <li key={file.handle}>
                <div>
                  <span className="keyring-name">{file.fileName}</span>{' '}
                  <span className="settings-explain">{file.folder}</span>
                  {file.problem !== null ? (
                    <p className="error">{file.problem}</p>
                  ) : (
                    <p className="keyring-keys">
                      {file.certificates} {file.certificates === 1 ? 'certificate' : 'certificates'}
                    </p>
                  )}
                </div>
                <button
                  type="button"
                  disabled={busy}
                  aria-label={`Stop trusting ${file.fileName}`}
                  onClick={() =>
                    void change(
                      () => proofdeskApi().removeTsaRoots({ handle: file.handle }),
                      'TSA roots removed.',
                    )
                  }
                >
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="settings-row">
          <button
            type="button"
            disabled={busy}
            onClick={() => chooseThen('tsa-roots', addTsaRoots)}
          >
            Add TSA roots…
          </button>
        </div>
        <div className="settings-row">
          {settings !== null && settings.blockHeaders !== null ? (
            <>
              <span>
                Block headers:{' '}
                <span className="keyring-name">{settings.blockHeaders.fileName}</span>{' '}
                {settings.blockHeaders.problem ?? `(${settings.blockHeaders.heights} headers)`}
              </span>
              <button
                type="button"
                disabled={busy}
                onClick={() => chooseThen('block-headers', setBlockHeaders)}
              >
                Replace block headers…
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void change(() => proofdeskApi().clearBlockHeaders({}), 'Block headers cleared.')
                }
              >
                Stop using block headers
              </button>
            </>
          ) : (
            <button
              type="button"
              disabled={busy}
              onClick={() => chooseThen('block-headers', setBlockHeaders)}
            >
              Use block headers…
            </button>
          )}
        </div>
      </section>

      <section aria-labelledby="appearance-heading" className="settings-section">
        <h3 id="appearance-heading">Appearance</h3>
        <ThemeSetting />
      </section>

      {choosing !== null && (
        <FileChooser
          {...CHOOSER_TEXT[choosing]}
          onChoose={async (handle) => {
            const use = {
              keyring: addKeyring,
              'officer-key': importKey,
              'tsa-roots': addTsaRoots,
              'block-headers': setBlockHeaders,
            }[choosing];
            const failure = await use(handle);
            if (failure === null) setChoosing(null);
            return failure;
          }}
          onClose={() => setChoosing(null)}
        />
      )}
    </div>
  );
}
