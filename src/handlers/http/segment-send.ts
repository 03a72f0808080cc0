/**
 * identifyUser, trackUser and trackAnonymous: GET or POST
 * /segment/{identify|track}/{user|anonymous}/{id}. They send the id's
 * attribution to Segment and answer with what was sent. `?dryRun=true` (or no
 * ANALYTICS_WRITE_KEY) returns the exact batches without sending.
 */
import { InvalidInputError } from '../../errors';
import { feedSegment, type FeedKind } from '../../ingest/segment-feed';
import { logger } from '../../lib/logger';
import { getDeps, type Deps } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpEvent, type HttpResult } from './http';

/** `?dryRun=true|1|false|0`; anything else is refused, so a typo never sends for real. */
function wantsDryRun(event: HttpEvent): boolean {
  const value = event.queryStringParameters?.dryRun ?? event.queryStringParameters?.dry_run;
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new InvalidInputError('dryRun must be true or false', 'dryRun');
}

/** Builds a send handler of one kind over its dependencies. */
export function createSendHandler(kind: FeedKind, deps: () => Deps = getDeps): (event: HttpEvent) => Promise<HttpResult> {
  return httpHandler(async (event) => {
    const d = deps();
    requireApiKey(event, d.config);
    const id = pathId(event, 'id');
    const result = await feedSegment(kind, id, { ...d, eventName: d.config.segment.eventName }, { dryRun: wantsDryRun(event) });
    if (!result)
      return json(404, { error: `no events for ${kind === 'track-anonymous' ? 'anonymous id' : 'user'} ${id}`, details: { field: 'id' } });
    logger.info('sent to Segment', {
      kind,
      messages: result.messages,
      requests: result.requests,
      failures: result.failures.length,
      dryRun: result.dryRun,
    });
    // Any failure is reported, never silent: a caller (Journeys, a script) sees a 502 and the reasons.
    return json(result.failures.length > 0 ? 502 : 200, result);
  });
}

export const identifyUser = createSendHandler('identify-user');
export const trackUser = createSendHandler('track-user');
export const trackAnonymous = createSendHandler('track-anonymous');
