/**
 * The deployed secrets: SecureString parameters in SSM Parameter Store, read
 * once per container with Powertools Parameters, so that no secret value is
 * ever part of a template, a function's environment or a deployment bucket.
 * Locally (SECRETS_SOURCE=env) they come from `.env` with the rest of the
 * configuration.
 */
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { syncs, type Config } from './config';
import { NotConfiguredError, SmaError } from './errors';

/**
 * The secrets, each one's parameter name under the stage's prefix, and
 * whether a deployed stage needs it (the routes it guards stay closed
 * without it; without the write key, sends are dry runs).
 */
export const SECRET_PARAMETERS = {
  webhookSecret: { name: 'webhook-secret', variable: 'WEBHOOK_SECRET', required: true },
  apiKey: { name: 'api-key', variable: 'API_KEY', required: true },
  writeKey: { name: 'analytics-write-key', variable: 'ANALYTICS_WRITE_KEY', required: false },
} as const;

export type SecretName = keyof typeof SECRET_PARAMETERS;

/**
 * How long a container keeps a secret before reading it again, in seconds: a
 * rotated secret is picked up within this time, and a busy function reads
 * SSM a few times an hour, not per request.
 */
export const SECRET_MAX_AGE_SECONDS = 300;

/** SSM could not be read (throttled, unreachable, or denied). Retryable: the request should be tried again. */
export class SecretsUnavailableError extends SmaError {
  override name = 'SecretsUnavailableError';
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** The full parameter name of a secret for a configuration. */
export function secretParameterName(config: Pick<Config, 'secrets'>, secret: SecretName): string {
  return `${config.secrets.prefix}${SECRET_PARAMETERS[secret].name}`;
}

let defaultProvider: SSMProvider | undefined;

/** The SSM provider, built once per process (its cache lives with it). */
function ssmProvider(region: string): SSMProvider {
  defaultProvider ??= new SSMProvider({ awsSdkV3Client: new SSMClient({ region }) });
  return defaultProvider;
}

async function readSecret(config: Config, secret: SecretName, provider: SSMProvider): Promise<string | undefined> {
  const name = secretParameterName(config, secret);
  try {
    const value = await provider.get(name, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS, throwOnMissing: true });
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  } catch (e: unknown) {
    // A missing parameter is a setting left unset: the routes it guards stay closed.
    if (e instanceof ParameterNotFoundError) return undefined;
    throw new SecretsUnavailableError(`could not read SSM parameter ${name}`, e);
  }
}

/**
 * The configuration with the secrets a function needs filled in. With
 * SECRETS_SOURCE=env it is returned as it is. With `ssm` only the `needed`
 * secrets are read, since each function's role may read only its own; a
 * missing parameter stays unset, and the route it guards stays closed.
 */
export async function resolveSecrets(
  config: Config,
  needed: readonly SecretName[],
  provider: SSMProvider = ssmProvider(config.region),
): Promise<Config> {
  if (config.secrets.source === 'env') return config;
  const read = async (secret: SecretName): Promise<string | undefined> =>
    needed.includes(secret) ? readSecret(config, secret, provider) : undefined;
  const [webhookSecret, apiKey, writeKey] = await Promise.all([read('webhookSecret'), read('apiKey'), read('writeKey')]);
  if (needed.includes('writeKey') && writeKey === undefined && syncs(config.realtimeSync)) {
    throw new NotConfiguredError(
      `REALTIME_SYNC needs the write key in SSM parameter ${secretParameterName(config, 'writeKey')}`,
      'ANALYTICS_WRITE_KEY',
    );
  }
  return Object.freeze({ ...config, webhookSecret, apiKey, segment: Object.freeze({ ...config.segment, writeKey }) });
}

/** What `sma secrets put` did with one secret. */
export interface StoredSecret {
  variable: string;
  parameter: string;
  required: boolean;
  /** `stored`: written now; `kept`: not in the environment, already in SSM; `missing`: in neither. */
  outcome: 'stored' | 'kept' | 'missing';
}

/**
 * Stores each secret that is set in `env` as a SecureString parameter
 * (overwriting), and reports for every secret where it stands. Values are
 * never returned or printed.
 */
export async function storeSecrets(config: Config, env: NodeJS.ProcessEnv, client: SSMClient): Promise<StoredSecret[]> {
  const results: StoredSecret[] = [];
  for (const secret of Object.keys(SECRET_PARAMETERS) as SecretName[]) {
    const { variable, required } = SECRET_PARAMETERS[secret];
    const parameter = secretParameterName(config, secret);
    const value = env[variable]?.trim();
    if (value) {
      await client.send(new PutParameterCommand({ Name: parameter, Value: value, Type: 'SecureString', Overwrite: true }));
      results.push({ variable, parameter, required, outcome: 'stored' });
      continue;
    }
    try {
      await client.send(new GetParameterCommand({ Name: parameter }));
      results.push({ variable, parameter, required, outcome: 'kept' });
    } catch (e: unknown) {
      if (!(e instanceof ParameterNotFound)) throw e;
      results.push({ variable, parameter, required, outcome: 'missing' });
    }
  }
  return results;
}
