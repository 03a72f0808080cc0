import { decideChannel } from '../../../src/source/channel';
import { CHANNELS, type Channel, type SourceCategory } from '../../../src/source/types';

type Case = [source: string, medium: string, category: SourceCategory | undefined, campaign: string | null, channel: Channel];

const channelOf = (source: string, medium: string, category: SourceCategory | undefined, campaign: string | null): Channel =>
  decideChannel({ source, medium, campaign, category }).channel;

const DIRECT: Case[] = [
  ['(direct)', '(none)', undefined, null, 'Direct'],
  ['(direct)', '(not set)', undefined, null, 'Direct'],
];

const CROSS_NETWORK: Case[] = [
  ['google', 'cpc', 'search', 'PMax Cross-Network Q3', 'Cross-network'],
  ['(direct)', 'cpc', undefined, 'cross-network-retargeting', 'Cross-network'],
];

const PAID: Case[] = [
  ['google', 'cpc', 'search', null, 'Paid Search'],
  ['bing', 'ppc', 'search', null, 'Paid Search'],
  ['google', 'CPC', 'search', null, 'Paid Search'],
  ['google', 'cpm', 'search', null, 'Paid Search'],
  ['facebook', 'paid-social', 'social', null, 'Paid Social'],
  ['linkedin', 'retargeting', 'social', null, 'Paid Social'],
  ['youtube', 'cpv', 'video', null, 'Paid Video'],
  ['amazon', 'cpc', 'shopping', null, 'Paid Shopping'],
  ['google', 'cpc', 'search', 'summer_shopping', 'Paid Shopping'],
  ['google', 'cpc', 'search', 'eshop-launch', 'Paid Shopping'],
  ['newsletter', 'cpa', undefined, null, 'Paid Other'],
  ['criteo', 'cpc', undefined, null, 'Paid Other'],
  ['chatgpt.com', 'cpc', 'ai', null, 'Paid Other'],
  ['gmail', 'cpc', 'email', null, 'Paid Other'],
  ['support.google.com', 'paid', 'unknown', null, 'Paid Other'],
];

const DISPLAY: Case[] = [
  ['dv360', 'display', undefined, null, 'Display'],
  ['dv360', 'banner', undefined, null, 'Display'],
  ['dv360', 'expandable', undefined, null, 'Display'],
  ['dv360', 'interstitial', undefined, null, 'Display'],
  ['google', 'cpm', undefined, null, 'Display'],
  ['facebook', 'display', 'social', null, 'Display'],
  // An ad server as the referrer: a click on a display ad it served.
  ['google', 'cpc', 'ads', null, 'Display'],
  ['criteo', 'cpc', 'ads', null, 'Display'],
];

const AI: Case[] = [
  ['chatgpt.com', 'referral', 'ai', null, 'AI Assistant'],
  ['perplexity', 'social', 'ai', null, 'AI Assistant'],
  ['claude', 'email', 'ai', null, 'AI Assistant'],
];

const ORGANIC: Case[] = [
  ['amazon', 'referral', 'shopping', null, 'Organic Shopping'],
  ['partner.com', 'referral', undefined, 'black-friday-shop', 'Organic Shopping'],
  ['facebook', 'social', 'social', null, 'Organic Social'],
  ['facebook', 'email', 'social', null, 'Organic Social'],
  ['partner', 'social-media', undefined, null, 'Organic Social'],
  ['partner', 'sm', undefined, null, 'Organic Social'],
  ['youtube', 'referral', 'video', null, 'Organic Video'],
  ['partner', 'product-video', undefined, null, 'Organic Video'],
  ['google', 'organic', 'search', null, 'Organic Search'],
  ['duckduckgo', 'referral', 'search', null, 'Organic Search'],
  ['partner', 'organic', undefined, null, 'Organic Search'],
];

const REFERRAL: Case[] = [
  ['partner.com', 'referral', undefined, null, 'Referral'],
  ['partner', 'app', undefined, null, 'Referral'],
  ['partner', 'link', undefined, null, 'Referral'],
  ['support.google.com', 'referral', 'unknown', null, 'Referral'],
  ['gmail', 'referral', 'email', null, 'Referral'],
  ['partner.com', 'referral', undefined, 'workshop-2024', 'Referral'],
  ['newsletter', 'referral', undefined, null, 'Referral'],
];

const EMAIL: Case[] = [
  ['email', '(not set)', undefined, null, 'Email'],
  ['e-mail', '(not set)', undefined, null, 'Email'],
  ['e_mail', '(not set)', undefined, null, 'Email'],
  ['e mail', '(not set)', undefined, null, 'Email'],
  ['newsletter', 'email', undefined, null, 'Email'],
  ['newsletter', 'e-mail', undefined, null, 'Email'],
  ['gmail', '(not set)', 'email', null, 'Email'],
  // sma's addition: a source naming a newsletter, when no medium decides.
  ['newsletter', '(not set)', undefined, null, 'Email'],
  ['weekly_newsletter', '(not set)', undefined, null, 'Email'],
  ['newsletters-de', '(none)', undefined, null, 'Email'],
];

const OTHER: Case[] = [
  ['impact', 'affiliate', undefined, null, 'Affiliates'],
  ['spotify-ads', 'audio', undefined, null, 'Audio'],
  ['sms', '(not set)', undefined, null, 'SMS'],
  ['twilio', 'sms', undefined, null, 'SMS'],
  ['onesignal', 'web-push', undefined, null, 'Mobile Push Notifications'],
  ['braze', 'mobile', undefined, null, 'Mobile Push Notifications'],
  ['braze', 'in-app-notification', undefined, null, 'Mobile Push Notifications'],
  ['firebase', '(not set)', undefined, null, 'Mobile Push Notifications'],
];

const UNASSIGNED: Case[] = [
  ['partner-portal', '(not set)', undefined, null, 'Unassigned'],
  ['newslettering', '(not set)', undefined, null, 'Unassigned'],
  ['partner', '(none)', undefined, null, 'Unassigned'],
  ['support.google.com', '(not set)', 'unknown', null, 'Unassigned'],
  ['(direct)', 'qr-code', undefined, null, 'Unassigned'],
];

describe('decideChannel', () => {
  it.each(DIRECT)('calls %s / %s Direct', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(CROSS_NETWORK)(
    'puts %s / %s with campaign %p in Cross-network, before the paid rules',
    (source, medium, category, campaign, channel) => {
      // Act / Assess
      expect(channelOf(source, medium, category, campaign)).toBe(channel);
    },
  );

  it.each(PAID)('files paid %s / %s (a %s source, campaign %p) under %s', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(DISPLAY)('files %s / %s (a %s source) under Display', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(AI)(
    'files an unpaid visit from the AI assistant %s (medium %s) under AI Assistant',
    (source, medium, category, campaign, channel) => {
      // Act / Assess
      expect(channelOf(source, medium, category, campaign)).toBe(channel);
    },
  );

  it.each(ORGANIC)('files unpaid %s / %s (a %s source, campaign %p) under %s', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(REFERRAL)('files %s / %s (a %s source, campaign %p) under Referral', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(EMAIL)('files %s / %s (a %s source) under Email', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(OTHER)('files %s / %s under %s', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it.each(UNASSIGNED)('leaves %s / %s (a %s source) Unassigned', (source, medium, category, campaign, channel) => {
    // Act / Assess
    expect(channelOf(source, medium, category, campaign)).toBe(channel);
  });

  it('reaches every channel sma reports', () => {
    // Prepare
    const cases = [...DIRECT, ...CROSS_NETWORK, ...PAID, ...DISPLAY, ...AI, ...ORGANIC, ...REFERRAL, ...EMAIL, ...OTHER, ...UNASSIGNED];

    // Act
    const reached = new Set(cases.map(([source, medium, category, campaign]) => channelOf(source, medium, category, campaign)));

    // Assess
    expect([...reached].sort()).toEqual([...CHANNELS].sort());
  });

  it('says why in words, naming the medium as the caller labels it', () => {
    // Act
    const decision = decideChannel({ source: 'facebook', medium: 'cpc', campaign: null, category: 'social', mediumLabel: 'utm_medium' });

    // Assess
    expect(decision).toEqual({ channel: 'Paid Social', why: 'utm_medium "cpc" is paid; source "facebook" is social → Paid Social' });
  });

  it.each<[string, Parameters<typeof decideChannel>[0], string]>([
    ['Direct', { source: '(direct)', medium: '(none)', campaign: null, category: undefined }, 'no referrer and no campaign → Direct'],
    [
      'Cross-network',
      { source: 'google', medium: 'cpc', campaign: 'pmax-cross-network', category: 'search' },
      'campaign "pmax-cross-network" contains "cross-network" → Cross-network',
    ],
    [
      'Paid Shopping by campaign',
      { source: 'google', medium: 'cpc', campaign: 'shopping-q4', category: 'search' },
      'medium "cpc" is paid; campaign "shopping-q4" is shopping → Paid Shopping',
    ],
    [
      'Paid Other',
      { source: 'newsletter', medium: 'ppc', campaign: null, category: undefined },
      'medium "ppc" is paid; source "newsletter" is in no source list → Paid Other',
    ],
    ['Display', { source: 'dv360', medium: 'banner', campaign: null, category: undefined }, 'medium "banner" is display → Display'],
    [
      'AI Assistant',
      { source: 'chatgpt.com', medium: 'referral', campaign: null, category: 'ai' },
      'source "chatgpt.com" is an AI assistant → AI Assistant',
    ],
    [
      'Organic Search',
      { source: 'google', medium: 'organic', campaign: null, category: 'search' },
      'source "google" is a search engine → Organic Search',
    ],
    ['Email by source', { source: 'email', medium: '(not set)', campaign: null, category: undefined }, 'source "email" is email → Email'],
    ['Email by webmail', { source: 'gmail', medium: '(not set)', campaign: null, category: 'email' }, 'source "gmail" is webmail → Email'],
    [
      'Email by newsletter',
      { source: 'newsletter-uk', medium: '(not set)', campaign: null, category: undefined },
      'source "newsletter-uk" names a newsletter → Email',
    ],
    [
      'Display by ad server',
      { source: 'google', medium: 'cpc', campaign: null, category: 'ads' },
      'medium "cpc" is paid; source "google" is an ad server → Display',
    ],
    [
      'Mobile Push by source',
      { source: 'firebase', medium: '(not set)', campaign: null, category: undefined },
      'source "firebase" is push → Mobile Push Notifications',
    ],
    [
      'Unassigned',
      { source: 'partner-portal', medium: '(not set)', campaign: null, category: undefined },
      'source "partner-portal" and medium "(not set)" match no channel rule → Unassigned',
    ],
  ])('explains %s', (_name, input, why) => {
    // Act / Assess
    expect(decideChannel(input).why).toBe(why);
  });
});
