/**
 * A generated attribution history: page views from a handful of sources and
 * identifies linking visitors to users, shuffled out of time order.
 */
import { identifyEvent, pageEvent } from './events';
import { seededRandom } from './random';

const T0 = Date.parse('2026-09-01T00:00:00Z');
const DAYS = 60;
const IDENTIFIED_SHARE = 0.85;
const SOURCES = [
  { url: 'https://www.acme.com/?utm_source=newsletter&utm_medium=email&utm_campaign=autumn', referrer: '' },
  { url: 'https://www.acme.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand', referrer: 'https://www.google.com/' },
  { url: 'https://www.acme.com/', referrer: 'https://www.google.com/' },
  { url: 'https://www.acme.com/', referrer: 'https://www.linkedin.com/feed/' },
  { url: 'https://www.acme.com/pricing', referrer: '' },
  { url: 'https://www.acme.com/?gclid=abc', referrer: '' },
];

export interface HistoryShape {
  seed: number;
  users: number;
  visitors: number;
  pageViews: number;
  /** Page views that carry only a user id (a server-side page call), of users 0, 1, 2… */
  userOnlyViews?: number;
  /** `Order Completed` tracks: anonymous, user-only or with both ids, in several currencies, some without a usable value. */
  conversions?: number;
}

/** The track name the generated conversions carry. */
export const CONVERSION_EVENT = 'Order Completed';

/** Order properties: a value in cents in one of two currencies or none, now and then one that cannot be summed. */
function orderProperties(random: () => number): Record<string, unknown> {
  const roll = random();
  const revenue = Math.floor(random() * 50_000) / 100;
  if (roll < 0.4) return { revenue, currency: 'USD' };
  if (roll < 0.7) return { total: String(revenue), currency: 'EUR' };
  if (roll < 0.85) return { value: revenue };
  return roll < 0.92 ? { revenue: 'n/a', currency: 'USD' } : {};
}

/** Conversions by visitors of the history (visitor v belongs to user v % users when identified). */
function conversionEvents(shape: HistoryShape, random: () => number, moment: () => string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < (shape.conversions ?? 0); i++) {
    const v = Math.floor(random() * shape.visitors);
    const roll = random();
    const ids =
      roll < 0.4
        ? { anonymousId: `v-${v}` }
        : roll < 0.6
          ? { userId: `u-${v % shape.users}` }
          : { anonymousId: `v-${v}`, userId: `u-${v % shape.users}` };
    events.push({
      type: 'track',
      event: CONVERSION_EVENT,
      messageId: `c-${i}`,
      timestamp: moment(),
      properties: orderProperties(random),
      ...ids,
    });
  }
  return events;
}

/** Page views and identifies over 60 days; visitor i belongs to user i % users. */
export function attributionHistory(shape: HistoryShape): Record<string, unknown>[] {
  const random = seededRandom(shape.seed);
  const moment = (): string => new Date(T0 + Math.floor(random() * DAYS * 86_400_000)).toISOString();
  const source = () => SOURCES[Math.floor(random() * SOURCES.length)] ?? SOURCES[0];
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < shape.pageViews; i++) {
    const v = i < shape.visitors ? i : Math.floor(random() * shape.visitors);
    const s = source();
    events.push(pageEvent({ anonymousId: `v-${v}`, timestamp: moment(), url: s?.url, referrer: s?.referrer, messageId: `p-${i}` }));
  }
  for (let i = 0; i < (shape.userOnlyViews ?? 0); i++) {
    const s = source();
    const event = pageEvent({
      userId: `u-${i % shape.users}`,
      timestamp: moment(),
      url: s?.url,
      referrer: s?.referrer,
      messageId: `pu-${i}`,
    });
    delete event.anonymousId;
    events.push(event);
  }
  for (let v = 0; v < shape.visitors; v++) {
    if (random() < IDENTIFIED_SHARE) {
      events.push(identifyEvent({ anonymousId: `v-${v}`, userId: `u-${v % shape.users}`, timestamp: moment(), messageId: `i-${v}` }));
    }
  }
  events.push(...conversionEvents(shape, random, moment));
  // Out of order: shuffled, so earlier page views often arrive after later ones.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as Record<string, unknown>, events[i] as Record<string, unknown>];
  }
  return events;
}
