/**
 * The rollup store's guarded commits against DynamoDB Local, and `sma report`
 * reading the counters back.
 */
import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config';
import { conversionContribution } from '../../src/attribution/conversion-counters';
import { counterId, USER_UNITS, type CounterKey } from '../../src/attribution/counters';
import { runReport } from '../../src/cli/report-command';
import { buildDeps } from '../../src/handlers/deps';
import { createDocumentClient } from '../../src/store/client';
import { DynamoRollupStore } from '../../src/store/rollup-store';
import { createTables, testEnv } from '../helpers/tables';
import { testTouch } from '../helpers/touches';

const env = testEnv();
Object.assign(process.env, env);
const config = parseConfig(env);
const { rollups } = buildDeps(config);

const id = (k: Partial<CounterKey> & Pick<CounterKey, 'day' | 'metric'>): string =>
  counterId({ channel: 'Email', source: 'newsletter', campaign: 'w1', ...k });

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

beforeAll(async () => {
  await createTables(config);
});

describe('rollup store', () => {
  it('applies a delta with the new state only while the old state is current', async () => {
    // Prepare
    const entity = { kind: 'visitor' as const, key: 'anon#guard' };
    const counts = { [id({ day: '2026-05-01', metric: 'touches' })]: 1 };

    // Act
    const first = await rollups.commit(entity, undefined, { counts, first: 'm1', last: 'm1' }, counts);
    const replay = await rollups.commit(entity, undefined, { counts, first: 'm1', last: 'm1' }, counts);
    const state = await rollups.stateOf(entity);
    // Version 0 stands for an import's seed, with no state item yet.
    const stale = await rollups.commit(entity, 0, { counts, first: 'm2', last: 'm2' }, counts);
    const values = await rollups.counters('2026-05-01', '2026-05-01');

    // Assess: the exact same transaction again is a no-op that succeeds (its
    // idempotency token); one computed from a stale state (here a seed, once
    // a state item exists) is refused.
    expect([first, replay, stale]).toEqual([true, true, false]);
    expect(state).toEqual({ version: 1, counts, first: 'm1', last: 'm1' });
    expect(values).toEqual(new Map([[Object.keys(counts)[0], 1]]));
  });

  it('applies a change of more counters than one transaction holds', async () => {
    // Prepare: 150 days of touches for one visitor (a crawler, say)
    const entity = { kind: 'visitor' as const, key: 'anon#busy' };
    const counts = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        id({ day: new Date(Date.parse('2025-01-01') + i * 86_400_000).toISOString().slice(0, 10), metric: 'touches', source: 'bot' }),
        1,
      ]),
    );

    // Act
    const ok = await rollups.commit(entity, undefined, { counts, first: null, last: null }, counts);
    const values = await rollups.counters('2025-01-01', '2025-12-31');

    // Assess
    expect(ok).toBe(true);
    expect([...values.values()].reduce((a, b) => a + b, 0)).toBe(150);
  });
  it('takes back the part of a large change it applied when another writer gets in between', async () => {
    // Prepare: 150 counters (two transactions); another writer commits the same entity right after the first one
    const entity = { kind: 'visitor' as const, key: 'anon#raced' };
    const counts = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        id({ day: new Date(Date.parse('2024-01-01') + i * 86_400_000).toISOString().slice(0, 10), metric: 'touches', source: 'raced' }),
        1,
      ]),
    );
    const doc = createDocumentClient(config);
    const racing = new DynamoRollupStore(doc, config.tables.rollup);
    let transactions = 0;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'TransactWriteItemsCommand' && ++transactions === 1) {
          await rollups.commit(entity, undefined, { counts: {}, first: 'other', last: 'other' }, {});
        }
        return out;
      },
      { step: 'deserialize', name: 'anotherWriterGetsIn' },
    );

    // Act
    const ok = await racing.commit(entity, undefined, { counts, first: null, last: null }, counts);
    const values = await rollups.counters('2024-01-01', '2024-12-31');

    // Assess: refused, and no counter moved
    expect(ok).toBe(false);
    expect([...values.values()].filter((n) => n !== 0)).toEqual([]);
    expect(await rollups.stateOf(entity)).toMatchObject({ version: 1, first: 'other' });
  });

  it("counts an import's counter rows only once the import is marked finished", async () => {
    // Prepare: an import's rows for one counter that also has a row of its own
    const counter = id({ day: '2024-03-01', metric: 'touches', source: 'archive' });
    const own = { kind: 'visitor' as const, key: 'anon#live-2024' };
    await rollups.commit(own, undefined, { counts: { [counter]: 1 }, first: null, last: null }, { [counter]: 1 });
    await rollups.putImportCounters('import-t1', { [counter]: 40 });

    // Act
    const before = await rollups.counters('2024-03-01', '2024-03-01');
    const finishedBefore = await rollups.importFinished('import-t1');
    await rollups.finishImport('import-t1');
    const after = await rollups.counters('2024-03-01', '2024-03-01');
    const finishedAfter = await buildDeps(config).rollups.importFinished('import-t1');

    // Assess: a killed import's partial rows never count; a finished one's add up with the rest
    expect([before.get(counter), after.get(counter)]).toEqual([1, 41]);
    expect([finishedBefore, finishedAfter]).toEqual([false, true]);
  });
});

describe('sma report', () => {
  it('prints the tables from the counters, and the same data as JSON', async () => {
    // Prepare
    const counts = {
      [id({ day: '2026-06-01', metric: 'new_visitors' })]: 4,
      [id({ day: '2026-06-01', metric: 'touches' })]: 6,
      [id({ day: '2026-06-02', metric: 'users:first_touch' })]: 2 * USER_UNITS,
      [id({ day: '2026-06-02', metric: 'users:last_touch', channel: 'Paid Search', source: 'google', campaign: '(not set)' })]:
        2 * USER_UNITS,
    };
    await rollups.commit({ kind: 'user', id: 'seed' }, undefined, { counts, first: null, last: null }, counts);
    const flags = {
      since: '2026-06-01',
      until: '2026-06-07',
      model: 'first_touch',
      stage: config.stage,
      endpoint: config.dynamodbEndpoint,
    };
    const [text, json, err] = [sink(), sink(), sink()];

    // Act
    const code = await runReport(flags, { stdout: text.stream, stderr: err.stream });
    const jsonCode = await runReport({ ...flags, json: true }, { stdout: json.stream, stderr: err.stream });
    const bad = await runReport({ ...flags, model: 'u_shaped' }, { stdout: text.stream, stderr: err.stream });

    // Assess
    expect([code, jsonCode, bad]).toEqual([0, 0, 2]);
    expect(text.text()).toContain('new visitors 4   touches 6   users identified 2');
    expect(text.text()).toMatch(
      /First touch against last touch \(users\)\n {2}channel\s+first\s+last\n {2}Email\s+2\s+0\n {2}Paid Search\s+0\s+2/,
    );
    expect(JSON.parse(json.text())).toMatchObject({
      totals: { newVisitors: 4, touches: 6, users: 2 },
      campaigns: [{ campaign: 'w1', newVisitors: 4 }],
    });
    expect(err.text()).toMatch(/--model: model must be one of first_touch, last_touch/);
  });

  it('prints the conversions under the model with each currency apart, the models side by side, and the same as JSON', async () => {
    // Prepare: a search visit, then an email; an order in EUR after both, one in USD after the first only, one with no touch
    const touches = [
      testTouch('2026-06-10T09:00:00.000Z', 'Organic Search', 'google', { messageId: 'rt1' }),
      testTouch('2026-06-12T09:00:00.000Z', 'Email', 'newsletter', { messageId: 'rt2', campaign: 'june' }),
    ];
    const order = (timestamp: string, amount: number, currency: string) => ({
      messageId: `order-${timestamp}`,
      event: 'Order Completed',
      timestamp,
      visitorKey: 'anon#buyer',
      value: { amount, currency },
    });
    const counts = conversionContribution(
      [order('2026-06-11T09:00:00.000Z', 20, 'USD'), order('2026-06-13T09:00:00.000Z', 59.99, 'EUR')],
      touches,
      {},
    );
    const untouched = conversionContribution([order('2026-06-12T12:00:00.000Z', 5, 'EUR')], [], {});
    await rollups.commit({ kind: 'user', id: 'buyer' }, undefined, { counts, first: null, last: null }, counts);
    await rollups.commit({ kind: 'visitor', key: 'anon#walk-in' }, undefined, { counts: untouched, first: null, last: null }, untouched);
    const flags = { since: '2026-06-10', until: '2026-06-14', model: 'linear', stage: config.stage, endpoint: config.dynamodbEndpoint };
    const [text, json, empty, err] = [sink(), sink(), sink(), sink()];

    // Act
    const codes = [
      await runReport(flags, { stdout: text.stream, stderr: err.stream }),
      await runReport({ ...flags, json: true }, { stdout: json.stream, stderr: err.stream }),
      await runReport({ ...flags, since: '2026-06-01', until: '2026-06-07' }, { stdout: empty.stream, stderr: err.stream }),
    ];

    // Assess: linear halves the EUR order (59.99 as 30.00 and 29.99); currencies are columns, never one sum
    expect(codes).toEqual([0, 0, 0]);
    expect(text.text()).toContain('conversions 3   value EUR 64.99, USD 20.00   with no touch before (credited to Direct) 1');
    expect(text.text()).toMatch(
      /Conversions by channel \(linear\)\n {2}channel\s+conversions\s+value EUR\s+value USD\n {2}Organic Search\s+1\.5\s+30\.00\s+20\.00\n {2}Direct\s+1\s+5\.00\s+0\.00\n {2}Email\s+0\.5\s+29\.99\s+0\.00/,
    );
    expect(text.text()).toMatch(/Share of conversions by model\n.*\n {2}Organic Search\s+66\.7%\s+33\.3%\s+50%/);
    expect(JSON.parse(json.text())).toMatchObject({
      conversions: {
        total: { count: 3, value: { EUR: 64.99, USD: 20 } },
        byChannel: [
          { channel: 'Organic Search', count: 1.5, value: { EUR: 30, USD: 20 } },
          { channel: 'Direct', count: 1, value: { EUR: 5 } },
          { channel: 'Email', count: 0.5, value: { EUR: 29.99 } },
        ],
        byCampaign: [{ campaign: 'june', source: 'newsletter', count: 0.5 }],
        untouched: 1,
      },
    });
    expect(empty.text()).toContain('Conversions: none in this range (sma counts them when CONVERSION_EVENTS is set)');
    expect(err.text()).toBe('');
  });
});
