/**
 * storeEvent: POST /events, Segment's webhook destination.
 * verify signature → parse → ingestBody → map the summary to a status.
 */
import { InvalidInputError, NotConfiguredError } from '../../errors';
import { ingestBody, type IngestSummary } from '../../app/store-events';
import { logger } from '../../lib/logger';
import { faultText } from '../../segment/events';
import { verifySignature } from '../../segment/signature';
import type { Config } from '../../config';
import { loadDeps, type DepsSource } from '../deps';
import { bodyText, header, httpHandler, json, parseJson, rawBody, type HttpEvent, type HttpHandler, type HttpResult } from './http';

// Form and multipart bodies are a client mistake (curl -d without a
// content-type header is form-encoded); JSON, text/plain and none are read.
const REFUSED_CONTENT_TYPES = /^(application\/x-www-form-urlencoded|multipart\/|application\/xml|text\/xml)/i;

function checkContentType(event: HttpEvent): void {
  const type = header(event, 'content-type');
  if (type !== undefined && REFUSED_CONTENT_TYPES.test(type.trim())) {
    throw new InvalidInputError(`content-type ${type} is not accepted; send application/json`, 'content-type', 415);
  }
}

/**
 * The signature check, before anything else is done with the body: the HMAC
 * over its exact bytes. Resolves to the parsed body when the check parsed it.
 */
function checkSignature(
  event: HttpEvent,
  raw: Buffer,
  config: Pick<Config, 'webhookSecret' | 'webhookSignature' | 'allowUnauthenticated'>,
): { parsed?: unknown } {
  if (config.webhookSecret === undefined) {
    if (config.allowUnauthenticated) return {};
    throw new NotConfiguredError('WEBHOOK_SECRET is not set, so /events refuses every event', 'WEBHOOK_SECRET');
  }
  const check = verifySignature(config.webhookSecret, raw, header(event, 'x-signature'), config.webhookSignature);
  if (!check.valid)
    throw new InvalidInputError(
      'missing or wrong X-Signature; check the shared secret in the Segment destination settings',
      'x-signature',
      401,
    );
  return check;
}

/** The answer to a request: 400 naming the first fault when no event was valid, else 200 with the summary. */
function responseOf(summary: IngestSummary): HttpResult {
  if (summary.rejected === summary.received) {
    const first = summary.errors[0];
    return json(400, {
      error: first ? `event ${first.index}: ${faultText(first)}` : 'no valid event',
      details: { field: first?.field ?? 'body', ...summary },
    });
  }
  return json(200, summary);
}

/** Builds the handler over its dependencies (the Lambda passes the process's; benchmarks and tests their own). */
export function createStoreEventHandler(deps: DepsSource<'config' | 'events'>): HttpHandler {
  return httpHandler(async (event) => {
    const { config, events } = await deps();
    const raw = rawBody(event);
    const signed = checkSignature(event, raw, config);
    checkContentType(event);
    const text = bodyText(raw);
    const summary = await ingestBody(signed.parsed ?? parseJson(text), events, new Date(), {
      dropPersonalData: config.dropPersonalData,
      botFilter: config.botFilter,
      conversionEvents: new Set(config.conversions.events),
    });
    logger.info('events ingested', {
      received: summary.received,
      stored: summary.stored,
      duplicates: summary.duplicates,
      ignored: summary.ignored,
      rejected: summary.rejected,
    });
    return responseOf(summary);
  });
}

export const handler = createStoreEventHandler(() => loadDeps(['webhookSecret']));
