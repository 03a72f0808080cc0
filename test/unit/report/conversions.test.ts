import { conversionContribution } from '../../../src/attribution/conversion-counters';
import { counterId, REPORT_MODELS, USER_UNITS, type Contribution, type CounterKey } from '../../../src/attribution/counters';
import type { Conversion } from '../../../src/attribution/conversions';
import { noConversions } from '../../../src/report/conversions';
import { buildReport, MAX_TABLE_ROWS, type ReportQuery } from '../../../src/report/report';
import { testTouch } from '../../helpers/touches';

type Key = Partial<CounterKey> & Pick<CounterKey, 'day' | 'metric'>;

const counters = (entries: [Key, number][]): Map<string, number> =>
  new Map(entries.map(([k, n]) => [counterId({ channel: 'Direct', source: '(direct)', campaign: '(not set)', ...k }), n]));

const week = (model: ReportQuery['model'] = 'first_touch'): ReportQuery => ({ since: '2026-07-01', until: '2026-07-07', model });

const email = { channel: 'Email', source: 'newsletter', campaign: 'july' };
const search = { channel: 'Organic Search', source: 'google', campaign: '(not set)' };

describe('the report of conversions', () => {
  it('gives count and value by channel, source and campaign under the chosen model, and every model side by side', () => {
    // Prepare: three orders; first touch credits Email with two and Search with one, linear shares them
    const c = counters([
      [{ day: '2026-07-02', metric: 'conversions:first_touch', ...email }, 2 * USER_UNITS],
      [{ day: '2026-07-03', metric: 'conversions:first_touch', ...search }, USER_UNITS],
      [{ day: '2026-07-02', metric: 'value:first_touch:EUR', ...email }, 4000],
      [{ day: '2026-07-03', metric: 'value:first_touch:EUR', ...search }, 1999],
      [{ day: '2026-07-02', metric: 'conversions:linear', ...email }, 1_333_333],
      [{ day: '2026-07-03', metric: 'conversions:linear', ...search }, 1_666_667],
      [{ day: '2026-07-02', metric: 'value:linear:EUR', ...email }, 2500],
      [{ day: '2026-07-03', metric: 'value:linear:EUR', ...search }, 3499],
      [{ day: '2026-07-02', metric: 'conversions:last_touch', ...email }, 3 * USER_UNITS],
      [{ day: '2026-07-02', metric: 'value:last_touch:EUR', ...email }, 5999],
    ]);

    // Act
    const first = buildReport(c, week('first_touch')).conversions;
    const linear = buildReport(c, week('linear')).conversions;

    // Assess
    expect(first.total).toEqual({ count: 3, value: { EUR: 59.99 } });
    expect(first.byChannel).toEqual([
      { channel: 'Email', count: 2, value: { EUR: 40 } },
      { channel: 'Organic Search', count: 1, value: { EUR: 19.99 } },
    ]);
    expect(linear.total).toEqual(first.total);
    expect(linear.byChannel).toEqual([
      { channel: 'Organic Search', count: 1.67, value: { EUR: 34.99 } },
      { channel: 'Email', count: 1.33, value: { EUR: 25 } },
    ]);
    expect(linear.bySource.map((r) => [r.source, r.count])).toEqual([
      ['google', 1.67],
      ['newsletter', 1.33],
    ]);
    // A conversion with no campaign is in no campaign row.
    expect(linear.byCampaign).toEqual([{ campaign: 'july', source: 'newsletter', count: 1.33, value: { EUR: 25 } }]);
    expect(first.byModel.map((m) => [m.model, m.total.count, m.byChannel.map((r) => r.channel)])).toEqual([
      ['first_touch', 3, ['Email', 'Organic Search']],
      ['last_touch', 3, ['Email']],
      ['linear', 3, ['Organic Search', 'Email']],
      ['time_decay', 0, []],
      ['position_based', 0, []],
    ]);
    expect(first.comparison).toEqual([
      { channel: 'Email', share: { first_touch: 66.7, last_touch: 100, linear: 44.4, time_decay: 0, position_based: 0 } },
      { channel: 'Organic Search', share: { first_touch: 33.3, last_touch: 0, linear: 55.6, time_decay: 0, position_based: 0 } },
    ]);
    expect(linear.byDay).toEqual([
      { channel: 'Organic Search', counts: [0, 0, 1.67, 0, 0, 0, 0], total: 1.67 },
      { channel: 'Email', counts: [0, 1.33, 0, 0, 0, 0, 0], total: 1.33 },
    ]);
  });

  it('keeps each currency apart, a missing currency as (not set), and never adds them up', () => {
    // Prepare
    const c = counters([
      [{ day: '2026-07-01', metric: 'conversions:first_touch', ...email }, 3 * USER_UNITS],
      [{ day: '2026-07-01', metric: 'value:first_touch:USD', ...email }, 1050],
      [{ day: '2026-07-01', metric: 'value:first_touch:EUR', ...email }, 2000],
      [{ day: '2026-07-04', metric: 'value:first_touch:EUR', ...search }, 1],
      [{ day: '2026-07-04', metric: 'conversions:first_touch', ...search }, USER_UNITS],
      [{ day: '2026-07-05', metric: 'value:first_touch:(not set)', ...search }, 700],
    ]);

    // Act
    const r = buildReport(c, week()).conversions;

    // Assess
    expect(r.total).toEqual({ count: 4, value: { '(not set)': 7, EUR: 20.01, USD: 10.5 } });
    expect(r.currencies).toEqual(['(not set)', 'EUR', 'USD']);
    expect(r.byChannel).toEqual([
      { channel: 'Email', count: 3, value: { EUR: 20, USD: 10.5 } },
      { channel: 'Organic Search', count: 1, value: { '(not set)': 7, EUR: 0.01 } },
    ]);
  });

  it('says how many conversions no touch came before, and gives both distributions in bucket order', () => {
    // Prepare
    const c = counters([
      [{ day: '2026-07-01', metric: 'conversions:first_touch' }, 2 * USER_UNITS],
      [{ day: '2026-07-01', metric: 'conversions_untouched' }, 2],
      [{ day: '2026-07-02', metric: 'conversions:first_touch', ...email }, 5 * USER_UNITS],
      [{ day: '2026-07-02', metric: 'convert_days:8-14', ...email }, 3],
      [{ day: '2026-07-02', metric: 'convert_days:0', ...email }, 1],
      [{ day: '2026-07-02', metric: 'convert_days:1-2', ...email }, 1],
      [{ day: '2026-07-02', metric: 'convert_touches:2', ...email }, 4],
      [{ day: '2026-07-03', metric: 'convert_touches:11+', ...email }, 1],
      [{ day: '2026-07-09', metric: 'convert_touches:1', ...email }, 50],
    ]);

    // Act
    const r = buildReport(c, week()).conversions;

    // Assess: a bucket the bucketing no longer has (1-2) comes after the others; a day out of range counts nothing
    expect(r.untouched).toBe(2);
    expect(r.byChannel).toEqual([
      { channel: 'Email', count: 5, value: {} },
      { channel: 'Direct', count: 2, value: {} },
    ]);
    expect(r.daysToConvert).toEqual([
      { bucket: '0', conversions: 1 },
      { bucket: '1-3', conversions: 0 },
      { bucket: '4-7', conversions: 0 },
      { bucket: '8-14', conversions: 3 },
      { bucket: '15-30', conversions: 0 },
      { bucket: '31-90', conversions: 0 },
      { bucket: '91+', conversions: 0 },
      { bucket: '1-2', conversions: 1 },
    ]);
    expect(r.touchesPerConversion.map((b) => `${b.bucket}:${b.conversions}`)).toEqual(['1:0', '2:4', '3:0', '4-5:0', '6-10:0', '11+:1']);
  });

  it('is there with zero totals and empty lists when the range has no conversion counter', () => {
    // Prepare: visitors and users, but no conversion
    const c = counters([
      [{ day: '2026-07-01', metric: 'new_visitors', ...email }, 4],
      [{ day: '2026-07-01', metric: 'users:first_touch', ...email }, USER_UNITS],
      [{ day: '2026-08-01', metric: 'conversions:first_touch', ...email }, USER_UNITS],
    ]);

    // Act
    const r = buildReport(c, week());

    // Assess
    expect(r.conversions).toEqual(noConversions());
    expect(r.conversions).toEqual({
      total: { count: 0, value: {} },
      byChannel: [],
      bySource: [],
      byCampaign: [],
      currencies: [],
      byModel: [],
      comparison: [],
      untouched: 0,
      daysToConvert: [],
      touchesPerConversion: [],
      byDay: [],
    });
    expect(r.campaigns).toEqual([{ campaign: 'july', source: 'newsletter', newVisitors: 4, touches: 0, users: 1 }]);
  });

  it('keeps the top sources and campaigns, and leaves no visitor row for a campaign seen only in conversions', () => {
    // Prepare: more campaigns than a table shows, each a conversion of its own source
    const c = counters(
      Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i): [Key, number] => [
        { day: '2026-07-01', metric: 'conversions:first_touch', channel: 'Email', source: `s${i}`, campaign: `c${i}` },
        (i + 1) * USER_UNITS,
      ]),
    );

    // Act
    const r = buildReport(c, week());

    // Assess
    expect(r.conversions.bySource).toHaveLength(MAX_TABLE_ROWS);
    expect(r.conversions.byCampaign).toHaveLength(MAX_TABLE_ROWS);
    expect(r.conversions.byCampaign[0]).toEqual({
      campaign: `c${MAX_TABLE_ROWS + 4}`,
      source: `s${MAX_TABLE_ROWS + 4}`,
      count: 55,
      value: {},
    });
    expect([r.sources, r.campaigns]).toEqual([[], []]);
  });

  it('reads back what conversions add to the counters: whole conversions and exact values under every model', () => {
    // Prepare: a search visit then an email a week later; one order after both, one before the email
    const touches = [
      testTouch('2026-07-01T10:00:00.000Z', 'Organic Search', 'google', { messageId: 't1' }),
      testTouch('2026-07-04T10:00:00.000Z', 'Email', 'newsletter', { messageId: 't2', campaign: 'july' }),
    ];
    const order = (timestamp: string, amount: number): Conversion => ({
      messageId: `o-${timestamp}`,
      event: 'Order Completed',
      timestamp,
      visitorKey: 'anon#a',
      value: { amount, currency: 'EUR' },
    });
    const contribution: Contribution = conversionContribution(
      [order('2026-07-02T00:00:00.000Z', 5), order('2026-07-05T00:00:00.000Z', 19.99)],
      touches,
      {},
    );

    // Act
    const r = buildReport(new Map(Object.entries(contribution)), week('linear')).conversions;

    // Assess: 19.99 shared in two is 10.00 and 9.99, never 9.995 twice
    expect(r.total).toEqual({ count: 2, value: { EUR: 24.99 } });
    expect(r.byChannel).toEqual([
      { channel: 'Organic Search', count: 1.5, value: { EUR: 15 } },
      { channel: 'Email', count: 0.5, value: { EUR: 9.99 } },
    ]);
    expect(r.byModel.map((m) => m.total)).toEqual(REPORT_MODELS.map(() => ({ count: 2, value: { EUR: 24.99 } })));
    expect(r.daysToConvert.filter((b) => b.conversions > 0)).toEqual([
      { bucket: '0', conversions: 1 },
      { bucket: '1-3', conversions: 1 },
    ]);
    expect(r.untouched).toBe(0);
  });
});
