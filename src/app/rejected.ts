/**
 * What an operator reads back: the events /events refused, and the stream
 * records set aside, on one day, each with its reason.
 */
import { isoDay } from '../lib/days';
import type { EventStore, RejectedEvent } from './ports';

/** Rejected events returned per request. */
export const MAX_REJECTED_LISTED = 500;

/** One day's rejected events, oldest first. */
export interface RejectedList {
  day: string;
  count: number;
  rejected: RejectedEvent[];
}

/** The events rejected on `day` (YYYY-MM-DD, UTC; default today), at most MAX_REJECTED_LISTED. */
export async function listRejectedEvents(
  day: string | undefined,
  events: Pick<EventStore, 'listRejected'>,
  now: Date = new Date(),
): Promise<RejectedList> {
  const listed = day ?? isoDay(now);
  const rejected = await events.listRejected(listed, MAX_REJECTED_LISTED);
  return { day: listed, count: rejected.length, rejected };
}
