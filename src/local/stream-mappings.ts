/**
 * The DynamoDB stream mappings of serverless.yml, as the local stream runner
 * needs them: which function reads which table's stream, with the event
 * source mapping's settings and the function's name and timeout. Read from
 * the configuration `serverless print` resolves, so that local and AWS use
 * the same numbers.
 */
import { spawn } from 'node:child_process';
import { serverlessBin } from './processes';
import * as z from 'zod';

/** Lambda's defaults for a DynamoDB event source mapping (-1: no limit). */
const LAMBDA_DEFAULT_BATCH_SIZE = 100;
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 6;
const NO_LIMIT = -1;

/** One function reading one table's stream. */
export interface StreamMapping {
  /** The function's key in serverless.yml, e.g. processPage. */
  functionKey: string;
  /** The deployed name, which sls offline's Lambda invoke endpoint answers to. */
  functionName: string;
  timeoutMs: number;
  table: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Retries after the first attempt; -1 retries until the record expires. */
  maximumRetryAttempts: number;
  /** -1: no limit. */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** The on-failure queue's name, where the stack defines one. */
  onFailureQueue?: string;
  /** Records written by `sma import` are never delivered: the function would skip each one. */
  skipImported: boolean;
}

const getAtt = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) });

const streamEvent = z.object({
  type: z.literal('dynamodb').optional(),
  arn: getAtt,
  batchSize: z.number().int().positive().optional(),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).optional(),
  maximumRetryAttempts: z.number().int().optional(),
  maximumRecordAgeInSeconds: z.number().int().optional(),
  functionResponseType: z.string().optional(),
  bisectBatchOnFunctionError: z.boolean().optional(),
  destinations: z.object({ onFailure: z.object({ arn: getAtt }).optional() }).optional(),
});

const resolvedConfig = z.object({
  functions: z.record(
    z.string(),
    z.object({
      name: z.string(),
      timeout: z.number().optional(),
      events: z.array(z.record(z.string(), z.unknown())).optional(),
    }),
  ),
  provider: z.object({ timeout: z.number().optional() }),
  resources: z.object({ Resources: z.record(z.string(), z.object({ Properties: z.record(z.string(), z.unknown()).optional() })) }),
  custom: z.object({ localStreams: z.object({ skipImported: z.array(z.string()).optional() }).optional() }).optional(),
});

/** The stream mappings of a configuration as `serverless print --format json` gives it. */
export function streamMappings(config: unknown): StreamMapping[] {
  const c = resolvedConfig.parse(config);
  const nameOf = (logicalId: string, property: string): string => {
    const value = c.resources.Resources[logicalId]?.Properties?.[property];
    if (typeof value !== 'string') throw new Error(`serverless.yml: resource ${logicalId} has no ${property}`);
    return value;
  };
  const skipImported = new Set(c.custom?.localStreams?.skipImported ?? []);
  const mappings: StreamMapping[] = [];
  for (const [functionKey, fn] of Object.entries(c.functions)) {
    for (const event of fn.events ?? []) {
      if (!('stream' in event)) continue;
      const s = streamEvent.parse(event.stream);
      const queue = s.destinations?.onFailure?.arn['Fn::GetAtt'][0];
      mappings.push({
        functionKey,
        functionName: fn.name,
        timeoutMs: (fn.timeout ?? c.provider.timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS) * 1000,
        table: nameOf(s.arn['Fn::GetAtt'][0], 'TableName'),
        batchSize: s.batchSize ?? LAMBDA_DEFAULT_BATCH_SIZE,
        startingPosition: s.startingPosition ?? 'TRIM_HORIZON',
        maximumRetryAttempts: s.maximumRetryAttempts ?? NO_LIMIT,
        maximumRecordAgeSeconds: s.maximumRecordAgeInSeconds ?? NO_LIMIT,
        reportBatchItemFailures: s.functionResponseType === 'ReportBatchItemFailures',
        bisectBatchOnFunctionError: s.bisectBatchOnFunctionError ?? false,
        ...(queue ? { onFailureQueue: nameOf(queue, 'QueueName') } : {}),
        skipImported: skipImported.has(functionKey),
      });
    }
  }
  return mappings;
}

/** Resolves serverless.yml with `serverless print` (as the deploy would) and reads its stream mappings. */
export async function loadStreamMappings(options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<StreamMapping[]> {
  const child = spawn(process.execPath, [serverlessBin(), 'print', '--format', 'json'], {
    cwd: options.cwd,
    env: { ...options.env, SLS_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  // serverless prints a notice (the dotenv plugin's) before the JSON.
  const start = out.indexOf('{');
  if (code !== 0 || start < 0) throw new Error(`serverless print failed (exit ${code}):\n${err || out}`);
  return streamMappings(JSON.parse(out.slice(start)) as unknown);
}
