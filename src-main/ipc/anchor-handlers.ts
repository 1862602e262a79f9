/**
 * The anchors channels for the open ledger: its anchors read read-only, anchoring and upgrading
 * through main's AnchoringService (a worker; the only network use), and the per-ledger schedule.
 * What cannot be anchored here (the bundled demo, a dropped copy) is listed with the reason.
 */
import { ProofdeskError } from '../../src-shared/check-code';
import type { ChannelOutput, IpcChannel } from '../../src-shared/ipc/ipc-contract';
import { REQUEST_TIMEOUT_MS, type AnchoringService } from '../anchoring/anchoring-service';
import { openLedger } from '../ledger/ledger-database';
import { optionalAnchorColumn } from '../ledger/ledger-reader';
import type { ChannelHandlers } from './ipc-handlers';

type AnchorsChannel = Extract<IpcChannel, `anchors/${string}`>;
type Overview = ChannelOutput<'anchors/list'>;
type AnchorRow = Overview['anchors'][number];

export interface AnchorSessionOptions {
  /** The ledger whose anchors are listed. */
  readonly ledgerPath: string;
  /** Why it cannot be anchored from here, or null when it can. */
  readonly unavailableReason: string | null;
  readonly service: AnchoringService;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function calendarsOf(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item) => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** Every anchor row with the state its columns show (spec §5.2). */
export function readAnchorRows(ledgerPath: string): AnchorRow[] {
  const ledger = openLedger(ledgerPath);
  try {
    if (!ledger.schema.hasAnchors) return [];
    const optional = optionalAnchorColumn(ledger.db);
    return ledger.db
      .prepare<[], Record<string, unknown>>(
        `SELECT anchor_id, chain_head_entry_id, chain_head_hash, submitted_at, calendar_servers,
                ${optional('ots_proof_blob')} IS NOT NULL AS has_ots,
                ${optional('confirmed_at')} AS confirmed_at,
                ${optional('bitcoin_block_height')} AS bitcoin_block_height,
                ${optional('tsa_url')} AS tsa_url, ${optional('tsa_gen_time')} AS tsa_gen_time
         FROM anchors ORDER BY anchor_id`,
      )
      .all()
      .map((row) => ({
        anchorId: Number(row['anchor_id']),
        state:
          text(row['confirmed_at']) !== null
            ? ('CONFIRMED' as const)
            : row['has_ots'] === 1
              ? ('PENDING' as const)
              : ('TSA_ONLY' as const),
        chainHeadEntryId:
          typeof row['chain_head_entry_id'] === 'number' ? row['chain_head_entry_id'] : null,
        chainHeadHash: String(row['chain_head_hash']),
        submittedAt: text(row['submitted_at']),
        confirmedAt: text(row['confirmed_at']),
        bitcoinBlockHeight:
          typeof row['bitcoin_block_height'] === 'number' ? row['bitcoin_block_height'] : null,
        calendars: calendarsOf(row['calendar_servers']),
        tsaUrl: text(row['tsa_url']),
        tsaGenTime: text(row['tsa_gen_time']),
      }));
  } finally {
    ledger.close();
  }
}

export function createAnchorHandlers(
  session: AnchorSessionOptions,
): ChannelHandlers<AnchorsChannel> {
  const { ledgerPath, service } = session;
  const overview = (): Overview => {
    const record = service.state.load(ledgerPath);
    return {
      anchors: readAnchorRows(ledgerPath),
      unavailableReason: session.unavailableReason,
      schedule: {
        ...record.schedule,
        calendarUrls: [...record.schedule.calendarUrls],
        tsaUrls: [...record.schedule.tsaUrls],
      },
      attempts: [...record.attempts],
      nextAttemptAt: record.schedule.enabled ? record.retryNotBefore : null,
      busy: service.isBusy(),
    };
  };
  const requireAvailable = (): void => {
    if (session.unavailableReason !== null)
      throw new ProofdeskError('USAGE', session.unavailableReason);
  };
  return {
    'anchors/list': () => Promise.resolve(overview()),
    'anchors/anchor-now': async (_input, emit) => {
      requireAvailable();
      const { schedule } = service.state.load(ledgerPath);
      if (schedule.calendarUrls.length === 0 && schedule.tsaUrls.length === 0) {
        throw new ProofdeskError(
          'USAGE',
          'No calendar or TSA URL is set for this ledger, so there is nobody to ask; add one to its schedule first.',
        );
      }
      await service.run(
        {
          kind: 'anchor',
          ledgerPath,
          tsaUrls: schedule.tsaUrls,
          calendarUrls: schedule.calendarUrls,
          timeoutMs: REQUEST_TIMEOUT_MS,
        },
        'manual',
        (progress) => emit('anchors/progress', progress),
      );
      return overview();
    },
    'anchors/upgrade': async (_input, emit) => {
      requireAvailable();
      const { schedule } = service.state.load(ledgerPath);
      await service.run(
        {
          kind: 'upgrade',
          ledgerPath,
          timeoutMs: REQUEST_TIMEOUT_MS,
          // The proofs name their calendars; with calendars in the schedule only those are asked.
          ...(schedule.calendarUrls.length > 0 ? { allowedCalendars: schedule.calendarUrls } : {}),
        },
        'upgrade',
        (progress) => emit('anchors/progress', progress),
      );
      return overview();
    },
    'anchors/cancel': () => Promise.resolve({ cancelled: service.cancel() }),
    'anchors/set-schedule': (schedule) => {
      requireAvailable();
      service.state.setSchedule(ledgerPath, schedule);
      return Promise.resolve(overview());
    },
  };
}
