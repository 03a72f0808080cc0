/**
 * What `serverless package` makes of each Lambda function, read back for the
 * bundle benchmark: the zip, the bundle and map inside it, the handler file
 * and the NODE_OPTIONS the function runs with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import { serverlessBin } from '../../src/local/processes';

export interface PackagedFunction {
  name: string;
  zipBytes: number;
  /** The unzipped handler bundle, its size, and its source map's (0 when none). */
  bundlePath: string;
  bundleBytes: number;
  mapBytes: number;
  /** The function's NODE_OPTIONS in the template, split into arguments for `node`. */
  nodeOptions: string[];
}

/** `serverless package` takes about 10 s here; a slow machine gets room. */
const PACKAGE_TIMEOUT_MS = 300_000;

/**
 * Packages the service into `dir` offline, as test/e2e/template.test.ts does:
 * with the secrets in the environment, the deploy plugin asks no AWS account.
 */
export function packageService(root: string, dir: string): void {
  const run = spawnSync(process.execPath, [serverlessBin(), 'package', '--stage', 'dev', '--package', dir], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      SLS_TELEMETRY_DISABLED: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      WEBHOOK_SECRET: 'bench-webhook-secret',
      API_KEY: 'bench-api-key',
    },
    encoding: 'utf8',
    timeout: PACKAGE_TIMEOUT_MS,
  });
  if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}${run.stderr}`);
}

interface TemplateFunction {
  Type: string;
  Properties: { FunctionName?: unknown; Handler: string; Environment?: { Variables?: Record<string, unknown> } };
}

/** Each packaged function, unzipped under `dir`/unzipped/<name>. */
export function readPackagedFunctions(dir: string): PackagedFunction[] {
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as {
    Resources: Record<string, TemplateFunction>;
  };
  const lambdas = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.zip'))
    .map((zip) => {
      const name = zip.slice(0, -'.zip'.length);
      // serverless names a function's resource after it: storeEvent → StoreEventLambdaFunction.
      const logicalId = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;
      const resource = lambdas.find(([id]) => id === logicalId)?.[1];
      if (!resource) throw new Error(`no ${logicalId} in the template for ${zip}`);
      const out = join(dir, 'unzipped', name);
      mkdirSync(out, { recursive: true });
      execFileSync('unzip', ['-q', '-o', join(dir, zip), '-d', out]);
      const handler = resource.Properties.Handler;
      const bundlePath = join(out, `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
      const options = resource.Properties.Environment?.Variables?.NODE_OPTIONS;
      return {
        name,
        zipBytes: statSync(join(dir, zip)).size,
        bundlePath,
        bundleBytes: statSync(bundlePath).size,
        mapBytes: sizeOrZero(`${bundlePath}.map`),
        nodeOptions: typeof options === 'string' ? options.split(/\s+/).filter(Boolean) : [],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function sizeOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** serverless.yml's custom.esbuild, for building the benchmark's reference bundle the same way. */
export function esbuildSettings(root: string): Record<string, unknown> {
  const config = yaml.load(readFileSync(join(root, 'serverless.yml'), 'utf8')) as { custom?: { esbuild?: Record<string, unknown> } };
  const settings = { ...(config.custom?.esbuild ?? {}) };
  // serverless-esbuild's own settings, not esbuild's.
  for (const key of ['exclude', 'skipRebuild', 'packager', 'concurrency', 'zipConcurrency']) delete settings[key];
  return settings;
}
