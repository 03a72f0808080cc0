/**
 * Strings bounded by their UTF-8 size, which is what DynamoDB counts for keys
 * and items (a limit in characters lets 3-byte characters through at three
 * times the size).
 */
import { createHash } from 'node:crypto';

const encoder = new TextEncoder();

/** The UTF-8 size of a string, in bytes. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The longest prefix of `s` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || utf8Bytes(s) <= maxBytes) return s;
  const { read } = encoder.encodeInto(s, new Uint8Array(maxBytes));
  return s.slice(0, read);
}

/** Bytes of the suffix boundedUtf8 adds: an ellipsis (3 bytes) and 8 hex characters. */
const MARK_BYTES = 11;

/**
 * `s` when it fits in `maxBytes`; otherwise a prefix, an ellipsis and 8 hex
 * characters of the whole value's SHA-256, together at most `maxBytes`: two
 * long values that share a prefix stay apart.
 */
export function boundedUtf8(s: string, maxBytes: number): string {
  if (s.length * 3 <= maxBytes || utf8Bytes(s) <= maxBytes) return s;
  const hash = createHash('sha256').update(s).digest('hex').slice(0, 8);
  return `${truncateUtf8(s, maxBytes - MARK_BYTES)}…${hash}`;
}
