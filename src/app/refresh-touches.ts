/**
 * Keeping each visitor's touches current: after page views are stored, the
 * visitor's touches are derived again from all of its page views. Deriving
 * from the full history makes the result independent of arrival order and of
 * retries. Touches whose page views expired (RETENTION_DAYS) are kept as they
 * were. Bots' page views are counted, not derived from.
 */
import { deriveTouches, isBotView, retainedTouches, selectTouches, type PageView, type Touch } from '../attribution/touches';
import { StorageUnavailableError } from '../errors';
import type { Classifier } from '../source';
import type { Origin, TouchStore, VisitorTouches } from './ports';

/**
 * Page views read per visitor. Beyond this (crawlers, monitoring robots) the
 * earliest views are used and the result is marked truncated, so one bot
 * cannot make every later event cost thousands of reads.
 */
export const MAX_PAGE_VIEWS_READ = 5_000;

/** Attempts when other derivations keep saving the same visitor's touches. */
export const MAX_TOUCH_ATTEMPTS = 5;

/** Recomputes and saves one visitor's touches. */
export async function refreshVisitorTouches(
  visitorKey: string,
  store: TouchStore,
  classify: Classifier,
  options: TouchOptions & {
    /**
     * Page views just stored (from the stream record): counted even if the
     * index they are read from does not show them yet.
     */
    arrived?: readonly PageView[];
  } = {},
): Promise<VisitorTouches> {
  for (let attempt = 1; attempt <= MAX_TOUCH_ATTEMPTS; attempt++) {
    // The stored touches before the views: the save is conditional on their
    // version, so a derivation saved meanwhile, from whatever views, fails it.
    const stored = await store.touchesOf(visitorKey);
    const read = await store.pageViewsOf(visitorKey, MAX_PAGE_VIEWS_READ);
    const views = read.truncated ? read.views : withArrived(read.views, options.arrived ?? []);
    const retained = retainedTouches(stored?.touches ?? [], views);
    const botViews = views.filter(isBotView).length;
    const counts = { pageViews: views.length - botViews, botViews, truncated: read.truncated };
    const value = { ...visitorTouches(visitorKey, deriveTouches(views, classify, retained), counts, options), version: stored?.version };
    if (await store.saveTouches(value)) return value;
  }
  throw new StorageUnavailableError(`touches of ${visitorKey} kept changing under ${MAX_TOUCH_ATTEMPTS} attempts`);
}

function withArrived(views: readonly PageView[], arrived: readonly PageView[]): PageView[] {
  const read = new Set(views.map((v) => v.messageId));
  return [...views, ...arrived.filter((v) => !read.has(v.messageId))];
}

/** How many page views a visitor's touches were derived from, how many bots' views were read besides, and whether more were left unread. */
export interface ViewsRead {
  pageViews: number;
  botViews: number;
  truncated: boolean;
}

/**
 * A visitor's touches from the viewTouch of each page view (no bot's),
 * ordered by compareByTime (at most MAX_PAGE_VIEWS_READ of them): what the
 * import derives from views it classified as it read them.
 */
export function touchesFromCandidates(
  visitorKey: string,
  candidates: readonly Touch[],
  counts: Omit<ViewsRead, 'pageViews'>,
  options: TouchOptions = {},
): VisitorTouches {
  return visitorTouches(visitorKey, selectTouches(candidates), { ...counts, pageViews: candidates.length }, options);
}

function visitorTouches(
  visitorKey: string,
  touches: Touch[],
  counts: ViewsRead,
  { now = new Date(), origin }: TouchOptions,
): VisitorTouches {
  return { visitorKey, touches, ...counts, updatedAt: now.toISOString(), ...(origin ? { origin } : {}) };
}

export interface TouchOptions {
  now?: Date;
  /** Marks the stored touches as written by the import (see Origin). */
  origin?: Origin;
}
