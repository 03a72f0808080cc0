import { anonymousIdOf, anonymousKey, userIdOf, userKey, visitorKeyOf } from '../../../src/attribution/visitor-key';

describe('visitor keys', () => {
  it('name a visitor by its anonymous id, or by its user id when the event had none', () => {
    expect(visitorKeyOf({ anonymousId: 'a-1', userId: 'u-1' })).toBe('anon#a-1');
    expect(visitorKeyOf({ userId: 'u-1' })).toBe('user#u-1');
    expect(visitorKeyOf({ anonymousId: '' })).toBe('anon#');
  });

  it('give back the id a key names, and nothing for the other kind', () => {
    expect([anonymousIdOf(anonymousKey('a#1')), userIdOf(anonymousKey('a#1'))]).toEqual(['a#1', undefined]);
    expect([userIdOf(userKey('user#2')), anonymousIdOf(userKey('user#2'))]).toEqual(['user#2', undefined]);
    expect([anonymousIdOf('visitor#anon#x'), userIdOf('x')]).toEqual([undefined, undefined]);
  });
});
