/**
 * Conversions in integration tests: an e-commerce track as analytics.js
 * sends it, and a history stored as POST /events stores it with what the
 * stream processors would derive from it, without running them.
 */
import { randomUUID } from 'node:crypto';
import { ingestEvents } from '../../src/app/store-events';
import { linkIdentities } from '../../src/app/link-identities';
import { refreshDerived } from '../../src/app/refresh';
import type { Deps } from '../../src/handlers/deps';
import { linkingItemSchema } from '../../src/store/items';
import { at, identifyEvent, pageEvent } from './events';
import { scanAll } from './snapshot';

/** A conversion track (Segment's e-commerce spec: revenue, total or value, and currency). */
export function orderEvent(o: {
  anonymousId?: string;
  userId?: string;
  timestamp: string;
  event?: string;
  messageId?: string;
  properties?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'track',
    messageId: o.messageId ?? `ajs-${randomUUID()}`,
    event: o.event ?? 'Order Completed',
    ...(o.anonymousId !== undefined ? { anonymousId: o.anonymousId } : {}),
    ...(o.userId !== undefined ? { userId: o.userId } : {}),
    timestamp: o.timestamp,
    properties: o.properties ?? {},
    context: { library: { name: 'analytics.js', version: 'next-1.70.0' } },
  };
}

/**
 * Stores events as the webhook does (conversions with them, under the
 * configuration's CONVERSION_EVENTS), then links ids and derives every
 * visitor's touches and counters as `sma refresh` does.
 */
export async function storeAndDerive(deps: Deps, events: readonly Record<string, unknown>[]): Promise<void> {
  await ingestEvents(events, deps.events, new Date(), { conversionEvents: new Set(deps.config.conversions.events) });
  const linking = (await scanAll(deps, deps.config.tables.identify)).map((item) => linkingItemSchema.parse(item));
  await linkIdentities(linking, deps.identity);
  await refreshDerived({ since: '1970-01-01' }, deps);
}

/** What twoDeviceBuyer made: the ids to look for, and the events to store. */
export interface TwoDeviceBuyer {
  userId: string;
  phone: string;
  laptop: string;
  orders: { phone: string; laptop: string };
  events: Record<string, unknown>[];
}

/**
 * A person on two devices, from `t0`: a newsletter visit (utm_campaign
 * `campaign`) and an order of 120 EUR on the phone before sign-in; two days
 * later a paid search click on the laptop, then sign-in on both; an order on
 * the laptop (with `laptopOrder` as properties) on day four; and a social
 * visit on day five, after every order, which no order may be credited to.
 */
export function twoDeviceBuyer(t0: string, o: { campaign: string; laptopOrder: Record<string, unknown> }): TwoDeviceBuyer {
  const userId = `u-${randomUUID()}`;
  const phone = `phone-${randomUUID()}`;
  const laptop = `laptop-${randomUUID()}`;
  const orders = { phone: `order-${randomUUID()}`, laptop: `order-${randomUUID()}` };
  const day = 24 * 60;
  const events = [
    pageEvent({
      anonymousId: phone,
      timestamp: t0,
      url: `https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=${o.campaign}`,
    }),
    orderEvent({ anonymousId: phone, timestamp: at(t0, 60), messageId: orders.phone, properties: { revenue: 120, currency: 'EUR' } }),
    pageEvent({ anonymousId: laptop, timestamp: at(t0, 2 * day), url: 'https://www.example.com/?gclid=k1' }),
    identifyEvent({ anonymousId: laptop, userId, timestamp: at(t0, 2 * day + 1) }),
    identifyEvent({ anonymousId: phone, userId, timestamp: at(t0, 3 * day) }),
    orderEvent({ anonymousId: laptop, userId, timestamp: at(t0, 4 * day), messageId: orders.laptop, properties: o.laptopOrder }),
    pageEvent({ anonymousId: laptop, timestamp: at(t0, 5 * day), referrer: 'https://www.linkedin.com/feed/' }),
  ];
  return { userId, phone, laptop, orders, events };
}
