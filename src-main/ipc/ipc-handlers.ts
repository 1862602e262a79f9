/**
 * The main-side implementation of the IPC contract, free of electron so the same handlers can be
 * served over HTTP later. Every call is validated against its channel's input schema here, at the
 * boundary, and answered with a result envelope.
 */
import { basename } from 'node:path';
import type { AnchorProofTrust } from '../../src-shared/anchors/anchor-proof-checks';
import { ProofdeskError } from '../../src-shared/check-code';
import {
  IPC_CHANNELS,
  type ChannelInput,
  type ChannelOutput,
  type EventPayload,
  type IpcChannel,
  type IpcEvent,
  type IpcResult,
} from '../../src-shared/ipc/ipc-contract';
import type { Keyring } from '../../src-shared/keyring';
import { verifyLedgerFile } from '../ledger/ledger-verification';
import { checkSqliteFile } from '../sqlite/evidence-database';
import { TrustedHeadStore } from '../ledger/trusted-head-store';
import { sha256OfFile } from '../ledger/file-digest';
import { createLedgerBrowseHandlers } from './ledger-browse-handlers';

export interface LedgerSessionOptions {
  /** The ledger main opened (from a dialog, the command line, or the demo). */
  readonly ledgerPath: string;
  readonly keyring: Keyring | null;
  readonly stateDir: string;
  /**
   * Whether to compare with, and record, the trusted head kept for this path. Off for a dropped
   * file's private copy: its path is new each time, so a head recorded for it would never be met.
   */
  readonly trustedHeads?: boolean;
  /** Trust material for the anchors' proofs; absent: they are listed as not checked. */
  readonly anchorProofs?: AnchorProofTrust;
}

export type Emit = <E extends IpcEvent>(event: E, payload: EventPayload<E>) => void;
/** Handlers for a subset of the channels; the app merges one set per namespace. */
export type ChannelHandlers<C extends IpcChannel> = {
  [K in C]: (input: ChannelInput<K>, emit: Emit) => Promise<ChannelOutput<K>>;
};
export type Handlers = ChannelHandlers<IpcChannel>;
export type LedgerChannel = Extract<IpcChannel, `ledger/${string}`>;

export function createLedgerHandlers(
  session: LedgerSessionOptions,
): ChannelHandlers<LedgerChannel> {
  let running: AbortController | null = null;
  const trustedHeads =
    session.trustedHeads === false ? null : new TrustedHeadStore(session.stateDir);
  return {
    'ledger/describe': async () => {
      const { path } = checkSqliteFile(session.ledgerPath);
      const { sha256, bytes } = await sha256OfFile(path);
      return { fileName: basename(path), sha256, bytes };
    },
    'ledger/verify': async (_input, emit) => {
      if (running !== null) {
        throw new ProofdeskError(
          'USAGE',
          'A verification is already running; cancel it or wait for it to finish.',
        );
      }
      const controller = new AbortController();
      running = controller;
      try {
        const result = await verifyLedgerFile(session.ledgerPath, {
          keyring: session.keyring,
          requireSignatures: false,
          trustedHeads,
          anchorProofs: session.anchorProofs,
          signal: controller.signal,
          onProgress: (progress) => emit('ledger/verify-progress', progress),
        });
        return {
          verdict: result.verdict,
          file: {
            fileName: basename(result.file.path),
            sha256: result.file.sha256,
            bytes: result.file.bytes,
          },
          entries: result.entries,
          head: result.head,
          trustedHeadRecorded: result.trustedHeadRecorded,
          checks: [...result.checks],
        };
      } finally {
        running = null;
      }
    },
    'ledger/cancel-verify': () => {
      const cancelled = running !== null;
      running?.abort();
      return Promise.resolve({ cancelled });
    },
    // 'ledger/page', 'ledger/entry', 'ledger/locate': the table view's keyset paging.
    ...createLedgerBrowseHandlers(session),
  };
}

/** Validates, dispatches and wraps one call; never throws. Channels without a handler say so. */
export async function dispatchIpcCall(
  handlers: Partial<Handlers>,
  channel: string,
  rawInput: unknown,
  emit: Emit,
): Promise<IpcResult<unknown>> {
  if (!Object.hasOwn(IPC_CHANNELS, channel)) {
    return {
      ok: false,
      error: { code: 'USAGE', message: `There is no IPC channel ${JSON.stringify(channel)}.` },
    };
  }
  const name = channel as IpcChannel;
  const parsed = IPC_CHANNELS[name].input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: {
        code: 'USAGE',
        message: `Invalid input for ${name}: ${issue?.message ?? 'rejected by its schema'}.`,
      },
    };
  }
  const handler = handlers[name] as ((input: unknown, emit: Emit) => Promise<unknown>) | undefined;
  if (handler === undefined) {
    // A session serves the channels of what it has open: a ledger alone answers no decision call.
    return {
      ok: false,
      error: {
        code: 'USAGE',
        message: `${name} is not available: nothing of that kind is open.`,
      },
    };
  }
  try {
    return { ok: true, data: await handler(parsed.data, emit) };
  } catch (error) {
    if (error instanceof ProofdeskError)
      return { ok: false, error: { code: error.code, message: error.message } };
    return {
      ok: false,
      error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) },
    };
  }
}
