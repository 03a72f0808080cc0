import { batchLimit, eventTime, MAX_EVENT_BYTES, parseEvent, splitBody } from '../../../src/segment/events';
import { parseConfig } from '../../../src/config';

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
});
