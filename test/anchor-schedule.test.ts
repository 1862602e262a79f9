/** nexuscone's should_anchor truth table (spec §5.4), case for case. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANCHOR_SCHEDULE, shouldAnchor } from '../src-shared/anchors/anchor-schedule';

const enabled = { ...DEFAULT_ANCHOR_SCHEDULE, enabled: true, everyNEntries: 10, everyMMinutes: 30 };
const now = new Date('2026-11-23T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

describe('shouldAnchor', () => {
  it.each([
    ['disabled, whatever else', { ...enabled, enabled: false }, 100, null, false],
    ['N entries reached', enabled, 10, minutesAgo(1), true],
    ['nothing new', enabled, 0, minutesAgo(999), false],
    ['negative count', enabled, -1, null, false],
    ['never anchored, something new', enabled, 1, null, true],
    ['M minutes passed', enabled, 1, minutesAgo(30), true],
    ['not yet M minutes', enabled, 1, minutesAgo(29), false],
  ] as const)('%s', (_name, schedule, entries, last, expected) => {
    expect(shouldAnchor(schedule, entries, last, now)).toBe(expected);
  });

  it('is off by default and contacts no server unasked', () => {
    expect(DEFAULT_ANCHOR_SCHEDULE).toMatchObject({
      enabled: false,
      calendarUrls: [],
      tsaUrls: [],
    });
  });
});
