/**
 * Segment event factories: realistic payloads, as analytics.js and the
 * webhook destination send them.
 */
import { randomUUID } from 'node:crypto';

export interface PageOptions {
  anonymousId?: string;
  userId?: string;
  url?: string;
  referrer?: string;
  timestamp?: string;
  messageId?: string;
  campaign?: Record<string, string>;
}

export function pageEvent(o: PageOptions = {}): Record<string, unknown> {
  const url = o.url ?? 'https://www.example.com/';
  return {
    type: 'page',
    messageId: o.messageId ?? `ajs-${randomUUID()}`,
    anonymousId: o.anonymousId ?? randomUUID(),
    ...(o.userId ? { userId: o.userId } : {}),
    timestamp: o.timestamp ?? new Date().toISOString(),
    receivedAt: o.timestamp ?? new Date().toISOString(),
    properties: { url, referrer: o.referrer ?? '', path: new URL(url).pathname, title: 'Example' },
    context: {
      page: { url, referrer: o.referrer ?? '', path: new URL(url).pathname, title: 'Example' },
      ...(o.campaign ? { campaign: o.campaign } : {}),
      library: { name: 'analytics.js', version: 'next-1.70.0' },
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      ip: '203.0.113.9',
    },
    integrations: {},
  };
}

export function identifyEvent(o: {
  anonymousId?: string;
  userId: string;
  timestamp?: string;
  messageId?: string;
  traits?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    type: 'identify',
    messageId: o.messageId ?? `ajs-${randomUUID()}`,
    anonymousId: o.anonymousId,
    userId: o.userId,
    timestamp: o.timestamp ?? new Date().toISOString(),
    traits: o.traits ?? { email: 'person@example.com' },
    context: { library: { name: 'analytics.js', version: 'next-1.70.0' } },
  };
}

export function aliasEvent(o: { previousId: string; userId: string; timestamp?: string }): Record<string, unknown> {
  return {
    type: 'alias',
    messageId: `ajs-${randomUUID()}`,
    previousId: o.previousId,
    userId: o.userId,
    timestamp: o.timestamp ?? new Date().toISOString(),
  };
}

export function trackEvent(o: { anonymousId?: string; userId?: string; event?: string }): Record<string, unknown> {
  return {
    type: 'track',
    messageId: `ajs-${randomUUID()}`,
    event: o.event ?? 'Signed Up',
    anonymousId: o.anonymousId,
    userId: o.userId,
    timestamp: new Date().toISOString(),
    properties: {},
  };
}

/** An ISO time `minutes` after `base`. */
export function at(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}
