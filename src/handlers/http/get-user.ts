/** getUser: GET /api/user/{id}, the debug view of a user. */
import { getUserView, withAttribution } from '../../ingest/visitor-view';
import { getDeps } from '../deps';
import { httpHandler, json, pathId, requireApiKey } from './http';

export const handler = httpHandler(async (event) => {
  const { config, identity, touches, model } = getDeps();
  requireApiKey(event, config);
  const userId = pathId(event, 'id');
  const view = await getUserView(userId, identity, touches);
  return view ? json(200, withAttribution(view, model)) : json(404, { error: `no events for user ${userId}`, details: { field: 'id' } });
});
