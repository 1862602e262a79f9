/**
 * When a ledger is due for an anchor: nexuscone's `should_anchor` (anchor_schedule.py, spec §5.4),
 * the same truth table, so a schedule means the same thing to both tools. Pure: the caller
 * supplies the count of entries since the last anchor, its time and now.
 */

export interface AnchorSchedule {
  readonly enabled: boolean;
  /** Anchor once this many entries have been added since the last anchor. */
  readonly everyNEntries: number;
  /** Otherwise anchor once this many minutes have passed, if anything was added. */
  readonly everyMMinutes: number;
  readonly calendarUrls: readonly string[];
  readonly tsaUrls: readonly string[];
}

/** nexuscone's defaults, except that URLs are the user's to choose: none are contacted unasked. */
export const DEFAULT_ANCHOR_SCHEDULE: AnchorSchedule = {
  enabled: false,
  everyNEntries: 1000,
  everyMMinutes: 60,
  calendarUrls: [],
  tsaUrls: [],
};

export function shouldAnchor(
  schedule: AnchorSchedule,
  entriesSinceLast: number,
  lastAnchorAt: Date | null,
  now: Date,
): boolean {
  if (!schedule.enabled) return false;
  if (entriesSinceLast >= schedule.everyNEntries) return true;
  if (entriesSinceLast <= 0) return false;
  if (lastAnchorAt === null) return true;
  return (now.getTime() - lastAnchorAt.getTime()) / 60_000 >= schedule.everyMMinutes;
}
