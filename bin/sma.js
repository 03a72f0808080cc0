#!/usr/bin/env node
'use strict';
// The CLI is bundled to dist/cli.js by `npm run build` (run for you by
// `npm install`). Build it on first use if it is missing.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { execFileSync } = require('node:child_process');

// sma runs on Node 20 and newer (Lambda runs 22); the AWS SDK's notice that
// its 2027 releases will need Node 22 is not something to act on per command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
