/**
 * Conformance report: how sma's classifier agrees with other classifiers'
 * published test vectors (Snowplow referer-parser, segmentio/inbound, dbt-ga4,
 * PostHog, Plausible, Matomo, sourcebuster), read from ../shared/peers/.
 *
 * The peers' conventions differ from sma's and from each other's, so this is a
 * report, not a pass/fail test. It prints agreement per suite and per field,
 * the headline figures of issue #29, and every difference under the reason
 * that explains it (test/conformance/differences.ts); a difference no rule
 * explains is listed as unexplained and makes the exit code 1. The vectors
 * are evaluation data and are never copied into this repository; set
 * SMA_PEERS_DIR to read them from elsewhere.
 *
 *   npm run conformance [-- --suite NAME]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classifySource } from '../../src/source';
import { REFERRER_DATA } from '../../src/source/referrer-db';
import { CHECKS, smaValue, type PeerCase } from './checks';
import { explain, type Difference, type DifferenceRule } from './differences';

interface Tally {
  agree: number;
  compared: number;
}

interface SuiteResult {
  suite: string;
  cases: number;
  total: Tally;
  perField: Record<string, Tally>;
  differences: Difference[];
}

/**
 * The figures issue #29 tracks: one field per suite (Snowplow's current
 * suite by coarse medium, the channel suites by channel), and their sum.
 */
const HEADLINE: readonly { suite: string; field: string; label: string }[] = [
  { suite: 'snowplow-referer-tests', field: 'peer_medium', label: "Snowplow referer-parser's current suite, coarse medium" },
  { suite: 'dbt-ga4-channel', field: 'channel', label: 'dbt-ga4' },
  { suite: 'posthog-channel-type', field: 'channel', label: 'PostHog' },
  { suite: 'plausible-channel', field: 'channel', label: 'Plausible' },
];

const pct = (t: Tally): string => (t.compared === 0 ? 'n/a' : `${((100 * t.agree) / t.compared).toFixed(1)}%`);

function readSuite(dir: string, file: string): PeerCase[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PeerCase);
}

function runSuite(suite: string, cases: readonly PeerCase[]): SuiteResult {
  const result: SuiteResult = { suite, cases: cases.length, total: { agree: 0, compared: 0 }, perField: {}, differences: [] };
  for (const c of cases) {
    const r = classifySource({ url: c.url, referrer: c.referrer });
    for (const [field, peer] of Object.entries(c.expect)) {
      const verdict = CHECKS[field]?.(peer, r, c) ?? 'n/a';
      if (verdict === 'n/a') continue;
      const tally = (result.perField[field] ??= { agree: 0, compared: 0 });
      tally.compared += 1;
      result.total.compared += 1;
      if (verdict) {
        tally.agree += 1;
        result.total.agree += 1;
      } else {
        result.differences.push({ c, field, peer, r });
      }
    }
  }
  return result;
}

function printSuites(results: readonly SuiteResult[]): void {
  console.log(`${'suite'.padEnd(34)} ${'cases'.padStart(5)}  ${'agree'.padStart(12)}  per field`);
  for (const s of results) {
    const fields = Object.entries(s.perField)
      .map(([k, v]) => `${k.replace('peer_', '')} ${v.agree}/${v.compared}`)
      .join(', ');
    console.log(
      `${s.suite.padEnd(34)} ${String(s.cases).padStart(5)}  ${`${s.total.agree}/${s.total.compared}`.padStart(8)} ${pct(s.total).padStart(6)}  ${fields}`,
    );
  }
  const all = results.reduce((t, s) => ({ agree: t.agree + s.total.agree, compared: t.compared + s.total.compared }), {
    agree: 0,
    compared: 0,
  });
  console.log(
    `${'all suites, every field'.padEnd(34)} ${''.padStart(5)}  ${`${all.agree}/${all.compared}`.padStart(8)} ${pct(all).padStart(6)}`,
  );
}

function printHeadline(results: readonly SuiteResult[]): void {
  const sum: Tally = { agree: 0, compared: 0 };
  const rows: string[] = [];
  for (const h of HEADLINE) {
    const t = results.find((s) => s.suite === h.suite)?.perField[h.field];
    if (!t) continue;
    sum.agree += t.agree;
    sum.compared += t.compared;
    rows.push(`  ${h.label.padEnd(58)} ${`${t.agree}/${t.compared}`.padStart(8)} ${pct(t).padStart(6)}`);
  }
  if (rows.length === 0) return;
  console.log('\nheadline (issue #29)');
  console.log(rows.join('\n'));
  console.log(`  ${'overall'.padEnd(58)} ${`${sum.agree}/${sum.compared}`.padStart(8)} ${pct(sum).padStart(6)}`);
}

function describe(d: Difference): string {
  const input = `[${d.c.referrer || '-'} → ${d.c.url || '-'}]`;
  const line = `    ${d.c.suite} ${d.c.id} ${d.field.replace('peer_', '')}: peer ${JSON.stringify(d.peer)}, sma ${smaValue(d.field, d.r)}  ${input}`;
  return line.length > 220 ? `${line.slice(0, 219)}…` : line;
}

/** Prints each difference under its reason; returns how many no rule explains. */
function printDifferences(results: readonly SuiteResult[]): number {
  const byRule = new Map<DifferenceRule | undefined, Difference[]>();
  for (const d of results.flatMap((s) => s.differences)) {
    const rule = explain(d);
    byRule.set(rule, [...(byRule.get(rule) ?? []), d]);
  }
  const explained = [...byRule.entries()].filter((e): e is [DifferenceRule, Difference[]] => e[0] !== undefined);
  const ga4First = [...explained.filter(([r]) => r.ga4OverSnowplow), ...explained.filter(([r]) => !r.ga4OverSnowplow)];
  console.log(`\ndifferences, each under its reason (${[...byRule.values()].flat().length} in all)`);
  for (const [rule, diffs] of ga4First) {
    console.log(`\n  ${rule.ga4OverSnowplow ? '[GA4 over Snowplow] ' : ''}${rule.reason} (${diffs.length})`);
    console.log(diffs.map(describe).join('\n'));
  }
  const unexplained = byRule.get(undefined) ?? [];
  console.log(`\n  unexplained (${unexplained.length})`);
  if (unexplained.length > 0) console.log(unexplained.map(describe).join('\n'));
  return unexplained.length;
}

function main(): void {
  const args = process.argv.slice(2);
  const only = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : undefined;
  const dir = resolve(process.env.SMA_PEERS_DIR ?? join(process.cwd(), '..', 'shared', 'peers'));
  if (!existsSync(dir)) {
    console.log(
      `conformance: skipped, no peer vectors at ${dir}. They are evaluation data kept outside this repository; set SMA_PEERS_DIR to their folder.`,
    );
    return;
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl') && (!only || f === `${only}.jsonl`))
    .sort();
  console.log(`conformance against ${files.length} peer suites in ${dir}`);
  console.log(
    `referrer data: ${REFERRER_DATA === 'full' ? "referer-parser's database with sma's overlay" : "sma's overlay only (SMA_REFERRER_DB=overlay)"}\n`,
  );
  const results = files.map((f) => runSuite(f.replace(/\.jsonl$/, ''), readSuite(dir, f)));
  printSuites(results);
  printHeadline(results);
  if (printDifferences(results) > 0) process.exitCode = 1;
}

main();
