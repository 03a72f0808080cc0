import { lookupReferrer, lookupSourceDomain } from '../../../src/source/referrer-db';

describe('lookupReferrer', () => {
  it.each([
    ['www.google.com.br', '/search', 'Google'],
    ['google.co.jp', '/', 'Google'],
    ['yandex.com.tr', '/search/', 'Yandex'],
    ['br.pinterest.com', '/pin/1/', 'Pinterest'],
    ['www.pinterest.co.uk', '/', 'Pinterest'],
    ['www.bing.com', '/chat', 'Copilot'],
    ['bing.com', '/chat/', 'Copilot'],
    ['www.bing.com', '/chatter', 'Bing'],
    ['x.safeframe.googlesyndication.com', '/', 'Google Ads'],
    ['suche.gmx.net', '/web', 'GMX'],
    ['deref-gmx.co.uk', '/mail/client/a/dereferrer/', 'GMX Mail'],
  ])('finds %s%s as %s', (host, path, name) => {
    // Act / Assess
    expect(lookupReferrer(host, path)?.name).toBe(name);
  });

  it.each([
    ['google.example.org', 'a name.* entry needs a country suffix after the name'],
    ['google.travel', 'a generic top-level domain is not a country suffix'],
    ['notgoogle.de', 'labels match whole'],
    ['google.com.evil.org', 'look-alike hosts are not the network'],
  ])('does not take %s for a network (%s)', (host) => {
    // Act / Assess
    expect(lookupReferrer(host, '/')).toBeUndefined();
  });

  it('marks ad servers and search-partner ads as paid', () => {
    // Act / Assess
    expect(lookupReferrer('ad.doubleclick.net', '/')?.paid).toBe(true);
    expect(lookupReferrer('syndicatedsearch.goog', '/')?.paid).toBe(true);
    expect(lookupReferrer('www.google.com', '/')?.paid).toBe(false);
  });
});

describe('lookupSourceDomain', () => {
  it.each([
    ['chatgpt.com', 'chatgpt'],
    ['chatgpt.com.', 'chatgpt'],
    ['www.chatgpt.com', 'chatgpt'],
    ['t.co', 'twitter'],
    ['x.com', 'twitter'],
    ['l.facebook.com', 'facebook'],
    ['www.google.de..', 'google'],
    ['perplexity.ai', 'perplexity'],
  ])('names the network of the domain %s: %s', (written, source) => {
    // Act / Assess
    expect(lookupSourceDomain(written)?.source).toBe(source);
  });

  it.each([
    ['facebook', 'not a domain'],
    ['partner.example.org', 'not a known network'],
    ['support.google.com', 'a known site without a medium'],
    ['googlesyndication.com', 'an ad server'],
    ['face book.com', 'not a host name'],
    ['.', 'only dots'],
  ])('leaves %s as written (%s)', (written) => {
    // Act / Assess
    expect(lookupSourceDomain(written)).toBeUndefined();
  });
});
