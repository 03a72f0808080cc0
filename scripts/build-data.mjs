#!/usr/bin/env node
// Generates everything under generated/ that the TypeScript imports: the
// compiled referrer database and the bundled /report page.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const step of ['build-referrer-db.mjs', 'build-report-page.mjs']) {
  execFileSync(process.execPath, [join(here, step)], { stdio: 'inherit' });
}
