/**
 * Segment feed benchmark: build and send the Source Identified events for
 * 10,000 users with 5 touches each (50,000 messages) to the local capture
 * server that plays Segment's API.
 *
 * Targets (issue #4):
 * - requests ≤ the minimum the size limits allow, plus 1%. The minimum is
 *   max(⌈messages / 2,500⌉, ⌈bytes of all messages and their commas /
 *   the body room of one request⌉): no packing can do better.
 * - throughput, reported as messages/s.
 */
import { Buffer } from 'node:buffer';
import type { Touch } from '../../src/attribution/touches';
import { ENVELOPE_BYTES, MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, SegmentBatchClient } from '../../src/segment/batch-client';
import { buildTrackMessages } from '../../src/segment/messages';
import { createClassifier } from '../../src/source';
import { seededRandom } from '../../test/helpers/random';
import { startSegmentCapture } from '../../src/local/capture-server';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const TOUCHES = 5;
const WRITE_KEY = 'bench';

const VISITS = [
  { url: 'https://www.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=Cj0KCQ', referrer: 'https://www.google.com/' },
  { url: 'https://www.example.com/pricing', referrer: 'https://www.google.com/search?q=attribution' },
  { url: 'https://www.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=weekly', referrer: '' },
  { url: 'https://www.example.com/blog/post', referrer: 'https://www.linkedin.com/feed/' },
  { url: 'https://www.example.com/', referrer: 'https://chatgpt.com/' },
];

function touchesOf(user: number, random: () => number): Touch[] {
  const classify = createClassifier();
  const t0 = Date.parse('2025-01-01T00:00:00Z') + Math.floor(random() * 300) * 86_400_000;
  return Array.from({ length: TOUCHES }, (_, i) => {
    const visit = VISITS[(user + i) % VISITS.length] ?? VISITS[0]!;
    return {
      ...classify(visit),
      messageId: `ajs-${user}-${i}`,
      timestamp: new Date(t0 + i * 3 * 86_400_000).toISOString(),
      landing_page: visit.url,
      referrer: visit.referrer || null,
      rule: 'referrer' as const,
    };
  });
}

async function main(): Promise<void> {
  const capture = await startSegmentCapture(WRITE_KEY);
  try {
    const random = seededRandom(7);
    const client = new SegmentBatchClient({ writeKey: WRITE_KEY, host: capture.url });
    const start = process.hrtime.bigint();
    const messages = Array.from({ length: USERS }, (_, u) => {
      const touches = touchesOf(u, random);
      return buildTrackMessages({ userId: `user-${u}` }, touches, 'Source Identified', touches[0], touches[TOUCHES - 1]);
    }).flat();
    const result = await client.send(messages);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;

    const payloadBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)), 0) + (messages.length - 1);
    const minimum = Math.max(Math.ceil(messages.length / MAX_BATCH_MESSAGES), Math.ceil(payloadBytes / (MAX_BATCH_BYTES - ENVELOPE_BYTES)));
    const unique = new Set(capture.messages.map((m) => m.messageId)).size;
    console.log(
      `segment benchmark: ${USERS} users × ${TOUCHES} touches = ${messages.length} Source Identified messages, to a local capture server; Node ${process.version}`,
    );
    console.log(
      `  received by the capture server: ${capture.messages.length} (${unique} distinct messageIds), failures: ${result.failures.length}`,
    );
    console.log(
      `  requests: ${result.requests} (minimum the limits allow: ${minimum}; payload ${(payloadBytes / 1e6).toFixed(2)} MB, largest request ${Math.max(...capture.requests.map((r) => r.bytes))} bytes)`,
    );
    console.log(`  throughput: ${(messages.length / seconds).toFixed(0)} messages/s (${seconds.toFixed(2)} s, building included)`);
    console.log('targets');
    console.log(
      `  requests / minimum  ${(result.requests / minimum).toFixed(3)}   target ≤ 1.01   ${result.requests <= minimum * 1.01 ? 'PASS' : 'FAIL'}`,
    );
    if (capture.messages.length !== messages.length || unique !== messages.length) throw new Error('messages lost or duplicated');
  } finally {
    await capture.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
