/**
 * What every HTTP handler shares: reading the body, API-key checks, and the
 * one mapping from errors to status codes. A client never sees a stack or an
 * internal message.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DeadlineExceededError, InvalidInputError, SmaError } from '../../errors';
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

/** The raw request body as text, within the size limit. */
export function readBody(event: HttpEvent): string {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BODY_BYTES) throw new InvalidInputError(`body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}`, 'body', 413);
  return text;
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

/**
 * The API key a request carries: the `x-api-key` header, a Bearer token, or
 * the password of HTTP Basic authentication (the user name is ignored), which
 * is how a browser opening /report sends it after prompting.
 */
export function givenApiKey(event: HttpEvent): string | undefined {
  const key = header(event, 'x-api-key');
  if (key !== undefined) return key;
  const auth = header(event, 'authorization');
  const [scheme, credentials] = auth?.split(' ', 2) ?? [];
  if (scheme?.toLowerCase() === 'bearer') return credentials;
  if (scheme?.toLowerCase() === 'basic' && credentials) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}

/**
 * The debug (/api), trigger (/segment) and report routes need the API key
 * when API_KEY is set. Without one they are open only on stage `dev`, so a
 * forgotten key cannot expose a production deployment. The comparison takes
 * the same time whatever the key.
 */
export function requireApiKey(event: HttpEvent, config: Pick<Config, 'apiKey' | 'stage'>): void {
  if (config.apiKey === undefined) {
    if (config.stage === 'dev') return;
    throw new InvalidInputError(
      `API_KEY is not configured; /api, /segment and /report routes are closed on stage "${config.stage}"`,
      'x-api-key',
      401,
    );
  }
  const given = givenApiKey(event);
  if (given === undefined || !safeEqual(given, config.apiKey))
    throw new InvalidInputError('missing or wrong API key: send it as the x-api-key header', 'x-api-key', 401);
}

/** Maps any error to a response: 4xx naming the field, 503 for retryable faults, a bare 500 otherwise. */
export function errorResponse(e: unknown): HttpResult {
  if (e instanceof InvalidInputError) return json(e.status, { error: e.message, details: { field: e.field } });
  if (e instanceof SmaError && e.retryable) {
    logger.warn('temporary failure', { error: e.name, detail: e.message });
    const error = e instanceof DeadlineExceededError ? 'no answer in time; retry later' : 'storage is temporarily unavailable; retry later';
    return json(503, { error }, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  }
  logger.error('unexpected failure', {
    error: e instanceof Error ? e.name : typeof e,
    message: e instanceof Error ? e.message : undefined,
  });
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

/**
 * Wraps a handler body with the error mapping and, under Lambda, a deadline
 * of the remaining time less DEADLINE_MARGIN_MS (see there). Called without a
 * context (tests, benchmarks), it has no deadline.
 */
export function httpHandler(
  fn: (event: HttpEvent) => Promise<HttpResult>,
): (event: HttpEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<HttpResult> {
  return async (event, context) => {
    try {
      const work = fn(event);
      return await (context ? withinDeadline(work, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS) : work);
    } catch (e: unknown) {
      return errorResponse(e);
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
