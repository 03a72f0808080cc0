/**
 * Rows of Segment's warehouse tables (`pages`, `identifies`, `tracks`), as
 * exported to CSV with flattened columns, turned back into Segment events.
 */

const CONTEXT_PAGE = ['url', 'referrer', 'path', 'title', 'search'] as const;
const CONTEXT_CAMPAIGN = ['source', 'medium', 'name', 'term', 'content'] as const;
/**
 * The properties sma reads of a track, flattened into its event's own table:
 * a conversion's value columns (Segment's e-commerce properties), and the
 * link that opened an app (deep_link_opened.csv, application_opened.csv).
 */
const TRACK_PROPERTIES = ['revenue', 'total', 'value', 'currency', 'url', 'referrer', 'referring_application'] as const;

/** The event type of a warehouse table, from its file name (pages.csv, identifies_2020.csv.gz). */
export function typeFromFileName(name: string): 'page' | 'identify' | 'track' | 'screen' | undefined {
  const base = name.toLowerCase().replace(/^.*[\\/]/, '');
  if (base.startsWith('pages')) return 'page';
  if (base.startsWith('screens')) return 'screen';
  if (base.startsWith('identifies')) return 'identify';
  if (base.startsWith('tracks')) return 'track';
  return undefined;
}

/**
 * An event from a warehouse row. Column names are the warehouse's:
 * `id` (the messageId), `anonymous_id`, `user_id`, `timestamp`,
 * `context_page_url` (or `url`), `context_page_referrer` (or `referrer`),
 * `context_campaign_source` …, `context_user_agent`; for tracks `event`,
 * and the properties in TRACK_PROPERTIES.
 */
export function eventFromRow(row: Record<string, string>, tableType: string | undefined): Record<string, unknown> {
  const get = (...names: string[]): string | undefined => {
    for (const n of names) {
      const v = row[n];
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  };
  const page: Record<string, string> = {};
  for (const f of CONTEXT_PAGE) {
    const v = get(`context_page_${f}`, f);
    if (v !== undefined) page[f] = v;
  }
  const campaign: Record<string, string> = {};
  for (const f of CONTEXT_CAMPAIGN) {
    const v = get(`context_campaign_${f}`);
    if (v !== undefined) campaign[f] = v;
  }
  // The table the file names wins: Segment's tables carry traits and properties as columns, and one may be called type.
  // A table of one track event (order_completed.csv) has no type column, but its rows name the event.
  const type = tableType ?? get('type') ?? (get('event') !== undefined ? 'track' : undefined);
  const properties: Record<string, string> = {};
  for (const f of type === 'track' ? TRACK_PROPERTIES : []) {
    const v = get(f);
    if (v !== undefined) properties[f] = v;
  }
  const userAgent = get('context_user_agent');
  return {
    type,
    messageId: get('id', 'message_id'),
    anonymousId: get('anonymous_id'),
    userId: get('user_id'),
    previousId: get('previous_id'),
    timestamp: get('timestamp', 'original_timestamp', 'received_at'),
    receivedAt: get('received_at'),
    // `event` is the warehouse's slug (order_completed); `event_text` the name as sent, which CONVERSION_EVENTS names.
    event: get('event_text', 'event'),
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    context: { page, ...(Object.keys(campaign).length > 0 ? { campaign } : {}), ...(userAgent !== undefined ? { userAgent } : {}) },
  };
}
