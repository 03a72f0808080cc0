/**
 * The privacy option (DROP_PERSONAL_DATA): before anything is stored, an
 * event keeps only the fields sma uses, an allow-list: its ids, type, name
 * and times; the page's URL, referrer, path and title; the campaign; how an
 * app was opened (`context.referrer`'s type, name, URL and link); the library
 * (to recognise sma's own messages); a track's revenue, total, value and
 * currency; and an install attribution's campaign. Gone are the IP address,
 * the user agent (a bot is told from it before it goes), locale, location,
 * device and network, traits, and every other property. Applied to the raw
 * event, so events refused as invalid are kept without them too.
 */

/** The top-level fields kept. */
const KEPT = [
  'type',
  'messageId',
  'anonymousId',
  'userId',
  'previousId',
  'event',
  'name',
  'timestamp',
  'originalTimestamp',
  'receivedAt',
  'sentAt',
];
/** The fields of `context` kept, each with the fields of it kept. */
const KEPT_CONTEXT: Record<string, readonly string[]> = {
  page: ['url', 'referrer', 'path', 'title', 'search'],
  campaign: ['source', 'medium', 'name', 'term', 'content'],
  referrer: ['type', 'name', 'url', 'link'],
  library: ['name', 'version'],
};
/** The fields of `properties` kept: a page's location, and a conversion's value. */
const KEPT_PROPERTIES = ['url', 'referrer', 'path', 'title', 'search', 'revenue', 'total', 'value', 'currency'];
/** The fields of `properties.campaign` kept: an install attribution's campaign (Segment's mobile spec, and Adjust's spelling). */
const KEPT_PROPERTIES_CAMPAIGN = ['source', 'medium', 'name', 'term', 'content', 'ad_creative', 'adCreative'];

/** The event with only the allow-listed fields; anything that is not an object is returned as it is. */
export function withoutPersonalData(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const event = pick(raw, KEPT);
  if (isPlainObject(raw.properties)) {
    const properties = pick(raw.properties, KEPT_PROPERTIES);
    if (isPlainObject(raw.properties.campaign)) properties.campaign = pick(raw.properties.campaign, KEPT_PROPERTIES_CAMPAIGN);
    event.properties = properties;
  }
  if (isPlainObject(raw.context)) {
    const context: Record<string, unknown> = {};
    for (const [field, kept] of Object.entries(KEPT_CONTEXT)) {
      const value = raw.context[field];
      if (isPlainObject(value)) context[field] = pick(value, kept);
    }
    event.context = context;
  }
  return event;
}

function pick(from: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in from) out[f] = from[f];
  return out;
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
