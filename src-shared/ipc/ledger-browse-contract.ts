/**
 * Schemas of the ledger table channels ('ledger/page', 'ledger/entry', 'ledger/locate'), kept
 * beside the contract so it only lists them. The renderer names no file and no SQL: it asks for a
 * sort, a filter and a position, and main turns those into indexed queries on the open ledger.
 *
 * Filter semantics (documented here because the renderer shows them to the user):
 *  - actor, action, eventType: EXACT match (case-sensitive), so each one is an index seek on
 *    nexuscone's idx_entries_actor / idx_entries_event_type (whose entries carry the entry_id, so
 *    entry_id order needs no sort). action has no index in nexuscone's schema: it is checked on the
 *    rows the other conditions reach. Never a LIKE '%x%' scan.
 *  - from / to: UTC times compared as text with the stored timestamps (nexuscone writes
 *    `YYYY-MM-DDTHH:MM:SS.ffffffZ`), on idx_entries_ts. `from` is inclusive; `to` is inclusive of
 *    everything it is a prefix of, so `to: "2026-10-01"` keeps the whole of 1 October. A trailing
 *    `Z` or `+00:00` is accepted and means UTC; other offsets are refused.
 */
import { z } from 'zod';

export const LEDGER_SORTS = [
  'entry_id_asc',
  'entry_id_desc',
  'timestamp_asc',
  'timestamp_desc',
] as const;
export type LedgerSort = (typeof LEDGER_SORTS)[number];

/** The most rows one 'ledger/page' call returns. */
export const LEDGER_PAGE_MAX_LIMIT = 500;

/** A UTC date or date-time prefix: `2026-10-01`, `2026-10-01T07:30`, `…:05.123456Z`. */
export const UTC_TIME_PATTERN =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?)?(?:Z|\+00:00)?$/;

const filterText = z.string().min(1).max(512);
const utcTime = z
  .string()
  .max(40)
  .regex(UTC_TIME_PATTERN, 'expected a UTC time such as 2026-10-01T07:30:00Z');

export const ledgerFilterSchema = z
  .object({
    actor: filterText.optional(),
    action: filterText.optional(),
    eventType: filterText.optional(),
    from: utcTime.optional(),
    to: utcTime.optional(),
  })
  .strict();
export type LedgerFilter = z.infer<typeof ledgerFilterSchema>;

const entryId = z
  .number()
  .int()
  .min(-(2 ** 53) + 1)
  .max(2 ** 53 - 1);

export const ledgerPageInputSchema = z
  .object({
    /** Keyset cursor: the rows that follow this entry in the sort order. */
    afterEntryId: entryId.optional(),
    /** Keyset cursor: the rows that precede this entry in the sort order (returned in sort order). */
    beforeEntryId: entryId.optional(),
    /**
     * Random access for a scrollbar jump: the page starting at this 0-based position. Main seeks
     * through a sparse table of every 256th key (built once per sort and filter), so it never
     * skips more than 255 rows; with no filter and gap-free ids, entry_id order is plain
     * arithmetic.
     */
    atIndex: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(LEDGER_PAGE_MAX_LIMIT),
    sort: z.enum(LEDGER_SORTS),
    filter: ledgerFilterSchema.optional(),
  })
  .strict()
  .refine(
    (input) =>
      [input.afterEntryId, input.beforeEntryId, input.atIndex].filter((v) => v !== undefined)
        .length <= 1,
    { message: 'give at most one of afterEntryId, beforeEntryId and atIndex' },
  );

export const ledgerRowSchema = z.object({
  entryId: z.number().int(),
  timestamp: z.string(),
  actor: z.string(),
  action: z.string(),
  /** null on a nexuscone v0.1 ledger, which has no event_type column. */
  eventType: z.string().nullable(),
  formatVersion: z.number().nullable(),
  signed: z.boolean(),
  signingKeyId: z.string().nullable(),
});
export type LedgerRow = z.infer<typeof ledgerRowSchema>;

export const ledgerPageOutputSchema = z.object({
  rows: z.array(ledgerRowSchema),
  /** How many entries match the filter. */
  total: z.number().int(),
  /** Whether more rows follow (or, for beforeEntryId, precede) this page. */
  hasMore: z.boolean(),
  /** The position of the first row when main knows it (first page, atIndex), else null. */
  startIndex: z.number().int().nullable(),
});

const sqlTypeSchema = z.enum(['null', 'integer', 'real', 'text', 'blob']);

export const SIGNATURE_STATUSES = [
  'unsigned',
  'valid',
  'invalid',
  'unknown-key',
  'not-checked',
  'malformed',
] as const;

export const ledgerEntryDetailSchema = z.object({
  entryId: z.number().int(),
  /** Every column of the row as stored, in table order, with its SQLite storage class. */
  columns: z.array(z.object({ name: z.string(), type: sqlTypeSchema, text: z.string() })),
  timestamp: z.string(),
  actor: z.string(),
  action: z.string(),
  eventType: z.string().nullable(),
  formatVersion: z.number().nullable(),
  /** The hash format nexuscone uses for this row: 2 (with event_type) or 1. */
  hashFormat: z.number().int(),
  payload: z.object({
    /** The stored text (or a description of a non-text value). */
    raw: z.string(),
    /** Indented, parsed losslessly as Python's json.loads would; null when it is not JSON. */
    pretty: z.string().nullable(),
    parseError: z.string().nullable(),
  }),
  /** The exact ASCII string nexuscone hashes; null when a field is a BLOB (no JSON form). */
  hashInput: z.string().nullable(),
  storedHash: z.string(),
  recomputedHash: z.string().nullable(),
  hashMatches: z.boolean(),
  previousHash: z.string(),
  signature: z.string().nullable(),
  signingKeyId: z.string().nullable(),
  signatureStatus: z.enum(SIGNATURE_STATUSES),
  /** One sentence saying what the signature status means for this row. */
  signatureMessage: z.string(),
});
export type LedgerEntryDetail = z.infer<typeof ledgerEntryDetailSchema>;

export const ledgerEntryInputSchema = z.object({ entryId }).strict();

export const ledgerLocateInputSchema = z
  .object({
    entryId,
    sort: z.enum(LEDGER_SORTS).default('entry_id_asc'),
    filter: ledgerFilterSchema.optional(),
  })
  .strict();

export const ledgerLocateOutputSchema = z.object({
  /** 0-based position in the sort and filter, or null when the entry is absent or filtered out. */
  index: z.number().int().nullable(),
  total: z.number().int(),
});
