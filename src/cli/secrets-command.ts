/**
 * `sma secrets put`: stores the stage's secrets from `.env` (or the
 * environment) in SSM Parameter Store, where the deployed functions read them.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseConfig } from '../config';
import { storeSecrets, type StoredSecret } from '../secrets';

export interface SecretsFlags {
  stage?: string;
  region?: string;
}

/** The secrets a deployed stage cannot serve without: its routes stay closed until they are there. */
const REQUIRED = new Set(['WEBHOOK_SECRET', 'API_KEY']);

function describe(s: StoredSecret): string {
  if (s.outcome === 'stored') return `  ${s.variable.padEnd(20)} stored in ${s.parameter}`;
  if (s.outcome === 'kept') return `  ${s.variable.padEnd(20)} not set here; ${s.parameter} already exists and was left as it is`;
  const effect = REQUIRED.has(s.variable) ? 'REQUIRED: the routes it guards stay closed' : 'optional: without it, sends are dry runs';
  return `  ${s.variable.padEnd(20)} not set here and not in ${s.parameter} (${effect})`;
}

/** Runs the command; returns the exit code (1 when a required secret is still missing). */
export async function runSecretsPut(
  flags: SecretsFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const config = parseConfig({
    ...process.env,
    ...(flags.stage ? { STAGE: flags.stage } : {}),
    ...(flags.region ? { REGION: flags.region } : {}),
  });
  const client = new SSMClient({ region: config.region });
  try {
    const results = await storeSecrets(config, process.env, client);
    io.stdout.write(`secrets of stage ${config.stage} (${config.region}), as SecureString under ${config.secrets.prefix}:\n`);
    for (const r of results) io.stdout.write(`${describe(r)}\n`);
    const missing = results.filter((r) => r.outcome === 'missing' && REQUIRED.has(r.variable));
    if (missing.length === 0) return 0;
    io.stderr.write(`set ${missing.map((m) => m.variable).join(' and ')} in .env, then run this command again.\n`);
    return 1;
  } catch (e: unknown) {
    const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    io.stderr.write(
      `sma secrets put: ${reason}\nCheck your AWS credentials (aws sts get-caller-identity) and that they may call ssm:PutParameter.\n`,
    );
    return 1;
  } finally {
    client.destroy();
  }
}
