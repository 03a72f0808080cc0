/**
 * `sma import` as a user runs it: the built CLI, whose import runs in a worker
 * thread with a capped heap (src/cli/import-worker.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Config } from '../../src/config';
import { projectRoot } from '../../src/lib/project-root';
import { liveImage } from '../../src/handlers/stream/records';
import { STREAM_START_KEY } from '../../src/local/local-streams';
import { pageEvent } from '../helpers/events';
import { readStream } from '../helpers/streams';
import { freshConfig } from '../helpers/tables';

const FIXTURES = join(__dirname, '..', 'fixtures', 'import');

function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(projectRoot(), 'bin', 'sma.js'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

/** `sma import <input>` into a configuration's tables on the test DynamoDB Local, with its own checkpoint and rejects file. */
function importInto(config: Config, input: string, env: NodeJS.ProcessEnv = {}): ReturnType<typeof runCli> {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-cli-'));
  return runCli(
    ['import', input, '--endpoint', config.dynamodbEndpoint ?? '', '--checkpoint', join(dir, 'cp.json'), '--rejects', join(dir, 'r.jsonl')],
    { SERVICE_NAME: config.serviceName, STAGE: config.stage, ...env },
  );
}

describe('the sma import command', () => {
  it('imports the fixture archive in its worker and prints a reconciled summary', async () => {
    // Prepare
    const config = await freshConfig();

    // Act
    const run = importInto(config, FIXTURES);

    // Assess
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toMatch(/^ {2}read +19$/m);
    expect(run.stdout).toContain('read = stored + duplicates + ignored + rejected ✓');
    expect(run.stderr).toMatch(/^events: /m);
    expect(run.stderr).toMatch(/^touches: /m);
    expect(run.stdout).toContain('  conversions off (CONVERSION_EVENTS is empty)');
  });

  it('counts the conversions it stored and the values it could not keep, with CONVERSION_EVENTS set', async () => {
    // Prepare: an order by a visitor with a page view, one by a user alone, one whose value is not a number
    const config = await freshConfig({ CONVERSION_EVENTS: 'Order Completed' });
    const dir = mkdtempSync(join(tmpdir(), 'sma-import-cli-orders-'));
    const order = (messageId: string, ids: Record<string, string>, properties: Record<string, unknown>) =>
      JSON.stringify({ type: 'track', event: 'Order Completed', messageId, timestamp: '2024-03-02T10:00:00.000Z', properties, ...ids });
    const lines = [
      JSON.stringify(
        pageEvent({ anonymousId: 'a-1', timestamp: '2024-03-01T10:00:00.000Z', url: 'https://www.acme.com/?utm_source=news' }),
      ),
      order('o-1', { anonymousId: 'a-1' }, { revenue: 40, currency: 'EUR' }),
      order('o-2', { userId: 'u-1' }, { total: 12.5, currency: 'USD' }),
      order('o-3', { anonymousId: 'a-2' }, { revenue: 'soon' }),
      JSON.stringify({ type: 'track', event: 'Clicked', messageId: 't-1', anonymousId: 'a-1', timestamp: '2024-03-01T10:01:00.000Z' }),
    ];
    writeFileSync(join(dir, 'orders.jsonl'), `${lines.join('\n')}\n`);

    // Act
    const run = importInto(config, dir, { CONVERSION_EVENTS: 'Order Completed' });

    // Assess
    expect(run).toMatchObject({ status: 0 });
    expect(run.stdout).toMatch(/^ {2}stored +4$/m);
    expect(run.stdout).toMatch(/^ {2}ignored +1$/m);
    expect(run.stdout).toContain('  conversions 3, 1 with a value that was not kept (credited for 3 converting visitors and their users)');
    expect(run.stderr).toMatch(/^conversions: /m);
  });

  it('starts every stream before writing history, whatever order the files come in (DynamoDB Local)', async () => {
    // Prepare: identifies.csv is read before pages.csv (name order), so
    // without the stream markers the page stream would begin after all the
    // identify and link records (see src/local/local-streams.ts).
    const config = await freshConfig();

    // Act
    const run = importInto(config, join(FIXTURES, 'warehouse'));

    // Assess
    expect(run).toMatchObject({ status: 0 });
    const streams = await Promise.all([config.tables.page, config.tables.identify, config.tables.userMap].map(readStream));
    const isMarker = (r: DynamoDBRecord): boolean => Object.values(r.dynamodb?.Keys ?? {}).every((v) => v.S === STREAM_START_KEY);
    const sequence = (r: DynamoDBRecord): bigint => BigInt(r.dynamodb?.SequenceNumber ?? '-1');
    for (const { Records } of streams) {
      // The marker is put and deleted at once, ahead of the history.
      expect(Records.slice(0, 2).map((r) => [r.eventName, isMarker(r)])).toEqual([
        ['INSERT', true],
        ['REMOVE', true],
      ]);
      expect(Records.length).toBeGreaterThan(2);
      // Stream handlers skip it: written by the import, and a delete has no new image.
      expect(Records.slice(0, 2).map(liveImage)).toEqual([undefined, undefined]);
    }
    const all = streams.flatMap((s) => s.Records);
    const lastMarker = all
      .filter(isMarker)
      .map(sequence)
      .reduce((a, b) => (a > b ? a : b));
    const firstHistory = all
      .filter((r) => !isMarker(r))
      .map(sequence)
      .reduce((a, b) => (a < b ? a : b));
    expect(lastMarker < firstHistory).toBe(true);
  });

  it('refuses a heap too small to run in, saying what to give', () => {
    // Act
    const run = runCli(['import', FIXTURES, '--heap-mb', '8'], {});

    // Assess
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('give a whole number of MB, at least 32');
  });
});
