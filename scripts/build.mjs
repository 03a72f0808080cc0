#!/usr/bin/env node
// Builds what runs outside TypeScript: the compiled referrer database and the
// bundled CLI (dist/cli.js), plus a bundle of the classifier alone
// (dist/classifier.js) that the cold-start benchmark loads.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'build-data.mjs')], { stdio: 'inherit' });

// tldts stays external: it is a runtime dependency in node_modules, and the
// classifier loads it only when two hosts could share a registrable domain.
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['tldts'],
};
// The CLI runs inside the sma folder, so its dependencies load from
// node_modules rather than being bundled (a smaller file to parse per call).
await build({ ...common, packages: 'external', entryPoints: [join(root, 'src', 'cli', 'main.ts')], outfile: join(root, 'dist', 'cli.js') });
await build({ ...common, entryPoints: [join(root, 'src', 'source', 'index.ts')], outfile: join(root, 'dist', 'classifier.js') });
