import { conversionValue, creditConversion, MAX_CONVERSION_VALUE, type TouchShare } from '../../../src/attribution/conversions';
import type { Touch } from '../../../src/attribution/touches';
import type { Channel } from '../../../src/source';
import { testTouch } from '../../helpers/touches';

const DAY = 86_400_000;
const T0 = Date.parse('2026-07-01T00:00:00Z');
const day = (d: number): string => new Date(T0 + d * DAY).toISOString();

function touch(d: number, channel: Channel, source: string, extra: Partial<Touch> = {}): Touch {
  return testTouch(day(d), channel, source, { messageId: `m${d}-${source}`, ...extra });
}

/** A model's shares as `channel credit`, credits to 4 places. */
const shares = (list: TouchShare[]): string[] => list.map((s) => `${s.channel} ${s.credit.toFixed(4)}`);

describe('conversionValue', () => {
  it('takes revenue, else total, else value, with the currency as given', () => {
    expect(conversionValue({ revenue: 25, total: 30, currency: 'EUR' })).toEqual({ value: { amount: 25, currency: 'EUR' } });
    expect(conversionValue({ total: '30.50', value: 1 })).toEqual({ value: { amount: 30.5, currency: null } });
    expect(conversionValue({ value: 0, currency: ' xbt ' })).toEqual({ value: { amount: 0, currency: 'xbt' } });
    expect(conversionValue({ revenue: null, value: 7 })).toEqual({ value: { amount: 7, currency: null } });
    expect(conversionValue({})).toEqual({ value: null });
    expect(conversionValue(undefined)).toEqual({ value: null });
  });

  it.each([
    [{ revenue: 'twelve' }, 'properties.revenue is not a number'],
    [{ revenue: Number.NaN }, 'properties.revenue is not a number'],
    [{ total: '1e3' }, 'properties.total is not a number'],
    [{ value: -5 }, 'properties.value is negative'],
    [{ revenue: MAX_CONVERSION_VALUE * 10 }, `properties.revenue is over ${MAX_CONVERSION_VALUE}`],
    [{ revenue: {} }, 'properties.revenue is not a number'],
  ])('gives no value for %j, with a warning naming the field', (properties, warning) => {
    expect(conversionValue(properties)).toEqual({ value: null, warning });
  });
});

describe('creditConversion', () => {
  // A person over two devices: search on the phone, then the newsletter and a paid
  // social ad on the laptop, then a direct visit; the order on day 14.
  const phone = [touch(0, 'Organic Search', 'google', { campaign: null })];
  const laptop = [
    touch(3, 'Email', 'newsletter', { campaign: 'july' }),
    touch(10, 'Paid Social', 'facebook'),
    touch(13, 'Direct', '(direct)'),
    touch(20, 'Referral', 'later.example'),
  ];
  const touches = [...laptop, ...phone];

  it('credits the touches before the conversion under every model, worked by hand', () => {
    // Act
    const credit = creditConversion(touches, day(14));

    // Assess: four touches before day 14; the day-20 referral came after the order
    expect(credit.touches).toBe(4);
    expect(credit.noTouch).toBe(false);
    expect(credit.secondsToConvert).toBe(14 * 86_400);
    expect(shares(credit.shares.first_touch)).toEqual(['Organic Search 1.0000']);
    // Last non-direct: the paid social ad, not the direct visit after it.
    expect(shares(credit.shares.last_touch)).toEqual(['Paid Social 1.0000']);
    expect(shares(credit.shares.linear)).toEqual(['Organic Search 0.2500', 'Email 0.2500', 'Paid Social 0.2500', 'Direct 0.2500']);
    // 40% to each end, the 20% between split by the two in the middle.
    expect(shares(credit.shares.position_based)).toEqual(['Organic Search 0.4000', 'Email 0.1000', 'Paid Social 0.1000', 'Direct 0.4000']);
    // Time decay, 7-day half-life counted back from the order: weights 2^-2, 2^-11/7, 2^-4/7, 2^-1/7.
    const w = [2 ** -2, 2 ** (-11 / 7), 2 ** (-4 / 7), 2 ** (-1 / 7)];
    const sum = w.reduce((a, b) => a + b, 0);
    expect(shares(credit.shares.time_decay)).toEqual(
      ['Organic Search', 'Email', 'Paid Social', 'Direct'].map((c, i) => `${c} ${((w[i] ?? 0) / sum).toFixed(4)}`),
    );
    expect(credit.shares.linear[1]).toMatchObject({ source: 'newsletter', campaign: 'july', touch: 'm3-newsletter' });
  });

  it('counts only the touches within the lookback window, back from the conversion', () => {
    // Act: 7 days back from day 14 leaves the paid social ad and the direct visit
    const credit = creditConversion(touches, day(14), { lookbackDays: 7 });

    // Assess
    expect(shares(credit.shares.first_touch)).toEqual(['Paid Social 1.0000']);
    expect(shares(credit.shares.linear)).toEqual(['Paid Social 0.5000', 'Direct 0.5000']);
    expect(credit.secondsToConvert).toBe(4 * 86_400);
  });

  it('orders touches at the same moment by messageId, whichever device they came from', () => {
    // Prepare
    const tied = [touch(1, 'Email', 'b-mail', { messageId: 'b' }), touch(1, 'Organic Social', 'a-social', { messageId: 'a' })];

    // Act
    const credit = creditConversion(tied, day(2));

    // Assess
    expect(shares(credit.shares.first_touch)).toEqual(['Organic Social 1.0000']);
    expect(shares(credit.shares.last_touch)).toEqual(['Email 1.0000']);
  });

  it('credits a direct-only path to its direct touch, and a conversion with none before it to Direct', () => {
    // Act
    const directOnly = creditConversion([touch(0, 'Direct', '(direct)'), touch(2, 'Direct', '(direct)')], day(3));
    const none = creditConversion(laptop, day(1));

    // Assess
    expect(shares(directOnly.shares.last_touch)).toEqual(['Direct 1.0000']);
    expect(directOnly.noTouch).toBe(false);
    expect(none.noTouch).toBe(true);
    expect(none.secondsToConvert).toBeNull();
    for (const model of Object.values(none.shares))
      expect(model).toEqual([{ channel: 'Direct', source: '(direct)', campaign: null, touch: null, credit: 1 }]);
  });
});
