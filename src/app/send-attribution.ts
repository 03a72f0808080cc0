/**
 * Sending attribution back to Segment for one user or anonymous visitor.
 */
import type { ModelOptions } from '../attribution/models';
import type { SegmentBatchClient, SendResult } from '../segment/batch-client';
import { buildAttributionMessages } from '../segment/messages';
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
  const messages = buildAttributionMessages({ kind: kind === 'track-anonymous' ? 'anonymous' : 'user', id }, view.touches, {
    identify: kind === 'identify-user',
    track: kind !== 'identify-user',
    eventName: deps.eventName,
    model: deps.model,
  });
  return deps.segment.send(messages, options);
}
