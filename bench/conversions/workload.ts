/**
 * The conversions benchmark's events: the same under every configuration, so
 * that the configurations differ only in CONVERSION_EVENTS.
 *
 * History, stored and processed before anything is timed: `visitors`
 * anonymous visitors, each with a first view (a campaign or external
 * landing); one in four identified; one in five converted an hour after its
 * first view. Then the page views that are timed: `viewsPerVisitor` more
 * views of each visitor, later than the conversions, as live traffic brings
 * them (internal navigation and returns from LinkedIn in turn), interleaved
 * in time order. Last, `conversions` conversions of visitors who have
 * touches: from the browser (anonymousId only, a guest checkout) for
 * anonymous visitors, from the server (userId only) for identified ones.
 */
import { identifyEvent, pageEvent } from '../../test/helpers/events';

/** The track name the "on" configuration sets in CONVERSION_EVENTS. */
export const CONVERSION_EVENT = 'Order Completed';

export interface WorkloadSize {
  visitors: number;
  viewsPerVisitor: number;
  conversions: number;
}

export interface Workload {
  /** The history, in time order: identifies, first views, earlier conversions (untimed). */
  setup: Record<string, unknown>[];
  /** The page views, in time order. */
  pageViews: Record<string, unknown>[];
  /** The conversions whose cost is measured, in time order. */
  conversions: Record<string, unknown>[];
}

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SITE = 'https://www.example.com';

/** Where a visitor's first view lands from: paid search, an email campaign, a social network, organic search. */
const LANDINGS: { url: string; referrer: string }[] = [
  { url: `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=spring`, referrer: 'https://www.google.com/' },
  { url: `${SITE}/?utm_source=newsletter&utm_medium=email&utm_campaign=march`, referrer: '' },
  { url: `${SITE}/blog/launch`, referrer: 'https://www.facebook.com/' },
  { url: `${SITE}/`, referrer: 'https://www.google.com/' },
];

const anonymousIdOf = (i: number): string => `bench-anon-${i}`;
const userIdOf = (i: number): string => `bench-user-${i}`;
const isIdentified = (i: number): boolean => i % 4 === 0;
const time = (ms: number): string => new Date(ms).toISOString();

/** View `k` of visitor `i`, two hours apart: the landing, then internal navigation and a return from LinkedIn in turn. */
function view(i: number, k: number): Record<string, unknown> {
  const landing = LANDINGS[i % LANDINGS.length] ?? LANDINGS[0];
  const place =
    k === 0
      ? landing
      : k % 2 === 1
        ? { url: `${SITE}/pricing`, referrer: `${SITE}/` }
        : { url: `${SITE}/`, referrer: 'https://www.linkedin.com/feed/' };
  return pageEvent({
    anonymousId: anonymousIdOf(i),
    messageId: `bench-page-${i}-${k}`,
    timestamp: time(T0 + k * 2 * HOUR + i * 7_000),
    url: place?.url,
    referrer: place?.referrer,
  });
}

/** A conversion track of visitor `i`, as the browser (anonymous visitor) or the server (identified one) sends it. */
function conversion(i: number, messageId: string, at: number): Record<string, unknown> {
  const ids = isIdentified(i) ? { userId: userIdOf(i) } : { anonymousId: anonymousIdOf(i) };
  return {
    type: 'track',
    event: CONVERSION_EVENT,
    messageId,
    ...ids,
    timestamp: time(at),
    properties: { order_id: messageId, revenue: 10 + (i % 90), currency: i % 3 === 0 ? 'EUR' : 'USD' },
    context: { library: { name: 'analytics.js', version: 'next-1.70.0' } },
  };
}

/** The benchmark's events at a size. */
export function workload(size: WorkloadSize): Workload {
  const visitors = Array.from({ length: size.visitors }, (_, i) => i);
  const identifies = visitors
    .filter(isIdentified)
    .map((i) =>
      identifyEvent({ anonymousId: anonymousIdOf(i), userId: userIdOf(i), messageId: `bench-identify-${i}`, timestamp: time(T0 - HOUR) }),
    );
  const firstViews = visitors.map((i) => view(i, 0));
  const earlier = visitors.filter((i) => i % 5 === 2).map((i) => conversion(i, `bench-earlier-${i}`, T0 + HOUR + i * 7_000));
  const pageViews = Array.from({ length: size.viewsPerVisitor }, (_, k) => visitors.map((i) => view(i, k + 1))).flat();
  const step = Math.max(1, Math.floor(size.visitors / size.conversions));
  const conversions = Array.from({ length: size.conversions }, (_, j) =>
    conversion((j * step) % size.visitors, `bench-conversion-${j}`, T0 + 48 * HOUR + j * 1_000),
  );
  return { setup: [...identifies, ...firstViews, ...earlier], pageViews, conversions };
}

/** Events in request bodies of `size`, as Segment's Webhooks (Actions) destination batches them. */
export function bodiesOf(events: readonly Record<string, unknown>[], size: number): Record<string, unknown>[][] {
  const out: Record<string, unknown>[][] = [];
  for (let i = 0; i < events.length; i += size) out.push(events.slice(i, i + size));
  return out;
}
