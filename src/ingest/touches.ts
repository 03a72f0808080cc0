/**
 * Keeping each visitor's touches current: after page views are stored, the
 * visitor's touches are derived again from all of its page views. Deriving
 * from the full history makes the result independent of arrival order and of
 * retries.
 */
import { deriveTouches, selectTouches, type Touch } from '../attribution/touches';
import type { Classifier } from '../source';
import type { PageView } from '../attribution/touches';
import type { Origin, TouchStore, VisitorTouches } from './ports';

/**
 * Page views read per visitor. Beyond this (crawlers, monitoring robots) the
 * earliest views are used and the result is marked truncated, so one bot
 * cannot make every later event cost thousands of reads.
 */
export const MAX_PAGE_VIEWS_READ = 5_000;

/** Recomputes and saves one visitor's touches. */
export async function refreshVisitorTouches(
  visitorKey: string,
  store: TouchStore,
  classify: Classifier,
  options: TouchOptions = {},
): Promise<VisitorTouches> {
  const { views, truncated } = await store.pageViewsOf(visitorKey, MAX_PAGE_VIEWS_READ);
  const value = touchesFromViews(visitorKey, views, truncated, classify, options);
  await store.saveTouches(value);
  return value;
}

/** A visitor's touches from page views already read (at most MAX_PAGE_VIEWS_READ of them, see pageViewsOf). */
export function touchesFromViews(
  visitorKey: string,
  views: readonly PageView[],
  truncated: boolean,
  classify: Classifier,
  options: TouchOptions = {},
): VisitorTouches {
  return visitorTouches(visitorKey, deriveTouches(views, classify), views.length, truncated, options);
}

/**
 * A visitor's touches from the viewTouch of each page view, ordered by
 * compareByTime (at most MAX_PAGE_VIEWS_READ of them): what the import derives
 * from views it classified as it read them.
 */
export function touchesFromCandidates(
  visitorKey: string,
  candidates: readonly Touch[],
  truncated: boolean,
  options: TouchOptions = {},
): VisitorTouches {
  return visitorTouches(visitorKey, selectTouches(candidates), candidates.length, truncated, options);
}

function visitorTouches(
  visitorKey: string,
  touches: Touch[],
  pageViews: number,
  truncated: boolean,
  { now = new Date(), origin }: TouchOptions,
): VisitorTouches {
  return { visitorKey, touches, pageViews, truncated, updatedAt: now.toISOString(), ...(origin ? { origin } : {}) };
}

export interface TouchOptions {
  now?: Date;
  /** Marks the stored touches as written by the import (see Origin). */
  origin?: Origin;
}
