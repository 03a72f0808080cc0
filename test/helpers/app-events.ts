/**
 * Segment events from mobile apps, shaped as Segment's spec shows them:
 * - a screen opened from a link, described in `context.referrer` (`type`,
 *   `name`, `url`, `link`): https://segment.com/docs/connections/spec/common/#context
 * - `Install Attributed`, which an attribution provider sends with the
 *   install's `properties.campaign`: https://segment.com/docs/connections/spec/mobile/#install-attributed
 */
import { randomUUID } from 'node:crypto';

/** The user agent Segment's Android library sends (the system's `http.agent`). */
export const ANDROID_USER_AGENT = 'Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)';

/** Context every event of the app carries, as Segment's mobile libraries fill it. */
function appContext(library: string): Record<string, unknown> {
  return {
    app: { name: 'Acme', version: '4.2.0', build: '420', namespace: 'com.acme.app' },
    device: { manufacturer: 'Google', model: 'Pixel 8', type: 'android' },
    os: { name: 'Android', version: '14' },
    library: { name: library, version: '1.16.0' },
    locale: 'en-US',
    timezone: 'Europe/Amsterdam',
  };
}

export interface ScreenOptions {
  anonymousId?: string;
  userId?: string;
  timestamp?: string;
  name?: string;
  /** `context.referrer`: how the app was opened. */
  referrer?: Record<string, string>;
  userAgent?: string;
}

/** A screen view of the app. */
export function screenEvent(o: ScreenOptions = {}): Record<string, unknown> {
  const timestamp = o.timestamp ?? new Date().toISOString();
  return {
    type: 'screen',
    name: o.name ?? 'Home',
    messageId: randomUUID(),
    anonymousId: o.anonymousId ?? randomUUID(),
    ...(o.userId ? { userId: o.userId } : {}),
    timestamp,
    receivedAt: timestamp,
    properties: {},
    context: {
      ...appContext('analytics-kotlin'),
      ...(o.referrer ? { referrer: o.referrer } : {}),
      userAgent: o.userAgent ?? ANDROID_USER_AGENT,
    },
  };
}

export interface InstallOptions {
  anonymousId?: string;
  userId?: string;
  timestamp?: string;
  provider?: string;
  /** `properties.campaign`: source, name, medium, content, ad_creative, ad_group. */
  campaign?: Record<string, string>;
}

/** An `Install Attributed` track, sent from the device by the provider's packaged integration. */
export function installAttributedEvent(o: InstallOptions = {}): Record<string, unknown> {
  const timestamp = o.timestamp ?? new Date().toISOString();
  return {
    type: 'track',
    event: 'Install Attributed',
    messageId: randomUUID(),
    anonymousId: o.anonymousId ?? randomUUID(),
    ...(o.userId ? { userId: o.userId } : {}),
    timestamp,
    receivedAt: timestamp,
    properties: {
      provider: o.provider ?? 'AppsFlyer',
      campaign: o.campaign ?? {
        source: 'Facebook Ads',
        name: 'spring-install',
        medium: 'cpc',
        content: 'Carousel',
        ad_creative: 'Red Hello World Ad',
        ad_group: 'Red Ones',
      },
    },
    context: { ...appContext('analytics-kotlin'), userAgent: ANDROID_USER_AGENT },
  };
}

export interface AppOpenOptions {
  anonymousId?: string;
  timestamp?: string;
  /** `Deep Link Opened` (the default) or `Application Opened`. */
  event?: string;
  /** `properties.url`: the link that opened the app. */
  url?: string;
  /** `properties.referrer`: the app it was followed from, as Segment's Android library names it. */
  referrer?: string;
}

/**
 * A track that says a link opened the app, as Segment's Android library
 * sends it when it tracks deep links: `properties.url` and `properties.referrer`
 * (https://segment.com/docs/connections/spec/mobile/#deep-link-opened).
 */
export function appOpenEvent(o: AppOpenOptions = {}): Record<string, unknown> {
  const timestamp = o.timestamp ?? new Date().toISOString();
  return {
    type: 'track',
    event: o.event ?? 'Deep Link Opened',
    messageId: randomUUID(),
    anonymousId: o.anonymousId ?? randomUUID(),
    timestamp,
    receivedAt: timestamp,
    properties: {
      ...(o.url !== undefined ? { url: o.url } : {}),
      ...(o.referrer !== undefined ? { referrer: o.referrer } : {}),
    },
    context: { ...appContext('analytics-android'), userAgent: ANDROID_USER_AGENT },
  };
}
