/**
 * The conversions benchmark's figures from its runs (off, on, off, on, …,
 * off): the page-view path's cost with conversions on against off, the
 * run-to-run noise it is judged against, and the cost of a conversion
 * against a page view's in the same run.
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

export interface Run {
  on: boolean;
  page: Phase;
  /** With conversions on only. */
  conversion?: Phase;
  /** What other work took of the machine during the run's timed phases. */
  disturbance: Disturbance;
}

const total = (p: Phase): number => p.ingestMs + p.processMs;
const range = (values: readonly number[]): string =>
  values.length === 0 ? 'no quiet runs' : `${Math.min(...values).toFixed(2)} to ${Math.max(...values).toFixed(2)}`;

/** A run other work left alone: the ratios count only those. */
export const isQuiet = (r: Run): boolean => r.disturbance.others + r.disturbance.steal <= QUIET_SHARE;

/** A run's figure, starred when other work disturbed it. */
const shown = (runs: readonly Run[], figure: (r: Run) => number): string =>
  runs.map((r) => `${figure(r).toFixed(2)}${isQuiet(r) ? '' : '*'}`).join(', ');

/**
 * Each on run's cost against the mean of the off runs either side of it
 * (runs alternate, starting and ending with off), and each off run's against
 * the one before it: the ratio, and the run-to-run noise. A ratio counts only
 * when every run in it was quiet (isQuiet).
 */
export function bracketedRatios(runs: readonly Run[], cost: (r: Run) => number): { onOff: number[]; offOff: number[] } {
  const onOff: number[] = [];
  const offOff: number[] = [];
  runs.forEach((run, i) => {
    const before = runs[i - 1];
    const after = runs[i + 1];
    if (run.on && before && after && [before, run, after].every(isQuiet)) onOff.push(cost(run) / ((cost(before) + cost(after)) / 2));
    const previousOff = runs[i - 2];
    if (!run.on && previousOff && isQuiet(run) && isQuiet(previousOff)) offOff.push(cost(run) / cost(previousOff));
  });
  return { onOff, offOff };
}

/** The requests per unit of the run with the median cost, by operation and table, off against on. */
function printRequests(off: RequestCounts, on: RequestCounts, units: number): void {
  const offPer = new Map(perUnit(off, units));
  console.log(`  requests per page view: off ${totalPerUnit(off, units).toFixed(2)}, on ${totalPerUnit(on, units).toFixed(2)}`);
  for (const [label, n] of perUnit(on, units)) {
    const before = offPer.get(label) ?? 0;
    const change = Math.abs(n - before) < 0.005 ? '' : `  (${n > before ? '+' : ''}${(n - before).toFixed(2)})`;
    console.log(`    ${label.padEnd(34)} off ${before.toFixed(2).padStart(5)}  on ${n.toFixed(2).padStart(5)}${change}`);
  }
}

/** The run whose cost is the median of `runs`'. */
function medianRun<R extends Run>(runs: readonly R[], cost: (r: R) => number): R {
  const m = median(runs.map(cost));
  return runs.find((r) => cost(r) === m) ?? (runs[0] as R);
}

/** The page-view path's figures; returns the on / off ratio and the noise (the largest off / off distance from 1). */
function printPagePath(runs: readonly Run[], pageViews: number): { ratio: number; noise: number } {
  const perView = (r: Run): number => total(r.page) / pageViews;
  const off = runs.filter((r) => !r.on);
  const on = runs.filter((r) => r.on);
  console.log('page-view path, ms per page view (storeEvent + processPage); * disturbed by other work, left out of the ratios');
  for (const [name, list] of [
    ['off', off],
    ['on', on],
  ] as const) {
    const quiet = list.filter(isQuiet);
    const ingest = median(quiet.map((r) => r.page.ingestMs / pageViews));
    const process = median(quiet.map((r) => r.page.processMs / pageViews));
    console.log(
      `  ${name.padEnd(3)}  ${median(quiet.map(perView)).toFixed(2)} ms (storeEvent ${ingest.toFixed(2)}, processPage ${process.toFixed(2)}; runs: ${shown(list, perView)})`,
    );
  }
  const path = bracketedRatios(runs, perView);
  const processing = bracketedRatios(runs, (r) => r.page.processMs);
  const noise = path.offOff.length === 0 ? Number.NaN : Math.max(...path.offOff.map((x) => Math.abs(x - 1)));
  console.log(
    `  on / off      median ${median(path.onOff).toFixed(2)}×, ${range(path.onOff)} (${path.onOff.length} on runs, each against the off runs either side)`,
  );
  console.log(
    `  off / off     median ${median(path.offOff).toFixed(2)}×, ${range(path.offOff)} (${path.offOff.length} pairs of consecutive off runs: the noise, ±${(noise * 100).toFixed(0)}%)`,
  );
  console.log(
    `  processPage alone: on / off median ${median(processing.onOff).toFixed(2)}×, ${range(processing.onOff)}; off / off ${range(processing.offOff)}`,
  );
  printRequests(medianRun(off, perView).page.requests, medianRun(on, perView).page.requests, pageViews);
  return { ratio: median(path.onOff), noise };
}

function printConversions(runs: readonly Run[], pageViews: number, conversions: number): void {
  const on = runs.filter((r): r is Run & { conversion: Phase } => r.conversion !== undefined && isQuiet(r));
  const perConversion = (r: Run & { conversion: Phase }): number => total(r.conversion) / conversions;
  const againstView = on.map((r) => perConversion(r) / (total(r.page) / pageViews));
  const ingest = median(on.map((r) => r.conversion.ingestMs / conversions));
  const process = median(on.map((r) => r.conversion.processMs / conversions));
  console.log('conversions, ms per conversion (storeEvent + processConversion), quiet on runs');
  console.log(
    `  ${median(on.map(perConversion)).toFixed(2)} ms (storeEvent ${ingest.toFixed(2)}, processConversion ${process.toFixed(2)}; runs: ${on
      .map(perConversion)
      .map((v) => v.toFixed(2))
      .join(', ')})`,
  );
  console.log(`  conversion / page view (same run)  median ${median(againstView).toFixed(2)}×, ${range(againstView)}`);
  const requests = medianRun(on, perConversion).conversion.requests;
  console.log(`  requests per conversion: ${totalPerUnit(requests, conversions).toFixed(2)}`);
  for (const [label, n] of perUnit(requests, conversions)) console.log(`    ${label.padEnd(34)} ${n.toFixed(2).padStart(5)}`);
}

/** What other work took of the machine in each run, and a DISTURBED line when too few runs were quiet to judge by. */
function printMachine(runs: readonly Run[]): void {
  const percent = (values: number[]): string => values.map((v) => (100 * v).toFixed(0)).join(', ');
  console.log(
    `machine: other processes took ${percent(runs.map((r) => r.disturbance.others))}% of the CPU in each run; steal ${percent(runs.map((r) => r.disturbance.steal))}%`,
  );
  const onRuns = runs.filter((r) => r.on).length;
  const counted = bracketedRatios(runs, () => 1).onOff.length;
  if (counted < onRuns / 2) {
    console.log(
      `  DISTURBED: only ${counted} of ${onRuns} on runs had quiet runs either side (other work under ${100 * QUIET_SHARE}% of the machine); run again when the machine is quiet.`,
    );
  }
}

/** Prints the figures and the target line. */
export function printReport(runs: readonly Run[], units: { pageViews: number; conversions: number }): void {
  const { ratio, noise } = printPagePath(runs, units.pageViews);
  printConversions(runs, units.pageViews, units.conversions);
  printMachine(runs);
  console.log('target');
  console.log(targetLine('page-view path, on / off (within the off / off noise)', ratio, '≤', Number((1 + noise).toFixed(2))));
}
