/**
 * `proofdesk anchor` and `proofdesk anchors upgrade|show`: anchors in nexuscone's format
 * (anchor-writer.ts), and the counterpart of nexuscone-verify --print-anchor.
 *
 *   anchor <db> [--tsa URL]... [--calendar URL]... [--timeout S]
 *   anchors upgrade <db> [--calendar URL]... [--headers FILE | --bitcoin-rpc URL | --esplora URL]
 *       [--timeout S]
 *   anchors show <db> <id> [--json]
 *
 * Only the servers named on the command line are contacted when anchoring; upgrading contacts
 * the calendars named in the ledger's own pending proofs, as nexuscone's poller does.
 */
import { createHash } from 'node:crypto';
import { otsAttestationPaths, parseOtsTimestamp } from '../../src-shared/anchors/ots-codec';
import { computeOtsBitcoinRoots } from '../../src-shared/anchors/ots-verification';
import { verifyTimestampResponse } from '../../src-shared/anchors/rfc3161-verification';
import { ProofdeskError } from '../../src-shared/check-code';
import { hexToBytes, isLowerHex } from '../../src-shared/crypto/hex';
import { anchorLedger, recordBlockHashes, upgradeAnchors } from '../anchoring/anchor-writer';
import { headerSource } from './anchor-trust-options';
import { DEFAULT_CALENDAR_TIMEOUT_MS } from '../anchoring/ots-calendar-client';
import { openLedger } from '../ledger/ledger-database';
import { onePositional, parseCommandLine, type CliIo } from './cli-arguments';

function timeoutFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CALENDAR_TIMEOUT_MS;
  const seconds = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0) || seconds > 3600) {
    throw new ProofdeskError(
      'USAGE',
      `--timeout is a number of seconds above 0 and at most 3600, not ${JSON.stringify(text)}.`,
    );
  }
  return Math.max(1, Math.round(seconds * 1000));
}

/** SIGINT cancels the network round trips, so nothing is written after the user gave up. */
async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

export async function runAnchor(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      tsa: { type: 'string', multiple: true },
      calendar: { type: 'string', multiple: true },
      timeout: { type: 'string' },
    },
    'anchor',
  );
  const db = onePositional(positionals, 'ledger file', 'anchor');
  const tsaUrls = values.tsa ?? [];
  const calendarUrls = values.calendar ?? [];
  if (tsaUrls.length === 0 && calendarUrls.length === 0) {
    throw new ProofdeskError(
      'USAGE',
      'anchor needs at least one --tsa URL or --calendar URL, since no server is contacted unasked.',
    );
  }
  const timeoutMs = timeoutFrom(values.timeout);
  const result = await withInterrupt((signal) =>
    anchorLedger(db, { tsaUrls, calendarUrls, timeoutMs, signal }),
  );
  if (calendarUrls.length === 0) io.stdout('ots: not requested\n');
  else if (result.calendarsOk.length === 0) io.stdout('ots: no calendar answered\n');
  else {
    io.stdout(
      `ots: pending at ${result.calendarsOk.length} of ${calendarUrls.length} calendar${calendarUrls.length === 1 ? '' : 's'} (${result.calendarsOk.join(', ')})\n`,
    );
  }
  if (tsaUrls.length === 0) io.stdout('tsa: not requested\n');
  else if (result.tsaUrl === null) io.stdout('tsa: no TSA answered\n');
  else io.stdout(`tsa: timestamped by ${result.tsaUrl}\n`);
  io.stdout(
    `anchored entry ${result.chainHeadEntryId} as anchor ${result.anchorId} (${result.chainHeadHash})\n`,
  );
  for (const failure of result.failures)
    io.stderr(`proofdesk: ${failure.track}: ${failure.reason}\n`);
  return 0;
}

async function runUpgrade(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    {
      timeout: { type: 'string' },
      calendar: { type: 'string', multiple: true },
      headers: { type: 'string' },
      'bitcoin-rpc': { type: 'string' },
      esplora: { type: 'string' },
    },
    'anchors upgrade',
  );
  const db = onePositional(positionals, 'ledger file', 'anchors upgrade');
  const timeoutMs = timeoutFrom(values.timeout);
  // The proofs name the calendars to ask; --calendar limits which of them may be contacted.
  const allowed = values.calendar;
  const result = await withInterrupt((signal) =>
    upgradeAnchors(db, {
      timeoutMs,
      signal,
      ...(allowed === undefined ? {} : { allowedCalendars: allowed }),
    }),
  );
  io.stdout(
    `attempted ${result.attempted}, upgraded ${result.upgraded}, still pending ${result.stillPending}, failed ${result.failed}\n`,
  );
  // With headers, each confirmed anchor also gets its block hash, as nexuscone's poller records it.
  const headers = await headerSource(db, values);
  if (headers !== null) {
    const hashed = recordBlockHashes(db, headers);
    if (hashed.length > 0) io.stdout(`block hashes recorded for anchors: ${hashed.join(', ')}\n`);
  }
  if (result.upgradedIds.length > 0)
    io.stdout(`confirmed anchors: ${result.upgradedIds.join(', ')}\n`);
  return 0;
}

type Cell = string | number | null;

interface BlobSummary {
  readonly bytes: number;
  readonly sha256: string;
}

interface AnchorDescription {
  readonly anchor_id: number;
  readonly state: 'PENDING' | 'CONFIRMED' | 'TSA-only';
  readonly columns: Record<string, Cell | BlobSummary>;
  readonly ots: {
    readonly pending: string[];
    readonly bitcoin: { height: number; merkle_root: string }[];
    readonly problem?: string;
  } | null;
  readonly tst: {
    readonly gen_time: string | null;
    readonly serial_number: string | null;
    readonly signer: string | null;
    readonly findings: string[];
  } | null;
}

function summariseBlob(value: Uint8Array): BlobSummary {
  return { bytes: value.length, sha256: createHash('sha256').update(value).digest('hex') };
}

function otsSummary(
  blob: Uint8Array,
  chainHeadHash: Cell,
  anchorId: number,
): AnchorDescription['ots'] {
  const head = typeof chainHeadHash === 'string' ? chainHeadHash : '';
  const [roots] = computeOtsBitcoinRoots([{ anchorId, proofBlob: blob, chainHeadHash: head }]);
  if (roots === undefined || 'problem' in roots)
    return { pending: [], bitcoin: [], problem: roots?.problem ?? 'the proof cannot be read' };
  const paths = otsAttestationPaths(parseOtsTimestamp(blob, hexToBytes(head)));
  return {
    pending: paths.flatMap((path) =>
      path.attestation.kind === 'pending' ? [path.attestation.uri] : [],
    ),
    bitcoin: roots.claims.map((claim) => ({
      height: claim.height,
      merkle_root: claim.merkleRootHex,
    })),
  };
}

async function describeAnchor(db: string, anchorId: number): Promise<AnchorDescription> {
  const ledger = openLedger(db);
  let row: Record<string, unknown> | undefined;
  try {
    row = ledger.schema.hasAnchors
      ? ledger.db
          .prepare<[number], Record<string, unknown>>('SELECT * FROM anchors WHERE anchor_id = ?')
          .get(anchorId)
      : undefined;
  } finally {
    ledger.close();
  }
  if (row === undefined)
    throw new ProofdeskError('USAGE', `${ledger.location.path} has no anchor ${anchorId}.`);
  const columns: AnchorDescription['columns'] = {};
  for (const [name, value] of Object.entries(row)) {
    columns[name] =
      value instanceof Uint8Array
        ? summariseBlob(value)
        : typeof value === 'bigint'
          ? String(value)
          : (value as Cell);
  }
  const proof =
    row.ots_proof_blob instanceof Uint8Array ? new Uint8Array(row.ots_proof_blob) : null;
  const tst = row.tst_blob instanceof Uint8Array ? new Uint8Array(row.tst_blob) : null;
  const head = typeof row.chain_head_hash === 'string' ? row.chain_head_hash : '';
  let tstSummary: AnchorDescription['tst'] = null;
  if (tst !== null) {
    const verification = await verifyTimestampResponse({
      responseDer: tst,
      chainHeadHash: isLowerHex(head, 64) ? head : '0'.repeat(64),
      trustRoots: null,
    });
    tstSummary = {
      gen_time: verification.genTime,
      serial_number: verification.serialNumber ?? null,
      signer: verification.signerSubject ?? null,
      findings: verification.findings
        .map((finding) => finding.code)
        .filter((code) => code !== 'ANCHOR_TSA_ROOTS_MISSING'),
    };
  }
  return {
    anchor_id: anchorId,
    state: proof === null ? 'TSA-only' : row.confirmed_at === null ? 'PENDING' : 'CONFIRMED',
    columns,
    ots: proof === null ? null : otsSummary(proof, head, anchorId),
    tst: tstSummary,
  };
}

function renderAnchorText(anchor: AnchorDescription): string {
  const lines = [`anchor ${anchor.anchor_id}: ${anchor.state}`];
  const width = Math.max(...Object.keys(anchor.columns).map((name) => name.length));
  for (const [name, value] of Object.entries(anchor.columns)) {
    const shown =
      value === null
        ? 'NULL'
        : typeof value === 'object'
          ? `${value.bytes} bytes, sha256 ${value.sha256}`
          : String(value);
    lines.push(`  ${name.padEnd(width)}  ${shown}`);
  }
  if (anchor.ots !== null) {
    if (anchor.ots.problem !== undefined)
      lines.push(`  ots proof: unreadable: ${anchor.ots.problem}`);
    for (const uri of anchor.ots.pending) lines.push(`  ots pending at ${uri}`);
    for (const claim of anchor.ots.bitcoin) {
      lines.push(`  ots bitcoin block ${claim.height}, merkle root ${claim.merkle_root}`);
    }
  }
  if (anchor.tst !== null) {
    lines.push(`  tst genTime ${anchor.tst.gen_time ?? '(unreadable)'}`);
    lines.push(`  tst serial ${anchor.tst.serial_number ?? '(unreadable)'}`);
    lines.push(`  tst signer ${anchor.tst.signer ?? '(unreadable)'}`);
    if (anchor.tst.findings.length > 0)
      lines.push(`  tst problems ${anchor.tst.findings.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

async function runShow(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandLine(
    args,
    { json: { type: 'boolean' } },
    'anchors show',
  );
  if (positionals.length !== 2) {
    throw new ProofdeskError(
      'USAGE',
      `anchors show needs a ledger file and an anchor id, but ${positionals.length} argument${positionals.length === 1 ? ' was' : 's were'} given.`,
    );
  }
  const [db, idText] = positionals as [string, string];
  if (!/^[1-9]\d{0,15}$/.test(idText))
    throw new ProofdeskError(
      'USAGE',
      `An anchor id is a positive whole number, not ${JSON.stringify(idText)}.`,
    );
  const anchor = await describeAnchor(db, Number(idText));
  io.stdout(values.json ? `${JSON.stringify(anchor, null, 2)}\n` : renderAnchorText(anchor));
  return 0;
}

export async function runAnchors(args: string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'upgrade':
      return runUpgrade(rest, io);
    case 'show':
      return runShow(rest, io);
    case undefined:
    default:
      throw new ProofdeskError(
        'USAGE',
        `anchors takes upgrade or show${subcommand === undefined ? '' : `, not ${JSON.stringify(subcommand)}`}.`,
      );
  }
}
