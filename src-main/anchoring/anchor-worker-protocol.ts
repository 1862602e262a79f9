/** Messages between main and the anchoring worker (anchor-worker.ts). */
import type { ErrorCode } from '../../src-shared/check-code';
import type { AnchorResult, UpgradeAnchorsResult } from './anchor-writer';

export type AnchorJob =
  | {
      readonly kind: 'anchor';
      readonly ledgerPath: string;
      readonly tsaUrls: readonly string[];
      readonly calendarUrls: readonly string[];
      readonly timeoutMs: number;
    }
  | {
      readonly kind: 'upgrade';
      readonly ledgerPath: string;
      readonly timeoutMs: number;
      /** Absent: every calendar the pending proofs name may be asked. */
      readonly allowedCalendars?: readonly string[];
    };

export type AnchorJobResult =
  | { readonly kind: 'anchor'; readonly result: AnchorResult }
  | { readonly kind: 'upgrade'; readonly result: UpgradeAnchorsResult };

/** main → worker */
export type AnchorWorkerCommand = { readonly type: 'cancel' };

/** worker → main */
export type AnchorWorkerMessage =
  | {
      readonly type: 'progress';
      readonly step: string;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'done'; readonly outcome: AnchorJobResult }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string };
