import { withoutPersonalData } from '../../../src/segment/privacy';

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
});
