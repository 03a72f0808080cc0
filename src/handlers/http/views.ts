/**
 * getUser (GET /api/user/{id}) and getAnonymous (GET /api/anonymous/{id}):
 * the debug views, with linked ids, touches, attribution and conversions.
 * 404 when unknown.
 */
import { getVisitorView, type ViewKind } from '../../app/debug-view';
import { loadDeps, type DepsSource } from '../deps';
import { httpHandler, json, pathId, requireApiKey, type HttpHandler } from './http';

/** How a 404 names the id it did not find. */
const NAMES: Record<ViewKind, string> = { user: 'user', anonymous: 'anonymous id' };

/** Builds the view handler of one kind over its dependencies. */
export function createViewHandler(
  kind: ViewKind,
  deps: DepsSource<'config' | 'identity' | 'touches' | 'model' | 'conversions'>,
): HttpHandler {
  return httpHandler(async (event) => {
    const d = await deps();
    requireApiKey(event, d.config);
    const id = pathId(event, 'id');
    const view = await getVisitorView(kind, id, d);
    return view ? json(200, view) : json(404, { error: `no events for ${NAMES[kind]} ${id}`, details: { field: 'id' } });
  });
}

export const getUser = createViewHandler('user', () => loadDeps(['apiKey']));
export const getAnonymous = createViewHandler('anonymous', () => loadDeps(['apiKey']));
