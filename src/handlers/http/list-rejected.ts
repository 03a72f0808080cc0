/** listRejected: GET /api/rejected?day=YYYY-MM-DD, the events /events refused that day, with their reasons. */
import { InvalidInputError } from '../../errors';
import { getDeps } from '../deps';
import { httpHandler, json, requireApiKey } from './http';

/** Rejected events returned per request. */
export const MAX_REJECTED_LISTED = 500;

export const handler = httpHandler(async (event) => {
  const { config, events } = getDeps();
  requireApiKey(event, config);
  const day = event.queryStringParameters?.day ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new InvalidInputError('day must be YYYY-MM-DD', 'day');
  const rejected = await events.listRejected(day, MAX_REJECTED_LISTED);
  return json(200, { day, count: rejected.length, rejected });
});
