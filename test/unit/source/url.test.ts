import { decodeValue, MAX_FIELD_LENGTH, scanQuery, splitUrl } from '../../../src/source/url';

describe('splitUrl', () => {
  it.each([
    ['https://User:pw@WWW.Example.COM:8080/a/b?x=1#frag', { scheme: 'https', host: 'www.example.com', path: '/a/b', query: 'x=1' }],
    ['android-app://com.google.android.gm/', { scheme: 'android-app', host: 'com.google.android.gm', path: '/', query: '' }],
    // A custom scheme of four or five letters is its own, not http(s).
    ['myapp://home?utm_source=x', { scheme: 'myapp', host: 'home', path: '', query: 'utm_source=x' }],
    ['acme://home', { scheme: 'acme', host: 'home', path: '', query: '' }],
    ['HTTPS://Example.com/', { scheme: 'https', host: 'example.com', path: '/', query: '' }],
    ['//cdn.example.com/x?y', { scheme: '', host: 'cdn.example.com', path: '/x', query: 'y' }],
    ['example.com/path?q=1', { scheme: '', host: 'example.com', path: '/path', query: 'q=1' }],
    ['/pricing?utm_source=x', { scheme: '', host: '', path: '/pricing', query: 'utm_source=x' }],
    ['javascript:alert(1)', { scheme: 'javascript', host: '', path: '', query: '' }],
    ['https://example.com.', { scheme: 'https', host: 'example.com', path: '', query: '' }],
    ['https://example.com\\evil', { scheme: 'https', host: 'example.com', path: '\\evil', query: '' }],
  ])('splits %s', (input, expected) => {
    // Act
    const parts = splitUrl(input);

    // Assess
    expect(parts).toEqual(expected);
  });

  it.each([[''], ['   '], [undefined], [null], [42], [{}]])('returns undefined for %p', (input) => {
    // Act / Assess
    expect(splitUrl(input)).toBeUndefined();
  });
});

describe('scanQuery', () => {
  it('visits every pair with lowercase keys and raw values, and stops when asked', () => {
    // Prepare
    const seen: [string, string][] = [];

    // Act
    scanQuery('A=1&&b&C=x%20y&stop=1&after=2', (k, v) => {
      seen.push([k, v]);
      return k === 'stop';
    });

    // Assess
    expect(seen).toEqual([
      ['a', '1'],
      ['b', ''],
      ['c', 'x%20y'],
      ['stop', '1'],
    ]);
  });
});

describe('decodeValue', () => {
  it.each([
    ['red+shoes', 'red shoes'],
    ['%E2%9C%93', '✓'],
    ['100%', '100%'],
    ['%E0%A4%A', '%E0%A4%A'],
    ['ok%20%FF', 'ok %FF'],
    ['a%00b%0Ac', 'ab c'],
    ['gateway%09oracle%0D%0Acards', 'gateway oracle cards'],
    ['  padded  ', 'padded'],
    ['', null],
    ['+', null],
  ])('decodes %p to %p without throwing', (raw, expected) => {
    // Act / Assess
    expect(decodeValue(raw)).toBe(expected);
  });

  it('caps values at the field limit', () => {
    // Act
    const value = decodeValue('x'.repeat(MAX_FIELD_LENGTH * 4));

    // Assess
    expect(value).toHaveLength(MAX_FIELD_LENGTH);
  });
});
