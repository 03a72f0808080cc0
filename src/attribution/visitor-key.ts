/**
 * Visitor keys: how a visitor is named in the tables. A visitor is its
 * anonymous id (`anon#<anonymousId>`), or, for events that carried only a user
 * id, that user (`user#<userId>`). The identity links use the same two forms
 * for their keys (pk `user#<userId>`, sk `anon#<anonymousId>`).
 */

/** The start of every anonymous visitor's key (for scans by prefix). */
export const ANONYMOUS_KEY_PREFIX = 'anon#';
/** The start of every user's key. */
export const USER_KEY_PREFIX = 'user#';
const ANON = ANONYMOUS_KEY_PREFIX;
const USER = USER_KEY_PREFIX;

export const anonymousKey = (anonymousId: string): string => `${ANON}${anonymousId}`;
export const userKey = (userId: string): string => `${USER}${userId}`;

/** The key of the visitor an event belongs to: its anonymous id, or its user id when it has none. */
export function visitorKeyOf(ids: { anonymousId?: string; userId?: string }): string {
  return ids.anonymousId !== undefined ? anonymousKey(ids.anonymousId) : userKey(ids.userId ?? '');
}

/** The anonymous id a key names, or undefined when it names a user (or nothing). */
export const anonymousIdOf = (key: string): string | undefined => (key.startsWith(ANON) ? key.slice(ANON.length) : undefined);

/** The user id a key names, or undefined when it names an anonymous id (or nothing). */
export const userIdOf = (key: string): string | undefined => (key.startsWith(USER) ? key.slice(USER.length) : undefined);
