/**
 * Touches: the page views that say where a visitor came from. Pure: a
 * visitor's page views in, its touches out, so the result never depends on the
 * order events arrived in, and recomputing is always safe.
 *
 * A page view is a touch when it
 * - carries campaign parameters or a click id, or
 * - arrives from an external referrer that is not ignored, or
 * - is the visitor's first page view (by event time).
 * Internal navigation never is (except as that first view, which is then
 * direct), and a view with the same source as the latest touch within
 * {@link SAME_SOURCE_WINDOW_MS} of the previous page view is a reload, not a
 * new touch. A bot's page view never is (see isBotView).
 *
 * Apps are read like web pages: a screen's URL is the link that opened the
 * app, and an attribution provider's Install Attributed is a view whose
 * campaign is the install's (see INSTALL_ATTRIBUTION_WINDOW_MS).
 */
import * as z from 'zod';
import type { Classification, Classifier } from '../source';
import { truncateUtf8, utf8Bytes } from '../lib/utf8';

/** GA4's default session timeout: a same-source view within it continues the visit. */
export const SAME_SOURCE_WINDOW_MS = 30 * 60 * 1000;
/**
 * Touches kept per visitor: the first and the latest 299. A touch is about
 * 600 bytes and the list lives in one DynamoDB item (400 KB limit); only bots
 * come near it.
 */
export const MAX_TOUCHES_PER_VISITOR = 300;
/**
 * The most bytes of the touch list's JSON, below the item's 400 KB with room
 * for its other attributes (an import's seed among them, up to about 135 KB):
 * a visitor with long URLs keeps fewer touches, the first and the latest that
 * fit.
 */
export const MAX_TOUCHES_BYTES = 250_000;
/** The most bytes of any one text of a touch (a URL, a utm value): a touch is at most a few KB. */
export const MAX_TOUCH_FIELD_BYTES = 1_000;

/** Segment's `context.campaign`, which analytics.js fills from the URL's utm_* parameters. */
export const campaignContextSchema = z.object({
  source: z.string().optional(),
  medium: z.string().optional(),
  name: z.string().optional(),
  term: z.string().optional(),
  content: z.string().optional(),
});
export type CampaignContext = z.infer<typeof campaignContextSchema>;

/**
 * One page or screen view, as stored (timestamp: ISO-8601 event time).
 * `type` is the Segment event's: `page`, `screen` (an app's, and an app
 * opened by a link: APP_OPEN_VIEW_TYPE), or `track` (an install
 * attribution); undefined reads as a page.
 */
export const pageViewSchema = z.object({
  messageId: z.string(),
  timestamp: z.string(),
  url: z.string().optional(),
  referrer: z.string().optional(),
  campaign: campaignContextSchema.optional(),
  type: z.string().optional(),
});
export type PageView = z.infer<typeof pageViewSchema>;

/**
 * The start of a bot's page view's messageId as stored: the view is kept
 * (the debug view counts it) but never makes a touch. The mark is in the key
 * because the key is all the page table's index is sure to carry.
 */
export const BOT_VIEW_PREFIX = 'bot#';

/** True for a page view a bot made (its stored messageId starts with BOT_VIEW_PREFIX). */
export const isBotView = (view: Pick<PageView, 'messageId'>): boolean => view.messageId.startsWith(BOT_VIEW_PREFIX);

/**
 * The type an app opened by a link (a Deep Link Opened or Application Opened
 * track) is stored with: the screen it stands for, classified from its link.
 */
export const APP_OPEN_VIEW_TYPE = 'screen';

/** The Segment event type of an install attribution stored as a view (Install Attributed is a track). */
export const INSTALL_VIEW_TYPE = 'track';

/**
 * How long after a visitor's first view an install attribution still
 * describes that first visit: the SDK reports the attribution seconds after
 * the app's first open, and a provider's server within minutes. GA4's session
 * timeout bounds it, as it bounds a reload.
 */
export const INSTALL_ATTRIBUTION_WINDOW_MS = SAME_SOURCE_WINDOW_MS;

/** Why a page view is a touch: its campaign, its referrer, being the first view, or an install's attribution. */
export const TOUCH_RULES = ['campaign', 'referrer', 'first-view', 'install'] as const;
export type TouchRule = (typeof TOUCH_RULES)[number];

/** A touch: the classification of a page view, with when and where it landed. */
export interface Touch extends Classification {
  messageId: string;
  timestamp: string;
  landing_page: string | null;
  referrer: string | null;
  rule: TouchRule;
}

const CAMPAIGN_PARAMS: readonly [keyof CampaignContext, string][] = [
  ['source', 'utm_source'],
  ['medium', 'utm_medium'],
  ['name', 'utm_campaign'],
  ['term', 'utm_term'],
  ['content', 'utm_content'],
];

/** A URL's scheme, lowercased, or undefined when it has none. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const WEB_SCHEMES = new Set(['http', 'https']);

/**
 * An app's link as the classifier reads it. A custom-scheme deep link
 * (`myapp://home?utm_source=…`) is no web page, and the classifier reads no
 * parameters of those; its query is what carries the campaign, so only the
 * query is kept, on a URL with no host (an app has none to compare a
 * referrer with). Web links (universal and app links) are read as they are.
 */
function classifiedAppLink(url: string): string | undefined {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || WEB_SCHEMES.has(scheme)) return url;
  const query = url.indexOf('?');
  if (query < 0) return undefined;
  const fragment = url.indexOf('#', query);
  return url.slice(query, fragment < 0 ? undefined : fragment);
}

/** True for a view an app made: a screen, or an install attribution. */
const isAppView = (view: Pick<PageView, 'type'>): boolean => view.type === 'screen' || view.type === INSTALL_VIEW_TYPE;

/**
 * The URL to classify: the page URL (an app's link read by classifiedAppLink),
 * plus `context.campaign` as utm_* parameters when the URL carries none
 * (single-page apps often drop the query string before analytics reads the
 * URL, while analytics.js kept it in context.campaign; an install
 * attribution has only its campaign).
 */
export function landingUrl(view: Pick<PageView, 'url' | 'campaign' | 'type'>): string | undefined {
  const url = view.url !== undefined && isAppView(view) ? classifiedAppLink(view.url) : view.url;
  const campaign = view.campaign;
  if (!campaign || (url !== undefined && /[?&]utm_/i.test(url))) return url;
  const params = CAMPAIGN_PARAMS.filter(([field]) => typeof campaign[field] === 'string' && campaign[field] !== '').map(
    ([field, param]) => `${param}=${encodeURIComponent(campaign[field] ?? '')}`,
  );
  if (params.length === 0) return url;
  const base = url ?? '';
  return `${base}${base.includes('?') ? '&' : '?'}${params.join('&')}`;
}

function sameSource(a: Classification, b: Classification): boolean {
  return (
    a.channel === b.channel &&
    a.source === b.source &&
    a.medium === b.medium &&
    a.campaign === b.campaign &&
    a.content === b.content &&
    a.term === b.term
  );
}

/** Orders page views or touches by event time, then messageId, so equal times are stable. */
export function compareByTime(a: { timestamp: string; messageId: string }, b: { timestamp: string; messageId: string }): number {
  return a.timestamp < b.timestamp
    ? -1
    : a.timestamp > b.timestamp
      ? 1
      : a.messageId < b.messageId
        ? -1
        : a.messageId > b.messageId
          ? 1
          : 0;
}

/**
 * What a page view would be as a touch, decided from the view alone: its
 * classification, rule and landing page. `touch` is the classification's own
 * verdict (false for internal navigation and ignored referrers); whether the
 * view is kept as a touch depends on the visitor's other views (see
 * selectTouches). Split from it so that a bulk import can classify each view
 * as it reads it, and order a visitor's views later.
 */
export function viewTouch(view: PageView, classify: Classifier): Touch {
  const url = landingUrl(view);
  const c = classify({ url, referrer: view.referrer });
  const tagged = c.click_id !== null || (url !== undefined && /[?&]utm_/i.test(url));
  return boundTexts({
    ...c,
    messageId: view.messageId,
    timestamp: view.timestamp,
    landing_page: view.url || null,
    referrer: view.referrer || null,
    rule: view.type === INSTALL_VIEW_TYPE ? 'install' : tagged ? 'campaign' : isSourced(c) ? 'referrer' : 'first-view',
  });
}

/** The texts of a touch that come from the visitor's page view (a URL, a utm value), and so may be any length. */
const FREE_TEXTS = [
  'landing_page',
  'referrer',
  'source',
  'medium',
  'campaign',
  'content',
  'term',
  'campaign_id',
  'referrer_host',
  'reason',
] as const;

/** A touch with each text cut to MAX_TOUCH_FIELD_BYTES (only hostile or broken pages have longer ones). */
function boundTexts(t: Touch): Touch {
  if (FREE_TEXTS.every((f) => (t[f]?.length ?? 0) * 3 <= MAX_TOUCH_FIELD_BYTES)) return t;
  const bounded: Touch = { ...t };
  for (const f of FREE_TEXTS) {
    const v = t[f];
    if (v !== null) Object.assign(bounded, { [f]: truncateUtf8(v, MAX_TOUCH_FIELD_BYTES) });
  }
  return bounded;
}

/** A classification that names where the visitor came from (not direct, not internal). */
const isSourced = (c: Classification): boolean => c.touch && c.source !== '(direct)';

/**
 * A visitor's touches from the viewTouch of each of its page views, ordered
 * by compareByTime, and the touches kept from views that have since expired
 * (RETENTION_DAYS): those were decided while their views were stored, and
 * stay as they were.
 */
export function selectTouches(candidates: readonly Touch[], retained: readonly Touch[] = []): Touch[] {
  const kept = new Set(retained);
  const all = retained.length === 0 ? candidates : [...candidates, ...retained].sort(compareByTime);
  const touches: Touch[] = [];
  let previousTime = Number.NEGATIVE_INFINITY;
  /** When the visitor's only touch so far is its first view, and that view had no source of its own. */
  let unsourcedStart: number | undefined;
  all.forEach((candidate, i) => {
    const time = Date.parse(candidate.timestamp);
    const sourced = isSourced(candidate);
    const last = touches[touches.length - 1];
    const reload = last !== undefined && sameSource(last, candidate) && time - previousTime <= SAME_SOURCE_WINDOW_MS;
    previousTime = time;
    if (kept.has(candidate)) return void touches.push(candidate);
    if (i > 0 && (!sourced || reload)) return;
    if (replacesFirstView(candidate, touches, unsourcedStart, time)) {
      touches[0] = candidate;
      unsourcedStart = undefined;
      return;
    }
    if (i === 0 && !sourced) unsourcedStart = time;
    // A first view from an internal or ignored referrer still starts the visitor's history, as direct.
    touches.push(candidate.touch ? candidate : { ...candidate, touch: true, reason: `first page view; ${candidate.reason}` });
  });
  return withinBudget(touches);
}

/**
 * An app's first open is a screen with no source; the install's attribution
 * arrives just after it. Within INSTALL_ATTRIBUTION_WINDOW_MS it is the
 * source of that first visit, so it takes the first view's place rather
 * than following a Direct first touch.
 */
function replacesFirstView(candidate: Touch, touches: readonly Touch[], unsourcedStart: number | undefined, time: number): boolean {
  return (
    candidate.rule === 'install' &&
    touches.length === 1 &&
    unsourcedStart !== undefined &&
    time - unsourcedStart <= INSTALL_ATTRIBUTION_WINDOW_MS
  );
}

/** The first touch and the latest ones, at most MAX_TOUCHES_PER_VISITOR of them and MAX_TOUCHES_BYTES of JSON. */
function withinBudget(touches: Touch[]): Touch[] {
  // Bounded texts make a touch at most about 60 KB of JSON (escaping can make
  // a byte six characters): a list this short fits without measuring.
  if (touches.length * 60_000 <= MAX_TOUCHES_BYTES) return touches;
  const [first, ...rest] = touches;
  if (!first) return touches;
  let bytes = utf8Bytes(JSON.stringify(first));
  let kept = 0;
  for (let i = rest.length - 1; i >= 0 && kept < MAX_TOUCHES_PER_VISITOR - 1; i--) {
    bytes += utf8Bytes(JSON.stringify(rest[i])) + 1;
    if (bytes > MAX_TOUCHES_BYTES) break;
    kept += 1;
  }
  return kept === rest.length ? touches : [first, ...rest.slice(rest.length - kept)];
}

/**
 * Derives a visitor's touches from all of its stored page views, in any
 * order, and the touches retained from expired ones. Bots' views are left
 * out: they are not the visitor's first view either.
 */
export function deriveTouches(views: readonly PageView[], classify: Classifier, retained: readonly Touch[] = []): Touch[] {
  return selectTouches(
    views
      .filter((view) => !isBotView(view))
      .sort(compareByTime)
      .map((view) => viewTouch(view, classify)),
    retained,
  );
}

/** The touches whose page views are no longer among `views` (they expired): kept as they were. */
export function retainedTouches(touches: readonly Touch[], views: readonly Pick<PageView, 'messageId'>[]): Touch[] {
  const stored = new Set(views.map((v) => v.messageId));
  return touches.filter((t) => !stored.has(t.messageId));
}
