/**
 * Anchors: every anchor of the open ledger with its state, Anchor now and Upgrade (run by a worker
 * in main, with progress and Cancel), the recent attempts, and the ledger's anchoring schedule.
 * Main decides what may be done and keeps the schedule; this view asks and shows the answers. The
 * network is used only by those two buttons and by a schedule the user turns on here.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type {
  ChannelInput,
  ChannelOutput,
  IpcError,
  IpcResult,
} from '../src-shared/ipc/ipc-contract';
import { showLedgerEntry } from './ledger-navigation';
import { proofdeskApi } from './proofdesk-api';
import './anchors.css';

type AnchorsOverview = ChannelOutput<'anchors/list'>;
type Anchor = AnchorsOverview['anchors'][number];
type AnchorAttempt = AnchorsOverview['attempts'][number];
type AnchorSchedule = ChannelInput<'anchors/set-schedule'>;
type JobKind = 'anchor' | 'upgrade';
type JobState =
  | { phase: 'idle' }
  | { phase: 'running'; job: JobKind; step: string; done: number; total: number }
  | { phase: 'finished'; summary: string }
  | { phase: 'cancelled' }
  | { phase: 'failed'; error: IpcError };

const STATE_LABELS: Record<Anchor['state'], string> = {
  PENDING: 'PENDING',
  CONFIRMED: 'CONFIRMED',
  TSA_ONLY: 'TSA ONLY',
};

const STATE_BADGE_CLASSES: Record<Anchor['state'], string> = {
  PENDING: 'anchor-badge-pending',
  CONFIRMED: 'anchor-badge-pass',
  TSA_ONLY: 'anchor-badge-neutral',
};

const OUTCOME_BADGE_CLASSES: Record<AnchorAttempt['outcome'], string> = {
  OK: 'anchor-badge-pass',
  PARTIAL: 'anchor-badge-warn',
  FAILED: 'anchor-badge-fail',
};

const TRIGGER_LABELS: Record<AnchorAttempt['trigger'], string> = {
  manual: 'Anchor now',
  schedule: 'schedule',
  upgrade: 'Upgrade',
};

// The contract's limits, so a value main would refuse is explained next to its field instead.
const MAX_EVERY_N_ENTRIES = 100_000_000;
const MAX_EVERY_M_MINUTES = 525_600;
const MAX_URLS = 16;
const MAX_URL_LENGTH = 2048;
const HTTP_URL = /^https?:\/\/\S+$/;

const SCHEDULE_REFRESH_MS = 30_000;

const STEP_NAMES: Record<JobKind, string> = { anchor: 'Anchoring', upgrade: 'Upgrading' };

/** "2026-11-22 21:40:49 UTC" from ISO 8601 UTC; anything else is shown as main sent it. */
function formatUtc(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(?:Z|\+00:00)$/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}

function Timestamp({ iso }: { iso: string }) {
  return <time dateTime={iso}>{formatUtc(iso)}</time>;
}

function Badge({ label, tone }: { label: string; tone: string }) {
  return <span className={`anchor-badge ${tone}`}>{label}</span>;
}

/** What a finished job did, in a sentence, from the overviews before and after it. */
function jobSummary(job: JobKind, before: AnchorsOverview | null, after: AnchorsOverview): string {
  const latest = after.attempts.find(
    (attempt) => attempt.trigger === (job === 'anchor' ? 'manual' : 'upgrade'),
  );
  const partial = latest?.outcome === 'PARTIAL' ? ` ${latest.message}` : '';
  if (job === 'anchor') {
    const known = new Set(before?.anchors.map((anchor) => anchor.anchorId));
    const written = after.anchors.filter((anchor) => !known.has(anchor.anchorId));
    if (written.length === 0) return latest?.message ?? 'Nothing was anchored.';
    return (
      written
        .map(
          (anchor) =>
            `Anchor ${anchor.anchorId} written${
              anchor.chainHeadEntryId === null ? '' : ` for entry ${anchor.chainHeadEntryId}`
            }: ${STATE_LABELS[anchor.state]}.`,
        )
        .join(' ') + partial
    );
  }
  const wasPending = new Set(
    before?.anchors.filter((anchor) => anchor.state === 'PENDING').map((anchor) => anchor.anchorId),
  );
  const confirmed = after.anchors.filter(
    (anchor) => anchor.state === 'CONFIRMED' && wasPending.has(anchor.anchorId),
  );
  if (confirmed.length === 0) {
    return `No pending anchor is confirmed yet; calendars usually need a few hours.${partial}`;
  }
  const ids = confirmed.map((anchor) => anchor.anchorId).join(', ');
  return `${confirmed.length === 1 ? `Anchor ${ids} is` : `Anchors ${ids} are`} now CONFIRMED.${partial}`;
}

interface BlockedReason {
  readonly id: string;
  readonly text: string;
  readonly blocks: readonly JobKind[];
}

/** Why Anchor now or Upgrade cannot run: one reason for both when nothing can be anchored here. */
function blockedReasons(overview: AnchorsOverview | null): BlockedReason[] {
  if (overview === null) return [];
  if (overview.unavailableReason !== null) {
    return [
      {
        id: 'anchors-unavailable',
        text: overview.unavailableReason,
        blocks: ['anchor', 'upgrade'],
      },
    ];
  }
  const reasons: BlockedReason[] = [];
  const { calendarUrls, tsaUrls } = overview.schedule;
  if (calendarUrls.length === 0 && tsaUrls.length === 0) {
    reasons.push({
      id: 'anchor-now-why',
      text: 'Add a calendar or TSA URL below first.',
      blocks: ['anchor'],
    });
  }
  if (!overview.anchors.some((anchor) => anchor.state === 'PENDING')) {
    reasons.push({
      id: 'upgrade-why',
      text: 'No anchor is pending, so there is nothing to upgrade.',
      blocks: ['upgrade'],
    });
  }
  return reasons;
}

/** True when the focused control went away (removed or disabled) and focus fell to the page. */
const focusLost = (): boolean =>
  document.activeElement === null || document.activeElement === document.body;

export function AnchorsView() {
  const [overview, setOverview] = useState<AnchorsOverview | null>(null);
  const [loadError, setLoadError] = useState<IpcError | null>(null);
  const [job, setJob] = useState<JobState>({ phase: 'idle' });
  const anchorButtonRef = useRef<HTMLButtonElement>(null);
  const upgradeButtonRef = useRef<HTMLButtonElement>(null);
  const cancelButtonRef = useRef<HTMLButtonElement>(null);
  // Set when a finished job took away the focused control, so focus goes back to its button.
  const returnFocusToRef = useRef<JobKind | null>(null);
  const jobRunningRef = useRef(false);

  const refresh = useCallback(async () => {
    const reply = await proofdeskApi().listAnchors({});
    if (reply.ok) {
      setOverview(reply.data);
      setLoadError(null);
    } else {
      setLoadError(reply.error);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return proofdeskApi().onAnchoringProgress((progress) => {
      // A job started elsewhere (another window of the twin) ends up in the table once done.
      if (!jobRunningRef.current) {
        if (progress.total > 0 && progress.done >= progress.total) void refresh();
        return;
      }
      setJob((state) =>
        state.phase === 'running' && state.job === progress.job
          ? { ...state, step: progress.step, done: progress.done, total: progress.total }
          : state,
      );
    });
  }, [refresh]);

  const scheduleOn = overview?.schedule.enabled === true && overview.unavailableReason === null;
  useEffect(() => {
    if (!scheduleOn) return;
    // Main's schedule anchors without a word to the page, so the page looks as often as it does.
    const timer = setInterval(() => void refresh(), SCHEDULE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [scheduleOn, refresh]);

  const runJob = async (kind: JobKind): Promise<void> => {
    const before = overview;
    jobRunningRef.current = true;
    setJob({ phase: 'running', job: kind, step: `${STEP_NAMES[kind]}…`, done: 0, total: 0 });
    const reply =
      kind === 'anchor'
        ? await proofdeskApi().anchorNow({})
        : await proofdeskApi().upgradeAnchors({});
    jobRunningRef.current = false;
    // Both buttons are disabled during the run and Cancel goes with it: a keyboard user on any of
    // them would otherwise be dropped at the top of the page.
    if (focusLost() || document.activeElement === cancelButtonRef.current) {
      returnFocusToRef.current = kind;
    }
    if (reply.ok) {
      setOverview(reply.data);
      setJob({ phase: 'finished', summary: jobSummary(kind, before, reply.data) });
      return;
    }
    setJob(
      reply.error.code === 'CANCELLED'
        ? { phase: 'cancelled' }
        : { phase: 'failed', error: reply.error },
    );
    // A failed attempt is recorded, with the schedule's next try.
    await refresh();
  };

  useEffect(() => {
    if (job.phase === 'running' || returnFocusToRef.current === null) return;
    const pressed = returnFocusToRef.current === 'anchor' ? anchorButtonRef : upgradeButtonRef;
    const other = pressed === anchorButtonRef ? upgradeButtonRef : anchorButtonRef;
    returnFocusToRef.current = null;
    // Upgrade is disabled once nothing is left pending; then the other button takes focus.
    const target = [pressed.current, other.current].find((button) => button?.disabled === false);
    target?.focus();
  }, [job.phase]);

  const saveSchedule = async (schedule: AnchorSchedule): Promise<IpcResult<AnchorsOverview>> => {
    const reply = await proofdeskApi().setAnchorSchedule(schedule);
    if (reply.ok) setOverview(reply.data);
    return reply;
  };

  const running = job.phase === 'running';
  const unavailable = overview?.unavailableReason ?? null;
  const reasons = blockedReasons(overview);
  const reasonFor = (kind: JobKind) => reasons.find((reason) => reason.blocks.includes(kind));
  const jobButton = (kind: JobKind, label: string) => (
    <button
      ref={kind === 'anchor' ? anchorButtonRef : upgradeButtonRef}
      type="button"
      onClick={() => void runJob(kind)}
      disabled={overview === null || running || reasonFor(kind) !== undefined}
      aria-describedby={reasonFor(kind)?.id}
    >
      {label}
    </button>
  );

  return (
    <div className="view-body anchors">
      <h2 className="visually-hidden">Anchors</h2>
      {loadError !== null && (
        <p role="alert" className="error">
          {loadError.message}
        </p>
      )}
      <div className="toolbar anchors-toolbar" role="group" aria-label="Anchoring controls">
        {jobButton('anchor', 'Anchor now')}
        {jobButton('upgrade', 'Upgrade')}
        {job.phase === 'running' && (
          <>
            {/* Indeterminate until the worker has said how many steps there are. */}
            <progress
              aria-label={`${STEP_NAMES[job.job]} progress`}
              max={Math.max(job.total, 1)}
              value={job.total > 0 ? job.done : undefined}
            />
            {job.total > 0 && (
              <span className="progress-text">
                {job.done} / {job.total}
              </span>
            )}
            <button
              ref={cancelButtonRef}
              type="button"
              onClick={() => void proofdeskApi().cancelAnchoring({})}
            >
              Cancel
            </button>
          </>
        )}
      </div>
      {reasons.map((reason) => (
        <p key={reason.id} id={reason.id} className="muted anchors-reason">
          {reason.text}
        </p>
      ))}
      {overview?.busy === true && !running && (
        <p className="muted">
          Anchoring is already running (the schedule's, or another window's); its result appears
          here when it is done.
        </p>
      )}
      {/* Always present, so screen readers hear what goes into it: each step, then the outcome. */}
      <p role="status" className="anchors-status">
        {job.phase === 'running' &&
          `${job.step}${job.total > 0 ? ` (${job.done} of ${job.total})` : ''}`}
        {job.phase === 'finished' && job.summary}
        {job.phase === 'cancelled' && 'Cancelled; nothing was written.'}
      </p>
      {job.phase === 'failed' && (
        <p role="alert" className="error">
          {job.error.message}
        </p>
      )}

      <div className="anchors-panel">
        {overview === null ? (
          loadError === null && <p className="muted">Reading the anchors…</p>
        ) : overview.anchors.length === 0 ? (
          <p className="anchors-empty">
            This ledger has no anchors yet. An anchor commits the ledger’s head to OpenTimestamps
            calendars (and through them to Bitcoin) or to an RFC 3161 timestamping authority, so it
            can later be proved that the ledger read this way by that time.
          </p>
        ) : (
          <AnchorTable anchors={overview.anchors} />
        )}
      </div>

      {overview !== null && (
        <div className="anchors-columns">
          <section aria-labelledby="anchor-attempts-heading" className="anchors-panel">
            <h3 id="anchor-attempts-heading">Recent attempts</h3>
            {overview.nextAttemptAt !== null && (
              <p>
                Next attempt: <Timestamp iso={overview.nextAttemptAt} />
              </p>
            )}
            {overview.attempts.length === 0 ? (
              <p className="muted">No anchoring has been attempted yet.</p>
            ) : (
              <ul className="anchor-attempts" aria-labelledby="anchor-attempts-heading">
                {overview.attempts.map((attempt, index) => (
                  <li key={`${attempt.at}-${index}`}>
                    <Badge label={attempt.outcome} tone={OUTCOME_BADGE_CLASSES[attempt.outcome]} />
                    <div>
                      <Timestamp iso={attempt.at} />{' '}
                      <span className="muted">
                        · {TRIGGER_LABELS[attempt.trigger]}
                        {attempt.anchorId !== null && ` · anchor ${attempt.anchorId}`}
                      </span>
                      <p className="anchor-attempt-message">{attempt.message}</p>
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="anchor-schedule-heading" className="anchors-panel">
            <h3 id="anchor-schedule-heading">Schedule</h3>
            <ScheduleForm
              saved={overview.schedule}
              disabled={unavailable !== null}
              onSave={saveSchedule}
            />
          </section>
        </div>
      )}
    </div>
  );
}

function AnchorTable({ anchors }: { anchors: readonly Anchor[] }) {
  return (
    <table className="anchors-table">
      <caption>
        {anchors.length} {anchors.length === 1 ? 'anchor' : 'anchors'} of the open ledger
      </caption>
      <thead>
        <tr>
          <th scope="col">Anchor</th>
          <th scope="col">State</th>
          <th scope="col">Head entry</th>
          <th scope="col">Submitted</th>
          <th scope="col">Confirmed</th>
          <th scope="col">Calendars</th>
          <th scope="col">Timestamping authority</th>
        </tr>
      </thead>
      <tbody>
        {anchors.map((anchor) => (
          <tr key={anchor.anchorId}>
            <th scope="row">{anchor.anchorId}</th>
            <td>
              <Badge label={STATE_LABELS[anchor.state]} tone={STATE_BADGE_CLASSES[anchor.state]} />
            </td>
            <td>
              {anchor.chainHeadEntryId !== null && (
                <button
                  type="button"
                  className="record-link"
                  aria-label={`Show entry ${anchor.chainHeadEntryId} in the ledger`}
                  onClick={() => showLedgerEntry(anchor.chainHeadEntryId ?? 0)}
                >
                  entry {anchor.chainHeadEntryId}
                </button>
              )}
              <code className="anchor-hash" title={anchor.chainHeadHash}>
                {anchor.chainHeadHash.slice(0, 10)}…
              </code>
            </td>
            <td>{anchor.submittedAt === null ? '—' : <Timestamp iso={anchor.submittedAt} />}</td>
            <td>
              {anchor.confirmedAt !== null && <Timestamp iso={anchor.confirmedAt} />}
              {anchor.bitcoinBlockHeight !== null && (
                <span className="anchor-detail">
                  Bitcoin block {anchor.bitcoinBlockHeight.toLocaleString('en-US')}
                </span>
              )}
              {anchor.confirmedAt === null && anchor.bitcoinBlockHeight === null && (
                <span className="muted">
                  {anchor.state === 'TSA_ONLY' ? 'no Bitcoin proof' : 'not yet'}
                </span>
              )}
            </td>
            <td>
              {anchor.calendars.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ul className="anchor-urls">
                  {anchor.calendars.map((calendar) => (
                    <li key={calendar}>{calendar}</li>
                  ))}
                </ul>
              )}
            </td>
            <td>
              {anchor.tsaUrl === null ? (
                <span className="muted">none</span>
              ) : (
                <>
                  <span className="anchor-url">{anchor.tsaUrl}</span>
                  {anchor.tsaGenTime !== null && (
                    <span className="anchor-detail">
                      <Timestamp iso={anchor.tsaGenTime} />
                    </span>
                  )}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type ScheduleField = 'enabled' | 'everyNEntries' | 'everyMMinutes' | 'calendarUrls' | 'tsaUrls';
type FieldErrors = Partial<Record<ScheduleField, string>>;

const FIELD_IDS: Record<ScheduleField, string> = {
  enabled: 'anchor-schedule-enabled',
  everyNEntries: 'anchor-schedule-entries',
  everyMMinutes: 'anchor-schedule-minutes',
  calendarUrls: 'anchor-schedule-calendars',
  tsaUrls: 'anchor-schedule-tsas',
};
const FIELD_ORDER: readonly ScheduleField[] = [
  'enabled',
  'everyNEntries',
  'everyMMinutes',
  'calendarUrls',
  'tsaUrls',
];

interface ScheduleFields {
  enabled: boolean;
  everyNEntries: string;
  everyMMinutes: string;
  calendarUrls: string;
  tsaUrls: string;
}

const fieldsOf = (schedule: AnchorSchedule): ScheduleFields => ({
  enabled: schedule.enabled,
  everyNEntries: String(schedule.everyNEntries),
  everyMMinutes: String(schedule.everyMMinutes),
  calendarUrls: schedule.calendarUrls.join('\n'),
  tsaUrls: schedule.tsaUrls.join('\n'),
});

function parseCount(text: string, max: number, unit: string): number | string {
  const trimmed = text.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (Number.isSafeInteger(value) && value >= 1 && value <= max) return value;
  return `Enter a whole number of ${unit} from 1 to ${max.toLocaleString('en-US')}.`;
}

/** What main accepts: http or https, no spaces, and a URL the browser can parse. */
function isHttpUrl(text: string): boolean {
  if (text.length > MAX_URL_LENGTH || !HTTP_URL.test(text)) return false;
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function parseUrls(text: string): string[] | string {
  const lines = text
    .split('\n')
    .map((line, index) => ({ url: line.trim(), lineNumber: index + 1 }))
    .filter(({ url }) => url !== '');
  if (lines.length > MAX_URLS) return `At most ${MAX_URLS} URLs, one per line.`;
  const invalid = lines.find(({ url }) => !isHttpUrl(url));
  if (invalid !== undefined) {
    return `Line ${invalid.lineNumber}, “${invalid.url.slice(0, 80)}”, is not an http:// or https:// URL.`;
  }
  return lines.map(({ url }) => url);
}

/** The schedule from the form's fields, or an error for each field main would refuse. */
function validateSchedule(
  fields: ScheduleFields,
): { valid: true; schedule: AnchorSchedule } | { valid: false; errors: FieldErrors } {
  const everyNEntries = parseCount(fields.everyNEntries, MAX_EVERY_N_ENTRIES, 'entries');
  const everyMMinutes = parseCount(fields.everyMMinutes, MAX_EVERY_M_MINUTES, 'minutes');
  const calendarUrls = parseUrls(fields.calendarUrls);
  const tsaUrls = parseUrls(fields.tsaUrls);
  const errors: FieldErrors = {};
  if (typeof everyNEntries === 'string') errors.everyNEntries = everyNEntries;
  if (typeof everyMMinutes === 'string') errors.everyMMinutes = everyMMinutes;
  if (typeof calendarUrls === 'string') errors.calendarUrls = calendarUrls;
  if (typeof tsaUrls === 'string') errors.tsaUrls = tsaUrls;
  if (
    fields.enabled &&
    Array.isArray(calendarUrls) &&
    Array.isArray(tsaUrls) &&
    calendarUrls.length + tsaUrls.length === 0
  ) {
    errors.enabled = 'Anchoring automatically needs at least one calendar or TSA URL below.';
  }
  if (
    errors.enabled !== undefined ||
    typeof everyNEntries === 'string' ||
    typeof everyMMinutes === 'string' ||
    typeof calendarUrls === 'string' ||
    typeof tsaUrls === 'string'
  ) {
    return { valid: false, errors };
  }
  return {
    valid: true,
    schedule: { enabled: fields.enabled, everyNEntries, everyMMinutes, calendarUrls, tsaUrls },
  };
}

function ScheduleForm({
  saved,
  disabled,
  onSave,
}: {
  saved: AnchorSchedule;
  disabled: boolean;
  onSave: (schedule: AnchorSchedule) => Promise<IpcResult<AnchorsOverview>>;
}) {
  const [fields, setFields] = useState<ScheduleFields>(() => fieldsOf(saved));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saveError, setSaveError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState('');
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const edit = <K extends ScheduleField>(field: K, value: ScheduleFields[K]): void => {
    setFields((current) => ({ ...current, [field]: value }));
    // The error said what was wrong with the old value; a changed one is judged on the next Save.
    setErrors(({ [field]: _fixed, ...rest }) => rest);
    setNotice('');
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setSaveError(null);
    setNotice('');
    const checked = validateSchedule(fields);
    if (!checked.valid) {
      setErrors(checked.errors);
      const first = FIELD_ORDER.find((field) => checked.errors[field] !== undefined);
      if (first !== undefined) {
        formRef.current?.querySelector<HTMLElement>(`#${FIELD_IDS[first]}`)?.focus();
      }
      return;
    }
    setErrors({});
    setSaving(true);
    const reply = await onSave(checked.schedule);
    setSaving(false);
    if (!reply.ok) {
      setSaveError(reply.error);
      return;
    }
    setFields(fieldsOf(reply.data.schedule));
    setNotice(
      reply.data.schedule.enabled
        ? 'Schedule saved. Anchoring runs automatically.'
        : 'Schedule saved. Anchoring runs only when you press Anchor now.',
    );
  };

  /** aria-describedby for a field: its help, then its error when it has one. */
  const describedBy = (field: ScheduleField, help?: string): string | undefined =>
    [help, errors[field] === undefined ? undefined : `${FIELD_IDS[field]}-error`]
      .filter((id) => id !== undefined)
      .join(' ') || undefined;
  const fieldError = (field: ScheduleField) =>
    errors[field] === undefined ? null : (
      <p id={`${FIELD_IDS[field]}-error`} className="field-error">
        {errors[field]}
      </p>
    );
  const controlsDisabled = disabled || saving;

  const urlField = (
    field: 'calendarUrls' | 'tsaUrls',
    label: string,
    rows: number,
    placeholder: string,
    help: string,
  ) => (
    <div className="schedule-field">
      <label htmlFor={FIELD_IDS[field]}>{label}</label>
      <textarea
        id={FIELD_IDS[field]}
        rows={rows}
        spellCheck={false}
        placeholder={placeholder}
        value={fields[field]}
        disabled={controlsDisabled}
        aria-invalid={errors[field] !== undefined}
        aria-describedby={describedBy(field, `${FIELD_IDS[field]}-help`)}
        onChange={(event) => edit(field, event.target.value)}
      />
      <p id={`${FIELD_IDS[field]}-help`} className="field-help">
        {help}
      </p>
      {fieldError(field)}
    </div>
  );

  const countField = (field: 'everyNEntries' | 'everyMMinutes', label: string, max: number) => (
    <div className="schedule-field">
      <label htmlFor={FIELD_IDS[field]}>{label}</label>
      <input
        id={FIELD_IDS[field]}
        type="number"
        inputMode="numeric"
        min={1}
        max={max}
        step={1}
        value={fields[field]}
        disabled={controlsDisabled}
        aria-invalid={errors[field] !== undefined}
        aria-describedby={describedBy(field)}
        onChange={(event) => edit(field, event.target.value)}
      />
      {fieldError(field)}
    </div>
  );

  return (
    <form
      ref={formRef}
      className="anchor-schedule"
      aria-labelledby="anchor-schedule-heading"
      noValidate
      onSubmit={(event) => void submit(event)}
    >
      <div className="schedule-field">
        <label className="schedule-checkbox">
          <input
            id={FIELD_IDS.enabled}
            type="checkbox"
            checked={fields.enabled}
            disabled={controlsDisabled}
            aria-invalid={errors.enabled !== undefined}
            aria-describedby={describedBy('enabled', 'anchor-schedule-when')}
            onChange={(event) => edit('enabled', event.target.checked)}
          />
          Anchor automatically
        </label>
        <p id="anchor-schedule-when" className="field-help">
          The head is anchored once N entries have been added since the last anchor, or once M
          minutes have passed with something new.
        </p>
        {fieldError('enabled')}
      </div>
      <div className="schedule-counts">
        {countField('everyNEntries', 'every N entries', MAX_EVERY_N_ENTRIES)}
        {countField('everyMMinutes', 'or every M minutes', MAX_EVERY_M_MINUTES)}
      </div>
      {urlField(
        'calendarUrls',
        'Calendar URLs',
        3,
        'e.g. https://alice.btc.calendar.opentimestamps.org',
        'OpenTimestamps calendars, one URL per line.',
      )}
      {urlField(
        'tsaUrls',
        'TSA URLs',
        2,
        'e.g. https://freetsa.org/tsr',
        'RFC 3161 timestamping authorities, one URL per line.',
      )}
      <div className="schedule-actions">
        <button type="submit" disabled={controlsDisabled}>
          Save schedule
        </button>
        <p role="status" className="schedule-notice">
          {notice}
        </p>
      </div>
      {saveError !== null && (
        <p role="alert" className="error">
          {saveError.message}
        </p>
      )}
      <p className="field-help">
        The network is used only when anchoring automatically is enabled here, or when you press
        Anchor now or Upgrade. Anchor now uses the saved URLs even while automatic anchoring is off.
      </p>
    </form>
  );
}
