/**
 * The only reader of `process.env`. Parsed once with zod into a typed, frozen
 * object; a malformed variable fails at start with its name.
 */
import { join } from 'node:path';
import { config as loadDotenv } from 'dotenv';
import * as z from 'zod';
import { projectRoot } from './lib/project-root';
import { SmaError } from './errors';

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );

const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** DynamoDB table names: 3-255 of [a-zA-Z0-9_.-]. Empty means unset. */
const tableName = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)')
    .optional(),
);

/** `true` or `false`; empty means unset. */
const flag = (fallback: 'true' | 'false') => z.preprocess((v) => (v === '' ? undefined : v), z.enum(['true', 'false']).default(fallback));

/** Loopback hosts, the only ones SEGMENT_API_HOST may name over plain http (a local capture server). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** An https URL, or http on a loopback host: the write key travels in every request's Authorization header. */
const segmentHost = z.preprocess(
  (v) => (v === '' ? undefined : v),
  z
    .url()
    .default('https://api.segment.io')
    .refine((v) => {
      const url = new URL(v);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
    }, 'must be an https URL (plain http only on localhost)'),
);

/** Longest event name sma accepts in its settings. */
const MAX_EVENT_NAME_LENGTH = 200;

/** What real-time sync sends: touches for users or for every visitor, and conversions. */
export interface RealtimeSync {
  touches: 'off' | 'users' | 'all';
  conversions: boolean;
}

const SYNC_WORDS = ['off', 'users', 'all', 'conversions'] as const;

/**
 * REALTIME_SYNC: `off`, or a comma-separated list of `users` or `all` (touches)
 * and `conversions`, e.g. `users,conversions`.
 */
const realtimeSync = list
  .pipe(z.array(z.enum(SYNC_WORDS, { error: `must be off, or a list of users or all, and conversions` })))
  .refine((words) => !(words.includes('off') && words.length > 1), 'off cannot be combined with anything else')
  .refine((words) => !(words.includes('users') && words.includes('all')), 'users and all cannot both be given')
  .transform((words): RealtimeSync => ({
    touches: words.includes('all') ? 'all' : words.includes('users') ? 'users' : 'off',
    conversions: words.includes('conversions'),
  }));

const envSchema = z.object({
  /** Deployment stage. Default `dev`. It names the tables; it never opens a route. */
  STAGE: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')
    .default('dev'),
  /** AWS region. Default `us-east-1`. */
  REGION: z.string().default('us-east-1'),
  /** Service name, the prefix of default table names. Default `sma`. */
  SERVICE_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9-]+$/)
    .default('sma'),
  /** Table names. Defaults `<SERVICE_NAME>-<STAGE>-pages|identifies|user-map|attribution|rollups`. */
  PAGE_TABLE: tableName,
  IDENTIFY_TABLE: tableName,
  USER_MAP_TABLE: tableName,
  ATTRIBUTION_TABLE: tableName,
  ROLLUP_TABLE: tableName,
  CONVERSION_TABLE: tableName,
  /** DynamoDB endpoint override, for DynamoDB Local. Default: the AWS regional endpoint. */
  DYNAMODB_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  /**
   * Where the secrets come from: `env` (WEBHOOK_SECRET, API_KEY and
   * ANALYTICS_WRITE_KEY in the environment, as locally) or `ssm` (SecureString
   * parameters under SECRETS_PREFIX, as deployed). Default `env`.
   */
  SECRETS_SOURCE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['env', 'ssm']).default('env')),
  /** SSM Parameter Store path of the deployed secrets. Default `/<SERVICE_NAME>/<STAGE>/`. */
  SECRETS_PREFIX: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^\/[a-zA-Z0-9_.\-/]*\/$/, 'must be an SSM path that starts and ends with /')
      .optional(),
  ),
  /** Segment webhook shared secret; `X-Signature` is required on /events. Default: unset, and /events refuses events. */
  WEBHOOK_SECRET: optionalSecret,
  /**
   * What a valid X-Signature must sign: `body` (the exact request body,
   * default) or `first-event` (also accept, for a JSON array, a signature of
   * its first event alone, which is what Segment's Webhooks (Actions)
   * batching sends; anyone holding one signed event can then append others).
   */
  WEBHOOK_SIGNATURE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['body', 'first-event']).default('body')),
  /** API key for /api/*, /segment/* and /report. Default: unset, and those routes refuse every request. */
  API_KEY: optionalSecret,
  /**
   * `true`: a route whose secret (WEBHOOK_SECRET, API_KEY) is unset serves
   * without one. `sma local` turns it on; never set it on a deployed stage.
   * Default `false`.
   */
  ALLOW_UNAUTHENTICATED: flag('false'),
  /** Domains that are part of your site besides the page's own, comma-separated. Default: none. */
  OWN_DOMAINS: list,
  /** Referrers that never start a touch, comma-separated, added to the built-in payment/SSO list. Default: none. */
  IGNORED_REFERRERS: list,
  /** Segment source write key for the batch API. Default: unset, which means dry run: nothing is sent. */
  ANALYTICS_WRITE_KEY: optionalSecret,
  /** Name of the track event sent per touch. Default `Source Identified`. */
  ANALYTICS_SOURCE_IDENTIFICATION_EVENT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().max(MAX_EVENT_NAME_LENGTH).default('Source Identified'),
  ),
  /** Segment API host. Default `https://api.segment.io`; EU workspaces use `https://events.eu1.segmentapis.com`. */
  SEGMENT_API_HOST: segmentHost,
  /** Last touch: `non-direct` (the latest non-direct touch, default) or `any` (the latest touch). */
  LAST_TOUCH: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['non-direct', 'any']).default('non-direct')),
  /** Only touches within this many days before the latest count. Default: unset (all touches). */
  LOOKBACK_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  /**
   * Real-time sync: `off` (default), `users` (send identify and Source
   * Identified to Segment when a user's first or last touch changes) or `all`
   * (also the Source Identified tracks of anonymous visitors).
   */
  REALTIME_SYNC: realtimeSync,
  /** Track event names that are conversions, comma-separated (e.g. `Order Completed,Signed Up`). Default: none. */
  CONVERSION_EVENTS: list.pipe(z.array(z.string().max(MAX_EVENT_NAME_LENGTH, `names must be at most ${MAX_EVENT_NAME_LENGTH} characters`))),
  /** The track sma sends for each attributed conversion. Default `Conversion Attributed`. */
  ANALYTICS_CONVERSION_EVENT: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().max(MAX_EVENT_NAME_LENGTH).default('Conversion Attributed'),
  ),
  /** `true`: drop IP addresses and identify traits (all but the ids) before anything is stored. Default `false`. */
  DROP_PERSONAL_DATA: flag('false'),
  /**
   * `on` (default): page and screen views whose `context.userAgent` is a
   * bot's (isbot) are stored marked, and never make a touch or count in a
   * report. `off`: every view counts.
   */
  BOT_FILTER: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['on', 'off']).default('on')),
  /** Days raw events are kept after their event time (DynamoDB TTL); derived touches, links and counters stay. Default: unset (for ever). */
  RETENTION_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().max(36_500).optional()),
});

/** sma's configuration. */
export interface Config {
  stage: string;
  region: string;
  serviceName: string;
  tables: { page: string; identify: string; userMap: string; attribution: string; rollup: string; conversion: string };
  dynamodbEndpoint: string | undefined;
  /** Where the secrets below come from; with `ssm` they are unset here until `resolveSecrets` fills them. */
  secrets: { source: 'env' | 'ssm'; prefix: string };
  webhookSecret: string | undefined;
  webhookSignature: 'body' | 'first-event';
  apiKey: string | undefined;
  allowUnauthenticated: boolean;
  ownDomains: readonly string[];
  ignoredReferrers: readonly string[];
  segment: { writeKey: string | undefined; host: string; eventName: string };
  attribution: { lastTouch: 'non-direct' | 'any'; lookbackDays: number | undefined };
  realtimeSync: RealtimeSync;
  /** CONVERSION_EVENTS: the track events counted as conversions (none: conversions are off). */
  conversions: { events: readonly string[]; eventName: string };
  dropPersonalData: boolean;
  /** BOT_FILTER: bots' page views are told apart, and never make a touch. */
  botFilter: boolean;
  /** Days raw events are kept (RETENTION_DAYS); undefined keeps them. */
  retentionDays: number | undefined;
}

/** True when real-time sync sends anything at all. */
export function syncs(sync: RealtimeSync): boolean {
  return sync.touches !== 'off' || sync.conversions;
}

/** Thrown when the environment is malformed; names the variable. */
export class ConfigError extends SmaError {
  override name = 'ConfigError';
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** Parses an environment (process.env by default) into a frozen Config. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration: ${issue?.path.join('.') ?? 'environment'} ${issue?.message ?? 'is invalid'}; see .env.example`);
  }
  const e = parsed.data;
  if (syncs(e.REALTIME_SYNC) && e.SECRETS_SOURCE === 'env' && e.ANALYTICS_WRITE_KEY === undefined) {
    throw new ConfigError(`configuration: REALTIME_SYNC=${env.REALTIME_SYNC} needs ANALYTICS_WRITE_KEY; see .env.example`);
  }
  if (e.REALTIME_SYNC.conversions && e.CONVERSION_EVENTS.length === 0) {
    throw new ConfigError('configuration: REALTIME_SYNC=conversions needs CONVERSION_EVENTS; see .env.example');
  }
  const prefix = `${e.SERVICE_NAME}-${e.STAGE}`;
  return Object.freeze({
    stage: e.STAGE,
    region: e.REGION,
    serviceName: e.SERVICE_NAME,
    tables: Object.freeze({
      page: e.PAGE_TABLE ?? `${prefix}-pages`,
      identify: e.IDENTIFY_TABLE ?? `${prefix}-identifies`,
      userMap: e.USER_MAP_TABLE ?? `${prefix}-user-map`,
      attribution: e.ATTRIBUTION_TABLE ?? `${prefix}-attribution`,
      rollup: e.ROLLUP_TABLE ?? `${prefix}-rollups`,
      conversion: e.CONVERSION_TABLE ?? `${prefix}-conversions`,
    }),
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    secrets: Object.freeze({ source: e.SECRETS_SOURCE, prefix: e.SECRETS_PREFIX ?? `/${e.SERVICE_NAME}/${e.STAGE}/` }),
    // Deployed secrets come from SSM only: a stray value in the environment never stands in for them.
    webhookSecret: e.SECRETS_SOURCE === 'env' ? e.WEBHOOK_SECRET : undefined,
    webhookSignature: e.WEBHOOK_SIGNATURE,
    apiKey: e.SECRETS_SOURCE === 'env' ? e.API_KEY : undefined,
    allowUnauthenticated: e.ALLOW_UNAUTHENTICATED === 'true',
    ownDomains: Object.freeze(e.OWN_DOMAINS),
    ignoredReferrers: Object.freeze(e.IGNORED_REFERRERS),
    segment: Object.freeze({
      writeKey: e.SECRETS_SOURCE === 'env' ? e.ANALYTICS_WRITE_KEY : undefined,
      host: e.SEGMENT_API_HOST,
      eventName: e.ANALYTICS_SOURCE_IDENTIFICATION_EVENT,
    }),
    attribution: Object.freeze({ lastTouch: e.LAST_TOUCH, lookbackDays: e.LOOKBACK_DAYS }),
    realtimeSync: Object.freeze(e.REALTIME_SYNC),
    conversions: Object.freeze({ events: Object.freeze([...new Set(e.CONVERSION_EVENTS)]), eventName: e.ANALYTICS_CONVERSION_EVENT }),
    dropPersonalData: e.DROP_PERSONAL_DATA === 'true',
    botFilter: e.BOT_FILTER === 'on',
    retentionDays: e.RETENTION_DAYS,
  });
}

/**
 * Loads the sma folder's `.env` into `process.env`, as serverless.yml does for
 * the functions, so that every `sma` command and the local stack share one
 * configuration. A variable already set in the shell wins.
 */
export function loadEnvFile(path: string = join(projectRoot(), '.env')): void {
  loadDotenv({ path, quiet: true });
}

let current: Config | undefined;

/** The process's configuration, parsed on first use. */
export function getConfig(): Config {
  current ??= parseConfig();
  return current;
}
