/** listRejected: GET /api/rejected?day=YYYY-MM-DD, the events /events refused that day, with their reasons. */
import { isoDay, parseDay } from '../../lib/days';
import { loadDeps } from '../deps';
import { httpHandler, json, requireApiKey } from './http';

/** Rejected events returned per request. */
export const MAX_REJECTED_LISTED = 500;

export const handler = httpHandler(async (event) => {
  const { config, events } = await loadDeps(['apiKey']);
  requireApiKey(event, config);
  const given = event.queryStringParameters?.day;
  const day = given === undefined ? isoDay(new Date()) : parseDay(given, 'day');
  const rejected = await events.listRejected(day, MAX_REJECTED_LISTED);
  return json(200, { day, count: rejected.length, rejected });
});
