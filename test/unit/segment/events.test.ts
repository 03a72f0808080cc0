import {
  appOpenLinkOf,
  asViewEvent,
  batchLimit,
  eventTime,
  faultText,
  installCampaignOf,
  isViewEvent,
  MAX_EVENT_BYTES,
  parseEvent,
  splitBody,
  type SegmentEvent,
} from '../../../src/segment/events';
import { parseConfig } from '../../../src/config';
import { appOpenEvent, installAttributedEvent, screenEvent } from '../../helpers/app-events';
import { pageViewOf } from '../../../src/store/items';
import { parseIncoming } from '../../../src/app/store-events';

/** A raw event that must parse. */
function parsed(raw: unknown): SegmentEvent {
  const p = parseEvent(raw, 0);
  if (!p.ok) throw new Error(`${p.field} ${p.message}`);
  return p.event;
}

describe('parseEvent', () => {
  it.each([
    [{ type: 'page' }, 'anonymousId', 'anonymousId or userId is required'],
    [{ type: 'page', anonymousId: '' }, 'anonymousId', 'anonymousId or userId is required'],
    [{ type: 'page', anonymousId: 'a\u0000b' }, 'anonymousId', 'must not contain control characters'],
    [{ type: 'page', anonymousId: 'x'.repeat(513) }, 'anonymousId', 'must be at most 512 bytes (UTF-8)'],
    // 500 characters, 1,500 bytes: as a sort key (`anon#<id>`) it would pass DynamoDB's 1,024.
    [{ type: 'page', anonymousId: '漢'.repeat(500) }, 'anonymousId', 'must be at most 512 bytes (UTF-8)'],
    [{ type: 'identify', anonymousId: 'a', userId: '漢'.repeat(200) }, 'userId', 'must be at most 512 bytes (UTF-8)'],
    [{ type: 'page', anonymousId: { id: 1 } }, 'anonymousId', 'must be a string'],
    [{ type: 'alias', userId: 'u' }, 'previousId', 'is required'],
    [{ type: 'sing', userId: 'u' }, 'type', 'type must be one of page, screen, identify, alias, track, group'],
    [{ type: 'page', userId: 'u', timestamp: 'soon' }, 'timestamp', 'must be an ISO-8601 date'],
    [{ type: 'page', userId: 'u', context: { page: { url: 5 } } }, 'context.page.url', expect.any(String)],
    [[1, 2], '(event)', 'event must be a JSON object'],
    [{ type: 'page', userId: 'u', properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) } }, '(event)', expect.stringContaining('32768')],
    [{ type: 'page', userId: 'u', messageId: 'bot#1' }, 'messageId', expect.stringContaining('bot#')],
  ])('rejects %j naming %s', (raw: unknown, field: string, message: unknown) => {
    // Act
    const parsed = parseEvent(raw, 3);

    // Assess
    expect(parsed).toMatchObject({ ok: false, index: 3, field, message });
  });

  it('accepts numeric ids, treats null ids as absent and derives a stable messageId when missing', () => {
    // Act
    const a = parseEvent({ type: 'identify', userId: 42, anonymousId: null }, 0);
    const b = parseEvent({ type: 'identify', userId: 42, anonymousId: null }, 0);

    // Assess
    expect(a).toMatchObject({ ok: true, event: { userId: '42' } });
    expect(a.ok && a.event.anonymousId).toBeUndefined();
    expect(a.ok && a.event.messageId).toMatch(/^sma-[0-9a-f]{40}$/);
    expect(a.ok && b.ok && a.event.messageId === b.event.messageId).toBe(true);
  });

  it('uses Segment timestamp, then originalTimestamp, then receivedAt for event time', () => {
    // Prepare
    const e = parseEvent(
      { type: 'page', userId: 'u', originalTimestamp: '2026-01-01T00:00:00+01:00', receivedAt: '2026-01-02T00:00:00Z' },
      0,
    );

    // Act / Assess
    expect(e.ok && eventTime(e.event)).toBe('2025-12-31T23:00:00.000Z');
  });
});

describe('context.referrer', () => {
  it("is read from a screen opened by a link (Segment's common fields: type, name, url, link)", () => {
    // Prepare
    const referrer = { type: 'url', name: 'Acme newsletter', url: 'https://mail.google.com/', link: 'acme://home?utm_source=news' };

    // Act
    const event = parsed(screenEvent({ referrer }));

    // Assess
    expect(event.context?.referrer).toEqual(referrer);
  });

  it('never fails an event that an odd referrer object came with', () => {
    // Act / Assess
    expect(parsed({ type: 'screen', userId: 'u', context: { referrer: 'google' } }).context?.referrer).toBeUndefined();
    expect(parsed({ type: 'screen', userId: 'u', context: { referrer: { link: 5, url: '' } } }).context?.referrer).toEqual({});
    expect(parsed({ type: 'screen', userId: 'u', context: { referrer: null } }).context?.referrer).toBeUndefined();
  });

  it('reads a referrer with only some of its fields, as the iOS library sends `url` alone', () => {
    // Act / Assess
    expect(parsed(screenEvent({ referrer: { url: 'acme://promo?utm_source=sms' } })).context?.referrer).toEqual({
      url: 'acme://promo?utm_source=sms',
    });
  });
});

describe('installCampaignOf', () => {
  it('reads the campaign of an Install Attributed as the mobile spec shows it, the creative standing in for absent content', () => {
    // Prepare
    const withContent = installAttributedEvent();
    const withoutContent = installAttributedEvent({ campaign: { source: 'google', name: 'uac', ad_creative: 'Video A', ad_group: 'g1' } });

    // Act / Assess
    expect(installCampaignOf(parsed(withContent))).toEqual({
      source: 'Facebook Ads',
      name: 'spring-install',
      medium: 'cpc',
      content: 'Carousel',
    });
    expect(installCampaignOf(parsed(withoutContent))).toEqual({ source: 'google', name: 'uac', content: 'Video A' });
  });

  it("reads Adjust's spelling of the creative (adCreative)", () => {
    // Prepare: as Adjust's Segment integration builds it
    const adjust = installAttributedEvent({
      provider: 'Adjust',
      campaign: { source: 'Unity Ads', name: 'summer', adCreative: 'Banner 2', adGroup: 'g' },
    });

    // Act / Assess
    expect(installCampaignOf(parsed(adjust))).toEqual({ source: 'Unity Ads', name: 'summer', content: 'Banner 2' });
  });

  it('finds no campaign in an organic install, an empty campaign, or any other event', () => {
    // Prepare
    const organic = installAttributedEvent({ provider: 'Adjust', campaign: { source: ' Organic ' } });
    const empty = installAttributedEvent({ campaign: { source: '', ad_group: 'g' } });
    const other = { ...installAttributedEvent(), event: 'Application Installed' };
    const noObject = { ...installAttributedEvent(), properties: { campaign: 'facebook' } };

    // Act / Assess
    for (const raw of [organic, empty, other, noObject]) {
      const event = parsed(raw);
      expect(installCampaignOf(event)).toBeUndefined();
      expect(isViewEvent(event)).toBe(false);
    }
    expect(isViewEvent(parsed(installAttributedEvent()))).toBe(true);
    expect(isViewEvent(parsed(screenEvent()))).toBe(true);
  });
});

describe('appOpenLinkOf', () => {
  it('reads the link of a Deep Link Opened or an Application Opened track, and the app it was followed from', () => {
    // Prepare
    const android = appOpenEvent({ url: 'acme://p/1?gclid=abc', referrer: 'android-app://com.google.android.gm' });
    const spec = {
      ...appOpenEvent({ event: 'Application Opened', url: 'https://acme.example/' }),
      properties: { url: 'https://acme.example/', referring_application: 'android-app://com.google.android.gm' },
    };

    // Act
    const view = asViewEvent(parsed(android));

    // Assess
    expect(appOpenLinkOf(parsed(android))).toEqual({ url: 'acme://p/1?gclid=abc', referrer: 'android-app://com.google.android.gm' });
    expect(appOpenLinkOf(parsed(spec))).toEqual({ url: 'https://acme.example/', referrer: 'android-app://com.google.android.gm' });
    expect(view && pageViewOf(view)).toMatchObject({
      type: 'screen',
      url: 'acme://p/1?gclid=abc',
      referrer: 'android-app://com.google.android.gm',
    });
    expect(isViewEvent(parsed(android))).toBe(true);
  });

  it('keeps a referrer only when it is a URL: a bare app id would read as a web host', () => {
    // Prepare
    const ios = {
      ...appOpenEvent({ event: 'Application Opened' }),
      properties: { url: 'acme://sale?utm_source=x', referring_application: 'com.apple.mobilesafari' },
    };

    // Act / Assess
    expect(appOpenLinkOf(parsed(ios))).toEqual({ url: 'acme://sale?utm_source=x' });
  });

  it('marks an app open by a link as a bot by its user agent, and never an install attribution', () => {
    // Prepare
    const crawler = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    const withAgent = (raw: Record<string, unknown>) => ({ ...raw, context: { ...(raw.context as object), userAgent: crawler } });

    // Act
    const open = parseIncoming(withAgent(appOpenEvent({ url: 'acme://home' })), 0);
    const install = parseIncoming(withAgent(installAttributedEvent()), 0);

    // Assess
    expect(open.ok && open.event.bot).toBe(true);
    expect(install.ok && install.event.bot).toBeUndefined();
  });

  it('makes no view of an app open without a link, nor of another track with one', () => {
    // Prepare
    const noLink = appOpenEvent({ event: 'Application Opened' });
    const blank = appOpenEvent({ url: ' ' });
    const other = appOpenEvent({ event: 'Product Viewed', url: 'acme://p/1?utm_source=x' });

    // Act / Assess
    for (const raw of [noLink, blank, other]) {
      expect(appOpenLinkOf(parsed(raw))).toBeUndefined();
      expect(isViewEvent(parsed(raw))).toBe(false);
    }
  });
});

describe('faultText', () => {
  it('names the field once, before why', () => {
    // Act / Assess
    expect(faultText({ field: 'timestamp', message: 'must be an ISO-8601 date' })).toBe('timestamp must be an ISO-8601 date');
    expect(faultText({ field: 'anonymousId', message: 'anonymousId or userId is required' })).toBe('anonymousId or userId is required');
    expect(faultText({ field: '(event)', message: 'event must be a JSON object' })).toBe('event must be a JSON object');
  });
});

describe('splitBody', () => {
  it('recognises the three shapes and their limits', () => {
    // Act / Assess
    expect(splitBody({ type: 'page' })).toMatchObject({ shape: 'event', items: [{ type: 'page' }] });
    expect(splitBody([{}, {}])?.shape).toBe('array');
    expect(splitBody({ batch: [{}] })?.shape).toBe('batch');
    expect(splitBody({ hello: 1 })).toBeUndefined();
    expect([batchLimit('event'), batchLimit('batch'), batchLimit('array')]).toEqual([1, 2500, 4000]);
  });
});

describe('parseConfig', () => {
  it('applies defaults and names a malformed variable', () => {
    // Act
    const config = parseConfig({});

    // Assess
    expect(config.tables).toEqual({
      page: 'sma-dev-pages',
      identify: 'sma-dev-identifies',
      userMap: 'sma-dev-user-map',
      attribution: 'sma-dev-attribution',
      rollup: 'sma-dev-rollups',
      conversion: 'sma-dev-conversions',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => parseConfig({ PAGE_TABLE: 'a b' })).toThrow(/PAGE_TABLE must be a DynamoDB table name/);
    expect(() => parseConfig({ DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/DYNAMODB_ENDPOINT/);
    expect(parseConfig({ OWN_DOMAINS: 'a.com, b.com,' }).ownDomains).toEqual(['a.com', 'b.com']);
  });

  it('tells bots apart unless BOT_FILTER is off', () => {
    // Act / Assess
    expect(parseConfig({}).botFilter).toBe(true);
    expect(parseConfig({ BOT_FILTER: '' }).botFilter).toBe(true);
    expect(parseConfig({ BOT_FILTER: 'off' }).botFilter).toBe(false);
    expect(() => parseConfig({ BOT_FILTER: 'no' })).toThrow(/BOT_FILTER/);
  });
});
