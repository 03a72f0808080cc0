/**
 * Lambda bundle benchmark, on the output of `serverless package` (offline):
 * each function's zip size, and the time to `require` its handler bundle in
 * a fresh `node` with the function's own NODE_OPTIONS (what a cold start
 * pays before the first request). In the same run, as references: requiring
 * an empty module (node's own cost) and a bundle of only the libraries every
 * HTTP function loads (the DynamoDB and SSM clients, zod, the Logger), built
 * with the same esbuild settings: the floor a function's own code adds to;
 * and the first function again with --enable-source-maps, what turning the
 * maps on (FUNCTION_NODE_OPTIONS) costs.
 *
 * Targets (issue #29): each zip ≤ 1 MB, each require ≤ 50 ms.
 * `serverless package` builds in the project's .esbuild folder: do not run
 * this while test/e2e/template.test.ts packages.
 */
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildSettings, packageService, readPackagedFunctions, type PackagedFunction } from './package';
import { median, targetLine } from '../stats';

const RUNS = Number(process.env.BENCH_REQUIRE_RUNS ?? 11);
const MAX_ZIP_BYTES = 1_000_000;
const MAX_REQUIRE_MS = 50;
const root = process.cwd();

/** The libraries every HTTP function loads at start, and nothing of sma's. */
const REFERENCE_ENTRY = `
import * as z from 'zod';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { Logger } from '@aws-lambda-powertools/logger';
export const parts = [z.object({ id: z.string() }), DynamoDBClient, DynamoDBDocumentClient, SSMClient, SSMProvider, Logger];
`;

async function buildReference(dir: string): Promise<string> {
  // Loaded at run time: esbuild finds its native binary from its own install, so it cannot be bundled into this benchmark.
  const { build } = createRequire(join(root, 'package.json'))('esbuild') as typeof import('esbuild');
  const outfile = join(dir, 'reference', 'reference.js');
  await build({
    ...esbuildSettings(root),
    stdin: { contents: REFERENCE_ENTRY, resolveDir: root, loader: 'ts' },
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

interface Timed {
  label: string;
  path: string;
  nodeOptions: string[];
  wall: number[];
  cpu: number[];
}

const REQUIRE_SCRIPT =
  'const c=process.cpuUsage(),t=process.hrtime.bigint();require(process.argv[1]);const u=process.cpuUsage(c);' +
  'process.stdout.write(`${Number(process.hrtime.bigint()-t)/1e6} ${(u.user+u.system)/1e3}`)';

/** One `require` in a fresh node with the given NODE_OPTIONS: its wall and CPU time, in ms. */
function requireOnce(path: string, nodeOptions: string[]): [number, number] {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  if (nodeOptions.length > 0) env.NODE_OPTIONS = nodeOptions.join(' ');
  const [wall, cpu] = execFileSync(process.execPath, ['-e', REQUIRE_SCRIPT, path], { env, encoding: 'utf8' }).split(' ').map(Number);
  return [wall ?? Number.NaN, cpu ?? Number.NaN];
}

/** Times every subject RUNS times, round-robin, so that a busy moment of the machine falls on all alike. */
function timeRequires(subjects: Timed[]): void {
  for (let run = 0; run < RUNS; run++) {
    for (const s of subjects) {
      const [wall, cpu] = requireOnce(s.path, s.nodeOptions);
      s.wall.push(wall);
      s.cpu.push(cpu);
    }
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(0).padStart(7);
const ms = (s: Timed): string => `${median(s.wall).toFixed(1).padStart(6)} (${median(s.cpu).toFixed(1)})`;

function report(
  functions: PackagedFunction[],
  timed: Map<string, Timed>,
  references: { empty: Timed; reference: Timed; withMaps: Timed },
): void {
  const { empty, reference, withMaps } = references;
  console.log(
    `bundle benchmark: ${functions.length} functions from serverless package, require: median of ${RUNS} fresh processes, Node ${process.version}`,
  );
  console.log('  function              zip KB  bundle KB   map KB   require ms (cpu)   NODE_OPTIONS');
  for (const f of functions) {
    const t = timed.get(f.bundlePath);
    if (!t) continue;
    console.log(
      `  ${f.name.padEnd(20)} ${kb(f.zipBytes)} ${kb(f.bundleBytes)}  ${kb(f.mapBytes)}   ${ms(t)}   ${f.nodeOptions.join(' ') || '(none)'}`,
    );
  }
  console.log(`  empty module                                          ${ms(empty)}`);
  console.log(`  reference: SDK DynamoDB + SSM, zod, Logger           ${ms(reference)}`);
  console.log(`  ${withMaps.label.padEnd(52)} ${ms(withMaps)}`);
  const largestZip = Math.max(...functions.map((f) => f.zipBytes));
  const slowest = Math.max(...[...timed.values()].map((t) => median(t.wall)));
  console.log('ratios');
  console.log(targetLine('largest zip                ', largestZip / 1e6, '≤', MAX_ZIP_BYTES / 1e6, ' MB'));
  console.log(targetLine('slowest require            ', slowest, '≤', MAX_REQUIRE_MS, ' ms'));
  const slowestCpu = Math.max(...[...timed.values()].map((t) => median(t.cpu)));
  console.log(`  slowest require, cpu time    ${slowestCpu.toFixed(2)} ms   informational: less disturbed by other work on the machine`);
  console.log(`  slowest require / reference  ${(slowest / median(reference.wall)).toFixed(2)}×   informational: what sma's own code adds`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sma-bench-bundle-'));
  try {
    packageService(root, dir);
    const functions = readPackagedFunctions(dir);
    const subject = (label: string, path: string, nodeOptions: string[]): Timed => ({ label, path, nodeOptions, wall: [], cpu: [] });
    // Functions of one handler file share a bundle: time each bundle once.
    const timed = new Map<string, Timed>();
    for (const f of functions) if (!timed.has(f.bundlePath)) timed.set(f.bundlePath, subject(f.name, f.bundlePath, f.nodeOptions));
    const first = functions[0];
    if (!first) throw new Error('serverless package made no function');
    const emptyPath = join(dir, 'empty.js');
    writeFileSync(emptyPath, "'use strict';\n");
    const empty = subject('empty', emptyPath, first.nodeOptions);
    const reference = subject('reference', await buildReference(dir), first.nodeOptions);
    const mapsOn = [...first.nodeOptions.filter((o) => o !== '--enable-source-maps'), '--enable-source-maps'];
    const withMaps = subject(`${first.name} with --enable-source-maps`, first.bundlePath, mapsOn);
    timeRequires([empty, reference, withMaps, ...timed.values()]);
    report(functions, timed, { empty, reference, withMaps });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
