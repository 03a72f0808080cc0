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
/**
 * The packages every `sma` command loads before it starts, bundled into the
 * CLI: from node_modules, zod alone is a hundred files (every locale) to find
 * and compile at each start; bundled, only the parts sma uses remain.
 */
const STARTUP_PACKAGES = new Set(['commander', 'dotenv', 'zod']);

/** Leaves every other package to load from node_modules when a command needs it (the AWS SDK, csv-parse …). */
const externalExceptStartup = {
  name: 'external-except-startup',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path }) => {
      const name = path
        .split('/')
        .slice(0, path.startsWith('@') ? 2 : 1)
        .join('/');
      return STARTUP_PACKAGES.has(name) ? undefined : { path, external: true };
    });
  },
};
await build({
  ...common,
  plugins: [externalExceptStartup],
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(root, 'dist', 'cli.js'),
});
await build({ ...common, entryPoints: [join(root, 'src', 'source', 'index.ts')], outfile: join(root, 'dist', 'classifier.js') });
