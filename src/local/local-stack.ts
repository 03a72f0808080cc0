/**
 * `sma local` (npm start): the whole service on a laptop. DynamoDB Local,
 * the tables from resources/tables.yml, and sls offline with every route and
 * both stream processors. Ctrl-C stops everything.
 */
import { join } from 'node:path';
import { parseConfig, type Config } from '../config';
import { projectRoot } from '../lib/project-root';
import { startTableStreams } from './local-streams';
import { createMissingTables } from './table-definitions';
import { startOfflineStack } from './offline-stack';
import { localStateDir, removeStackMarker, writeStackMarker } from './stack-marker';
import type { ShardLag } from './stream-runner';
import { freePort, startDynamoDbLocal, type Started } from './processes';

/** How often stream lag is checked, and how far behind a stream must be to be shown. */
const LAG_CHECK_MS = 5_000;
const LAG_SHOWN_MS = 5_000;

/** A reporter that prints, while any stream is behind, how many records wait and how old the oldest is; and when it has caught up. */
function lagReporter(say: (line: string) => void): (lags: readonly ShardLag[]) => void {
  let wasBehind = false;
  return (lags) => {
    const behind = lags.filter((l) => l.oldestAgeMs > LAG_SHOWN_MS);
    if (behind.length === 0) {
      if (wasBehind) say('streams: caught up');
      wasBehind = false;
      return;
    }
    wasBehind = true;
    const parts = behind.map(
      (l) => `${l.functionKey} ${l.waiting}${l.more ? '+' : ''} waiting, oldest ${Math.round(l.oldestAgeMs / 1000)} s`,
    );
    say(`streams catching up: ${parts.join('; ')}`);
  };
}
/** sls offline builds every function with esbuild before it listens. */
const OFFLINE_START_TIMEOUT_MS = 120_000;

export interface LocalStackOptions {
  dynamodbPort: number;
  httpPort: number;
  /** Keep data between runs under .dynamodb/ (default), or start empty. */
  inMemory: boolean;
  /** Where DynamoDB Local keeps its data when not in memory. Default `.dynamodb/` in the sma folder. */
  dataDir?: string;
  verbose: boolean;
}

/** Starts the stack and keeps it running until SIGINT or SIGTERM. */
export async function runLocalStack(options: LocalStackOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const root = projectRoot();
  const stateDir = localStateDir(root);
  const say = (line: string): void => void out.write(`${line}\n`);
  const started: Started[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('\nstopping…');
    removeStackMarker(stateDir);
    for (const s of started.reverse()) await s.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stopAll().then(() => process.exit(0)));

  try {
    const dynamoPort = await freePort(options.dynamodbPort);
    const dbPath = options.inMemory ? undefined : (options.dataDir ?? join(root, '.dynamodb'));
    say(`starting DynamoDB Local on port ${dynamoPort}${dbPath ? ` (data in ${dbPath})` : ' (in memory)'}…`);
    const dynamo = await startDynamoDbLocal({ port: dynamoPort, dbPath, log: options.verbose ? (l) => out.write(l) : undefined });
    started.push(dynamo);
    // An import into this DynamoDB Local then leaves the stack's live traffic room.
    writeStackMarker(stateDir, dynamo.endpoint);

    const env = localEnv(dynamo.endpoint);
    const config = parseConfig(env);
    const { created, existing } = await createMissingTables(config);
    say(`tables: ${[...created.map((t) => `${t} (created)`), ...existing].join(', ')}`);
    sayOpenRoutes(config, say);
    // New tables' streams begin now, before any traffic: on DynamoDB Local a
    // stream that begins after many writes to the others makes every write to
    // its table slow (src/local/local-streams.ts).
    await startTableStreams(config, created);

    const httpPort = await freePort(options.httpPort);
    say(`starting sls offline on port ${httpPort} (building the functions takes a moment)…`);
    const stack = await startOfflineStack({
      cwd: root,
      env,
      httpPort,
      lambdaPort: await freePort(httpPort + 2),
      dynamodbEndpoint: dynamo.endpoint,
      region: config.region,
      stateDir,
      freshTables: created.length > 0,
      timeoutMs: OFFLINE_START_TIMEOUT_MS,
      log: (l) => out.write(l),
    });
    const offline = stack.offline;
    started.push({ child: offline.child, stop: () => stack.stop() });
    const showLag = lagReporter(say);
    const lag = setInterval(() => showLag(stack.runner.lag()), LAG_CHECK_MS);
    const base = `http://localhost:${httpPort}`;
    say(banner(base, dynamo.endpoint));
    await new Promise<void>((resolve) => offline.child.once('exit', () => resolve()));
    clearInterval(lag);
    if (!stopping) {
      say('sls offline exited; stopping DynamoDB Local.');
      await stopAll();
      process.exitCode = 1;
    }
  } catch (e: unknown) {
    await stopAll();
    throw e;
  }
}

/** What `npm start` prints once the stack is up: the routes, and a first try. */
function banner(base: string, dynamoEndpoint: string): string {
  return `
sma is running at ${base}

  POST ${base}/events                  Segment webhook (one event, an array, or {"batch":[…]})
  GET  ${base}/api/user/{userId}       linked ids, touches and conversions of a user
  GET  ${base}/api/anonymous/{anonId}  the same for an anonymous visitor
  DELETE ${base}/api/user/{userId}     forget a user (and their anonymous ids); DELETE /api/anonymous/{anonId} too
  GET  ${base}/api/rejected?day=YYYY-MM-DD   events /events refused, with reasons
  GET  ${base}/segment/identify/user/{userId}      send the first/last touch traits to Segment
  GET  ${base}/segment/track/user/{userId}         send one Source Identified per touch
  GET  ${base}/segment/track/anonymous/{anonId}    the same for an anonymous visitor
       (add ?dryRun=true to see without sending; nothing is sent without ANALYTICS_WRITE_KEY)
  GET  ${base}/report                  where users come from: charts (open it in a browser)
  GET  ${base}/api/report?since=YYYY-MM-DD&until=YYYY-MM-DD&model=first_touch   the same as JSON
  streams: processPage, processIdentify, processAttribution, processConversion (DynamoDB Local at ${dynamoEndpoint})
  real-time sync to Segment: REALTIME_SYNC in .env (off unless set)

Try it:
  curl -s -X POST ${base}/events -H 'content-type: application/json' \\
    -d '{"type":"page","messageId":"m-1","anonymousId":"a-1","timestamp":"2026-01-05T10:00:00Z","context":{"page":{"url":"https://example.com/?utm_source=newsletter&utm_medium=email","referrer":""}}}'
  curl -s -X POST ${base}/events -H 'content-type: application/json' \\
    -d '{"type":"identify","messageId":"m-2","anonymousId":"a-1","userId":"u-1","timestamp":"2026-01-05T10:01:00Z"}'
  curl -s ${base}/api/user/u-1
  curl -s ${base}/segment/identify/user/u-1
  open ${base}/report

Ctrl-C stops everything.`;
}

/** The stack's environment: the user's, with the local endpoint and secrets from .env. */
function localEnv(dynamodbEndpoint: string): NodeJS.ProcessEnv {
  return {
    // Lambda runs Node 22; on a Node 20 laptop the SDK's notice about its 2027 releases is noise.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Locally a route without its secret in .env is open, and the secrets come from .env, not SSM.
    ALLOW_UNAUTHENTICATED: 'true',
    ...process.env,
    SECRETS_SOURCE: 'env',
    DYNAMODB_ENDPOINT: dynamodbEndpoint,
  };
}

/** Says which routes serve without a secret, so nobody mistakes the local stack for a closed one. */
function sayOpenRoutes(config: Config, say: (line: string) => void): void {
  const open = [
    config.webhookSecret ? '' : '/events (WEBHOOK_SECRET unset)',
    config.apiKey ? '' : '/api, /segment, /report (API_KEY unset)',
  ];
  if (config.allowUnauthenticated && open.some(Boolean))
    say(`open without a secret, as ALLOW_UNAUTHENTICATED=true: ${open.filter(Boolean).join('; ')}`);
}
