/** A decision's timeline as the Decisions view and the report both show it. */
import { z } from 'zod';

export const decisionTimelineSchema = z.array(
  z.object({
    seq: z.number().int(),
    ts: z.string(),
    category: z.string(),
    summary: z.string(),
    actor: z.string().nullable(),
  }),
);
