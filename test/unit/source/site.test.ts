import { createClassifier } from '../../../src/source';
import { DEFAULT_IGNORED_REFERRERS, HostList, isSameSite, registrableDomain } from '../../../src/source/site';

describe('HostList', () => {
  it('matches a host entry and its subdomains, and returns the entry', () => {
    // Prepare
    const list = new HostList(['paypal.com']);

    // Act / Assess
    expect(list.match('paypal.com', '/')).toBe('paypal.com');
    expect(list.match('www.paypal.com', '/checkout')).toBe('paypal.com');
    expect(list.match('a.b.paypal.com', '')).toBe('paypal.com');
  });

  it.each([['notpaypal.com'], ['paypal.com.evil.net'], ['paypal.co'], ['com']])('does not match %s against paypal.com', (host) => {
    // Prepare
    const list = new HostList(['paypal.com']);

    // Act / Assess
    expect(list.match(host, '/')).toBeUndefined();
  });

  it('does not match the parent or a sibling of a subdomain entry', () => {
    // Prepare
    const list = new HostList(['shop.example.com']);

    // Act / Assess
    expect(list.match('shop.example.com', '/')).toBe('shop.example.com');
    expect(list.match('example.com', '/')).toBeUndefined();
    expect(list.match('blog.example.com', '/')).toBeUndefined();
  });

  it('ignores case, whitespace, a scheme, a leading www. or *. in entries, and skips empty ones', () => {
    // Prepare
    const list = new HostList(['  HTTPS://WWW.Example.com ', '*.cdn.net', '', '   ']);

    // Act / Assess
    expect(list.size).toBe(2);
    expect(list.match('example.com', '/')).toBe('example.com');
    expect(list.match('blog.example.com', '/')).toBe('example.com');
    expect(list.match('cdn.net', '/')).toBe('cdn.net');
    expect(list.match('img.cdn.net', '/')).toBe('cdn.net');
  });

  it('matches a host/path entry only under that path, in any case', () => {
    // Prepare
    const list = new HostList(['github.com/login', 'github.com/Sessions']);

    // Act / Assess
    expect(list.size).toBe(1);
    expect(list.match('github.com', '/login/oauth/authorize')).toBe('github.com/login');
    expect(list.match('github.com', '/LOGIN')).toBe('github.com/login');
    expect(list.match('github.com', '/sessions/two-factor')).toBe('github.com/sessions');
    expect(list.match('github.com', '/segmentio/sma')).toBeUndefined();
    expect(list.match('github.com', '')).toBeUndefined();
  });

  it('matches nothing when empty, and no empty host', () => {
    // Act / Assess
    expect(new HostList([]).match('example.com', '/')).toBeUndefined();
    expect(new HostList(['example.com']).match('', '/')).toBeUndefined();
  });

  // Suspected bug: a path prefix matches inside a path segment, so the default
  // entry `github.com/login` also ignores referrals from GitHub repositories of
  // an organisation whose name starts with "login" (github.com/LoginRadius/…):
  // those visits are dropped as "not a touch".
  it.failing('matches a path prefix only at a segment boundary', () => {
    // Prepare
    const list = new HostList(['github.com/login']);

    // Act / Assess
    expect(list.match('github.com', '/loginradius/sdk')).toBeUndefined();
  });
});

describe('DEFAULT_IGNORED_REFERRERS', () => {
  const ignored = new HostList(DEFAULT_IGNORED_REFERRERS);

  it('cannot be changed at run time', () => {
    // Act / Assess
    expect(Object.isFrozen(DEFAULT_IGNORED_REFERRERS)).toBe(true);
  });

  it.each([
    ['checkout.stripe.com', '/c/pay/cs_live_1', 'checkout.stripe.com'],
    ['www.paypal.com', '/checkoutnow', 'paypal.com'],
    ['www.sandbox.paypal.com', '/', 'paypal.com'],
    ['accounts.google.com', '/o/oauth2/auth', 'accounts.google.com'],
    ['login.microsoftonline.com', '/common/oauth2', 'login.microsoftonline.com'],
    ['github.com', '/login/oauth/authorize', 'github.com/login'],
    ['www.facebook.com', '/dialog/oauth', 'facebook.com/dialog/oauth'],
    ['acme.okta.com', '/app/x', 'okta.com'],
    ['acme.auth.eu-west-1.amazoncognito.com', '/login', 'amazoncognito.com'],
  ])('ignores a referrer from %s%s (entry %s)', (host, path, entry) => {
    // Act / Assess
    expect(ignored.match(host, path)).toBe(entry);
  });

  it.each([
    ['stripe.com', '/'],
    ['www.google.com', '/'],
    ['mail.google.com', '/'],
    ['github.com', '/segmentio/sma'],
    ['www.facebook.com', '/groups/x'],
    ['www.linkedin.com', '/feed/'],
  ])('keeps a referrer from %s%s', (host, path) => {
    // Act / Assess
    expect(ignored.match(host, path)).toBeUndefined();
  });
});

describe('registrableDomain', () => {
  it.each([
    ['www.example.com', 'example.com'],
    ['example.com', 'example.com'],
    ['shop.example.co.uk', 'example.co.uk'],
    ['a.b.c.example.com.au', 'example.com.au'],
    ['alice.github.io', 'alice.github.io'],
    ['co.uk', null],
    ['com', null],
    ['localhost', null],
    ['192.168.0.1', null],
  ])('gives %s the registrable domain %p', (host, domain) => {
    // Act / Assess
    expect(registrableDomain(host)).toBe(domain);
    expect(registrableDomain(host)).toBe(domain);
  });
});

describe('isSameSite', () => {
  it.each([
    ['www.example.com', 'www.example.com'],
    ['www.example.com', 'example.com'],
    ['blog.example.com', 'shop.example.com'],
    ['shop.example.co.uk', 'www.example.co.uk'],
    ['localhost', 'localhost'],
  ])('says %s and %s are one site', (a, b) => {
    // Act / Assess
    expect(isSameSite(a, b)).toBe(true);
    expect(isSameSite(b, a)).toBe(true);
  });

  it.each([
    ['example.com', 'example.org'],
    ['example.com', 'notexample.com'],
    ['example.co.uk', 'other.co.uk'],
    ['alice.github.io', 'bob.github.io'],
    ['app.herokuapp.com', 'evil.herokuapp.com'],
    ['10.0.1.1', '192.168.1.1'],
    ['example.com', ''],
  ])('says %s and %p are different sites', (a, b) => {
    // Act / Assess
    expect(isSameSite(a, b)).toBe(false);
    expect(isSameSite(b, a)).toBe(false);
  });
});

describe('own domains in a classification', () => {
  const PAGE = 'https://www.example.com/pricing';

  it('does not count a referrer from another subdomain of the page as a touch', () => {
    // Act
    const c = createClassifier()({ url: PAGE, referrer: 'https://blog.example.com/post' });

    // Assess
    expect(c).toMatchObject({ touch: false, channel: 'Direct', source: '(direct)', referrer_host: 'blog.example.com' });
    expect(c.reason).toBe('referrer blog.example.com is the same site as the page (www.example.com) → not a touch');
  });

  it('counts a separate domain of the same business as a referral by default', () => {
    // Act
    const c = createClassifier()({ url: PAGE, referrer: 'https://pay.example-checkout.com/cart' });

    // Assess
    expect(c).toMatchObject({ touch: true, channel: 'Referral', source: 'pay.example-checkout.com' });
  });

  it('treats an own domain and its subdomains as internal', () => {
    // Prepare
    const classify = createClassifier({ ownDomains: ['example-checkout.com'] });

    // Act
    const sub = classify({ url: PAGE, referrer: 'https://pay.example-checkout.com/cart' });
    const apex = classify({ url: PAGE, referrer: 'https://example-checkout.com/' });

    // Assess
    expect(sub).toMatchObject({ touch: false, channel: 'Direct', referrer_host: 'pay.example-checkout.com' });
    expect(sub.reason).toBe('referrer pay.example-checkout.com is an own domain (example-checkout.com) → not a touch');
    expect(apex.touch).toBe(false);
  });

  it('treats only the given path of an own domain entry with a path as internal', () => {
    // Prepare
    const classify = createClassifier({ ownDomains: ['https://www.partner.com/shop/'] });

    // Act
    const shop = classify({ url: PAGE, referrer: 'https://partner.com/Shop/cart' });
    const blog = classify({ url: PAGE, referrer: 'https://partner.com/blog' });

    // Assess
    expect(shop).toMatchObject({ touch: false, reason: 'referrer partner.com is an own domain (partner.com/shop/) → not a touch' });
    expect(blog).toMatchObject({ touch: true, channel: 'Referral', source: 'partner.com' });
  });

  it('lets campaign parameters outrank an own-domain referrer', () => {
    // Prepare
    const classify = createClassifier({ ownDomains: ['example-checkout.com'] });

    // Act
    const c = classify({ url: `${PAGE}?utm_source=newsletter&utm_medium=email`, referrer: 'https://pay.example-checkout.com/' });

    // Assess
    expect(c).toMatchObject({ touch: true, channel: 'Email', source: 'newsletter', medium: 'email' });
  });

  it('does not treat another site on a shared hosting suffix as the same site', () => {
    // Act
    const c = createClassifier()({ url: 'https://alice.github.io/', referrer: 'https://bob.github.io/' });

    // Assess
    expect(c).toMatchObject({ touch: true, channel: 'Referral', source: 'bob.github.io' });
  });

  it('ignores the default payment and sign-in referrers, and replaces them when given its own list', () => {
    // Prepare
    const referrer = 'https://checkout.stripe.com/c/pay/cs_live_1';

    // Act
    const byDefault = createClassifier()({ url: PAGE, referrer });
    const custom = createClassifier({ ignoredReferrers: ['sso.example.net'] });

    // Assess
    expect(byDefault).toMatchObject({
      touch: false,
      reason: 'referrer checkout.stripe.com is ignored (checkout.stripe.com) → not a touch',
    });
    expect(custom({ url: PAGE, referrer }).touch).toBe(true);
    expect(custom({ url: PAGE, referrer: 'https://sso.example.net/login' }).touch).toBe(false);
  });
});
