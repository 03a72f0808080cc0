#!/usr/bin/env node
// Generates everything under generated/ that the TypeScript imports: the
// compiled referrer database, the bundled /report page and the table
// definitions.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const step of ['build-referrer-db.mjs', 'build-report-page.mjs', 'build-tables.mjs']) {
  execFileSync(process.execPath, [join(here, step)], { stdio: 'inherit' });
}
