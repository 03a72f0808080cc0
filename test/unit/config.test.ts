import { parseConfig } from '../../src/config';

describe('parseConfig', () => {
  it('is closed by default on every stage', () => {
    // Act
    const dev = parseConfig({});
    const prod = parseConfig({ STAGE: 'prod' });

    // Assess
    expect([dev.allowUnauthenticated, prod.allowUnauthenticated]).toEqual([false, false]);
    expect(parseConfig({ ALLOW_UNAUTHENTICATED: 'true' }).allowUnauthenticated).toBe(true);
    expect(() => parseConfig({ ALLOW_UNAUTHENTICATED: 'yes' })).toThrow(/ALLOW_UNAUTHENTICATED/);
  });

  it('keeps raw events for ever unless RETENTION_DAYS is a whole number of days', () => {
    expect(parseConfig({}).retentionDays).toBeUndefined();
    expect(parseConfig({ RETENTION_DAYS: '' }).retentionDays).toBeUndefined();
    expect(parseConfig({ RETENTION_DAYS: '90' }).retentionDays).toBe(90);
    for (const bad of ['0', '-1', '1.5', 'ninety']) expect(() => parseConfig({ RETENTION_DAYS: bad })).toThrow(/RETENTION_DAYS/);
  });

  it('counts no conversions unless CONVERSION_EVENTS names some', () => {
    // Act
    const off = parseConfig({});
    const on = parseConfig({
      CONVERSION_EVENTS: 'Order Completed, Signed Up,Order Completed',
      ANALYTICS_CONVERSION_EVENT: 'Order Attributed',
    });

    // Assess
    expect(off.conversions).toEqual({ events: [], eventName: 'Conversion Attributed' });
    expect(on.conversions).toEqual({ events: ['Order Completed', 'Signed Up'], eventName: 'Order Attributed' });
    expect(() => parseConfig({ CONVERSION_EVENTS: 'x'.repeat(201) })).toThrow(/CONVERSION_EVENTS/);
  });

  it('reads REALTIME_SYNC as off, or a list of users or all, and conversions', () => {
    // Prepare
    const env = { ANALYTICS_WRITE_KEY: 'wk', CONVERSION_EVENTS: 'Order Completed' };

    // Act / Assess
    expect(parseConfig({}).realtimeSync).toEqual({ touches: 'off', conversions: false });
    expect(parseConfig({ ...env, REALTIME_SYNC: 'off' }).realtimeSync).toEqual({ touches: 'off', conversions: false });
    expect(parseConfig({ ...env, REALTIME_SYNC: 'all' }).realtimeSync).toEqual({ touches: 'all', conversions: false });
    expect(parseConfig({ ...env, REALTIME_SYNC: 'users, conversions' }).realtimeSync).toEqual({ touches: 'users', conversions: true });
    expect(parseConfig({ ...env, REALTIME_SYNC: 'conversions' }).realtimeSync).toEqual({ touches: 'off', conversions: true });
    for (const bad of ['on', 'off,users', 'users,all', 'users,orders']) {
      expect(() => parseConfig({ ...env, REALTIME_SYNC: bad })).toThrow(/REALTIME_SYNC/);
    }
    expect(() => parseConfig({ ANALYTICS_WRITE_KEY: 'wk', REALTIME_SYNC: 'conversions' })).toThrow(/needs CONVERSION_EVENTS/);
    expect(() => parseConfig({ REALTIME_SYNC: 'users' })).toThrow(/needs ANALYTICS_WRITE_KEY/);
  });

  it('names every table after the service and the stage', () => {
    // Act
    const config = parseConfig({ SERVICE_NAME: 'acme', STAGE: 'prod' });

    // Assess
    expect(Object.values(config.tables)).toEqual([
      'acme-prod-pages',
      'acme-prod-identifies',
      'acme-prod-user-map',
      'acme-prod-attribution',
      'acme-prod-rollups',
      'acme-prod-conversions',
    ]);
    expect(config.secrets).toEqual({ source: 'env', prefix: '/acme/prod/' });
  });

  it('takes secrets from the environment only when told to, never beside SSM', () => {
    // Prepare
    const secrets = { WEBHOOK_SECRET: 'w', API_KEY: 'k', ANALYTICS_WRITE_KEY: 'wk' };

    // Act
    const local = parseConfig(secrets);
    const deployed = parseConfig({ ...secrets, SECRETS_SOURCE: 'ssm', REALTIME_SYNC: 'users' });

    // Assess
    expect([local.webhookSecret, local.apiKey, local.segment.writeKey]).toEqual(['w', 'k', 'wk']);
    expect([deployed.webhookSecret, deployed.apiKey, deployed.segment.writeKey]).toEqual([undefined, undefined, undefined]);
    expect(() => parseConfig({ SECRETS_PREFIX: 'no-slash' })).toThrow(/SECRETS_PREFIX/);
  });

  it('sends to Segment over https only, except to a loopback host', () => {
    // Act / Assess
    expect(parseConfig({ SEGMENT_API_HOST: 'https://events.eu1.segmentapis.com' }).segment.host).toBe('https://events.eu1.segmentapis.com');
    expect(parseConfig({ SEGMENT_API_HOST: 'http://localhost:4100' }).segment.host).toBe('http://localhost:4100');
    expect(parseConfig({ SEGMENT_API_HOST: 'http://127.0.0.1:4100' }).segment.host).toBe('http://127.0.0.1:4100');
    expect(() => parseConfig({ SEGMENT_API_HOST: 'http://api.segment.io' })).toThrow(/SEGMENT_API_HOST must be an https URL/);
    expect(() => parseConfig({ SEGMENT_API_HOST: 'ftp://localhost' })).toThrow(/SEGMENT_API_HOST/);
  });

  it('accepts the first-event signature form only when set', () => {
    // Act / Assess
    expect(parseConfig({}).webhookSignature).toBe('body');
    expect(parseConfig({ WEBHOOK_SIGNATURE: 'first-event' }).webhookSignature).toBe('first-event');
    expect(() => parseConfig({ WEBHOOK_SIGNATURE: 'none' })).toThrow(/WEBHOOK_SIGNATURE/);
  });
});
