#!/usr/bin/env node
'use strict';
// The CLI is bundled to dist/cli.js by `npm run build` (run for you by
// `npm install`). Build it on first use if it is missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  try {
    execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    process.stderr.write(
      'sma: the CLI is not built and building it failed. Run `npm install` (or `npm run build`) in the sma folder, then try again.\n',
    );
    process.exit(1);
  }
}
require(bundle)
  .main(process.argv)
  .catch(() => {
    process.exitCode = 1;
  });
