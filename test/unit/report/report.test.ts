import { counterId, USER_UNITS, type CounterKey } from '../../../src/attribution/counters';
import { InvalidInputError } from '../../../src/errors';
import { buildReport, MAX_REPORT_DAYS, parseReportQuery } from '../../../src/report/report';

const counters = (entries: [Partial<CounterKey> & Pick<CounterKey, 'day' | 'metric'>, number][]): Map<string, number> =>
  new Map(entries.map(([k, n]) => [counterId({ channel: 'Direct', source: '(direct)', campaign: '(not set)', ...k }), n]));

describe('parseReportQuery', () => {
  it('defaults to the last 30 days and first touch', () => {
    // Act / Assess
    expect(parseReportQuery({}, new Date('2026-11-29T12:00:00Z'))).toEqual({
      since: '2026-10-31',
      until: '2026-11-29',
      model: 'first_touch',
    });
  });

  it.each([
    [{ since: '2026-13-01' }, 'since'],
    [{ until: 'yesterday' }, 'until'],
    [{ since: '2026-11-02', until: '2026-11-01' }, 'since'],
    [{ since: '2020-01-01', until: '2026-01-01' }, 'since'],
    [{ model: 'u_shaped' }, 'model'],
  ])('refuses %j, naming %s', (params, field) => {
    // Act
    let error: unknown;
    try {
      parseReportQuery(params, new Date('2026-11-29T00:00:00Z'));
    } catch (e: unknown) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field });
  });

  it('accepts a range of exactly the maximum', () => {
    // Act / Assess
    const since = new Date(Date.parse('2026-11-29') - (MAX_REPORT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    expect(parseReportQuery({ since, until: '2026-11-29' }).since).toBe(since);
  });
});

describe('buildReport', () => {
  it('builds the series, the channel totals under the model, the tables and first against last', () => {
    // Prepare
    const c = counters([
      [{ day: '2026-11-01', metric: 'new_visitors', channel: 'Email', source: 'newsletter', campaign: 'w1' }, 3],
      [{ day: '2026-11-02', metric: 'new_visitors', channel: 'Organic Search', source: 'google' }, 5],
      [{ day: '2026-11-02', metric: 'touches', channel: 'Organic Search', source: 'google' }, 7],
      [{ day: '2026-11-02', metric: 'users:first_touch', channel: 'Organic Search', source: 'google' }, 2 * USER_UNITS],
      [{ day: '2026-11-02', metric: 'users:last_touch', channel: 'Email', source: 'newsletter', campaign: 'w1' }, 2 * USER_UNITS],
      [{ day: '2026-11-02', metric: 'users:linear', channel: 'Email', source: 'newsletter', campaign: 'w1' }, 1_333_333],
      [{ day: '2026-11-02', metric: 'users:linear', channel: 'Organic Search', source: 'google' }, 666_667],
      [{ day: '2026-12-01', metric: 'new_visitors', channel: 'Email', source: 'newsletter' }, 100],
    ]);

    // Act
    const r = buildReport(c, { since: '2026-11-01', until: '2026-11-03', model: 'linear' });

    // Assess
    expect(r.days).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(r.newVisitorsByChannel).toEqual([
      { channel: 'Organic Search', counts: [0, 5, 0], total: 5 },
      { channel: 'Email', counts: [3, 0, 0], total: 3 },
    ]);
    expect(r.totals).toEqual({ newVisitors: 8, touches: 7, users: 2 });
    expect(r.usersByChannel).toEqual([
      { channel: 'Email', users: 1.33 },
      { channel: 'Organic Search', users: 0.67 },
    ]);
    expect(r.firstVsLast).toEqual([
      { channel: 'Email', first: 0, last: 2 },
      { channel: 'Organic Search', first: 2, last: 0 },
    ]);
    expect(r.sources[0]).toEqual({ source: 'google', newVisitors: 5, touches: 7, users: 0.67 });
    expect(r.campaigns).toEqual([{ campaign: 'w1', source: 'newsletter', newVisitors: 3, touches: 0, users: 1.33 }]);
  });
});
