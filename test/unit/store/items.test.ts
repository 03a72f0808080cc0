import { eventExpiry, MIN_EVENT_LIFE_SECONDS, REJECTED_RETENTION_DAYS, rejectedExpiry } from '../../../src/store/items';

const DAY = 86_400;
const NOW = new Date('2026-12-06T12:00:00.000Z');
const nowSeconds = NOW.getTime() / 1000;

describe('eventExpiry', () => {
  it('is RETENTION_DAYS after the event time', () => {
    expect(eventExpiry('2026-12-01T12:00:00.000Z', 30, NOW)).toBe(nowSeconds - 5 * DAY + 30 * DAY);
  });

  it('leaves an old event (an import) a day to be processed, never an expiry in the past', () => {
    expect(eventExpiry('2019-01-01T00:00:00.000Z', 30, NOW)).toBe(nowSeconds + MIN_EVENT_LIFE_SECONDS);
  });
});

describe('rejectedExpiry', () => {
  it('keeps a rejected body REJECTED_RETENTION_DAYS, or RETENTION_DAYS when shorter', () => {
    const at = NOW.toISOString();
    expect(rejectedExpiry(at)).toBe(nowSeconds + REJECTED_RETENTION_DAYS * DAY);
    expect(rejectedExpiry(at, 7)).toBe(nowSeconds + 7 * DAY);
    expect(rejectedExpiry(at, 365)).toBe(nowSeconds + REJECTED_RETENTION_DAYS * DAY);
  });
});
