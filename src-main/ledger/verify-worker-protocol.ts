import type { ErrorCode } from '../../src-shared/check-code';
import type { RangeSummary } from '../../src-shared/ledger/range-verifier';

/** Messages a verification worker posts to its parent. */
export type WorkerMessage =
  | { readonly type: 'progress'; readonly rowsDone: number }
  | { readonly type: 'done'; readonly summary: RangeSummary }
  | { readonly type: 'error'; readonly code: ErrorCode; readonly message: string };
