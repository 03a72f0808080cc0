/**
 * identifyUser, trackUser and trackAnonymous: GET or POST
 * /segment/{identify|track}/{user|anonymous}/{id}. They send the id's
 * attribution to Segment and answer with what was sent. `?dryRun=true` (or no
 * ANALYTICS_WRITE_KEY) returns the exact batches without sending.
 */
import { InvalidInputError } from '../../errors';
import { feedSegment, type FeedKind } from '../../app/send-attribution';
import { logger } from '../../lib/logger';
import { loadDeps, type DepsSource } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpEvent, type HttpHandler } from './http';

/** `?dryRun=true|1|false|0`; anything else is refused, so a typo never sends for real. */
function wantsDryRun(event: HttpEvent): boolean {
  const value = event.queryStringParameters?.dryRun ?? event.queryStringParameters?.dry_run;
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new InvalidInputError('dryRun must be true or false', 'dryRun');
}

/**
 * Time kept back from the request's deadline for the answer: a send that
 * runs out of time still answers with what went out and what did not.
 */
export const SEND_ANSWER_MARGIN_MS = 1_000;

/** Builds a send handler of one kind over its dependencies. */
export function createSendHandler(kind: FeedKind, deps: DepsSource<'config' | 'segment' | 'identity' | 'touches' | 'model'>): HttpHandler {
  return httpHandler(async (event, deadlineAt) => {
    const d = await deps();
    // The key comes from a header only: a cross-site <img> or form carries cookies and cached Basic credentials, never headers.
    requireApiKey(event, d.config);
    const id = pathId(event, 'id');
    const segment = deadlineAt === undefined ? d.segment : d.segment.until(deadlineAt - SEND_ANSWER_MARGIN_MS);
    const result = await feedSegment(kind, id, { ...d, segment, eventName: d.config.segment.eventName }, { dryRun: wantsDryRun(event) });
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

export const identifyUser = createSendHandler('identify-user', () => loadDeps(['apiKey', 'writeKey']));
export const trackUser = createSendHandler('track-user', () => loadDeps(['apiKey', 'writeKey']));
export const trackAnonymous = createSendHandler('track-anonymous', () => loadDeps(['apiKey', 'writeKey']));
