/**
 * What every HTTP handler shares: reading the body, API-key checks, and the
 * one mapping from errors to status codes. A client never sees a stack or an
 * internal message.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DeadlineExceededError, InvalidInputError, NotConfiguredError, SmaError, StorageUnavailableError } from '../../errors';
import { logger } from '../../lib/logger';
import { safeEqual } from '../../segment/signature';
import type { Config } from '../../config';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/**
 * The largest request body accepted: a Webhooks (Actions) batch of 4,000
 * events of typical size (~1 KB) with room to spare, below Lambda's 6 MB
 * synchronous payload limit.
 */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;
/**
 * Time kept back from the Lambda's remaining time to answer in. A handler that
 * runs into the Lambda timeout gives the client no answer of ours: API
 * Gateway answers 5xx, and `sls offline` (HTTP API payload 2.0) even turns the
 * timeout into a 200 whose body is the error, which a sender reads as "stored".
 * So the work gets the remaining time less this margin, then the answer is a
 * 503 to retry (writes are idempotent, so a write that still lands is
 * harmless).
 */
export const DEADLINE_MARGIN_MS = 1_500;

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** A header, case-insensitively. */
export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The exact bytes of the request body, as the client sent them. */
export function rawBody(event: HttpEvent): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

/** A raw body as text, within the size limit. */
export function bodyText(raw: Buffer): string {
  if (raw.length > MAX_BODY_BYTES) throw new InvalidInputError(`body is ${raw.length} bytes; the limit is ${MAX_BODY_BYTES}`, 'body', 413);
  return raw.toString('utf8');
}

/** Parses a JSON body, naming the body when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new InvalidInputError('body is empty; send a Segment event as JSON', 'body');
  const type = text.trimStart()[0];
  if (type !== '{' && type !== '[') throw new InvalidInputError('body must be a JSON object or array', 'body');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError('body is not valid JSON', 'body');
  }
}

/** Where a route takes its API key from. */
export interface KeyOptions {
  /**
   * Accept HTTP Basic (the key as password, any user name). Only for the
   * report page, which a person opens in a browser: browsers cache Basic
   * credentials and send them on any request to the host, cross-site ones
   * included, so a route that acts must never take them.
   */
  basic?: boolean;
}

/**
 * The API key a request carries: the `x-api-key` header or a Bearer token,
 * and, where the route allows it, the password of HTTP Basic. Basic
 * credentials on a route that does not allow them are refused outright.
 */
export function givenApiKey(event: HttpEvent, options: KeyOptions = {}): string | undefined {
  const auth = header(event, 'authorization');
  const [scheme, credentials] = auth?.split(' ', 2) ?? [];
  if (scheme?.toLowerCase() === 'basic' && !options.basic)
    throw new InvalidInputError(
      'HTTP Basic credentials are accepted only on /report; send the key as the x-api-key header',
      'x-api-key',
      401,
    );
  const key = header(event, 'x-api-key');
  if (key !== undefined) return key;
  if (scheme?.toLowerCase() === 'bearer') return credentials;
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * The debug (/api), trigger (/segment) and report routes need the API key.
 * Without one configured they refuse every request, unless
 * ALLOW_UNAUTHENTICATED says they may be open (`sma local` does). The
 * comparison takes the same time whatever the key.
 */
export function requireApiKey(event: HttpEvent, config: Pick<Config, 'apiKey' | 'allowUnauthenticated'>, options: KeyOptions = {}): void {
  const given = givenApiKey(event, options);
  if (config.apiKey === undefined) {
    if (config.allowUnauthenticated) return;
    throw new InvalidInputError(
      'no API key is configured, so this route is closed; the operator sets API_KEY (see README: Deploy to AWS)',
      'x-api-key',
      401,
    );
  }
  if (given === undefined || !safeEqual(given, config.apiKey))
    throw new InvalidInputError('missing or wrong API key: send it as the x-api-key header', 'x-api-key', 401);
}

/** Maps any error to a response: 4xx naming the field, 503 for retryable faults, a bare 500 otherwise. */
export function errorResponse(e: unknown): HttpResult {
  if (e instanceof InvalidInputError) return json(e.status, { error: e.message, details: { field: e.field } });
  if (e instanceof NotConfiguredError) {
    // The operator must act; the sender keeps the request and retries meanwhile.
    logger.error('a required setting is missing', { setting: e.setting, detail: e.message });
    return json(
      503,
      { error: 'sma is not configured to accept this request yet; retry later' },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  if (e instanceof SmaError && e.retryable) {
    logger.warn('temporary failure', { error: e.name, detail: e.message });
    const error =
      e instanceof DeadlineExceededError
        ? 'no answer in time; retry later'
        : e instanceof StorageUnavailableError
          ? 'storage is temporarily unavailable; retry later'
          : 'a dependency is temporarily unavailable; retry later';
    return json(503, { error }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  // Powertools formats an Error (name, message, stack) under `error`; `message` itself is a reserved key.
  logger.error('unexpected failure', { error: e instanceof Error ? e : new Error(String(e)) });
  return json(500, { error: 'internal error' });
}

/** Settles like `work`, or rejects with a DeadlineExceededError after `ms`. */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`the request's work took over ${ms} ms`)), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a route adds to the shared wrapper. */
export interface HttpOptions {
  /**
   * The `WWW-Authenticate` challenge a 401 carries, so that a browser asks
   * for the key. Only for a route that takes HTTP Basic (see KeyOptions).
   */
  challenge?: string;
}

/** The handler a route's body becomes: the context is optional so tests and benchmarks can call it bare. */
export type HttpHandler = (event: HttpEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<HttpResult>;

/**
 * Wraps a handler body with the error mapping and, under Lambda, a deadline
 * of the remaining time less DEADLINE_MARGIN_MS (see there). The body is told
 * that deadline (epoch ms) so that long work, such as a send to Segment, can
 * stop in time to answer. Called without a context (tests, benchmarks), it
 * has no deadline.
 */
export function httpHandler(
  fn: (event: HttpEvent, deadlineAt: number | undefined) => Promise<HttpResult>,
  options: HttpOptions = {},
): HttpHandler {
  return async (event, context) => {
    try {
      const budget = context ? context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : undefined;
      const work = fn(event, budget === undefined ? undefined : Date.now() + budget);
      return await (budget === undefined ? work : withinDeadline(work, budget));
    } catch (e: unknown) {
      const response = errorResponse(e);
      if (options.challenge === undefined || response.statusCode !== 401) return response;
      return { ...response, headers: { ...response.headers, 'www-authenticate': options.challenge } };
    }
  };
}

/** A path parameter, validated as an id. */
export function pathId(event: HttpEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value.trim() === '') throw new InvalidInputError(`${name} is required in the path`, name);
  if (value.length > 512) throw new InvalidInputError(`${name} is longer than 512 characters`, name);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidInputError(`${name} must not contain control characters`, name);
  return value;
}
