/**
 * Sending attribution back to Segment for one user or anonymous visitor.
 */
import type { ModelOptions } from '../attribution/models';
import type { OutboundMessage, SegmentBatchClient, SendResult } from '../segment/batch-client';
import { buildIdentifyMessage, buildTrackMessages } from '../segment/messages';
import { attribute, latestTouch } from './attribution';
import type { IdentityStore, TouchStore } from './ports';
import { getAnonymousView, getUserView } from './visitor-view';

export type FeedKind = 'identify-user' | 'track-user' | 'track-anonymous';

export interface FeedDeps {
  identity: IdentityStore;
  touches: TouchStore;
  segment: SegmentBatchClient;
  eventName: string;
  model: ModelOptions;
}

/**
 * Builds and sends the messages for one id. Resolves to undefined when sma
 * knows nothing of the id.
 */
export async function feedSegment(
  kind: FeedKind,
  id: string,
  deps: FeedDeps,
  options: { dryRun?: boolean } = {},
): Promise<SendResult | undefined> {
  const view =
    kind === 'track-anonymous'
      ? await getAnonymousView(id, deps.identity, deps.touches)
      : await getUserView(id, deps.identity, deps.touches);
  if (!view) return undefined;
  const { first, last } = attribute(view.touches, deps.model);
  let messages: OutboundMessage[];
  if (kind === 'identify-user') {
    const identify = buildIdentifyMessage(id, first ?? undefined, last ?? undefined, latestTouch(view.touches, deps.model));
    messages = identify ? [identify] : [];
  } else {
    const ids = kind === 'track-user' ? { userId: id } : { anonymousId: id };
    messages = buildTrackMessages(ids, view.touches, deps.eventName, first ?? undefined, last ?? undefined);
  }
  return deps.segment.send(messages, options);
}
