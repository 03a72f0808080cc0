import type { HttpClient } from './batch-client';

/**
 * Spaces requests to at most `perSecond`, for backfills that must not crowd
 * out a workspace's live traffic (Segment's HTTP API rate limits are per
 * workspace).
 */
export function rateLimited(http: HttpClient, perSecond: number): HttpClient {
  const interval = 1000 / perSecond;
  let next = 0;
  return {
    async post(url, headers, body, timeoutMs) {
      const now = Date.now();
      const at = Math.max(now, next);
      next = at + interval;
      if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
      return http.post(url, headers, body, timeoutMs);
    },
  };
}
