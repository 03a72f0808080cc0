/** listRejected: GET /api/rejected?day=YYYY-MM-DD, the events /events refused that day, with their reasons. */
import { listRejectedEvents } from '../../app/rejected';
import { parseDay } from '../../lib/days';
import { loadDeps, type DepsSource } from '../deps';
import { httpHandler, json, requireApiKey, type HttpHandler } from './http';

/** Builds the handler over its dependencies. */
export function createListRejectedHandler(deps: DepsSource<'config' | 'events'>): HttpHandler {
  return httpHandler(async (event) => {
    const { config, events } = await deps();
    requireApiKey(event, config);
    const given = event.queryStringParameters?.day;
    return json(200, await listRejectedEvents(given === undefined ? undefined : parseDay(given, 'day'), events));
  });
}

export const handler = createListRejectedHandler(() => loadDeps(['apiKey']));
