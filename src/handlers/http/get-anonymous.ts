/** getAnonymous: GET /api/anonymous/{id}, the debug view of an anonymous visitor. */
import { getAnonymousView, withAttribution } from '../../ingest/visitor-view';
import { getDeps } from '../deps';
import { httpHandler, json, pathId, requireApiKey } from './http';

export const handler = httpHandler(async (event) => {
  const { config, identity, touches, model } = getDeps();
  requireApiKey(event, config);
  const anonymousId = pathId(event, 'id');
  const view = await getAnonymousView(anonymousId, identity, touches);
  return view
    ? json(200, withAttribution(view, model))
    : json(404, { error: `no events for anonymous id ${anonymousId}`, details: { field: 'id' } });
});
