/**
 * `sma secrets put`: stores the stage's secrets from `.env` (or the
 * environment) in SSM Parameter Store, where the deployed functions read them.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { storeSecrets, type StoredSecret } from '../secrets';
import { targetConfig } from './import-command';

export interface SecretsFlags {
  stage?: string;
  region?: string;
}

function describe(s: StoredSecret): string {
  if (s.outcome === 'stored') return `  ${s.variable.padEnd(20)} stored in ${s.parameter}`;
  if (s.outcome === 'kept') return `  ${s.variable.padEnd(20)} not set here; ${s.parameter} already exists and was left as it is`;
  const effect = s.required ? 'REQUIRED: the routes it guards stay closed' : 'optional: without it, sends are dry runs';
  return `  ${s.variable.padEnd(20)} not set here and not in ${s.parameter} (${effect})`;
}

/** Runs the command; returns the exit code (1 when a required secret is still missing). */
export async function runSecretsPut(
  flags: SecretsFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const config = targetConfig({ ...flags, aws: true });
  const client = new SSMClient({ region: config.region });
  try {
    const results = await storeSecrets(config, process.env, client);
    io.stdout.write(`secrets of stage ${config.stage} (${config.region}), as SecureString under ${config.secrets.prefix}:\n`);
    for (const r of results) io.stdout.write(`${describe(r)}\n`);
    const missing = results.filter((r) => r.outcome === 'missing' && r.required);
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
