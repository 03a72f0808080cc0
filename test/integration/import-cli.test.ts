/**
 * `sma import` as a user runs it: the built CLI, whose import runs in a worker
 * thread with a capped heap (src/cli/import-worker.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/lib/project-root';
import { freshConfig } from '../helpers/tables';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');

function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('the sma import command', () => {
  it('imports the fixture archive in its worker and prints a reconciled summary', async () => {
    // Prepare
    const config = await freshConfig();
    const dir = mkdtempSync(join(tmpdir(), 'sma-import-cli-'));
    const env = { SERVICE_NAME: config.serviceName, STAGE: config.stage };

    // Act
    const run = runCli(
      [
        'import',
        FIXTURES,
        '--endpoint',
        config.dynamodbEndpoint ?? '',
        '--checkpoint',
        join(dir, 'cp.json'),
        '--rejects',
        join(dir, 'r.jsonl'),
      ],
      env,
    );

    // Assess
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toMatch(/^ {2}read +19$/m);
    expect(run.stdout).toContain('read = stored + duplicates + ignored + rejected ✓');
    expect(run.stderr).toMatch(/^events: /m);
    expect(run.stderr).toMatch(/^touches: /m);
  });

  it('refuses a heap too small to run in, saying what to give', () => {
    // Act
    const run = runCli(['import', FIXTURES, '--heap-mb', '8'], {});

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('give a whole number of MB, at least 32');
  });
});
