#!/usr/bin/env node
// Runs a TypeScript entry file (a benchmark or the conformance report) by
// bundling it with esbuild into .esbuild/ and running the bundle with Node,
// passing on any further arguments. Bundling, rather than a TypeScript loader,
// keeps what is measured identical to what ships.
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node bench/run-ts.mjs <file.ts> [args…]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, '.esbuild', 'run', `${basename(dirname(entry))}-${basename(entry, '.ts')}.js`);
// referer-parser and the classifier bundle stay external: the benchmark
// measures loading them as they ship.
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  logLevel: 'warning',
  external: ['referer-parser'],
});
const run = spawnSync(process.execPath, ['--expose-gc', outfile, ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
