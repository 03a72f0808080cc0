/**
 * The whole `sma classify --jsonl` process, as a user runs it, against a
 * plain JSON-lines loop over referer-parser (referer-parser-loop.cjs): each
 * a fresh `node` reading the same file of pairs on stdin and writing its
 * answers to a file, alternated round by round. Counts start-up, reading,
 * parsing, classifying, serialising and writing.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pair } from './corpus';
import { median } from '../stats';

export interface ProcessTimes {
  /** Median wall time of the whole process, in ms. */
  wallMs: number;
  /** Median CPU time (user + system) the process reported at exit, in ms. */
  cpuMs: number;
}

export interface ProcessComparison {
  sma: ProcessTimes;
  loop: ProcessTimes;
  /** Median wall time of `sma classify --url … --referrer …` and of `node -e 0`, in ms: start-up alone. */
  smaStartMs: number;
  nodeStartMs: number;
}

const root = process.cwd();
const CPU_REPORT = join(root, 'bench', 'classify', 'cpu-report.cjs');
const START_RUNS = 9;

/** Runs `node <args>` with `input` on stdin and `output` as stdout; checks it answered every line. */
function timeProcess(args: string[], input: string, output: string, lines: number): { wallMs: number; cpuMs: number } {
  const stdin = openSync(input, 'r');
  const stdout = openSync(output, 'w');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-r', CPU_REPORT, ...args], { cwd: root, stdio: [stdin, stdout, 'pipe'], encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  closeSync(stdin);
  closeSync(stdout);
  const answered = readFileSync(output, 'latin1').split('\n').length - 1;
  if (answered !== lines) throw new Error(`node ${args.join(' ')} answered ${answered} of ${lines} lines:\n${run.stderr}`);
  const cpuMs = Number(/cpu-ms ([\d.]+)/.exec(run.stderr)?.[1] ?? Number.NaN);
  return { wallMs, cpuMs };
}

function startMs(args: string[]): number {
  const samples = Array.from({ length: START_RUNS }, () => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
  return median(samples);
}

/** Times both processes over `pairs`, `rounds` times each, alternating which goes first. */
export function compareProcesses(pairs: Pair[], rounds: number): ProcessComparison {
  const dir = mkdtempSync(join(tmpdir(), 'sma-bench-classify-'));
  try {
    const input = join(dir, 'pairs.jsonl');
    writeFileSync(input, pairs.map((p) => `${JSON.stringify(p)}\n`).join(''));
    const contestants = {
      sma: ['bin/sma.js', 'classify', '--jsonl'],
      loop: ['bench/classify/referer-parser-loop.cjs'],
    };
    const samples = { sma: [] as ProcessTimes[], loop: [] as ProcessTimes[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['sma', 'loop'] as const) : (['loop', 'sma'] as const);
      for (const name of order) samples[name].push(timeProcess(contestants[name], input, join(dir, `${name}.jsonl`), pairs.length));
    }
    const summary = (s: ProcessTimes[]): ProcessTimes => ({ wallMs: median(s.map((x) => x.wallMs)), cpuMs: median(s.map((x) => x.cpuMs)) });
    return {
      sma: summary(samples.sma),
      loop: summary(samples.loop),
      smaStartMs: startMs([
        'bin/sma.js',
        'classify',
        '--url',
        'https://example.com/?utm_source=x',
        '--referrer',
        'https://www.google.com/',
      ]),
      nodeStartMs: startMs(['-e', '0']),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
