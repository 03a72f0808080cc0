import { withoutPersonalData } from '../../../src/segment/privacy';
import { installAttributedEvent, screenEvent } from '../../helpers/app-events';

describe('withoutPersonalData', () => {
  it('keeps only the fields sma uses, from an analytics.js page and a track', () => {
    // Prepare
    const page = {
      type: 'page',
      messageId: 'm-1',
      anonymousId: 'a-1',
      userId: 'u-1',
      timestamp: '2026-05-01T10:00:00.000Z',
      properties: { url: 'https://acme.com/?utm_source=x', referrer: '', title: 'Home', plan: 'pro' },
      context: {
        ip: '203.0.113.9',
        userAgent: 'Mozilla/5.0',
        locale: 'de-DE',
        location: { city: 'Berlin' },
        device: { id: 'd-1', advertisingId: 'ad-1' },
        traits: { email: 'x@example.com' },
        page: { url: 'https://acme.com/?utm_source=x', referrer: 'https://google.com/', path: '/' },
        campaign: { source: 'x', medium: 'email' },
        library: { name: 'analytics.js', version: '1' },
      },
      traits: { email: 'x@example.com' },
    };
    const track = {
      type: 'track',
      event: 'Order Completed',
      userId: 'u-1',
      properties: { revenue: 12.5, currency: 'EUR', email: 'x@example.com' },
    };

    // Act / Assess
    expect(withoutPersonalData(page)).toEqual({
      type: 'page',
      messageId: 'm-1',
      anonymousId: 'a-1',
      userId: 'u-1',
      timestamp: '2026-05-01T10:00:00.000Z',
      properties: { url: 'https://acme.com/?utm_source=x', referrer: '', title: 'Home' },
      context: {
        page: { url: 'https://acme.com/?utm_source=x', referrer: 'https://google.com/', path: '/' },
        campaign: { source: 'x', medium: 'email' },
        library: { name: 'analytics.js', version: '1' },
      },
    });
    expect(withoutPersonalData(track)).toEqual({
      type: 'track',
      event: 'Order Completed',
      userId: 'u-1',
      properties: { revenue: 12.5, currency: 'EUR' },
    });
    expect(withoutPersonalData('not an event')).toBe('not an event');
  });

  it("keeps how an app was opened and an install's campaign, and drops the device, user agent and provider", () => {
    // Prepare
    const screen = screenEvent({
      anonymousId: 'a-1',
      referrer: {
        id: 'device-ad-id',
        type: 'url',
        name: 'newsletter',
        url: 'https://mail.google.com/',
        link: 'acme://home?utm_source=news',
      },
    });
    const install = installAttributedEvent({ anonymousId: 'a-1' });

    // Act
    const s = withoutPersonalData(screen) as { context: Record<string, unknown> };
    const i = withoutPersonalData(install) as { properties: Record<string, unknown>; context: Record<string, unknown> };

    // Assess
    expect(s.context).toEqual({
      referrer: { type: 'url', name: 'newsletter', url: 'https://mail.google.com/', link: 'acme://home?utm_source=news' },
      library: { name: 'analytics-kotlin', version: '1.16.0' },
    });
    expect(i.properties).toEqual({
      campaign: { source: 'Facebook Ads', name: 'spring-install', medium: 'cpc', content: 'Carousel', ad_creative: 'Red Hello World Ad' },
    });
    expect(i.context).toEqual({ library: { name: 'analytics-kotlin', version: '1.16.0' } });
  });
});
