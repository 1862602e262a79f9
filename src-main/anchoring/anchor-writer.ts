/**
 * Anchors a ledger's head and upgrades pending anchors in nexuscone's own format (spec §5.1-5.3),
 * so nexuscone's poller and verifier and Proofdesk's checks all read what is written: the OTS
 * proof is a bare Timestamp serialisation rooted at the raw head hash, calendar_servers is
 * Python's json.dumps of the calendars that answered, tst_blob is the whole TimeStampResp, and
 * every timestamp column is `%Y-%m-%dT%H:%M:%S.%fZ`.
 *
 * The network round trips happen outside the ledger's write lock, which would otherwise stall
 * every other writer for up to the timeout; the row is then written under the lock after checking
 * that the anchored entry still carries the hash that was timestamped.
 */
import {
  bitcoinHeaderHash,
  displayOrderHex,
  type BlockHeaderSource,
} from '../../src-shared/anchors/block-headers';
import { verifyOtsAnchor } from '../../src-shared/anchors/ots-verification';
import { FINDING_CODE_INFO } from '../../src-shared/check-code';
import type Database from 'better-sqlite3';
import { fetch as undiciFetch, ProxyAgent } from 'undici';
import {
  otsAttestationPaths,
  parseOtsTimestamp,
  serializeOtsTimestamp,
} from '../../src-shared/anchors/ots-codec';
import { escapePythonJsonString } from '../../src-shared/canonical-json/python-json';
import { ProofdeskError } from '../../src-shared/check-code';
import { hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';
import { openLedger } from '../ledger/ledger-database';
import { formatNexusconeTimestamp } from '../ledger/ledger-writer';
import { writeLedger } from '../ledger/ledger-write-transaction';
import { NEXUSCONE_SCHEMA_STATEMENTS } from '../ledger/nexuscone-schema';
import { nowEpochMicros } from '../wall-clock';
import { submitToCalendars, upgradePendingProof } from './ots-calendar-client';
import { parseHttpUrl, requestTimestampFromAny, TsaUnavailableError } from './tsa-client';

export interface AnchorOptions {
  readonly tsaUrls: readonly string[];
  readonly calendarUrls: readonly string[];
  /** Per request, for calendars and TSAs alike. */
  readonly timeoutMs: number;
  /** http://host:port of a proxy for both tracks. */
  readonly proxyUrl?: string;
  readonly signal?: AbortSignal;
}

export interface AnchorFailure {
  readonly track: 'ots' | 'tsa';
  readonly url: string;
  readonly reason: string;
}

export interface AnchorResult {
  readonly anchorId: number;
  readonly chainHeadEntryId: number;
  readonly chainHeadHash: string;
  /** The calendars that answered, as stored in calendar_servers. */
  readonly calendarsOk: string[];
  /** The TSA whose token was stored, or null when none answered. */
  readonly tsaUrl: string | null;
  readonly failures: AnchorFailure[];
}

export interface UpgradeAnchorsOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * The calendar URIs that may be contacted. The URIs come from the proofs, that is from the
   * file, so a file from elsewhere could otherwise make Proofdesk contact any host.
   */
  readonly allowedCalendars?: readonly string[];
}

export interface UpgradeAnchorsResult {
  readonly attempted: number;
  readonly upgraded: number;
  readonly stillPending: number;
  /** Unreadable proofs, and confirmations another writer made first. */
  readonly failed: number;
  readonly upgradedIds: number[];
}

const nexusconeNow = (): string => formatNexusconeTimestamp(nowEpochMicros());

/** Python's json.dumps(list) with default separators and ensure_ascii, as nexuscone stores it. */
export function pythonJsonStringList(items: readonly string[]): string {
  return `[${items.map((item) => escapePythonJsonString(item, true)).join(', ')}]`;
}

function requireHttpUrls(urls: readonly string[], what: string): void {
  for (const text of urls) parseHttpUrl(text, what);
}

function requireTimeout(timeoutMs: number): void {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new ProofdeskError(
      'USAGE',
      'The timeout must be a positive whole number of milliseconds.',
    );
  }
}

function cancelledIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ProofdeskError('CANCELLED', 'Anchoring was cancelled.');
}

function readHead(ledgerPath: string): { entryId: number; entryHash: string } {
  const ledger = openLedger(ledgerPath);
  try {
    const head = ledger.db
      .prepare<[], { entry_id: number; entry_hash: unknown }>(
        'SELECT entry_id, entry_hash FROM entries ORDER BY entry_id DESC LIMIT 1',
      )
      .get();
    if (head === undefined) {
      throw new ProofdeskError(
        'USAGE',
        `${ledger.location.path} has no entries, so there is no head to anchor.`,
      );
    }
    if (typeof head.entry_hash !== 'string' || !isLowerHex(head.entry_hash, 64)) {
      throw new ProofdeskError(
        'USAGE',
        `Entry ${head.entry_id}'s entry_hash is not 64 lowercase hex characters, so it cannot be anchored.`,
      );
    }
    return { entryId: head.entry_id, entryHash: head.entry_hash };
  } finally {
    ledger.close();
  }
}

/** nexuscone's anchors table and indexes, created the way its init() adds them. */
function ensureAnchorsTable(db: Database.Database): void {
  for (const statement of NEXUSCONE_SCHEMA_STATEMENTS.filter((sql) => /\banchors\b/.test(sql)))
    db.exec(statement);
}

/** The global fetch ignores proxies, so a given proxy is applied through undici's own fetch. */
function calendarFetch(proxyUrl: string | undefined): typeof fetch | undefined {
  if (proxyUrl === undefined) return undefined;
  const dispatcher = new ProxyAgent(proxyUrl);
  return ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher })) as unknown as typeof fetch;
}

function failureSentence(failures: readonly AnchorFailure[]): string {
  const count = (track: AnchorFailure['track'], one: string, many: string) => {
    const n = failures.filter((failure) => failure.track === track).length;
    return n === 0 ? [] : [`${n} ${n === 1 ? one : many}`];
  };
  const parts = [...count('ots', 'calendar', 'calendars'), ...count('tsa', 'TSA', 'TSAs')];
  return `No anchor was written because all ${failures.length} server${failures.length === 1 ? '' : 's'} asked failed (${parts.join(' and ')}).`;
}

/**
 * Timestamps the head (the highest entry_id) on both tracks at once, as nexuscone's anchor()
 * does one after the other, and writes one anchors row if at least one track succeeded.
 */
export async function anchorLedger(
  ledgerPath: string,
  options: AnchorOptions,
): Promise<AnchorResult> {
  if (options.tsaUrls.length === 0 && options.calendarUrls.length === 0) {
    throw new ProofdeskError(
      'USAGE',
      'Anchoring needs at least one TSA or calendar URL, since no server is contacted unasked.',
    );
  }
  requireHttpUrls(options.tsaUrls, 'TSA URL');
  requireHttpUrls(options.calendarUrls, 'calendar URL');
  if (options.proxyUrl !== undefined) requireHttpUrls([options.proxyUrl], 'proxy URL');
  requireTimeout(options.timeoutMs);
  const head = readHead(ledgerPath);
  const digest = hexToBytes(head.entryHash);

  const otsTrack = async () => {
    if (options.calendarUrls.length === 0) return null;
    return submitToCalendars(options.calendarUrls, digest, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      fetch: calendarFetch(options.proxyUrl),
    });
  };
  const tsaTrack = async () => {
    if (options.tsaUrls.length === 0) return null;
    try {
      return await requestTimestampFromAny(options.tsaUrls, head.entryHash, {
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        proxyUrl: options.proxyUrl,
      });
    } catch (error) {
      if (error instanceof TsaUnavailableError) return error;
      throw error;
    }
  };
  const [ots, tsa] = await Promise.all([otsTrack(), tsaTrack()]);
  cancelledIfAborted(options.signal);

  const failures: AnchorFailure[] = [
    ...(ots?.failures ?? []).map((failure): AnchorFailure => ({
      track: 'ots',
      url: failure.calendarUrl,
      reason: failure.reason,
    })),
    ...(tsa === null ? [] : tsa.failures).map((failure): AnchorFailure => ({
      track: 'tsa',
      url: failure.url,
      reason: failure.message,
    })),
  ];
  const proof = ots?.timestamp ? serializeOtsTimestamp(ots.timestamp) : null;
  const token = tsa === null || tsa instanceof TsaUnavailableError ? null : tsa;
  if (proof === null && token === null) {
    throw new ProofdeskError(
      options.calendarUrls.length > 0 ? 'CALENDAR_UNAVAILABLE' : 'TSA_UNAVAILABLE',
      failureSentence(failures),
    );
  }
  const calendarsOk = [...(ots?.calendars ?? [])];

  const anchorId = writeLedger(ledgerPath, (db, path) => {
    const still = db
      .prepare<[number], { entry_hash: unknown }>(
        'SELECT entry_hash FROM entries WHERE entry_id = ?',
      )
      .get(head.entryId);
    if (still?.entry_hash !== head.entryHash) {
      throw new ProofdeskError(
        'USAGE',
        `Entry ${head.entryId} of ${path} changed while it was being timestamped, so no anchor was written.`,
      );
    }
    ensureAnchorsTable(db);
    const result = db
      .prepare(
        `INSERT INTO anchors (chain_head_hash, chain_head_entry_id, ots_proof_blob, submitted_at,
           calendar_servers, confirmed_at, bitcoin_block_height, bitcoin_block_hash, tst_blob,
           tsa_url, tsa_gen_time) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?)`,
      )
      .run(
        head.entryHash,
        head.entryId,
        proof === null ? null : Buffer.from(proof),
        nexusconeNow(),
        pythonJsonStringList(calendarsOk),
        token === null ? null : Buffer.from(token.responseDer),
        token?.url ?? null,
        token === null ? null : formatNexusconeTimestamp(BigInt(Date.parse(token.genTime)) * 1000n),
      );
    return Number(result.lastInsertRowid);
  });
  return {
    anchorId,
    chainHeadEntryId: head.entryId,
    chainHeadHash: head.entryHash,
    calendarsOk,
    tsaUrl: token?.url ?? null,
    failures,
  };
}

interface PendingRow {
  anchor_id: number;
  chain_head_hash: unknown;
  ots_proof_blob: Uint8Array;
}

function readPendingAnchors(ledgerPath: string): PendingRow[] {
  const ledger = openLedger(ledgerPath);
  try {
    if (!ledger.schema.hasAnchors) return [];
    return ledger.db
      .prepare<[], PendingRow>(
        `SELECT anchor_id, chain_head_hash, ots_proof_blob FROM anchors
         WHERE confirmed_at IS NULL AND ots_proof_blob IS NOT NULL ORDER BY anchor_id`,
      )
      .all();
  } finally {
    ledger.close();
  }
}

/**
 * nexuscone's poller over every pending anchor whatever its age (nexuscone's looks back 24 h
 * only, so older anchors would otherwise stay pending for ever): asks the calendars named in each
 * proof for their upgrades and, once a Bitcoin attestation appears, stores the upgraded proof with
 * the lowest attested height. bitcoin_block_hash stays NULL here: Proofdesk asks no block
 * explorer for it, and records it only from headers the user supplies (recordBlockHashes).
 */
export async function upgradeAnchors(
  ledgerPath: string,
  options: UpgradeAnchorsOptions,
): Promise<UpgradeAnchorsResult> {
  requireTimeout(options.timeoutMs);
  const allowed = options.allowedCalendars;
  const pending = readPendingAnchors(ledgerPath);
  let upgraded = 0;
  let stillPending = 0;
  let failed = 0;
  const upgradedIds: number[] = [];
  for (const row of pending) {
    cancelledIfAborted(options.signal);
    const head = row.chain_head_hash;
    let tree;
    try {
      if (typeof head !== 'string' || !isLowerHex(head, 64))
        throw new Error('chain head is not hex');
      tree = parseOtsTimestamp(new Uint8Array(row.ots_proof_blob), hexToBytes(head));
    } catch {
      failed++;
      continue;
    }
    const upgrade = await upgradePendingProof(tree, {
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      isCalendarAllowed:
        allowed === undefined ? undefined : (calendarUri) => allowed.includes(calendarUri),
    });
    cancelledIfAborted(options.signal);
    const heights = otsAttestationPaths(upgrade.timestamp).flatMap((path) =>
      path.attestation.kind === 'bitcoin' ? [path.attestation.height] : [],
    );
    if (!upgrade.confirmed || heights.length === 0) {
      stillPending++;
      continue;
    }
    const blob = Buffer.from(serializeOtsTimestamp(upgrade.timestamp));
    // The proof is re-read under the lock: another poller may have confirmed or replaced it since.
    const changes = writeLedger(
      ledgerPath,
      (db) =>
        db
          .prepare(
            `UPDATE anchors SET ots_proof_blob = ?, bitcoin_block_height = ?,
               bitcoin_block_hash = NULL, confirmed_at = ?
             WHERE anchor_id = ? AND confirmed_at IS NULL AND ots_proof_blob = ?`,
          )
          .run(blob, Math.min(...heights), nexusconeNow(), row.anchor_id, row.ots_proof_blob)
          .changes,
    );
    if (changes === 1) {
      upgraded++;
      upgradedIds.push(row.anchor_id);
    } else {
      failed++;
    }
  }
  return { attempted: pending.length, upgraded, stillPending, failed, upgradedIds };
}

/**
 * Fills bitcoin_block_hash of every confirmed anchor that has none, from block headers the user supplied, as
 * nexuscone's poller fills it from mempool.space: the block's hash in display order. Only an
 * anchor whose proof verifies against that header gets its hash, so a header that does not hold
 * the proof is never recorded as its block; a hash already recorded is left as it is.
 */
export function recordBlockHashes(ledgerPath: string, headers: BlockHeaderSource): number[] {
  return writeLedger(ledgerPath, (db) => {
    const recorded: number[] = [];
    const anchorIds = db
      .prepare<[], { anchor_id: number }>(
        'SELECT anchor_id FROM anchors WHERE confirmed_at IS NOT NULL AND bitcoin_block_hash IS NULL ORDER BY anchor_id',
      )
      .all()
      .map((row) => row.anchor_id);
    const select = db.prepare<
      [number],
      {
        chain_head_hash: string;
        ots_proof_blob: Uint8Array | null;
        bitcoin_block_height: number | null;
        confirmed_at: string | null;
        bitcoin_block_hash: string | null;
      }
    >(
      'SELECT chain_head_hash, ots_proof_blob, bitcoin_block_height, confirmed_at, bitcoin_block_hash FROM anchors WHERE anchor_id = ?',
    );
    const update = db.prepare(
      'UPDATE anchors SET bitcoin_block_hash = ? WHERE anchor_id = ? AND bitcoin_block_hash IS NULL',
    );
    for (const anchorId of anchorIds) {
      const row = select.get(anchorId);
      if (row === undefined || row.ots_proof_blob === null || row.bitcoin_block_height === null)
        continue;
      if (row.bitcoin_block_hash !== null) continue;
      const header = headers.headerAt(row.bitcoin_block_height);
      if (header === null) continue;
      const problems = verifyOtsAnchor({
        anchorId,
        proofBlob: new Uint8Array(row.ots_proof_blob),
        chainHeadHash: row.chain_head_hash,
        recordedHeight: row.bitcoin_block_height,
        confirmedAt: row.confirmed_at,
        headers: { headerAt: (height) => (height === row.bitcoin_block_height ? header : null) },
      }).filter((finding) => FINDING_CODE_INFO[finding.code].status !== 'WARN');
      if (problems.length > 0) continue;
      update.run(displayOrderHex(bitcoinHeaderHash(header)), anchorId);
      recorded.push(anchorId);
    }
    return recorded;
  });
}
