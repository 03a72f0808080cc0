/**
 * A user's or an anonymous visitor's linked ids and touches: what the debug
 * view (src/app/debug-view.ts), the /segment routes, the backfill and the
 * counters read of a person.
 */
import type { ModelOptions } from '../attribution/models';
import { compareByTime, type Touch } from '../attribution/touches';
import { attribute, type Attribution } from '../attribution/attribute';
import type { IdentityStore, TouchStore, VisitorTouches } from './ports';
import { visitorKeyOf } from '../attribution/visitor-key';
import { mapLimit } from '../lib/concurrency';

/** Touch lists read at once when a user has many anonymous ids. */
const VIEW_READ_CONCURRENCY = 8;

/** A touch, with the anonymous id (or user id) whose page view it was. */
export type VisitorTouch = Touch & { anonymousId: string | null };

/** What a view counts of a person's page views: those its touches come from, and the bots' (BOT_FILTER), which never make one. */
export interface ViewCounts {
  pageViews: number;
  botViews: number;
}

export interface UserView extends ViewCounts {
  userId: string;
  anonymousIds: string[];
  touches: VisitorTouch[];
}

export interface AnonymousView extends ViewCounts {
  anonymousId: string;
  userIds: string[];
  touches: VisitorTouch[];
}

/** The view's part for someone sma knows only by id so far: no touches, no page views. */
export const noViews = (): ViewCounts & { touches: VisitorTouch[] } => ({ touches: [], pageViews: 0, botViews: 0 });

/** A view with its attribution: first, last, multi-touch credits and the traits identify would send. */
export function withAttribution<T extends { touches: VisitorTouch[] }>(view: T, model: ModelOptions): T & { attribution: Attribution } {
  return { ...view, attribution: attribute(view.touches, model) };
}

/** The touches of several visitors (a user's), each marked with its anonymous id, in time order. */
export async function collectTouches(
  keys: { key: string; anonymousId: string | null }[],
  touches: TouchStore,
): Promise<ViewCounts & { touches: VisitorTouch[]; found: boolean }> {
  const stored = await mapLimit(keys, VIEW_READ_CONCURRENCY, async ({ key, anonymousId }) => ({
    anonymousId,
    value: await touches.touchesOf(key),
  }));
  return mergeTouches(stored);
}

/** Several visitors' stored touches as one list, each marked with its anonymous id, in time order. */
export function mergeTouches(
  stored: readonly { anonymousId: string | null; value: VisitorTouches | undefined }[],
): ViewCounts & { touches: VisitorTouch[]; found: boolean } {
  const all: VisitorTouch[] = [];
  let pageViews = 0;
  let botViews = 0;
  let found = false;
  for (const { anonymousId, value } of stored) {
    if (!value) continue;
    found = true;
    pageViews += value.pageViews;
    botViews += value.botViews ?? 0;
    for (const t of value.touches) all.push({ ...t, anonymousId });
  }
  all.sort(compareByTime);
  return { touches: all, pageViews, botViews, found };
}

/** A user's view, or undefined when sma knows nothing of the user. */
export async function getUserView(userId: string, identity: IdentityStore, touches: TouchStore): Promise<UserView | undefined> {
  return userViewOf(userId, await identity.anonymousIdsOf(userId), touches);
}

/** A user's view given their linked anonymous ids (read once by a caller that uses them for more), or undefined when unknown. */
export async function userViewOf(userId: string, linked: readonly string[], touches: TouchStore): Promise<UserView | undefined> {
  const anonymousIds = [...linked].sort();
  const keys = [
    { key: visitorKeyOf({ userId }), anonymousId: null },
    ...anonymousIds.map((a) => ({ key: visitorKeyOf({ anonymousId: a }), anonymousId: a })),
  ];
  const collected = await collectTouches(keys, touches);
  if (anonymousIds.length === 0 && !collected.found) return undefined;
  return { userId, anonymousIds, touches: collected.touches, pageViews: collected.pageViews, botViews: collected.botViews };
}

/** An anonymous visitor's view, or undefined when unknown. */
export async function getAnonymousView(
  anonymousId: string,
  identity: IdentityStore,
  touches: TouchStore,
): Promise<AnonymousView | undefined> {
  const [userIds, collected] = await Promise.all([
    identity.userIdsOf(anonymousId),
    collectTouches([{ key: visitorKeyOf({ anonymousId }), anonymousId }], touches),
  ]);
  if (userIds.length === 0 && !collected.found) return undefined;
  const { touches: found, pageViews, botViews } = collected;
  return { anonymousId, userIds: userIds.sort(), touches: found, pageViews, botViews };
}
