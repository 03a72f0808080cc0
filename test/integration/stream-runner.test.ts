/**
 * The local stream runner on DynamoDB Local's real streams: Lambda's event
 * source mapping semantics (partial batch failures, bisect, retries, the
 * on-failure destination), imported records passed over, and checkpoints.
 * The function is an in-process handler in place of sls offline's invoke.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../../src/config';
import type { DeliveredRecord, InvokeOutcome } from '../../src/local/stream-delivery';
import type { StreamMapping } from '../../src/local/stream-mappings';
import { startStreamRunner, type StreamRunner } from '../../src/local/stream-runner';
import { createDocumentClient } from '../../src/store/client';
import { freshConfig } from '../helpers/tables';

const WAIT_MS = 20_000;

function mappingFor(config: Config, over: Partial<StreamMapping> = {}): StreamMapping {
  return {
    functionKey: 'testFunction',
    functionName: 'test-function',
    timeoutMs: 5_000,
    table: config.tables.identify,
    batchSize: 4,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 2,
    maximumRecordAgeSeconds: -1,
    reportBatchItemFailures: true,
    bisectBatchOnFunctionError: true,
    onFailureQueue: 'test-failures',
    skipImported: true,
    ...over,
  };
}

/** Writes identify items m-<from>..m-<to-1>, marked as imported when asked. */
async function writeItems(config: Config, from: number, to: number, origin?: 'import'): Promise<void> {
  const doc = createDocumentClient(config);
  const items = Array.from({ length: to - from }, (_, i) => ({
    messageId: `m-${String(from + i).padStart(3, '0')}`,
    type: 'identify',
    userId: 'u',
    timestamp: '2026-01-01T00:00:00.000Z',
    ...(origin ? { origin } : {}),
  }));
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(
      new BatchWriteCommand({
        RequestItems: { [config.tables.identify]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  doc.destroy();
}

const messageIdOf = (r: DeliveredRecord): string => String((r.dynamodb.NewImage?.messageId as { S?: string } | undefined)?.S);

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the local stream runner', () => {
  let runner: StreamRunner | undefined;
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });

  async function start(config: Config, mapping: StreamMapping, handler: (ids: string[]) => InvokeOutcome, stateDir: string) {
    const seen: string[][] = [];
    const logs: string[] = [];
    runner = await startStreamRunner({
      mappings: [mapping],
      endpoint: config.dynamodbEndpoint ?? '',
      region: config.region,
      invoke: () => (records) => {
        const ids = records.map(messageIdOf);
        seen.push(ids);
        return Promise.resolve(handler(ids));
      },
      checkpointFile: join(stateDir, 'checkpoints.json'),
      failureFile: (queue) => join(stateDir, `${queue}.jsonl`),
      log: (line) => void logs.push(line),
    });
    return { seen, logs };
  }

  it('retries a failing batch, then sends it to the on-failure destination and goes on with the shard', async () => {
    // Prepare
    const config = await freshConfig();
    const stateDir = mkdtempSync(join(tmpdir(), 'sma-runner-'));
    await writeItems(config, 0, 8);

    // Act: a batch with m-001 always reports a failure that matches no record, which fails the whole batch
    const { seen, logs } = await start(
      config,
      mappingFor(config),
      (ids) => ({ ok: true, batchItemFailures: ids.includes('m-001') ? ['__seq__'] : [] }),
      stateDir,
    );
    await until(() => seen.flat().includes('m-007'), 'the last record');

    // Assess: the failed record (bad identifier: whole batch) and then the rest of the stream
    expect(seen.slice(0, 3)).toEqual([
      ['m-000', 'm-001', 'm-002', 'm-003'],
      ['m-000', 'm-001', 'm-002', 'm-003'],
      ['m-000', 'm-001', 'm-002', 'm-003'],
    ]);
    expect(seen[3]).toEqual(['m-004', 'm-005', 'm-006', 'm-007']);
    const failures = readFileSync(join(stateDir, 'test-failures.jsonl'), 'utf8').trim().split('\n');
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0] ?? '{}')).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      DDBStreamBatchInfo: { batchSize: 4 },
    });
    expect(logs.join('\n')).toContain('4 record(s) of testFunction set aside');
  });

  it('redelivers only the reported record and those after it', async () => {
    // Prepare
    const config = await freshConfig();
    const stateDir = mkdtempSync(join(tmpdir(), 'sma-runner-'));
    await writeItems(config, 0, 4);
    const sequenceOf = new Map<string, string>();
    let failed = false;

    // Act: m-002 fails once
    const seen: string[][] = [];
    runner = await startStreamRunner({
      mappings: [mappingFor(config)],
      endpoint: config.dynamodbEndpoint ?? '',
      region: config.region,
      invoke: () => (records) => {
        for (const r of records) sequenceOf.set(messageIdOf(r), r.dynamodb.SequenceNumber);
        seen.push(records.map(messageIdOf));
        if (failed) return Promise.resolve({ ok: true, batchItemFailures: [] });
        failed = true;
        return Promise.resolve({ ok: true, batchItemFailures: [sequenceOf.get('m-002') ?? ''] });
      },
      checkpointFile: join(stateDir, 'checkpoints.json'),
      failureFile: (queue) => join(stateDir, `${queue}.jsonl`),
      log: () => undefined,
    });
    await until(() => seen.length >= 2, 'the redelivery');

    // Assess
    expect(seen).toEqual([
      ['m-000', 'm-001', 'm-002', 'm-003'],
      ['m-002', 'm-003'],
    ]);
    expect(existsSync(join(stateDir, 'test-failures.jsonl'))).toBe(false);
  });

  it('bisects a batch whose function throws, so one poison record does not hold back the others', async () => {
    // Prepare
    const config = await freshConfig();
    const stateDir = mkdtempSync(join(tmpdir(), 'sma-runner-'));
    await writeItems(config, 0, 4);

    // Act
    const { seen } = await start(
      config,
      mappingFor(config, { maximumRetryAttempts: 1 }),
      (ids) => (ids.includes('m-002') ? { ok: false, error: 'poison' } : { ok: true, batchItemFailures: [] }),
      stateDir,
    );
    await until(() => existsSync(join(stateDir, 'test-failures.jsonl')), 'the poison record to be set aside');

    // Assess
    expect(seen[0]).toEqual(['m-000', 'm-001', 'm-002', 'm-003']);
    expect(seen).toContainEqual(['m-000', 'm-001']);
    expect(seen).toContainEqual(['m-003']);
    const failure = JSON.parse(readFileSync(join(stateDir, 'test-failures.jsonl'), 'utf8')) as {
      DDBStreamBatchInfo: { batchSize: number };
    };
    expect(failure.DDBStreamBatchInfo.batchSize).toBe(1);
  });

  it('passes over imported records without an invocation, and resumes from its checkpoint after a restart', async () => {
    // Prepare
    const config = await freshConfig();
    const stateDir = mkdtempSync(join(tmpdir(), 'sma-runner-'));
    await writeItems(config, 0, 50, 'import');
    await writeItems(config, 50, 52);
    const ok = (): InvokeOutcome => ({ ok: true, batchItemFailures: [] });

    // Act
    const first = await start(config, mappingFor(config), ok, stateDir);
    await until(() => first.seen.flat().includes('m-051'), 'the live records');
    await runner?.stop();
    runner = undefined;
    await writeItems(config, 52, 53);
    const second = await start(config, mappingFor(config), ok, stateDir);
    await until(() => second.seen.flat().includes('m-052'), 'the record written while stopped');

    // Assess
    expect(first.seen).toEqual([['m-050', 'm-051']]);
    expect(second.seen).toEqual([['m-052']]);
  });
});
