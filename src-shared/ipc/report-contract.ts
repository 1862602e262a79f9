/**
 * The report channels: the narrative report of what is open (the ledger, or one decision with its
 * bound ledger), and exporting it as PDF, JSON or Markdown. Main chooses where the file goes: the
 * system's Save dialog in the app; in the twin, a folder handle from the in-app chooser and a
 * plain file name, never a path.
 */
import { z } from 'zod';
import { narrativeReportSchema } from '../report/report-model';
import { fileHandleSchema } from './workspace-contract';

const decisionScope = z.object({ decisionId: z.string().min(1).max(200).optional() });

/** A file name without any folder part; main joins it to the folder it chose. */
export const plainFileNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\\0]+$/, 'a file name without a folder')
  .refine((name) => name !== '.' && name !== '..', 'a file name without a folder');

export const REPORT_CHANNELS = {
  /** The report as of now; verification progress arrives as 'report/progress'. */
  'report/build': {
    input: decisionScope.strict(),
    output: z.object({ report: narrativeReportSchema, digest: z.string() }),
  },
  'report/export': {
    input: decisionScope
      .extend({
        format: z.enum(['pdf', 'json', 'md']),
        /** The twin's choice: a folder handle from 'workspace/browse' and a file name. */
        folder: fileHandleSchema.optional(),
        fileName: plainFileNameSchema.optional(),
        /** Replace a file of that name; otherwise an existing file is refused. */
        replace: z.boolean().optional(),
      })
      .strict(),
    output: z.object({
      /** False when the Save dialog was cancelled. */
      saved: z.boolean(),
      fileName: z.string().nullable(),
      digest: z.string().nullable(),
      bytes: z.number().int().nullable(),
    }),
  },
} as const;

export const REPORT_EVENTS = {
  'report/progress': z.object({ rowsDone: z.number().int(), rowsTotal: z.number().int() }),
} as const;
