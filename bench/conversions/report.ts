/**
 * The conversions benchmark's figures from its rounds: the page-view path's
 * cost with conversions on against off, the noise it is judged against (off
 * again against off), and the cost of a conversion against a page view's in
 * the same round.
 */
import { median, targetLine } from '../stats';
import { QUIET_SHARE, type Disturbance } from './machine';
import { perUnit, totalPerUnit, type RequestCounts } from './requests';

/** A timed phase: storing the events, then their stream records through the handler. */
export interface Phase {
  ingestMs: number;
  processMs: number;
  requests: RequestCounts;
}

/** One round: the page-view path under each configuration, side by side, and the conversions of the on one. */
export interface Round {
  off: Phase;
  offAgain: Phase;
  on: Phase;
  conversion: Phase;
  /** What other work took of the machine during the round's timed steps. */
  disturbance: Disturbance;
}

const total = (p: Phase): number => p.ingestMs + p.processMs;
const list = (values: readonly number[]): string => values.map((v) => v.toFixed(2)).join(', ');
const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}`;

/** Per round, on against the mean of the two offs, and off again against off, for a cost of a phase. */
export function ratios(rounds: readonly Round[], cost: (p: Phase) => number): { onOff: number[]; offOff: number[] } {
  return {
    onOff: rounds.map((r) => cost(r.on) / ((cost(r.off) + cost(r.offAgain)) / 2)),
    offOff: rounds.map((r) => cost(r.offAgain) / cost(r.off)),
  };
}

/** The requests per page view off and on, by operation and table, with the difference. */
function printRequests(off: RequestCounts, on: RequestCounts, units: number): void {
  const offPer = new Map(perUnit(off, units));
  console.log(`  DynamoDB requests per page view: off ${totalPerUnit(off, units).toFixed(2)}, on ${totalPerUnit(on, units).toFixed(2)}`);
  for (const [label, n] of perUnit(on, units)) {
    const before = offPer.get(label) ?? 0;
    const change = Math.abs(n - before) < 0.005 ? '' : `  (${n > before ? '+' : ''}${(n - before).toFixed(2)})`;
    console.log(`    ${label.padEnd(34)} off ${before.toFixed(2).padStart(5)}  on ${n.toFixed(2).padStart(5)}${change}`);
  }
}

/** The page-view path's figures; returns the on / off ratio and the noise (the largest off again / off distance from 1). */
function printPagePath(rounds: readonly Round[], pageViews: number): { ratio: number; noise: number } {
  console.log('page-view path, ms per page view (storeEvent + processPage), median of the rounds');
  for (const [name, phase] of [
    ['off', (r: Round) => r.off],
    ['off again', (r: Round) => r.offAgain],
    ['on', (r: Round) => r.on],
  ] as const) {
    const perView = rounds.map((r) => total(phase(r)) / pageViews);
    const ingest = median(rounds.map((r) => phase(r).ingestMs / pageViews));
    const process = median(rounds.map((r) => phase(r).processMs / pageViews));
    console.log(
      `  ${name.padEnd(9)}  ${median(perView).toFixed(2)} ms (storeEvent ${ingest.toFixed(2)}, processPage ${process.toFixed(2)}; rounds: ${list(perView)})`,
    );
  }
  const path = ratios(rounds, total);
  const processing = ratios(rounds, (p) => p.processMs);
  const noise = Math.max(...path.offOff.map((x) => Math.abs(x - 1)));
  console.log(`  on / off         median ${median(path.onOff).toFixed(2)}×, ${range(path.onOff)} (on against the mean of the two offs)`);
  console.log(
    `  off again / off  median ${median(path.offOff).toFixed(2)}×, ${range(path.offOff)} (the noise: ±${(noise * 100).toFixed(0)}%)`,
  );
  console.log(
    `  processPage alone: on / off median ${median(processing.onOff).toFixed(2)}×, ${range(processing.onOff)}; off again / off ${range(processing.offOff)}`,
  );
  const last = rounds[rounds.length - 1];
  if (last) printRequests(last.off.requests, last.on.requests, pageViews);
  return { ratio: median(path.onOff), noise };
}

function printConversions(rounds: readonly Round[], pageViews: number, conversions: number): void {
  const perConversion = rounds.map((r) => total(r.conversion) / conversions);
  const againstView = rounds.map((r) => total(r.conversion) / conversions / (total(r.on) / pageViews));
  const ingest = median(rounds.map((r) => r.conversion.ingestMs / conversions));
  const process = median(rounds.map((r) => r.conversion.processMs / conversions));
  console.log('conversions, ms per conversion (storeEvent + processConversion), median of the rounds');
  console.log(
    `  ${median(perConversion).toFixed(2)} ms (storeEvent ${ingest.toFixed(2)}, processConversion ${process.toFixed(2)}; rounds: ${list(perConversion)})`,
  );
  console.log(`  conversion / page view (on, same round)  median ${median(againstView).toFixed(2)}×, ${range(againstView)}`);
  const last = rounds[rounds.length - 1];
  if (!last) return;
  console.log(`  DynamoDB requests per conversion: ${totalPerUnit(last.conversion.requests, conversions).toFixed(2)}`);
  for (const [label, n] of perUnit(last.conversion.requests, conversions))
    console.log(`    ${label.padEnd(34)} ${n.toFixed(2).padStart(5)}`);
}

/** What other work took of the machine in each round, and a DISTURBED line when it took much. */
function printMachine(rounds: readonly Round[]): void {
  const percent = (values: number[]): string => values.map((v) => (100 * v).toFixed(0)).join(', ');
  console.log(
    `machine: other processes took ${percent(rounds.map((r) => r.disturbance.others))}% of the CPU in each round; steal ${percent(rounds.map((r) => r.disturbance.steal))}%`,
  );
  const worst = Math.max(...rounds.map((r) => r.disturbance.others + r.disturbance.steal));
  if (worst > QUIET_SHARE) {
    console.log(
      `  DISTURBED: other work took up to ${(100 * worst).toFixed(0)}% of the machine in a round (more than ${100 * QUIET_SHARE}%); the turns share it out, but run again when the machine is quiet.`,
    );
  }
}

/** Prints the figures and the target line. */
export function printReport(rounds: readonly Round[], units: { pageViews: number; conversions: number }): void {
  const { ratio, noise } = printPagePath(rounds, units.pageViews);
  printConversions(rounds, units.pageViews, units.conversions);
  printMachine(rounds);
  console.log('target');
  console.log(targetLine('page-view path, on / off (within the off again / off noise)', ratio, '≤', Number((1 + noise).toFixed(2))));
}
