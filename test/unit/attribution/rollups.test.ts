import {
  contributionDelta,
  counterId,
  parseCounterId,
  splitCounterRow,
  taggedCounterId,
  takeBackCounterId,
  userContribution,
  USER_UNITS,
  visitorContribution,
  type Contribution,
} from '../../../src/attribution/counters';
import type { Touch } from '../../../src/attribution/touches';
import type { Channel } from '../../../src/source';
import { testTouch } from '../../helpers/touches';

function touch(iso: string, channel: Channel, source: string, campaign: string | null = null): Touch {
  return testTouch(iso, channel, source, { medium: '(none)', campaign, messageId: `m-${iso}`, landing_page: null });
}

const sumOf = (c: Contribution, metric: string): number =>
  Object.entries(c)
    .filter(([id]) => parseCounterId(id)?.metric === metric)
    .reduce((a, [, n]) => a + n, 0);

describe('counter ids', () => {
  it('round-trip, and keep a separator inside a value from splitting it', () => {
    // Prepare
    const key = { day: '2026-11-02', metric: 'touches' as const, channel: 'Email', source: 'news#letter', campaign: 'a\u001fb' };

    // Act
    const parsed = parseCounterId(counterId(key));

    // Assess
    expect(parsed).toEqual({ ...key, campaign: 'a b' });
    expect(parseCounterId('2026-11-02#nonsense#a\u001fb\u001fc')).toBeUndefined();
  });

  it("name an import's rows and its take-back rows after the counter and the import", () => {
    // Prepare
    const id = counterId({ day: '2026-11-02', metric: 'new_visitors', channel: 'Email', source: 'newsletter', campaign: 'w1' });

    // Act
    const rows = [id, taggedCounterId(id, 'import-1a2b3c4d'), takeBackCounterId(id, 'import-1a2b3c4d'), takeBackCounterId(id, 'x\u001fy')];

    // Assess: every row counts for the same counter; an import's rows count with their import
    expect(rows.map(splitCounterRow)).toEqual([
      { id, tag: undefined },
      { id, tag: 'import-1a2b3c4d' },
      { id, tag: 'import-1a2b3c4d' },
      { id, tag: 'x y' },
    ]);
    expect(new Set(rows.slice(1, 3)).size).toBe(2);
  });
});

describe('visitorContribution', () => {
  it('counts every touch on its day and the first touch once as a new visitor', () => {
    // Prepare
    const touches = [
      touch('2026-11-03T10:00:00.000Z', 'Email', 'newsletter', 'w1'),
      touch('2026-11-01T09:00:00.000Z', 'Organic Search', 'google'),
      touch('2026-11-03T12:00:00.000Z', 'Email', 'newsletter', 'w1'),
    ];

    // Act
    const c = visitorContribution(touches);

    // Assess
    expect(c).toEqual({
      [counterId({ day: '2026-11-01', metric: 'touches', channel: 'Organic Search', source: 'google', campaign: '(not set)' })]: 1,
      [counterId({ day: '2026-11-03', metric: 'touches', channel: 'Email', source: 'newsletter', campaign: 'w1' })]: 2,
      [counterId({ day: '2026-11-01', metric: 'new_visitors', channel: 'Organic Search', source: 'google', campaign: '(not set)' })]: 1,
    });
    expect(visitorContribution([])).toEqual({});
  });
});

describe('userContribution', () => {
  it('adds exactly one user per model on the identification day, split by the model', () => {
    // Prepare
    const touches = [
      touch('2026-10-01T00:00:00.000Z', 'Organic Search', 'google'),
      touch('2026-10-05T00:00:00.000Z', 'Email', 'newsletter'),
      touch('2026-10-09T00:00:00.000Z', 'Paid Social', 'facebook'),
    ];

    // Act
    const c = userContribution(touches, '2026-10-10T08:00:00.000Z', {});

    // Assess
    for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']) {
      expect(sumOf(c, `users:${model}`)).toBe(USER_UNITS);
    }
    const days = new Set(Object.keys(c).map((id) => parseCounterId(id)?.day));
    expect([...days]).toEqual(['2026-10-10']);
    const linear = Object.entries(c).filter(([id]) => parseCounterId(id)?.metric === 'users:linear');
    expect(linear.map(([, n]) => n).sort()).toEqual([333_333, 333_333, 333_334]);
    const first = Object.keys(c).find((id) => parseCounterId(id)?.metric === 'users:first_touch');
    expect(first && parseCounterId(first)?.source).toBe('google');
  });

  it('counts a user with no touch as Unassigned under every model', () => {
    // Act
    const c = userContribution([], '2026-10-10T08:00:00.000Z', {});

    // Assess
    expect(Object.keys(c)).toHaveLength(5);
    for (const id of Object.keys(c)) expect(parseCounterId(id)).toMatchObject({ channel: 'Unassigned', source: '(not set)' });
  });
});

describe('contributionDelta', () => {
  it('gives what turns one contribution into the other, and nothing for equal ones', () => {
    // Act / Assess
    expect(contributionDelta({ a: 1, b: 2 }, { b: 5, c: 1 })).toEqual({ a: -1, b: 3, c: 1 });
    expect(contributionDelta({ a: 1 }, { a: 1 })).toEqual({});
  });
});
