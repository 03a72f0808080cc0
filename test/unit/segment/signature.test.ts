import { signBody, verifySignature } from '../../../src/segment/signature';

const SECRET = 'shared-secret';

describe('verifySignature', () => {
  it('accepts the HMAC of the exact bytes, and nothing else, by default', () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ type: 'page', userId: 'u', name: 'Zürich' }));
    const reformatted = Buffer.from(JSON.stringify({ type: 'page', userId: 'u', name: 'Zürich' }, null, 1));

    // Act / Assess
    expect(verifySignature(SECRET, body, signBody(SECRET, body))).toEqual({ valid: true });
    expect(verifySignature(SECRET, body, signBody(SECRET, body).toUpperCase())).toEqual({ valid: true });
    // The same JSON, serialised differently, is different bytes.
    expect(verifySignature(SECRET, reformatted, signBody(SECRET, body))).toEqual({ valid: false });
    expect(verifySignature(SECRET, body, signBody('other', body))).toEqual({ valid: false });
    expect(verifySignature(SECRET, body, undefined)).toEqual({ valid: false });
    expect(verifySignature(SECRET, body, '')).toEqual({ valid: false });
    expect(verifySignature(SECRET, body, 'short')).toEqual({ valid: false });
  });

  it('checks bytes that are not valid UTF-8 as they are', () => {
    // Prepare: a lone continuation byte would become U+FFFD if decoded first.
    const body = Buffer.concat([Buffer.from('{"type":"page","name":"'), Buffer.from([0x80]), Buffer.from('"}')]);
    const decodedAndReencoded = Buffer.from(body.toString('utf8'));

    // Act / Assess
    expect(verifySignature(SECRET, body, signBody(SECRET, body))).toEqual({ valid: true });
    expect(verifySignature(SECRET, body, signBody(SECRET, decodedAndReencoded))).toEqual({ valid: false });
  });

  it('refuses a signature of the first event alone unless first-event mode is on', () => {
    // Prepare: Webhooks (Actions) batching signs JSON.stringify(events[0]).
    const events = [
      { type: 'page', anonymousId: 'a' },
      { type: 'identify', anonymousId: 'a', userId: 'u' },
    ];
    const body = Buffer.from(JSON.stringify(events));
    const firstOnly = signBody(SECRET, JSON.stringify(events[0]));

    // Act
    const strict = verifySignature(SECRET, body, firstOnly);
    const lenient = verifySignature(SECRET, body, firstOnly, 'first-event');

    // Assess
    expect(strict).toEqual({ valid: false });
    expect(lenient).toEqual({ valid: true, parsed: events });
  });

  it('in first-event mode still refuses an array whose first event is not the signed one', () => {
    // Prepare
    const signedEvent = { type: 'page', anonymousId: 'a' };
    const signature = signBody(SECRET, JSON.stringify(signedEvent));
    const swapped = Buffer.from(JSON.stringify([{ type: 'page', anonymousId: 'b' }, signedEvent]));
    const notJson = Buffer.from(`[${JSON.stringify(signedEvent)}`);

    // Act / Assess
    expect(verifySignature(SECRET, swapped, signature, 'first-event')).toEqual({ valid: false });
    expect(verifySignature(SECRET, notJson, signature, 'first-event')).toEqual({ valid: false });
    expect(verifySignature(SECRET, Buffer.from('[]'), signBody(SECRET, 'undefined'), 'first-event')).toEqual({ valid: false });
  });
});
