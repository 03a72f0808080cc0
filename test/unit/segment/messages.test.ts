import type { ModelOptions } from '../../../src/attribution/models';
import { viewTouch, type Touch } from '../../../src/attribution/touches';
import { buildAttributionMessages } from '../../../src/segment/messages';
import { createClassifier } from '../../../src/source';

const classify = createClassifier();
const model: ModelOptions = {};
const EVENT = 'Source Identified';

const touch = (messageId: string, timestamp: string, url: string, anonymousId: string | null): Touch & { anonymousId: string | null } => ({
  ...viewTouch({ messageId, timestamp, url, referrer: '' }, classify),
  anonymousId,
});

const email = touch('p-1', '2026-05-01T10:00:00.000Z', 'https://acme.com/?utm_source=news&utm_medium=email', 'phone');
const search = touch('p-2', '2026-05-03T10:00:00.000Z', 'https://acme.com/?gclid=x', 'laptop');
const social = touch('p-3', '2026-05-07T10:00:00.000Z', 'https://acme.com/?utm_source=linkedin&utm_medium=social', null);

/** The track messageIds sent for a user with these touches, by the page view that made each touch. */
function trackIds(touches: (Touch & { anonymousId: string | null })[], options: Partial<ModelOptions> = {}): Map<string, string> {
  const messages = buildAttributionMessages({ kind: 'user', id: 'u-1' }, touches, {
    identify: false,
    track: true,
    eventName: EVENT,
    model: { ...model, ...options },
  });
  // One track per touch, in the touches' order.
  return new Map(messages.map((m, i) => [touches[i]?.messageId ?? '', m.messageId]));
}

describe('Source Identified messageIds', () => {
  it('keep one id per touch while later touches change which one is first or last', () => {
    // Act
    const early = trackIds([email]);
    const later = trackIds([email, search, social]);

    // Assess: email was first and last, now only first; its id stays
    expect(later.get('p-1')).toBe(early.get('p-1'));
    expect(new Set(later.values()).size).toBe(3);
  });

  it('are the same through the anonymous route as through the user route, under any model setting', () => {
    // Act
    const viaUser = trackIds([email, search]);
    const viaUserLastTouch = trackIds([email, search], { lastTouch: 'any', lookbackDays: 30 });
    const viaAnonymous = buildAttributionMessages({ kind: 'anonymous', id: 'phone' }, [email], {
      identify: false,
      track: true,
      eventName: EVENT,
      model,
    });

    // Assess
    expect(viaUserLastTouch).toEqual(viaUser);
    expect(viaAnonymous[0]?.messageId).toBe(viaUser.get('p-1'));
  });

  it('differ between visitors, and give an identify a new id when its traits change', () => {
    // Prepare: the same page view messageId seen under two visitors
    const other = { ...email, anonymousId: 'tablet' };
    const identify = (touches: Touch[]) =>
      buildAttributionMessages({ kind: 'user', id: 'u-1' }, touches, { identify: true, track: false, eventName: EVENT, model })[0]
        ?.messageId;

    // Act / Assess
    expect(trackIds([other]).get('p-1')).not.toBe(trackIds([email]).get('p-1'));
    expect(identify([email])).not.toBe(identify([email, search]));
    expect(identify([email, search])).toBe(identify([email, search]));
  });
});
