/** Touches for unit tests of the pure rules: every field set, any of them overridable. */
import type { Touch } from '../../src/attribution/touches';
import type { Channel } from '../../src/source';

/** A referral touch (direct for the Direct channel) at `timestamp`. */
export function testTouch(timestamp: string, channel: Channel, source: string, extra: Partial<Touch> = {}): Touch {
  return {
    touch: true,
    channel,
    source,
    medium: channel === 'Direct' ? '(none)' : 'referral',
    campaign: null,
    content: null,
    term: null,
    campaign_id: null,
    click_id: null,
    referrer_host: null,
    reason: 'test',
    messageId: `m-${timestamp}-${source}`,
    timestamp,
    landing_page: 'https://www.example.com/',
    referrer: null,
    rule: 'referrer',
    ...extra,
  };
}
