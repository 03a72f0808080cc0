/**
 * Bots, told from an event's `context.userAgent` with isbot, the maintained
 * list of crawler user agents. Crawlers that render pages run analytics.js
 * too, and their page views would otherwise look like Direct or Referral
 * visits. The user agent is read only to decide; sma never stores it.
 */
import { isbot } from 'isbot';
import { isPlainObject } from './privacy';

/**
 * The longest user agent read. Browsers and crawlers send a few hundred
 * characters; one longer than this is malformed input, not a crawler's
 * signature, and is taken as no bot (nor is a long string matched at all).
 */
export const MAX_USER_AGENT_LENGTH = 2_048;

// C0 controls and DEL: no real user agent has them (HTTP header values cannot carry them).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** The `context.userAgent` of a raw event, whatever the event is; undefined when there is none. */
export function userAgentOf(raw: unknown): unknown {
  return isPlainObject(raw) && isPlainObject(raw.context) ? raw.context.userAgent : undefined;
}

/**
 * True when a user agent is a bot's. Anything that is not a plausible user
 * agent (not a string, empty, longer than MAX_USER_AGENT_LENGTH, with control
 * characters) is not a bot: a visit is counted unless it clearly was one.
 */
export function isBotUserAgent(userAgent: unknown): boolean {
  if (typeof userAgent !== 'string' || userAgent.trim() === '' || userAgent.length > MAX_USER_AGENT_LENGTH) return false;
  if (CONTROL_CHARS.test(userAgent)) return false;
  return isbot(userAgent);
}
