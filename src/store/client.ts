/**
 * The DynamoDB client, built once per process from the configuration.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../config';

/**
 * How long one DynamoDB call may take before it counts as a failure. Segment
 * waits about 5 s for a webhook response, so a hung database must fail fast
 * enough to answer 503 and let Segment retry.
 */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 3_000;
/**
 * The CLI's per-call timeout. A bulk import keeps DynamoDB busy by design, and
 * nobody is waiting on a single call; giving up after 3 s would only turn a
 * slow moment into a failed run.
 */
export const CLI_REQUEST_TIMEOUT_MS = 30_000;
/** Connection timeout: DynamoDB Local down, or a wrong endpoint, fails in this time. */
export const DYNAMODB_CONNECT_TIMEOUT_MS = 1_000;
/**
 * The CLI's connection timeout: an import opens dozens of connections at its
 * start, while DynamoDB Local on a cold JVM may take seconds to accept them.
 * A refused connection (nothing listening) still fails at once.
 */
export const CLI_CONNECT_TIMEOUT_MS = 10_000;
/**
 * An import's requests in flight at once to a DynamoDB Local that a running
 * local stack shares. DynamoDB Local works through them one at a time, so a
 * live request of the stack waits behind every one; a few keep it busy
 * without making live touches late. With no stack, the SDK's default keeps
 * DynamoDB Local busier while the import computes.
 */
export const CLI_SHARED_IN_FLIGHT = 4;
/**
 * The client options of everything run from a terminal (`sma import`,
 * `backfill`, and `npm start` creating tables and starting their streams):
 * nobody waits on a single call there, and a cold DynamoDB Local on a slow
 * laptop can take seconds to accept and answer its first requests.
 */
export const CLI_CLIENT_OPTIONS: ClientOptions = { requestTimeoutMs: CLI_REQUEST_TIMEOUT_MS, connectTimeoutMs: CLI_CONNECT_TIMEOUT_MS };
/** SDK attempts per call (its own retry with backoff for throttling and 5xx). */
export const DYNAMODB_MAX_ATTEMPTS = 3;

/** Builds a DynamoDB client for the configured endpoint and region. */
export function createDynamoClient(
  config: Pick<Config, 'region' | 'dynamodbEndpoint'>,
  { requestTimeoutMs = DYNAMODB_REQUEST_TIMEOUT_MS, connectTimeoutMs = DYNAMODB_CONNECT_TIMEOUT_MS, maxInFlight }: ClientOptions = {},
): DynamoDBClient {
  const local = config.dynamodbEndpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamodbEndpoint,
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    requestHandler: new NodeHttpHandler({
      requestTimeout: requestTimeoutMs,
      // Without this the SDK only logs a warning and keeps waiting: a hung
      // database would hold the webhook past Segment's timeout.
      throwOnRequestTimeout: true,
      connectionTimeout: connectTimeoutMs,
    }),
    // DynamoDB Local accepts any credentials; do not make a laptop need AWS ones.
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  if (maxInFlight !== undefined) limitInFlight(client, maxInFlight);
  return client;
}

/**
 * Holds each call until fewer than `max` are in flight. Calls wait here, before
 * the SDK starts any timer: waiting for a socket of a capped HTTP agent would
 * count against the connection timeout, and a deep queue would fail calls.
 */
function limitInFlight(client: DynamoDBClient, max: number): void {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      // A finished call hands its place to the longest waiting one.
      if (inFlight < max) inFlight += 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await next(args);
      } finally {
        const handOver = waiting.shift();
        if (handOver) handOver();
        else inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'smaLimitInFlight' },
  );
}

export interface ClientOptions {
  /** Per-call timeout; default DYNAMODB_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** Time to establish a connection; default DYNAMODB_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Calls in flight at once (the rest wait in the client); default no limit. */
  maxInFlight?: number;
}

/** Builds a document client for the configured endpoint and region. */
export function createDocumentClient(
  config: Pick<Config, 'region' | 'dynamodbEndpoint'>,
  options: ClientOptions = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoClient(config, options), { marshallOptions: { removeUndefinedValues: true } });
}
