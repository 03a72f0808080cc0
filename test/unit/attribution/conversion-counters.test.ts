import { addContribution, parseCounterId, USER_UNITS, type Contribution } from '../../../src/attribution/counters';
import { conversionContribution, currencyKey, NO_CURRENCY } from '../../../src/attribution/conversion-counters';
import { conversionOf, type Conversion } from '../../../src/attribution/conversions';
import { testTouch } from '../../helpers/touches';

const conversion = (timestamp: string, value: Conversion['value'], extra: Partial<Conversion> = {}): Conversion => ({
  messageId: `c-${timestamp}`,
  event: 'Order Completed',
  timestamp,
  visitorKey: 'anon#a',
  anonymousId: 'a',
  value,
  ...extra,
});

/** A contribution as `metric channel/source = n`, sorted, for reading. */
function lines(c: Contribution, metric: (m: string) => boolean = () => true): string[] {
  return Object.entries(c)
    .map(([id, n]) => ({ key: parseCounterId(id), n }))
    .filter(({ key }) => key && metric(key.metric))
    .map(({ key, n }) => `${key?.day} ${key?.metric} ${key?.channel}/${key?.source} = ${n}`)
    .sort();
}

describe('conversionOf', () => {
  const names = new Set(['Order Completed']);

  it('is a named track with an id, valued from its properties', () => {
    const track = {
      type: 'track',
      messageId: 'm1',
      event: 'Order Completed',
      anonymousId: 'a',
      properties: { revenue: '19.99', currency: 'EUR' },
    };
    expect(conversionOf(track, '2026-07-01T00:00:00.000Z', names)).toEqual({
      messageId: 'm1',
      event: 'Order Completed',
      timestamp: '2026-07-01T00:00:00.000Z',
      visitorKey: 'anon#a',
      anonymousId: 'a',
      value: { amount: 19.99, currency: 'EUR' },
    });
    expect(conversionOf({ ...track, anonymousId: undefined, userId: 'u' }, 't', names)?.visitorKey).toBe('user#u');
    expect(conversionOf({ ...track, properties: { revenue: -1 } }, 't', names)).toMatchObject({
      value: null,
      warning: 'properties.revenue is negative',
    });
  });

  it('is nothing else: another name, another type, a name in another case', () => {
    const track = { type: 'track', messageId: 'm1', event: 'Order Completed', anonymousId: 'a' };
    expect(conversionOf({ ...track, event: 'Product Viewed' }, 't', names)).toBeUndefined();
    expect(conversionOf({ ...track, event: 'order completed' }, 't', names)).toBeUndefined();
    expect(conversionOf({ ...track, type: 'page' }, 't', names)).toBeUndefined();
  });
});

describe('conversionContribution', () => {
  const touches = [
    testTouch('2026-07-01T10:00:00.000Z', 'Organic Search', 'google', { messageId: 't1' }),
    testTouch('2026-07-05T10:00:00.000Z', 'Email', 'newsletter', { messageId: 't2' }),
    testTouch('2026-07-20T10:00:00.000Z', 'Paid Social', 'facebook', { messageId: 't3' }),
  ];

  it('credits each conversion on its own day with the touches before it, count and value under every model', () => {
    // Act: an order on July 10th, after the first two touches only
    const c = conversionContribution([conversion('2026-07-10T00:00:00.000Z', { amount: 10.01, currency: 'EUR' })], touches, {});

    // Assess: first touch Search, last touch Email, linear half each; the value in cents
    expect(lines(c, (m) => m === 'conversions:first_touch' || m === 'conversions:last_touch' || m === 'conversions:linear')).toEqual([
      `2026-07-10 conversions:first_touch Organic Search/google = ${USER_UNITS}`,
      `2026-07-10 conversions:last_touch Email/newsletter = ${USER_UNITS}`,
      `2026-07-10 conversions:linear Email/newsletter = ${USER_UNITS / 2}`,
      `2026-07-10 conversions:linear Organic Search/google = ${USER_UNITS / 2}`,
    ]);
    // 1001 cents shared in two: the larger remainder goes to the first share, and the parts add up.
    expect(lines(c, (m) => m === 'value:linear:EUR')).toEqual([
      '2026-07-10 value:linear:EUR Email/newsletter = 500',
      '2026-07-10 value:linear:EUR Organic Search/google = 501',
    ]);
    expect(lines(c, (m) => m.startsWith('convert_'))).toEqual([
      '2026-07-10 convert_days:8-14 Organic Search/google = 1',
      '2026-07-10 convert_touches:2 Organic Search/google = 1',
    ]);
  });

  it('adds up to whole conversions and exact values under every model, whatever the shares', () => {
    // Act
    const orders = [0, 1, 2, 3].map((i) => conversion(`2026-07-2${i}T12:00:00.000Z`, { amount: 33.33, currency: 'USD' }));
    const c = conversionContribution(orders, touches, {});

    // Assess
    for (const model of ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']) {
      const sum = (metric: string) =>
        Object.entries(c)
          .filter(([id]) => parseCounterId(id)?.metric === metric)
          .reduce((a, [, n]) => a + n, 0);
      expect([model, sum(`conversions:${model}`), sum(`value:${model}:USD`)]).toEqual([model, 4 * USER_UNITS, 4 * 3333]);
    }
  });

  it('credits a conversion no touch came before to Direct, and counts it as untouched', () => {
    const c = conversionContribution([conversion('2026-06-01T00:00:00.000Z', null)], touches, {});
    expect(lines(c)).toEqual([
      '2026-06-01 conversions:first_touch Direct/(direct) = 1000000',
      '2026-06-01 conversions:last_touch Direct/(direct) = 1000000',
      '2026-06-01 conversions:linear Direct/(direct) = 1000000',
      '2026-06-01 conversions:position_based Direct/(direct) = 1000000',
      '2026-06-01 conversions:time_decay Direct/(direct) = 1000000',
      '2026-06-01 conversions_untouched Direct/(direct) = 1',
    ]);
  });

  it('keeps currencies apart, a missing one as (not set), and a value-less conversion out of every sum', () => {
    const c: Contribution = {};
    addContribution(c, conversionContribution([conversion('2026-07-21T00:00:00.000Z', { amount: 5, currency: 'usd' })], touches, {}));
    addContribution(c, conversionContribution([conversion('2026-07-21T01:00:00.000Z', { amount: 7, currency: null })], touches, {}));
    addContribution(
      c,
      conversionContribution([conversion('2026-07-21T02:00:00.000Z', null, { warning: 'properties.revenue is negative' })], touches, {}),
    );
    expect(lines(c, (m) => m.startsWith('value:first_touch'))).toEqual([
      '2026-07-21 value:first_touch:(not set) Organic Search/google = 700',
      '2026-07-21 value:first_touch:usd Organic Search/google = 500',
    ]);
  });

  it('cuts touches outside the lookback window, counted back from each conversion', () => {
    const c = conversionContribution([conversion('2026-07-21T00:00:00.000Z', null)], touches, { lookbackDays: 2 });
    expect(lines(c, (m) => m === 'conversions:first_touch')).toEqual([
      `2026-07-21 conversions:first_touch Paid Social/facebook = ${USER_UNITS}`,
    ]);
  });
});

describe('currencyKey', () => {
  it('keeps a code as given, but not the separators of counter ids', () => {
    expect([currencyKey('EUR'), currencyKey('eur'), currencyKey(null), currencyKey('a#b\u001fc'), currencyKey('')]).toEqual([
      'EUR',
      'eur',
      NO_CURRENCY,
      'a_b_c',
      NO_CURRENCY,
    ]);
  });
});
