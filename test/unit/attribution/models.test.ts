import { creditBy, firstTouch, lastTouch, touchCredits } from '../../../src/attribution/models';
import { buildIdentifyTraits, TOUCH_FIELDS } from '../../../src/attribution/traits';
import type { Touch } from '../../../src/attribution/touches';
import type { Channel } from '../../../src/source';
import { testTouch } from '../../helpers/touches';

const DAY = 86_400_000;
const T0 = Date.parse('2026-07-01T00:00:00Z');

function touch(day: number, channel: Channel, source: string, extra: Partial<Touch> = {}): Touch {
  return testTouch(new Date(T0 + day * DAY).toISOString(), channel, source, { messageId: `m${day}`, ...extra });
}

const journey = [
  touch(0, 'Organic Search', 'google'),
  touch(3, 'Email', 'newsletter'),
  touch(10, 'Paid Social', 'facebook'),
  touch(14, 'Direct', '(direct)'),
];

describe('first and last touch', () => {
  it('takes the earliest touch and the latest non-direct one, in any input order', () => {
    // Act / Assess
    expect(firstTouch([...journey].reverse())?.source).toBe('google');
    expect(lastTouch([...journey].reverse())?.source).toBe('facebook');
    expect(lastTouch(journey, { lastTouch: 'any' })?.source).toBe('(direct)');
    expect(lastTouch([touch(0, 'Direct', '(direct)')])?.source).toBe('(direct)');
    expect(firstTouch([])).toBeUndefined();
  });

  it('honours a lookback window before the reference time', () => {
    // Act / Assess
    expect(firstTouch(journey, { lookbackDays: 7, reference: new Date(T0 + 14 * DAY) })?.source).toBe('facebook');
    expect(lastTouch(journey, { lookbackDays: 30, reference: new Date(T0 + 5 * DAY) })?.source).toBe('newsletter');
  });
});

describe('multi-touch credit', () => {
  it.each([
    ['linear', [0.25, 0.25, 0.25, 0.25]],
    ['position_based', [0.4, 0.1, 0.1, 0.4]],
  ] as const)('%s gives the documented shares', (model, shares) => {
    // Act
    const credits = touchCredits(journey, model).map((c) => Math.round(c.credit * 1000) / 1000);

    // Assess
    expect(credits).toEqual(shares);
  });

  it('time decay halves the weight every 7 days before the last touch', () => {
    // Act
    const [a, b] = touchCredits([touch(0, 'Email', 'x'), touch(7, 'Email', 'y')], 'time_decay');

    // Assess
    expect((b?.credit ?? 0) / (a?.credit ?? 1)).toBeCloseTo(2, 10);
  });

  it('sums to 1 and groups by channel and source', () => {
    // Act
    const byModel = (['linear', 'time_decay', 'position_based'] as const).map((m) => creditBy(journey, m));

    // Assess
    for (const { channel, source } of byModel) {
      expect(Object.values(channel).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(Object.keys(source).sort()).toEqual(['(direct)', 'facebook', 'google', 'newsletter']);
    }
    expect(creditBy([touch(0, 'Email', 'x')], 'position_based').channel).toEqual({ Email: 1 });
    expect(creditBy([touch(0, 'Email', 'x'), touch(1, 'Email', 'y')], 'position_based').source).toEqual({ x: 0.5, y: 0.5 });
  });
});

describe('identify traits', () => {
  it('are flat snake_case, one per field for first and last, with nulls that clear stale values', () => {
    // Act
    const traits = buildIdentifyTraits(firstTouch(journey), lastTouch(journey));

    // Assess
    expect(Object.keys(traits)).toHaveLength(TOUCH_FIELDS.length * 2);
    expect(Object.keys(traits).every((k) => /^source_(first|last)_[a-z_]+$/.test(k))).toBe(true);
    expect(traits).toMatchObject({ source_first_channel: 'Organic Search', source_last_source: 'facebook', source_last_campaign: null });
    expect(Object.values(traits).every((v) => v === null || typeof v === 'string')).toBe(true);
  });
});
