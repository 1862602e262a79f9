/**
 * The OpenTimestamps calendar protocol as nexuscone uses it (spec §5.1, §5.3): submit a raw
 * 32-byte chain head to each calendar and merge the partial timestamps under the head, then later
 * ask each calendar named in a pending attestation for the path from its commitment to a block.
 *
 * Calendars are remote and untrusted: every request has a timeout, every answer a size limit
 * (python-opentimestamps' 10,000 bytes) and goes through the bounded codec, and an answer is
 * only accepted as a timestamp on exactly the message that was asked about.
 */
import { concatBytes } from '../../src-shared/crypto/bytes';
import {
  equalBytes,
  mergeOtsTimestamps,
  otsAttestationPaths,
  type OtsTimestamp,
  otsTimestamp,
  parseOtsTimestamp,
} from '../../src-shared/anchors/ots-codec';
import { bytesToHex } from '../../src-shared/crypto/hex';

/** python-opentimestamps' RemoteCalendar reads at most this many bytes of an answer. */
export const CALENDAR_RESPONSE_LIMIT_BYTES = 10_000;
/** nexuscone gives each remote call 30 s (spec §5.1). */
export const DEFAULT_CALENDAR_TIMEOUT_MS = 30_000;
const ACCEPT = 'application/vnd.opentimestamps.v1';
const USER_AGENT = 'proofdesk';

/** A calendar request that failed; the message is one sentence. */
export class OtsCalendarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtsCalendarError';
  }
}

export interface HttpRequestOptions {
  /** Per request; defaults to {@link DEFAULT_CALENDAR_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Cancels every request in flight. */
  readonly signal?: AbortSignal;
  /** For tests and proxies; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

export interface LimitedResponse {
  readonly status: number;
  readonly body: Uint8Array;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return error.name === 'TimeoutError' ? 'it timed out' : 'it was cancelled';
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  return cause || (error instanceof Error ? error.message : String(error));
}

async function readLimited(response: Response, limit: number, what: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body?.cancel();
    throw new OtsCalendarError(
      `${what} announced ${declared} bytes, over the ${limit}-byte limit.`,
    );
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      throw new OtsCalendarError(`${what} sent more than the ${limit}-byte limit.`);
    }
    chunks.push(value);
  }
  return concatBytes(...chunks);
}

/**
 * One HTTP request with a timeout and a cap on the answer's size; transport failures become an
 * {@link OtsCalendarError} naming `what`.
 */
export async function requestWithLimits(
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: Uint8Array },
  limitBytes: number,
  what: string,
  options: HttpRequestOptions = {},
): Promise<LimitedResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_CALENDAR_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body?.slice(),
      signal,
      // An allowed calendar must not be able to bounce the request to a host nobody allowed.
      redirect: 'error',
    });
  } catch (error) {
    throw new OtsCalendarError(`${what} could not be reached: ${describeFailure(error)}.`);
  }
  try {
    return { status: response.status, body: await readLimited(response, limitBytes, what) };
  } catch (error) {
    if (error instanceof OtsCalendarError) throw error;
    throw new OtsCalendarError(`${what} broke off its answer: ${describeFailure(error)}.`);
  }
}

function requireHttpUrl(url: string, what: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OtsCalendarError(`${what} ${JSON.stringify(url)} is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OtsCalendarError(`${what} ${JSON.stringify(url)} is not an http or https URL.`);
  }
  return url.replace(/\/+$/, '');
}

function parseAnswer(body: Uint8Array, message: Uint8Array, what: string): OtsTimestamp {
  try {
    return parseOtsTimestamp(body, message);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new OtsCalendarError(`${what} answered with no valid timestamp: ${reason}`);
  }
}

/**
 * POSTs the raw digest to `<calendarUrl>/digest`, as python-opentimestamps' RemoteCalendar.submit,
 * and returns the calendar's timestamp on that digest (usually pending). nexuscone adds no nonce
 * of its own (spec §5.1), so neither does this.
 */
export async function submitToCalendar(
  calendarUrl: string,
  digest: Uint8Array,
  options: HttpRequestOptions = {},
): Promise<OtsTimestamp> {
  const base = requireHttpUrl(calendarUrl, 'The calendar URL');
  const what = `Calendar ${base}`;
  const response = await requestWithLimits(
    `${base}/digest`,
    {
      method: 'POST',
      headers: {
        Accept: ACCEPT,
        'User-Agent': USER_AGENT,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: digest,
    },
    CALENDAR_RESPONSE_LIMIT_BYTES,
    what,
    options,
  );
  if (response.status !== 200) {
    throw new OtsCalendarError(`${what} refused the digest with HTTP ${response.status}.`);
  }
  return parseAnswer(response.body, digest, what);
}

export interface CalendarSubmission {
  /** Every calendar's answer merged under the digest; null when none answered. */
  readonly timestamp: OtsTimestamp | null;
  /** The calendars that answered, in the order given: nexuscone's `calendar_servers`. */
  readonly calendars: readonly string[];
  readonly failures: readonly { readonly calendarUrl: string; readonly reason: string }[];
}

/** Submits to each calendar in turn, as nexuscone's Ledger.anchor does, and merges the answers. */
export async function submitToCalendars(
  calendarUrls: readonly string[],
  digest: Uint8Array,
  options: HttpRequestOptions = {},
): Promise<CalendarSubmission> {
  let timestamp: OtsTimestamp | null = null;
  const calendars: string[] = [];
  const failures: { calendarUrl: string; reason: string }[] = [];
  for (const calendarUrl of calendarUrls) {
    try {
      const answer = await submitToCalendar(calendarUrl, digest, options);
      timestamp = timestamp === null ? answer : mergeOtsTimestamps(timestamp, answer);
      calendars.push(calendarUrl);
    } catch (error) {
      if (!(error instanceof OtsCalendarError)) throw error;
      failures.push({ calendarUrl, reason: error.message });
    }
  }
  return { timestamp, calendars, failures };
}

export type CalendarUpgrade =
  | { readonly status: 'upgraded'; readonly timestamp: OtsTimestamp }
  | { readonly status: 'pending'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

/**
 * GETs `<calendarUri>/timestamp/<hex commitment>`: 200 carries the timestamp on the commitment,
 * 404 means the calendar has not reached a block yet (or never saw the commitment). Never throws
 * for the calendar's sake; the poller counts failures as still pending, as nexuscone's does.
 */
export async function fetchCalendarUpgrade(
  calendarUri: string,
  commitment: Uint8Array,
  options: HttpRequestOptions = {},
): Promise<CalendarUpgrade> {
  try {
    const base = requireHttpUrl(calendarUri, 'The calendar URI');
    const what = `Calendar ${base}`;
    const response = await requestWithLimits(
      `${base}/timestamp/${bytesToHex(commitment)}`,
      { method: 'GET', headers: { Accept: ACCEPT, 'User-Agent': USER_AGENT } },
      CALENDAR_RESPONSE_LIMIT_BYTES,
      what,
      options,
    );
    if (response.status === 404) {
      return { status: 'pending', reason: `${what} has no block for this commitment yet.` };
    }
    if (response.status !== 200) {
      return { status: 'failed', reason: `${what} answered HTTP ${response.status}.` };
    }
    return { status: 'upgraded', timestamp: parseAnswer(response.body, commitment, what) };
  } catch (error) {
    if (error instanceof OtsCalendarError) return { status: 'failed', reason: error.message };
    throw error;
  }
}

/**
 * Merges a calendar's timestamp into the tree at every node whose message is the one the calendar
 * answered about (for a submission that is the root; for an upgrade, the pending commitment).
 */
export function mergeCalendarTimestamp(
  tree: OtsTimestamp,
  calendarTimestamp: OtsTimestamp,
): OtsTimestamp {
  const merge = (node: OtsTimestamp): OtsTimestamp => {
    if (equalBytes(node.message, calendarTimestamp.message)) {
      return mergeOtsTimestamps(node, calendarTimestamp);
    }
    return otsTimestamp(
      node.message,
      node.attestations,
      node.branches.map((branch) => ({ op: branch.op, timestamp: merge(branch.timestamp) })),
    );
  };
  return merge(tree);
}

export interface PendingCommitment {
  readonly commitment: Uint8Array;
  readonly calendarUri: string;
}

/** Every (commitment, calendar URI) pair of the tree's pending attestations, as nexuscone's poller collects them. */
export function pendingCommitmentsOf(tree: OtsTimestamp): PendingCommitment[] {
  return otsAttestationPaths(tree).flatMap((path) =>
    path.attestation.kind === 'pending'
      ? [{ commitment: path.message, calendarUri: path.attestation.uri }]
      : [],
  );
}

export interface UpgradeOptions extends HttpRequestOptions {
  /**
   * Which pending URIs may be contacted. The URIs come from the proof, so a proof from an
   * untrusted file could name any host; pass a whitelist of calendars for such files. Defaults to
   * every http and https URI, as nexuscone's poller does.
   */
  readonly isCalendarAllowed?: (calendarUri: string) => boolean;
}

export interface ProofUpgrade {
  readonly timestamp: OtsTimestamp;
  /** Whether any calendar's answer was merged. */
  readonly upgraded: boolean;
  /** Whether the tree now holds a Bitcoin attestation. */
  readonly confirmed: boolean;
  readonly stillPending: readonly PendingCommitment[];
  readonly failures: readonly { readonly calendarUri: string; readonly reason: string }[];
}

/**
 * One poller pass over a proof: asks each pending attestation's calendar for its upgrade and
 * merges every answer. The pending attestations stay in the tree, as nexuscone leaves them.
 */
export async function upgradePendingProof(
  tree: OtsTimestamp,
  options: UpgradeOptions = {},
): Promise<ProofUpgrade> {
  let timestamp = tree;
  let upgraded = false;
  const stillPending: PendingCommitment[] = [];
  const failures: { calendarUri: string; reason: string }[] = [];
  for (const pending of pendingCommitmentsOf(tree)) {
    if (options.isCalendarAllowed && !options.isCalendarAllowed(pending.calendarUri)) {
      stillPending.push(pending);
      failures.push({
        calendarUri: pending.calendarUri,
        reason: `Calendar ${pending.calendarUri} is not on the allowed list.`,
      });
      continue;
    }
    const answer = await fetchCalendarUpgrade(pending.calendarUri, pending.commitment, options);
    if (answer.status === 'upgraded') {
      timestamp = mergeCalendarTimestamp(timestamp, answer.timestamp);
      upgraded = true;
    } else {
      stillPending.push(pending);
      if (answer.status === 'failed') {
        failures.push({ calendarUri: pending.calendarUri, reason: answer.reason });
      }
    }
  }
  const confirmed = otsAttestationPaths(timestamp).some(
    (path) => path.attestation.kind === 'bitcoin',
  );
  return { timestamp, upgraded, confirmed, stillPending, failures };
}
