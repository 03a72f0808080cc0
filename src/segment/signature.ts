/**
 * Segment webhook signatures: with a shared secret set, Segment sends
 * `X-Signature`, the hex HMAC-SHA1 of the request body. For a JSON array
 * (Webhooks Actions batching) Segment signs the first event, serialised.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

function hmacHex(secret: string, data: string): string {
  return createHmac('sha1', secret).update(data, 'utf8').digest('hex');
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

/**
 * True when `signature` is the HMAC of the raw body, or, for an array body, of
 * its first event.
 */
export function verifySignature(secret: string, rawBody: string, signature: string | undefined, firstEvent?: unknown): boolean {
  if (signature === undefined || signature === '') return false;
  const given = signature.trim().toLowerCase();
  if (safeEqual(given, hmacHex(secret, rawBody))) return true;
  return firstEvent !== undefined && safeEqual(given, hmacHex(secret, JSON.stringify(firstEvent)));
}

/** Signs a body as Segment does; for tests and for callers who post to /events themselves. */
export function signBody(secret: string, body: string): string {
  return hmacHex(secret, body);
}
