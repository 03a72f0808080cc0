/**
 * `sma import` of an archive with bots' page views and app events, against
 * DynamoDB Local: bots are counted in the summary and make no touch, whether
 * their visitor's touches are derived in bulk or from the table; app
 * screens and install attributions make touches as they do live.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { importHistory } from '../../src/app/import/importer';
import { ingestEvents } from '../../src/app/store-events';
import { getAnonymousView } from '../../src/app/visitor-view';
import { cliDeps, runImport } from '../../src/cli/import-command';
import type { Config } from '../../src/config';
import { installAttributedEvent, screenEvent } from '../helpers/app-events';
import { at, pageEvent } from '../helpers/events';
import { freshConfig } from '../helpers/tables';

const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const T0 = '2024-05-01T10:00:00.000Z';

function botPage(o: Parameters<typeof pageEvent>[0]): Record<string, unknown> {
  const page = pageEvent(o);
  return { ...page, context: { ...(page.context as Record<string, unknown>), userAgent: GOOGLEBOT } };
}

/** One JSON-lines file of `events`, and where an import of it keeps its checkpoint and rejects. */
function archive(events: Record<string, unknown>[]): { input: string; checkpointPath: string; rejectsPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sma-import-bots-'));
  const input = join(dir, 'events.jsonl');
  writeFileSync(input, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return { input, checkpointPath: join(dir, 'cp.json'), rejectsPath: join(dir, 'r.jsonl') };
}

/** The history: a person crawled by Googlebot, a visitor only Googlebot saw, an app install from an ad. */
function history() {
  const ids = { person: 'imp-person', crawled: 'imp-crawled', app: 'imp-app' };
  const events = [
    pageEvent({ anonymousId: ids.person, timestamp: T0, referrer: 'https://www.google.com/' }),
    botPage({ anonymousId: ids.person, timestamp: at(T0, 90), url: 'https://www.example.com/?utm_source=bing&utm_medium=cpc' }),
    botPage({ anonymousId: ids.crawled, timestamp: at(T0, 1) }),
    botPage({ anonymousId: ids.crawled, timestamp: at(T0, 2), referrer: 'https://t.co/x' }),
    screenEvent({ anonymousId: ids.app, timestamp: at(T0, 3) }),
    installAttributedEvent({ anonymousId: ids.app, timestamp: at(T0, 3.5) }),
  ];
  return { ids, events };
}

const touchesOf = async (config: Config, anonymousId: string) => {
  const deps = cliDeps(config);
  const view = await getAnonymousView(anonymousId, deps.identity, deps.touches);
  return { touches: view?.touches.map((t) => `${t.channel} ${t.source} ${t.rule}`), pageViews: view?.pageViews, botViews: view?.botViews };
};

describe("sma import with bots' page views", () => {
  it('counts bots in the summary and derives no touch from them, for visitors derived in bulk', async () => {
    // Prepare
    const config = await freshConfig();
    const { ids, events } = history();
    const paths = archive(events);

    // Act
    const summary = await importHistory([paths.input], cliDeps(config), paths);

    // Assess
    expect(summary).toMatchObject({ read: 6, stored: 6, bots: 3, rejected: 0 });
    expect(await touchesOf(config, ids.person)).toEqual({ touches: ['Organic Search google referrer'], pageViews: 1, botViews: 1 });
    expect(await touchesOf(config, ids.crawled)).toEqual({ touches: [], pageViews: 0, botViews: 2 });
    expect(await touchesOf(config, ids.app)).toEqual({ touches: ['Paid Social facebook ads install'], pageViews: 2, botViews: 0 });
    const counters = await cliDeps(config).rollups.counters('2024-05-01', '2024-05-01');
    const newVisitors = [...counters].filter(([id]) => id.includes('new_visitors')).reduce((n, [, v]) => n + v, 0);
    expect(newVisitors).toBe(2);
  });

  it('counts bots of a visitor with history before the import, derived from the table', async () => {
    // Prepare: the person's first visit came in live; the archive holds the rest
    const config = await freshConfig();
    const { ids, events } = history();
    await ingestEvents([events[0]], cliDeps(config).events);
    const paths = archive(events);

    // Act
    const summary = await importHistory([paths.input], cliDeps(config), paths);

    // Assess
    expect(summary).toMatchObject({ read: 6, stored: 5, duplicates: 1, bots: 3 });
    expect(await touchesOf(config, ids.person)).toEqual({ touches: ['Organic Search google referrer'], pageViews: 1, botViews: 1 });
  });

  it('prints how many stored page views were bots in the summary, or that BOT_FILTER is off', async () => {
    // Prepare
    const on = await freshConfig();
    const off = await freshConfig({ BOT_FILTER: 'off' });

    // Act
    const [filtered, unfiltered] = [await importCli(on, {}), await importCli(off, { BOT_FILTER: 'off' })];

    // Assess
    expect(filtered).toMatch(/^ {2}bots +3 of the stored page views \(kept, never a touch\)$/m);
    expect(unfiltered).toMatch(/^ {2}bots +not told apart \(BOT_FILTER=off\)$/m);
  });
});

/** `sma import` of the history into a configuration's tables, in this process, with `env` over the environment; its standard output. */
async function importCli(config: Config, env: Record<string, string>): Promise<string> {
  const paths = archive(history().events);
  const saved = { ...process.env };
  Object.assign(process.env, { SERVICE_NAME: config.serviceName, STAGE: config.stage, ...env });
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  try {
    const status = await runImport(
      [paths.input],
      { endpoint: config.dynamodbEndpoint, checkpoint: paths.checkpointPath, rejects: paths.rejectsPath },
      { stdout, stderr: new PassThrough() },
    );
    expect(status).toBe(0);
    return out;
  } finally {
    process.env = saved;
  }
}
