/**
 * The only reader of `process.env`. Parsed once with zod into a typed, frozen
 * object; a malformed variable fails at start with its name.
 */
import { z } from 'zod';

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

const envSchema = z.object({
  /** Deployment stage. Default `dev`; `dev` is the only stage where the debug API may run without API_KEY. */
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
  /** DynamoDB endpoint override, for DynamoDB Local. Default: the AWS regional endpoint. */
  DYNAMODB_ENDPOINT: z.preprocess((v) => (v === '' ? undefined : v), z.url().optional()),
  /** Segment webhook shared secret; when set, `X-Signature` is required on /events. Default: unset. */
  WEBHOOK_SECRET: optionalSecret,
  /** API key for /api/*; when set, `x-api-key` must match. Default: unset (open only on stage dev). */
  API_KEY: optionalSecret,
  /** Domains that are part of your site besides the page's own, comma-separated. Default: none. */
  OWN_DOMAINS: list,
  /** Referrers that never start a touch, comma-separated, added to the built-in payment/SSO list. Default: none. */
  IGNORED_REFERRERS: list,
  /** Segment source write key for the batch API. Default: unset, which means dry run: nothing is sent. */
  ANALYTICS_WRITE_KEY: optionalSecret,
  /** Name of the track event sent per touch. Default `Source Identified`. */
  ANALYTICS_SOURCE_IDENTIFICATION_EVENT: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(200).default('Source Identified')),
  /** Segment API host. Default `https://api.segment.io`; EU workspaces use `https://events.eu1.segmentapis.com`. */
  SEGMENT_API_HOST: z.preprocess((v) => (v === '' ? undefined : v), z.url().default('https://api.segment.io')),
  /** Last touch: `non-direct` (the latest non-direct touch, default) or `any` (the latest touch). */
  LAST_TOUCH: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['non-direct', 'any']).default('non-direct')),
  /** Only touches within this many days before the latest count. Default: unset (all touches). */
  LOOKBACK_DAYS: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
  /**
   * Real-time sync: `off` (default), `users` (send identify and Source
   * Identified to Segment when a user's first or last touch changes) or `all`
   * (also the Source Identified tracks of anonymous visitors).
   */
  /** `true`: drop IP addresses and identify traits (all but the ids) before anything is stored. Default `false`. */
  DROP_PERSONAL_DATA: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['true', 'false']).default('false')),
  REALTIME_SYNC: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['off', 'users', 'all']).default('off')),
});

/** sma's configuration. */
export interface Config {
  stage: string;
  region: string;
  serviceName: string;
  tables: { page: string; identify: string; userMap: string; attribution: string; rollup: string };
  dynamodbEndpoint: string | undefined;
  webhookSecret: string | undefined;
  apiKey: string | undefined;
  ownDomains: readonly string[];
  ignoredReferrers: readonly string[];
  segment: { writeKey: string | undefined; host: string; eventName: string };
  attribution: { lastTouch: 'non-direct' | 'any'; lookbackDays: number | undefined };
  realtimeSync: 'off' | 'users' | 'all';
  dropPersonalData: boolean;
}

/** Thrown when the environment is malformed; names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (process.env by default) into a frozen Config. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`configuration: ${issue?.path.join('.') ?? 'environment'} ${issue?.message ?? 'is invalid'}; see .env.example`);
  }
  const e = parsed.data;
  if (e.REALTIME_SYNC !== 'off' && e.ANALYTICS_WRITE_KEY === undefined) {
    throw new ConfigError(`configuration: REALTIME_SYNC=${e.REALTIME_SYNC} needs ANALYTICS_WRITE_KEY; see .env.example`);
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
    }),
    dynamodbEndpoint: e.DYNAMODB_ENDPOINT,
    webhookSecret: e.WEBHOOK_SECRET,
    apiKey: e.API_KEY,
    ownDomains: Object.freeze(e.OWN_DOMAINS),
    ignoredReferrers: Object.freeze(e.IGNORED_REFERRERS),
    segment: Object.freeze({
      writeKey: e.ANALYTICS_WRITE_KEY,
      host: e.SEGMENT_API_HOST,
      eventName: e.ANALYTICS_SOURCE_IDENTIFICATION_EVENT,
    }),
    attribution: Object.freeze({ lastTouch: e.LAST_TOUCH, lookbackDays: e.LOOKBACK_DAYS }),
    realtimeSync: e.REALTIME_SYNC,
    dropPersonalData: e.DROP_PERSONAL_DATA === 'true',
  });
}

let current: Config | undefined;

/** The process's configuration, parsed on first use. */
export function getConfig(): Config {
  current ??= parseConfig();
  return current;
}
