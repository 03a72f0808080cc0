/**
 * Conversions brought in by `sma import` are credited in the report counters
 * as live ones are: against a brute-force recount, against the stream
 * processors fed the same events, after a kill in the conversions phase, and
 * when the same archive is imported twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import type { Config } from '../../src/config';
import { parseCounterId } from '../../src/attribution/counters';
import { conversionOf } from '../../src/attribution/conversions';
import { ingestEvents, parseIncoming } from '../../src/app/store-events';
import { eventTime } from '../../src/segment/events';
import { CONVERSION_CHUNK, importHistory, type ImportOptions, type ImportSummary } from '../../src/app/import/importer';
import { cliDeps } from '../../src/cli/import-command';
import { processAttributionChanges } from '../../src/app/realtime-sync';
import type { Deps } from '../../src/handlers/deps';
import { createProcessAttributionHandler } from '../../src/handlers/stream/process-attribution';
import { createProcessConversionHandler } from '../../src/handlers/stream/process-conversion';
import { createProcessIdentifyHandler } from '../../src/handlers/stream/process-identify';
import { createProcessPageHandler } from '../../src/handlers/stream/process-page';
import { depsFor, quietSync } from '../helpers/handler-deps';
import { attributionHistory, CONVERSION_EVENT } from '../helpers/history';
import { bruteForce, disagreements } from '../helpers/recount';
import { readStream } from '../helpers/streams';
import { freshConfig } from '../helpers/tables';

const CONVERSION_EVENTS = new Set([CONVERSION_EVENT]);
/** Lambda's batch size for every stream (serverless.yml). */
const STREAM_BATCH = 100;
const context = { functionName: 'test', awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;

/** Enough converting visitors for two chunks of the conversions phase. */
const HISTORY = attributionHistory({ seed: 47, users: 300, visitors: 400, pageViews: 700, userOnlyViews: 20, conversions: 400 });
/** A smaller one, for the stream processors to go through. */
const SMALL_HISTORY = attributionHistory({ seed: 48, users: 120, visitors: 160, pageViews: 320, userOnlyViews: 10, conversions: 150 });

/** Tables with conversions on, and nothing sent to Segment. */
const conversionsConfig = (): Promise<Config> => freshConfig({ CONVERSION_EVENTS: CONVERSION_EVENT, REALTIME_SYNC: 'off' });

/** A history written as an archive of JSON lines. */
function archiveOf(events: readonly Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-conversions-'));
  writeFileSync(join(dir, 'history.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return dir;
}

/** An import's options with conversions on, and a checkpoint of its own. */
function importOptions(extra: Partial<ImportOptions> = {}): ImportOptions {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-'));
  return {
    checkpointPath: join(dir, 'checkpoint.json'),
    rejectsPath: join(dir, 'rejects.jsonl'),
    conversionEvents: CONVERSION_EVENTS,
    ...extra,
  };
}

/** Every counter of the history's months, zeros left out. */
async function countersOf(deps: Pick<Deps, 'rollups'>): Promise<Map<string, number>> {
  const counters = await deps.rollups.counters('2026-01-01', '2026-12-31');
  return new Map([...counters].filter(([, n]) => n !== 0).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The counters that a brute-force recount of the raw tables does not agree with. */
async function offCounters(deps: Deps): Promise<string[]> {
  return disagreements(await deps.rollups.counters('2026-01-01', '2026-12-31'), await bruteForce(deps));
}

/** The conversion counters alone, summed by metric (conversions:first_touch, value:linear:USD, …). */
function conversionTotals(counters: Map<string, number>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [id, n] of counters) {
    const metric = parseCounterId(id)?.metric ?? '';
    if (/^(conversions|value|convert_)/.test(metric)) totals[metric] = (totals[metric] ?? 0) + n;
  }
  return totals;
}

/** Stores events as the webhook does and runs every stream processor over what they wrote, as the deployed stack would. */
async function processLive(config: Config, events: readonly Record<string, unknown>[]): Promise<void> {
  const deps = depsFor(config);
  for (let i = 0; i < events.length; i += 500) {
    await ingestEvents(events.slice(i, i + 500), (await deps()).events, new Date(), { conversionEvents: CONVERSION_EVENTS });
  }
  const processors: [string, (e: DynamoDBStreamEvent, c: Context) => Promise<{ batchItemFailures: unknown[] }>][] = [
    [config.tables.page, createProcessPageHandler(deps)],
    [config.tables.identify, createProcessIdentifyHandler(deps)],
    [config.tables.userMap, createProcessAttributionHandler(deps)],
    [config.tables.conversion, createProcessConversionHandler(deps)],
  ];
  for (const [table, process] of processors) {
    const { Records } = await readStream(table);
    for (let i = 0; i < Records.length; i += STREAM_BATCH) {
      expect((await process({ Records: Records.slice(i, i + STREAM_BATCH) }, context)).batchItemFailures).toEqual([]);
    }
  }
}

/** The history's conversions, and those whose value cannot be kept. */
function conversionsIn(events: readonly Record<string, unknown>[]) {
  const conversions = events.flatMap((raw, i) => {
    const parsed = parseIncoming(raw, i);
    return (parsed.ok && conversionOf(parsed.event, eventTime(parsed.event), CONVERSION_EVENTS)) || [];
  });
  return {
    count: conversions.length,
    warnings: conversions.filter((c) => c.warning !== undefined).length,
    visitorKeys: [...new Set(conversions.map((c) => c.visitorKey))],
  };
}

/** An import of `archive` killed after its first chunk of converting visitors, before that chunk's checkpoint. */
async function importKilledAfterFirstConversionChunk(archive: string, deps: Deps, options: ImportOptions): Promise<void> {
  await expect(
    importHistory([archive], deps, {
      ...options,
      afterConversionChunk: (n) => {
        if (n === 1) throw new Error('killed');
      },
    }),
  ).rejects.toThrow('killed');
}

describe('conversions from sma import', () => {
  it('are credited in the report counters as a brute-force recount credits them, and counted in the summary', async () => {
    // Prepare
    const deps = cliDeps(await conversionsConfig());
    const expected = conversionsIn(HISTORY);

    // Act
    const summary = await importHistory([archiveOf(HISTORY)], deps, importOptions());

    // Assess
    expect(summary).toMatchObject({ conversions: expected.count, conversionWarnings: expected.warnings, rejected: 0 });
    expect(expected.warnings).toBeGreaterThan(0);
    expect(summary.converters).toBeGreaterThan(CONVERSION_CHUNK);
    const totals = conversionTotals(await countersOf(deps));
    expect(totals['conversions:first_touch']).toBe(expected.count * 1_000_000);
    expect(Object.keys(totals)).toEqual(expect.arrayContaining(['value:linear:USD', 'value:linear:EUR', 'value:linear:(not set)']));
    expect(totals.conversions_untouched).toBeGreaterThan(0);
    expect(await offCounters(deps)).toEqual([]);
  }, 120_000);

  it('give the very counters the stream processors give for the same events live', async () => {
    // Prepare
    const imported = cliDeps(await conversionsConfig());
    const liveConfig = await conversionsConfig();

    // Act
    await importHistory([archiveOf(SMALL_HISTORY)], imported, importOptions());
    await processLive(liveConfig, SMALL_HISTORY);

    // Assess
    const live = await countersOf(cliDeps(liveConfig));
    expect(conversionTotals(live)['conversions:linear']).toBe(conversionsIn(SMALL_HISTORY).count * 1_000_000);
    expect(await countersOf(imported)).toEqual(live);
  }, 120_000);

  it('are credited once when the import is killed in its conversions phase and resumed', async () => {
    // Prepare: an import killed after its first chunk of converting visitors, before its checkpoint
    const deps = cliDeps(await conversionsConfig());
    const archive = archiveOf(HISTORY);
    const options = importOptions();
    await importKilledAfterFirstConversionChunk(archive, deps, options);

    // Act
    const summary = await importHistory([archive], deps, options);

    // Assess
    expect(summary).toMatchObject({ resumed: true, conversions: conversionsIn(HISTORY).count });
    expect(summary.converters).toBeGreaterThan(CONVERSION_CHUNK);
    expect(await offCounters(deps)).toEqual([]);
  }, 120_000);

  it('are all credited when a killed import is resumed after live touches of its converting visitors', async () => {
    // Prepare: an import killed after its first chunk of converting visitors, then a new touch of every one, as processPage reports it
    const deps = cliDeps(await conversionsConfig());
    const archive = archiveOf(HISTORY);
    const options = importOptions();
    await importKilledAfterFirstConversionChunk(archive, deps, options);
    const { visitorKeys } = conversionsIn(HISTORY);
    await processAttributionChanges(
      visitorKeys.map((visitorKey, ref) => ({ kind: 'touches' as const, visitorKey, ref })),
      quietSync(deps),
    );

    // Act
    await importHistory([archive], deps, options);

    // Assess
    expect(await offCounters(deps)).toEqual([]);
  }, 120_000);

  it('are not counted again when the same archive is imported a second time', async () => {
    // Prepare
    const deps = cliDeps(await conversionsConfig());
    const archive = archiveOf(SMALL_HISTORY);
    await importHistory([archive], deps, importOptions());
    const once = await countersOf(deps);

    // Act
    const again: ImportSummary = await importHistory([archive], deps, importOptions());

    // Assess
    expect(again).toMatchObject({ stored: 0, conversions: 0, conversionWarnings: 0 });
    expect(await countersOf(deps)).toEqual(once);
  }, 120_000);

  it('recredit conversions stored live before the import with the touches and links it brings', async () => {
    // Prepare: conversions arrive live before any page view or identify of
    // theirs, and the stream processors credit them untouched. The archive
    // holds half of them, and the page views and identifies of all.
    const deps = cliDeps(await conversionsConfig());
    const converting = new Set(SMALL_HISTORY.filter((e) => e.type === 'track').map((e) => e.anonymousId));
    const others = SMALL_HISTORY.filter((e) => e.type === 'identify' && !converting.has(e.anonymousId)).slice(0, 20);
    const liveOnly = others.map((e, i) => ({
      type: 'track',
      event: CONVERSION_EVENT,
      messageId: `live-${i}`,
      anonymousId: e.anonymousId,
      timestamp: '2026-10-15T12:00:00.000Z',
      properties: { revenue: 25, currency: 'USD' },
    }));
    const archived = SMALL_HISTORY.filter((e) => e.type === 'track' && e.userId === undefined).slice(0, 20);
    await processLive(deps.config, [...liveOnly, ...archived]);

    // Act
    await importHistory([archiveOf(SMALL_HISTORY)], deps, importOptions());

    // Assess
    expect(liveOnly).toHaveLength(20);
    expect(await offCounters(deps)).toEqual([]);
  }, 120_000);
});
