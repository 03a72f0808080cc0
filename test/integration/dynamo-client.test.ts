/**
 * How long each DynamoDB client waits, to connect and for an answer. An import
 * opens dozens of connections at its start, and `npm start` sends its first
 * calls to a JVM that has just started: DynamoDB Local may not accept or
 * answer them for seconds. The webhook's client gives up soon, so that
 * Segment gets its 503 in time; the CLI's waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { parseConfig, type Config } from '../../src/config';
import { cliDeps } from '../../src/cli/import-command';
import { createDocumentClient, createDynamoClient } from '../../src/store/client';
import { createMissingTables } from '../../src/local/table-definitions';
import { startTableStreams } from '../../src/local/local-streams';
import { testEnv } from '../helpers/tables';

/**
 * How long the server accepts no connection. Longer than the webhook client's
 * three attempts of a second each; shorter than the CLI's connection timeout
 * less the kernel's SYN retries (1, 2, then 4 s apart).
 */
const BUSY_MS = 5_000;
/** Requests sent at once: more than the server's accept queue holds. */
const BURST = 8;

/**
 * A server that answers ListTables as DynamoDB does, but whose accept queue
 * holds a single connection and which accepts nothing for its first BUSY_MS:
 * the kernel drops further connection attempts until it does.
 */
const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/x-amz-json-1.0');
    res.end('{"TableNames":[]}');
  });
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  const until = Date.now() + ${BUSY_MS};
  while (Date.now() < until) {}
});
`;

const servers: ChildProcess[] = [];

/** Starts a busy server; its configuration as an endpoint. */
async function busyServer(): Promise<Config> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', () => reject(new Error('the busy server exited before listening')));
  });
  return parseConfig({ SERVICE_NAME: 'sma', STAGE: 'test', DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
}

const burst = (doc: DynamoDBDocumentClient): Promise<unknown[]> =>
  Promise.all(Array.from({ length: BURST }, () => doc.send(new ListTablesCommand({}))));

/**
 * How long a cold DynamoDB Local answers nothing. Longer than the webhook
 * client's three attempts of 3 s each (and their backoff, under a second).
 */
const COLD_MS = 10_500;

const proxies: Server[] = [];
const sockets = new Set<Socket>();

/**
 * A proxy to the tests' DynamoDB Local that passes requests on at once but
 * holds every answer until COLD_MS after it started, as a JVM that has just
 * started may; its configuration, with fresh table names, as an endpoint.
 */
async function coldDynamo(): Promise<Config> {
  const upstream = new URL(parseConfig(testEnv()).dynamodbEndpoint ?? '');
  const warmAt = Date.now() + COLD_MS;
  const proxy = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    const held: Buffer[] = [];
    server.on('data', (chunk: Buffer) => {
      const wait = warmAt - Date.now();
      if (wait <= 0 && held.length === 0) return void client.write(chunk);
      if (held.length === 0) setTimeout(() => client.write(Buffer.concat(held.splice(0))), Math.max(wait, 0)).unref();
      held.push(chunk);
    });
    client.pipe(server);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return parseConfig({ ...testEnv(), DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
}

afterAll(() => {
  for (const child of servers) child.kill();
  // The clients' kept-alive connections would hold the proxies open.
  for (const socket of sockets) socket.destroy();
  for (const proxy of proxies) proxy.close();
});

describe('DynamoDB clients against a server slow to accept connections', () => {
  it('the webhook client gives up on connecting, and says it timed out', async () => {
    // Prepare
    const doc = createDocumentClient(await busyServer());

    // Act
    const result = burst(doc);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'TimeoutError' });
    doc.destroy();
  });

  it('the CLI client waits until the server accepts, and every call succeeds', async () => {
    // Prepare
    const { doc } = cliDeps(await busyServer());

    // Act
    const results = await burst(doc);

    // Assess
    expect(results).toHaveLength(BURST);
    for (const result of results) expect(result).toMatchObject({ TableNames: [] });
    doc.destroy();
  });
});

describe('npm start against a DynamoDB Local that has just started', () => {
  it('creates the tables, waiting for the first answers, then starts their streams', async () => {
    // Prepare
    const cold = await coldDynamo();
    // The same tables, straight to DynamoDB Local, to look at them.
    const direct = createDynamoClient(parseConfig({ ...testEnv(), SERVICE_NAME: cold.serviceName }));

    // Act
    const { created } = await createMissingTables(cold);
    await startTableStreams(cold, created);

    // Assess
    expect(created).toHaveLength(Object.keys(cold.tables).length);
    const page = await direct.send(new DescribeTableCommand({ TableName: cold.tables.page }));
    expect(page.Table?.TableStatus).toBe('ACTIVE');
    direct.destroy();
  }, 30_000);

  it("the webhook's client gives up on the same DynamoDB Local, and says it timed out", async () => {
    // Prepare
    const client = createDynamoClient(await coldDynamo());

    // Act
    const result = client.send(new ListTablesCommand({}));

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'TimeoutError' });
    client.destroy();
  }, 30_000);
});
