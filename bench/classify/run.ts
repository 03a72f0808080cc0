/**
 * Classifier benchmark. In one process, over the same fixed-seed corpus:
 *   baseline  referer-parser's `new Referer(referrer, url)`
 *   sma       the full classification (campaign, click ids, referrer, channel)
 *   floor     two bare `new URL()` parses per pair
 * and, in fresh child processes, the cold `require` of the classifier bundle
 * against referer-parser's, and the whole `sma classify --jsonl` process
 * against a plain JSON-lines loop over referer-parser (process.ts). Prints
 * the ratios; run with `npm run bench`.
 *
 * Targets (issue #2): sma ≤ 0.5× referer-parser, sma ≤ 2.5× the floor,
 * cold require ≤ 10 ms. Issue #29: the whole process ≤ 0.6× the loop.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { generateCorpus, type Pair } from './corpus';
import { compareProcesses } from './process';
import { median, targetLine } from '../stats';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Referer = require('referer-parser') as new (referrer: string, url?: string) => { medium: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { classifySource } = require(join(process.cwd(), 'dist', 'classifier.js')) as typeof import('../../src/source');

const PAIRS = Number(process.env.BENCH_PAIRS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const COLD_RUNS = 9;
const PROCESS_PAIRS = Number(process.env.BENCH_PROCESS_PAIRS ?? 200_000);
const PROCESS_ROUNDS = Number(process.env.BENCH_PROCESS_ROUNDS ?? 5);
let sink = 0;

const runs: Record<string, (pairs: Pair[]) => void> = {
  'referer-parser': (pairs) => {
    for (const p of pairs) {
      try {
        sink += new Referer(p.referrer, p.url).medium.length;
      } catch {
        sink += 1;
      }
    }
  },
  sma: (pairs) => {
    for (const p of pairs) sink += classifySource(p).channel.length;
  },
  floor: (pairs) => {
    for (const p of pairs) {
      try {
        sink += new URL(p.url).host.length;
      } catch {
        sink += 1;
      }
      try {
        sink += new URL(p.referrer).host.length;
      } catch {
        sink += 1;
      }
    }
  },
};

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Median time, in fresh Node processes, to require a module and then run `then` (a JS expression on `m`). */
function coldRequireMs(modulePath: string, then = ''): number {
  const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(modulePath)});${then};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: COLD_RUNS }, () => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })));
  return median(samples);
}

const pairs = generateCorpus(PAIRS);
// Warm up every contestant on the whole corpus so the JIT has settled.
for (const fn of Object.values(runs)) fn(pairs);
const samples: Record<string, number[]> = { 'referer-parser': [], sma: [], floor: [] };
for (let round = 0; round < ROUNDS; round++) {
  // Interleave so that machine noise hits every contestant alike.
  for (const [name, fn] of Object.entries(runs)) {
    (globalThis as { gc?: () => void }).gc?.();
    samples[name]?.push(timeMs(() => fn(pairs)));
  }
}
const t = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const rp = t['referer-parser'] ?? Number.NaN;
const sma = t.sma ?? Number.NaN;
const floor = t.floor ?? Number.NaN;

const coldSma = coldRequireMs(join(process.cwd(), 'dist', 'classifier.js'));
const coldRp = coldRequireMs(require.resolve('referer-parser'));
// The referrer tables are built on first use, so also time the first answer.
const firstVisit = JSON.stringify({ url: 'https://shop.example.co.uk/?utm_source=x', referrer: 'https://blog.example.co.uk/' });
const coldSmaFirst = coldRequireMs(join(process.cwd(), 'dist', 'classifier.js'), `m.classifySource(${firstVisit})`);
const coldRpFirst = coldRequireMs(
  require.resolve('referer-parser'),
  `new m('https://blog.example.co.uk/','https://shop.example.co.uk/?utm_source=x')`,
);

const whole = compareProcesses(generateCorpus(PROCESS_PAIRS), PROCESS_ROUNDS);

const fmt = (n: number): string => n.toFixed(2);
const ok = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
console.log(`classifier benchmark: ${PAIRS} pairs, median of ${ROUNDS} rounds, Node ${process.version}`);
console.log(`  referer-parser  ${fmt(rp)} ms  (${fmt((rp * 1e6) / PAIRS)} ns/pair)`);
console.log(`  sma             ${fmt(sma)} ms  (${fmt((sma * 1e6) / PAIRS)} ns/pair)`);
console.log(`  floor (2×URL)   ${fmt(floor)} ms  (${fmt((floor * 1e6) / PAIRS)} ns/pair)`);
console.log(`  cold require    sma ${fmt(coldSma)} ms, referer-parser ${fmt(coldRp)} ms (median of ${COLD_RUNS} fresh processes)`);
console.log(`  cold require + first classification   sma ${fmt(coldSmaFirst)} ms, referer-parser ${fmt(coldRpFirst)} ms`);
console.log(`  whole process, ${PROCESS_PAIRS} lines, median of ${PROCESS_ROUNDS} (wall / cpu):`);
console.log(`    sma classify --jsonl      ${whole.sma.wallMs.toFixed(0)} ms / ${whole.sma.cpuMs.toFixed(0)} ms`);
console.log(`    referer-parser loop       ${whole.loop.wallMs.toFixed(0)} ms / ${whole.loop.cpuMs.toFixed(0)} ms`);
console.log(`    start-up                  sma classify ${whole.smaStartMs.toFixed(0)} ms, node -e 0 ${whole.nodeStartMs.toFixed(0)} ms`);
console.log('ratios');
console.log(targetLine('sma / referer-parser', sma / rp, '≤', 0.5));
console.log(targetLine('sma / floor         ', sma / floor, '≤', 2.5));
console.log(
  `  cold require          ${fmt(coldSma)} ms (${fmt(coldSma / coldRp)}× referer-parser's)   target ≤ 10 ms   ${ok(coldSma <= 10)}`,
);
console.log(
  `  … + first answer      ${fmt(coldSmaFirst)} ms (${fmt(coldSmaFirst / coldRpFirst)}× referer-parser's)   informational: includes loading tldts for a same-site check`,
);
console.log(targetLine('whole process / loop (wall)', whole.sma.wallMs / whole.loop.wallMs, '≤', 0.6));
console.log(
  `  whole process / loop (cpu)   ${fmt(whole.sma.cpuMs / whole.loop.cpuMs)}×   informational: less disturbed by other work on the machine`,
);
if (sink === 42) console.log('');
