'use strict';
/**
 * sma's deploy plugin: what `serverless package` and `serverless deploy`
 * must hold before and after the template is built.
 * - A stage is closed unless ALLOW_UNAUTHENTICATED=true: packaging stops when
 *   the webhook secret or the API key is missing, and deploying stops when
 *   either is not in SSM Parameter Store, where the functions read it.
 * - What operators need, for every resource of a kind, whatever is added
 *   later: point-in-time recovery and Retain on each table, an error alarm on
 *   each function, an iterator-age alarm on each stream mapping, an alarm on
 *   each dead-letter queue, all sent to one SNS topic.
 */
const { GetParameterCommand, ParameterNotFound, SSMClient } = require('@aws-sdk/client-ssm');
const { operationsResources } = require('./operations.cjs');

/** The secrets a closed stage needs, with the parameter each lives in. */
const REQUIRED_SECRETS = [
  { variable: 'WEBHOOK_SECRET', parameter: 'webhook-secret', guards: '/events' },
  { variable: 'API_KEY', parameter: 'api-key', guards: '/api/*, /segment/* and /report' },
];
/** Needed as well when real-time sync is on: without it the stream processors cannot send. */
const WRITE_KEY = { variable: 'ANALYTICS_WRITE_KEY', parameter: 'analytics-write-key', guards: 'real-time sync (REALTIME_SYNC)' };
/** How long the SSM look-up before a package or deploy may take. */
const SSM_CHECK_TIMEOUT_MS = 10_000;

const isSet = (name) => (process.env[name] ?? '').trim() !== '';

class SmaDeployPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:package:initialize': () => this.checkSecrets({ inSsm: false }),
      'before:deploy:deploy': () => this.checkSecrets({ inSsm: true }),
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.addOperations(),
    };
  }

  get stage() {
    return this.serverless.service.provider.stage;
  }

  fail(message) {
    throw new this.serverless.classes.Error(message);
  }

  /** The parameter names of this stage's secrets, from the functions' SECRETS_PREFIX. */
  parameterName(parameter) {
    return `${this.serverless.service.provider.environment.SECRETS_PREFIX}${parameter}`;
  }

  /** Whether a parameter exists; throws when SSM cannot be asked. */
  async parameterExists(name) {
    const client = new SSMClient({ region: this.serverless.service.provider.region });
    try {
      await client.send(new GetParameterCommand({ Name: name }), { abortSignal: AbortSignal.timeout(SSM_CHECK_TIMEOUT_MS) });
      return true;
    } catch (e) {
      if (e instanceof ParameterNotFound) return false;
      throw e;
    } finally {
      client.destroy();
    }
  }

  /**
   * Packaging needs each secret either in the environment (`.env`), ready for
   * `sma secrets put`, or already in SSM; deploying needs it in SSM.
   */
  async checkSecrets({ inSsm }) {
    const open = process.env.ALLOW_UNAUTHENTICATED === 'true';
    if (open) this.serverless.cli.log(`sma: ALLOW_UNAUTHENTICATED=true: routes without a secret are OPEN on stage ${this.stage}.`);
    const sync = (process.env.REALTIME_SYNC ?? 'off').trim();
    const required = [...(open ? [] : REQUIRED_SECRETS), ...(sync !== '' && sync !== 'off' ? [WRITE_KEY] : [])];
    const missing = [];
    for (const secret of required) {
      if (!inSsm && isSet(secret.variable)) continue;
      const name = this.parameterName(secret.parameter);
      let found = false;
      let reason = 'not found';
      try {
        found = await this.parameterExists(name);
      } catch (e) {
        reason = `could not be checked (${e instanceof Error ? e.name : 'error'}: ${e instanceof Error ? e.message : String(e)})`;
      }
      if (!found) missing.push({ secret, line: `${secret.variable} (guards ${secret.guards}): SSM parameter ${name} ${reason}` });
    }
    if (missing.length === 0) return;
    const stageFlag = `--stage ${this.stage}`;
    const wouldBeOpen = missing.some((m) => REQUIRED_SECRETS.includes(m.secret));
    this.fail(
      [
        `sma: stage ${this.stage} ${wouldBeOpen ? 'would be open' : 'cannot send to Segment'}. Missing:`,
        ...missing.map((m) => `  - ${m.line}`),
        'Set each in .env (or the environment), then store them in SSM Parameter Store:',
        `  npx sma secrets put ${stageFlag}`,
        wouldBeOpen
          ? 'See README: Deploy to AWS. To deploy open on purpose (never for real data), set ALLOW_UNAUTHENTICATED=true.'
          : 'See README: Deploy to AWS, or set REALTIME_SYNC=off.',
      ].join('\n'),
    );
  }

  addOperations() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const added = operationsResources(template, {
      service: this.serverless.service.service,
      stage: this.stage,
      alarmEmail: (process.env.ALARM_EMAIL ?? '').trim() || undefined,
    });
    Object.assign(template.Resources, added.resources);
  }
}

module.exports = SmaDeployPlugin;
