import { eventFromRow, typeFromFileName } from '../../../src/app/import/warehouse';
import { appOpenLinkOf, parseEvent } from '../../../src/segment/events';

describe('typeFromFileName', () => {
  it.each([
    ['pages.csv', 'page'],
    ['pages_2020-01.csv.gz', 'page'],
    ['PAGES.CSV', 'page'],
    ['screens.csv', 'screen'],
    ['identifies.csv', 'identify'],
    ['identifies_2020.csv.gz', 'identify'],
    ['tracks.csv', 'track'],
    ['/exports/acme/identifies.csv', 'identify'],
    ['s3://bucket/warehouse/pages-000.csv.gz', 'page'],
    ['C:\\exports\\tracks.csv', 'track'],
  ])('reads %s as a %s table', (name, type) => {
    // Act / Assess
    expect(typeFromFileName(name)).toBe(type);
  });

  it.each([['users.csv'], ['aliases.csv'], ['groups.csv'], ['order_completed.csv'], ['my_pages.csv'], ['pages/2020.csv'], ['events.csv']])(
    'gives no type for %s',
    (name) => {
      // Act / Assess
      expect(typeFromFileName(name)).toBeUndefined();
    },
  );
});

describe('eventFromRow', () => {
  it('turns a pages row with Segment warehouse columns into a page event', () => {
    // Prepare
    const row = {
      id: 'w-1',
      anonymous_id: 'anon-1',
      user_id: 'user-1',
      timestamp: '2020-03-01T10:00:00.000Z',
      received_at: '2020-03-01T10:00:02.000Z',
      context_page_url: 'https://www.acme.com/?utm_source=news',
      context_page_referrer: 'https://news.ycombinator.com/',
      context_page_path: '/',
      context_page_title: 'Acme',
      context_page_search: '?utm_source=news',
      context_campaign_source: 'news',
      context_campaign_medium: 'email',
      context_campaign_name: 'spring',
      context_campaign_term: 'tools',
      context_campaign_content: 'hero',
      context_ip: '203.0.113.9',
    };

    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event).toEqual({
      type: 'page',
      messageId: 'w-1',
      anonymousId: 'anon-1',
      userId: 'user-1',
      timestamp: '2020-03-01T10:00:00.000Z',
      receivedAt: '2020-03-01T10:00:02.000Z',
      context: {
        page: {
          url: 'https://www.acme.com/?utm_source=news',
          referrer: 'https://news.ycombinator.com/',
          path: '/',
          title: 'Acme',
          search: '?utm_source=news',
        },
        campaign: { source: 'news', medium: 'email', name: 'spring', term: 'tools', content: 'hero' },
      },
    });
  });

  it("reads an event table's rows (order_completed.csv) as tracks, with a conversion's value columns and the user agent", () => {
    // Prepare: Segment's warehouse gives each track event a table of its own, its properties as columns
    const row = {
      id: 'w-9',
      anonymous_id: 'anon-9',
      timestamp: '2020-03-02T10:00:00.000Z',
      event: 'order_completed',
      event_text: 'Order Completed',
      revenue: '49.90',
      currency: 'EUR',
      order_id: 'o-1',
      context_user_agent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
    };

    // Act
    const event = eventFromRow(row, typeFromFileName('order_completed.csv'));

    // Assess
    expect(event).toMatchObject({
      type: 'track',
      messageId: 'w-9',
      event: 'Order Completed',
      properties: { revenue: '49.90', currency: 'EUR' },
      context: { userAgent: row.context_user_agent },
    });
  });

  it("reads a deep_link_opened.csv row's link as the app open it was, a view", () => {
    // Prepare: Android's Deep Link Opened, its url and referrer properties as columns
    const row = {
      id: 'w-10',
      anonymous_id: 'anon-10',
      timestamp: '2020-03-02T10:00:00.000Z',
      event: 'deep_link_opened',
      event_text: 'Deep Link Opened',
      url: 'acme://deal?utm_source=tiktok&utm_medium=paid_social',
      referrer: 'android-app://com.zhiliaoapp.musically',
    };

    // Act
    const parsed = parseEvent(eventFromRow(row, typeFromFileName('deep_link_opened.csv')), 0);

    // Assess
    expect(parsed.ok && appOpenLinkOf(parsed.event)).toEqual({ url: row.url, referrer: row.referrer });
  });

  it('reads the page from the bare page-property columns when context_page_* is absent or empty', () => {
    // Prepare
    const row = {
      id: 'w-2',
      context_page_url: '',
      url: 'https://www.acme.com/landing',
      referrer: 'https://www.google.com/',
      path: '/landing',
      title: 'Landing',
      search: '',
    };

    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event.context).toEqual({
      page: { url: 'https://www.acme.com/landing', referrer: 'https://www.google.com/', path: '/landing', title: 'Landing' },
    });
  });

  it('prefers context_page_* over the bare page-property columns', () => {
    // Prepare
    const row = {
      context_page_url: 'https://www.acme.com/a',
      url: 'https://www.acme.com/b',
      context_page_referrer: 'https://t.co/x',
      referrer: 'https://old.example/',
    };

    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event.context).toEqual({ page: { url: 'https://www.acme.com/a', referrer: 'https://t.co/x' } });
  });

  it('reads the campaign only from context_campaign_* columns, and leaves it out when there is none', () => {
    // Prepare
    const row = { id: 'w-3', source: 'news', medium: 'email', context_campaign_source: '', context_page_url: 'https://www.acme.com/' };

    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event.context).toEqual({ page: { url: 'https://www.acme.com/' } });
    expect(Object.keys(event.context as object)).toEqual(['page']);
  });

  it('keeps only the campaign fields present', () => {
    // Act
    const event = eventFromRow({ context_campaign_medium: 'cpc' }, 'page');

    // Assess
    expect(event.context).toEqual({ page: {}, campaign: { medium: 'cpc' } });
  });

  it.each([
    [{ id: 'a', message_id: 'b' }, 'a'],
    [{ id: '', message_id: 'b' }, 'b'],
    [{ message_id: 'b' }, 'b'],
  ])('takes the messageId from id, else message_id (%p)', (row, messageId) => {
    // Act / Assess
    expect(eventFromRow(row, 'page').messageId).toBe(messageId);
  });

  it.each([
    [{ timestamp: 't1', original_timestamp: 't2', received_at: 't3' }, 't1', 't3'],
    [{ timestamp: '', original_timestamp: 't2', received_at: 't3' }, 't2', 't3'],
    [{ received_at: 't3' }, 't3', 't3'],
    [{ timestamp: 't1' }, 't1', undefined],
  ])('takes the timestamp from timestamp, else original_timestamp, else received_at (%p)', (row, timestamp, receivedAt) => {
    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event.timestamp).toBe(timestamp);
    expect(event.receivedAt).toBe(receivedAt);
  });

  it('turns an identifies row into an identify event, without its trait columns', () => {
    // Prepare
    const row = { id: 'w-4', anonymous_id: 'anon-E', user_id: 'user-4', timestamp: '2020-03-05T10:02:00.000Z', email: 'e@example.com' };

    // Act
    const event = eventFromRow(row, 'identify');

    // Assess
    expect(event).toEqual({
      type: 'identify',
      messageId: 'w-4',
      anonymousId: 'anon-E',
      userId: 'user-4',
      timestamp: '2020-03-05T10:02:00.000Z',
      context: { page: {} },
    });
  });

  it('carries the event name of a tracks row and the previous_id of an alias', () => {
    // Act
    const track = eventFromRow({ id: 't-1', user_id: 'u', event: 'signed_up' }, 'track');
    const alias = eventFromRow({ id: 'a-1', type: 'alias', user_id: 'u', previous_id: 'anon-1' }, undefined);

    // Assess
    expect(track).toMatchObject({ type: 'track', event: 'signed_up' });
    expect(alias).toMatchObject({ type: 'alias', userId: 'u', previousId: 'anon-1' });
  });

  it('treats empty cells as missing', () => {
    // Prepare
    const row = {
      id: '',
      anonymous_id: '',
      user_id: '',
      previous_id: '',
      timestamp: '',
      received_at: '',
      event: '',
      type: '',
      context_page_url: '',
      url: '',
    };

    // Act
    const event = eventFromRow(row, 'page');

    // Assess
    expect(event).toStrictEqual({
      type: 'page',
      messageId: undefined,
      anonymousId: undefined,
      userId: undefined,
      previousId: undefined,
      timestamp: undefined,
      receivedAt: undefined,
      event: undefined,
      context: { page: {} },
    });
  });

  it('takes the type from a type column when the file name gives none', () => {
    // Act / Assess
    expect(eventFromRow({ type: 'screen' }, undefined).type).toBe('screen');
    expect(eventFromRow({}, undefined).type).toBeUndefined();
  });

  // Segment's warehouses store traits and page properties as columns, so one may be called type.
  it('keeps the table from the file name when a trait column is named type', () => {
    // Prepare
    const row = { id: 'w-5', user_id: 'user-5', timestamp: '2020-03-05T10:02:00.000Z', type: 'customer' };

    // Act
    const event = eventFromRow(row, typeFromFileName('identifies.csv'));

    // Assess
    expect(event.type).toBe('identify');
  });
});
