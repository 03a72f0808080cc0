/**
 * forgetUser (DELETE /api/user/{id}) and forgetAnonymous (DELETE
 * /api/anonymous/{id}): deletion requests. 200 with what was removed, also
 * when nothing was stored (a deletion is safe to repeat).
 */
import { forgetPerson, type ForgetScope } from '../../ingest/forget';
import { loadDeps } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpEvent, type HttpResult } from './http';

function createForgetHandler(scopeOf: (id: string) => ForgetScope): (event: HttpEvent) => Promise<HttpResult> {
  return httpHandler(async (event) => {
    const deps = await loadDeps(['apiKey']);
    requireApiKey(event, deps.config);
    const scope = scopeOf(pathId(event, 'id'));
    return json(200, { ...scope, removed: await forgetPerson(scope, deps) });
  });
}

export const forgetUser = createForgetHandler((userId) => ({ userId }));
export const forgetAnonymous = createForgetHandler((anonymousId) => ({ anonymousId }));
