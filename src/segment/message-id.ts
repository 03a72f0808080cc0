/**
 * Deterministic messageIds: derived from what is sent, so that sending the
 * same message again (a retry, a repeated backfill) never duplicates it.
 * Segment dedupes on messageId for 24 hours and Mixpanel uses it as
 * `$insert_id`, which must be at most 36 characters of [a-zA-Z0-9-].
 */
import { createHash } from 'node:crypto';

/** Mixpanel's `$insert_id` limit. */
export const MAX_MESSAGE_ID_LENGTH = 36;
const PREFIX = 'sma-';

/** JSON with object keys sorted, so equal values always serialise the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** `sma-` and 32 hex characters of the SHA-256 of the message's canonical form: 36 characters. */
export function deterministicMessageId(content: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
  return `${PREFIX}${hash.slice(0, MAX_MESSAGE_ID_LENGTH - PREFIX.length)}`;
}
