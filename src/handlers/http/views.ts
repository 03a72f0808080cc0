/**
 * getUser (GET /api/user/{id}) and getAnonymous (GET /api/anonymous/{id}):
 * the debug views, with linked ids, touches and attribution. 404 when unknown.
 */
import { getAnonymousView, getUserView, withAttribution } from '../../ingest/visitor-view';
import { loadDeps } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpEvent, type HttpResult } from './http';

function createViewHandler(what: string, load: typeof getUserView | typeof getAnonymousView): (event: HttpEvent) => Promise<HttpResult> {
  return httpHandler(async (event) => {
    const { config, identity, touches, model } = await loadDeps(['apiKey']);
    requireApiKey(event, config);
    const id = pathId(event, 'id');
    const view = await load(id, identity, touches);
    return view ? json(200, withAttribution(view, model)) : json(404, { error: `no events for ${what} ${id}`, details: { field: 'id' } });
  });
}

export const getUser = createViewHandler('user', getUserView);
export const getAnonymous = createViewHandler('anonymous id', getAnonymousView);
