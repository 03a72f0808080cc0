/**
 * Segment webhook signatures. With a shared secret set, Segment sends
 * `X-Signature`, the hex HMAC-SHA1 of what it signs: for one event, the
 * request body; with Webhooks (Actions) batching on, only the first event of
 * the JSON array, serialised (segmentio/action-destinations, webhook
 * `extendRequest`). The first form covers every byte; the second leaves the
 * rest of the array unsigned, so it is accepted only when asked for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signature must cover: the whole body, or (for an array) at least its first event. */
export type SignatureMode = 'body' | 'first-event';

/** The outcome of a check; `parsed` is the body as JSON when the check had to parse it. */
export type SignatureCheck = { valid: false } | { valid: true; parsed?: unknown };

/** A hex-encoded SHA-1 HMAC: 40 hex digits. */
const SIGNATURE_PATTERN = /^[0-9a-f]{40}$/;

function hmacHex(secret: string, data: Buffer | string): string {
  return createHmac('sha1', secret).update(data).digest('hex');
}

/** Constant-time comparison of two strings (false on different lengths without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to spend the same time.
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** The first event of a JSON array body, or undefined when the body is not one. */
function firstEventOf(raw: Buffer): { parsed: unknown[]; first: unknown } | undefined {
  const text = raw.toString('utf8');
  if (text.trimStart()[0] !== '[') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.length > 0 ? { parsed, first: parsed[0] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks `signature` against the exact bytes of the body. In `first-event`
 * mode, a JSON array whose first event alone is signed is also valid; only
 * then is the body parsed, and the parsed body is handed back so that it is
 * not parsed twice.
 */
export function verifySignature(secret: string, raw: Buffer, signature: string | undefined, mode: SignatureMode = 'body'): SignatureCheck {
  const given = signature?.trim().toLowerCase() ?? '';
  if (!SIGNATURE_PATTERN.test(given)) return { valid: false };
  if (safeEqual(given, hmacHex(secret, raw))) return { valid: true };
  if (mode !== 'first-event') return { valid: false };
  const array = firstEventOf(raw);
  if (array && safeEqual(given, hmacHex(secret, JSON.stringify(array.first)))) return { valid: true, parsed: array.parsed };
  return { valid: false };
}

/** Signs a body as Segment does; for tests and for callers who post to /events themselves. */
export function signBody(secret: string, body: Buffer | string): string {
  return hmacHex(secret, body);
}
