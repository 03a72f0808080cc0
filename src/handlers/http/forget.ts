/**
 * forgetUser (DELETE /api/user/{id}) and forgetAnonymous (DELETE
 * /api/anonymous/{id}): deletion requests. 200 with what was removed, also
 * when nothing was stored (a deletion is safe to repeat).
 */
import { forgetPerson, type ForgetScope } from '../../app/forget';
import { loadDeps, type DepsSource } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpHandler } from './http';

/** Builds a deletion handler over its dependencies; `scopeOf` says whose id the path names. */
export function createForgetHandler(scopeOf: (id: string) => ForgetScope, deps: DepsSource<'config' | 'identity' | 'forget'>): HttpHandler {
  return httpHandler(async (event) => {
    const d = await deps();
    requireApiKey(event, d.config);
    const scope = scopeOf(pathId(event, 'id'));
    return json(200, { ...scope, removed: await forgetPerson(scope, d) });
  });
}

export const forgetUser = createForgetHandler(
  (userId) => ({ userId }),
  () => loadDeps(['apiKey']),
);
export const forgetAnonymous = createForgetHandler(
  (anonymousId) => ({ anonymousId }),
  () => loadDeps(['apiKey']),
);
