import { InvalidInputError } from '../../../src/errors';
import { requireApiKey, type HttpEvent } from '../../../src/handlers/http/http';

const KEY = 'the-api-key';
const closed = { apiKey: KEY, allowUnauthenticated: false };
const basic = (password: string): string => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;
const request = (headers: Record<string, string>): HttpEvent => ({ headers }) as unknown as HttpEvent;

/** The error requireApiKey throws, or undefined when it lets the request through. */
function refusal(event: HttpEvent, config: Parameters<typeof requireApiKey>[1], options?: Parameters<typeof requireApiKey>[2]) {
  try {
    requireApiKey(event, config, options);
    return undefined;
  } catch (e: unknown) {
    if (e instanceof InvalidInputError) return { status: e.status, field: e.field };
    throw e;
  }
}

describe('requireApiKey', () => {
  it('takes the key from x-api-key or a Bearer token', () => {
    // Act / Assess
    expect(refusal(request({ 'x-api-key': KEY }), closed)).toBeUndefined();
    expect(refusal(request({ Authorization: `Bearer ${KEY}` }), closed)).toBeUndefined();
    expect(refusal(request({ 'x-api-key': `${KEY}x` }), closed)).toEqual({ status: 401, field: 'x-api-key' });
    expect(refusal(request({}), closed)).toEqual({ status: 401, field: 'x-api-key' });
  });

  it('takes HTTP Basic only where the route allows it, and refuses it elsewhere even with the right key', () => {
    // Act / Assess
    expect(refusal(request({ authorization: basic(KEY) }), closed, { basic: true })).toBeUndefined();
    expect(refusal(request({ authorization: basic(KEY) }), closed)).toEqual({ status: 401, field: 'x-api-key' });
    expect(refusal(request({ authorization: basic(KEY), 'x-api-key': KEY }), closed)).toEqual({ status: 401, field: 'x-api-key' });
  });

  it('refuses everything when no key is configured, unless unauthenticated use is allowed', () => {
    // Act / Assess
    expect(refusal(request({}), { apiKey: undefined, allowUnauthenticated: false })).toEqual({ status: 401, field: 'x-api-key' });
    expect(refusal(request({}), { apiKey: undefined, allowUnauthenticated: true })).toBeUndefined();
    // Open or not, a route that acts never takes browser credentials.
    expect(refusal(request({ authorization: basic('x') }), { apiKey: undefined, allowUnauthenticated: true })).toEqual({
      status: 401,
      field: 'x-api-key',
    });
  });
});
