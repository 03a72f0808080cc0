'use strict';
/**
 * The service name and stage for serverless.yml. Both are resolved before any
 * plugin loads, so serverless-dotenv-plugin's `.env` comes too late for them:
 * this reads the same `.env` itself. `--stage` wins, then STAGE from the shell,
 * then STAGE from `.env`, then `dev`, as for every `sma` command.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('dotenv');

/** The variables of a dotenv file, or none when it does not exist. */
function readEnvFile(path) {
  try {
    return parse(readFileSync(path));
  } catch {
    return {};
  }
}

/**
 * @param {{ options: { stage?: string }, env?: Record<string, string | undefined>, envFile?: string }} input
 * @returns {{ service: string, stage: string }}
 */
function resolveSettings({ options, env = process.env, envFile = join(__dirname, '..', '.env') }) {
  const file = readEnvFile(envFile);
  const pick = (name) => env[name] || file[name] || undefined;
  return { service: pick('SERVICE_NAME') ?? 'sma', stage: options.stage || pick('STAGE') || 'dev' };
}

module.exports = ({ options }) => resolveSettings({ options });
module.exports.resolveSettings = resolveSettings;
