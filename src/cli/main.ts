/**
 * The `sma` command line.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadEnvFile } from '../config';
import { runClassify, type ClassifyFlags } from './classify-command';

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

/** Ports the local stack prefers; a busy one is replaced by a free one. */
const DEFAULT_HTTP_PORT = 3000;
const DEFAULT_DYNAMODB_PORT = 8000;
const DEFAULT_CAPTURE_PORT = 4100;

/** Where a command reads and writes: the process's streams, or a test's. */
type Io = { stdin: typeof process.stdin; stdout: typeof process.stdout; stderr: typeof process.stderr };

/** The options that pick the tables a command works on, as serverless.yml names them. */
function withTables(command: Command, verb: 'read' | 'write to'): Command {
  return command
    .option('--stage <stage>', `stage whose tables to ${verb === 'read' ? 'read' : 'fill'} (default: STAGE or dev)`)
    .option('--region <region>', 'AWS region (default: REGION or us-east-1)')
    .option('--endpoint <url>', 'DynamoDB endpoint (default: the local stack, http://localhost:8000)')
    .option('--aws', `${verb} the AWS tables (standard credential chain) instead of the local stack`);
}

/**
 * `sma import`'s old-generation heap by default, in MB (see import-worker.ts).
 * What stays live is a few tens of MB at a million events, mostly the
 * identity pairs written so far; the rest is room for the garbage the import
 * makes between collections.
 */
export const DEFAULT_IMPORT_HEAP_MB = 128;

/**
 * A commander parser for a numeric flag: a value out of range stops with the
 * flag's rule instead of turning into NaN (which would switch a limit off).
 */
export function numberFlag(rule: { integer?: boolean; min: number; max?: number; hint: string }): (value: string) => number {
  return (value) => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && n >= rule.min && (rule.max === undefined || n <= rule.max);
    if (!ok) throw new InvalidArgumentError(rule.hint);
    return n;
  };
}

const PORT = numberFlag({ integer: true, min: 1, max: 65_535, hint: 'give a port number from 1 to 65535' });

function addClassifyCommand(program: Command, io: Io): void {
  program
    .command('classify')
    .description('Classify the traffic source of a visit from its landing URL and HTTP referrer.')
    .option('--url <url>', 'the landing page URL, with its query string')
    .option('--referrer <url>', 'the HTTP referrer')
    .option('--jsonl', 'read {"url":…,"referrer":…} lines from stdin, write one result line per input line, in order')
    .option('--pretty', 'indent the single JSON result')
    .option('--own-domain <domain>', 'a domain that belongs to this site (repeatable, or comma-separated)', collect, [])
    .option('--ignore-referrer <host[/path]>', 'a referrer that never starts a touch, added to the defaults (repeatable)', collect, [])
    .addOption(new Option('--no-default-ignores', 'drop the default ignored referrers (payment providers, sign-in pages)'))
    .addHelpText(
      'after',
      `
Examples:
  $ sma classify --url 'https://shop.example.com/?gclid=abc' --referrer 'https://www.google.com/'
  $ sma classify --referrer 'https://duckduckgo.com/?q=attribution' --pretty
  $ sma classify --url 'https://example.com/' --referrer 'https://checkout.example-pay.com/' --own-domain example-pay.com
  $ echo '{"url":"https://example.com/?utm_source=newsletter&utm_medium=email","referrer":""}' | sma classify --jsonl
  $ sma classify --jsonl < visits.jsonl > classified.jsonl

Fields: touch, channel, source, medium, campaign, content, term, campaign_id, click_id, referrer_host, reason.
The "reason" names the rule that decided; docs/classifier.md lists every convention.`,
    )
    .action(async (opts: ClassifyFlags) => {
      process.exitCode = await runClassify(opts, io);
    });
}

function addLocalCommand(program: Command, io: Io): void {
  program
    .command('local')
    .description('Run the whole service locally: DynamoDB Local, the tables, and sls offline with every route and stream handler.')
    .option('--port <port>', 'HTTP port for the API', PORT, DEFAULT_HTTP_PORT)
    .option('--dynamodb-port <port>', 'port for DynamoDB Local', PORT, DEFAULT_DYNAMODB_PORT)
    .option('--in-memory', 'start with empty tables and keep nothing (default: data persists in .dynamodb/)')
    .option('--data-dir <dir>', 'where DynamoDB Local keeps its data (default: .dynamodb/ in the sma folder)')
    .option('--verbose', 'also print DynamoDB Local output')
    .addHelpText('after', '\nExamples:\n  $ npm start\n  $ npx sma local --port 4000 --in-memory')
    .action(async (opts: { port: number; dynamodbPort: number; inMemory?: boolean; dataDir?: string; verbose?: boolean }) => {
      try {
        // Loaded on demand: the AWS SDK is not needed by the other commands.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runLocalStack } = require('../local/local-stack') as typeof import('../local/local-stack');
        await runLocalStack({
          httpPort: opts.port,
          dynamodbPort: opts.dynamodbPort,
          inMemory: opts.inMemory === true,
          ...(opts.dataDir ? { dataDir: resolve(opts.dataDir) } : {}),
          verbose: opts.verbose === true,
        });
      } catch (e: unknown) {
        io.stderr.write(`sma local: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      }
    });
}

function addImportCommand(program: Command, io: Io): void {
  withTables(program.command('import'), 'write to')
    .description(
      "Import history (Segment S3 archive, .jsonl/.json, warehouse CSV; gzipped or not) into the tables, then derive every visitor's touches.",
    )
    .argument('<paths...>', 'files or folders (folders are read recursively, in name order)')
    .option('--checkpoint <file>', 'checkpoint for resuming a stopped import', '.sma-import.checkpoint.json')
    .option('--rejects <file>', 'where rejected lines go (JSON lines: file, line, reason)', 'sma-import-rejects.jsonl')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint for s3:// inputs (MinIO, a local test server)')
    .option(
      '--heap-mb <mb>',
      'heap for the import, in MB (it keeps memory flat; raise it if an import asks)',
      numberFlag({ integer: true, min: 32, hint: 'give a whole number of MB, at least 32' }),
      DEFAULT_IMPORT_HEAP_MB,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma import s3://my-segment-archive/segment-logs/Wk9Xa1b2/   # straight from the S3 destination's bucket
  $ npx sma import ./segment-logs                      # an S3 archive copied locally, into the running local stack
  $ npx sma import pages.csv identifies.csv.gz         # warehouse exports
  $ npx sma import ./export --aws --stage prod --region eu-west-1
Run the same command again after an interruption: it resumes from the checkpoint.`,
    )
    .action(async (paths: string[], { heapMb, ...opts }: import('./import-command').ImportFlags & { heapMb: number }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runImportInWorker } = require('./import-worker') as typeof import('./import-worker');
      process.exitCode = await runImportInWorker(paths, opts, heapMb, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addBackfillCommand(program: Command, io: Io): void {
  withTables(program.command('backfill'), 'read')
    .description(
      'Send identify traits and Source Identified events to Segment for users (and anonymous visitors) with touches in a time range; or, with --conversions, a Conversion Attributed track per stored conversion.',
    )
    .option('--since <date>', 'only ids with touches at or after this date')
    .option('--until <date>', 'only touches before this date')
    .option('--users', 'users (the default when --anonymous is not given)')
    .option('--anonymous', 'anonymous visitors not linked to a user (add --users for both)')
    .option('--identify', 'send identify traits (default: identify and track)')
    .option('--track', 'send one Source Identified per touch in range (default: identify and track)')
    .option('--dry-run', 'send nothing; show what would be sent')
    .option(
      '--conversions',
      'instead: one Conversion Attributed track per stored conversion (in --since/--until by conversion time); needs CONVERSION_EVENTS',
    )
    .option(
      '--rate <requests/s>',
      'at most this many requests per second to Segment',
      numberFlag({ min: Number.MIN_VALUE, hint: 'give a number of requests per second above 0, like 20 or 0.5' }),
    )
    .option(
      '--checkpoint <file>',
      'checkpoint for resuming a stopped backfill (default: .sma-backfill.checkpoint.json, with --conversions .sma-backfill-conversions.checkpoint.json)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma backfill --since 2020-01-01 --dry-run
  $ npx sma backfill --since 2024-01-01 --until 2025-01-01 --track --rate 20
  $ npx sma backfill --aws --stage prod --region eu-west-1
  $ npx sma backfill --conversions --since 2024-01-01 --rate 20
Messages have deterministic ids: running a backfill again never duplicates in Segment or Mixpanel.`,
    )
    .action(async (opts: import('./backfill-command').BackfillFlags) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runBackfill } = require('./backfill-command') as typeof import('./backfill-command');
      process.exitCode = await runBackfill(opts, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addRefreshCommand(program: Command, io: Io): void {
  withTables(program.command('refresh'), 'write to')
    .description(
      'Rebuild touches and report counters from the stored events: for one visitor, one user, or every visitor seen since a day. Idempotent; sends nothing to Segment.',
    )
    .option('--visitor <anonymousId>', 'one visitor, by anonymous id')
    .option('--user <id>', 'one user and every visitor linked to them')
    .option('--since <YYYY-MM-DD>', 'every visitor with a page view on or after this day (a scan of the page table)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma refresh --user u-123
  $ npx sma refresh --since 2026-11-01 --aws --stage prod --region eu-west-1
Run it after records went to a stream's on-failure queue, or were set aside (GET /api/rejected, field processing).`,
    )
    .action(async (opts: import('./refresh-command').RefreshFlags) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runRefresh } = require('./refresh-command') as typeof import('./refresh-command');
      process.exitCode = await runRefresh(opts, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addForgetCommand(program: Command, io: Io): void {
  withTables(program.command('forget'), 'write to')
    .description(
      'Delete a person (GDPR, CCPA): every stored event, link, touch, rollup state and kept rejected body of a user (with every anonymous id linked to them) or of one anonymous visitor.',
    )
    .option('--user <id>', 'a user, with every anonymous id linked to them')
    .option('--anonymous <id>', 'one anonymous visitor')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma forget --user u-123
  $ npx sma forget --anonymous 5b0f… --aws --stage prod --region eu-west-1
The report counters are aggregates and stay. Safe to run again.`,
    )
    .action(async (opts: import('./forget-command').ForgetFlags) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runForget } = require('./forget-command') as typeof import('./forget-command');
      process.exitCode = await runForget(opts, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addReportCommand(program: Command, io: Io): void {
  withTables(program.command('report'), 'read')
    .description('Where users come from: the /report tables in the terminal, from the rollup counters.')
    .option('--since <YYYY-MM-DD>', 'first day (default: 29 days before --until)')
    .option('--until <YYYY-MM-DD>', 'last day (default: today, UTC)')
    .option('--model <model>', 'how users are credited: first_touch, last_touch, linear, time_decay, position_based', 'first_touch')
    .option('--json', 'print the report as JSON, as GET /api/report returns it')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma report
  $ npx sma report --since 2026-01-01 --until 2026-03-31 --model linear
  $ npx sma report --aws --stage prod --json > report.json`,
    )
    .action(async (opts: import('./report-command').ReportFlags) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runReport } = require('./report-command') as typeof import('./report-command');
      process.exitCode = await runReport(opts, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addSecretsCommand(program: Command, io: Io): void {
  program
    .command('secrets')
    .description('Secrets of a deployed stage, kept in SSM Parameter Store.')
    .command('put')
    .description('Store WEBHOOK_SECRET, API_KEY and ANALYTICS_WRITE_KEY from .env (or the environment) in SSM as SecureString.')
    .option('--stage <stage>', 'the stage whose secrets to store (default: STAGE or dev)')
    .option('--region <region>', 'AWS region (default: REGION or us-east-1)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma secrets put --stage prod
  $ npx sma secrets put --stage prod --region eu-west-1
Values are never printed. A secret that is not set here is left as it is in SSM.`,
    )
    .action(async (opts: import('./secrets-command').SecretsFlags) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runSecretsPut } = require('./secrets-command') as typeof import('./secrets-command');
      process.exitCode = await runSecretsPut(opts, { stdout: io.stdout, stderr: io.stderr });
    });
}

function addCaptureSegmentCommand(program: Command, io: Io): void {
  program
    .command('capture-segment')
    .description("Play Segment's HTTP API locally and print every message sma sends, instead of sending it to Segment.")
    .option('--port <port>', 'port to listen on', PORT, DEFAULT_CAPTURE_PORT)
    .option('--write-key <key>', 'require this write key, as Segment does (default: accept any)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx sma capture-segment
  then run the stack with SEGMENT_API_HOST=http://localhost:${DEFAULT_CAPTURE_PORT} and ANALYTICS_WRITE_KEY=test in .env, and
  $ curl http://localhost:3000/segment/identify/user/u-1`,
    )
    .action(async (opts: { port: number; writeKey?: string }) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startSegmentCapture } = require('../local/capture-server') as typeof import('../local/capture-server');
      const capture = await startSegmentCapture(opts.writeKey, {
        port: opts.port,
        onBatch: (messages) => {
          for (const m of messages) io.stdout.write(`${JSON.stringify(m)}\n`);
        },
      });
      io.stderr.write(`capturing Segment batches at ${capture.url}/v1/batch; set SEGMENT_API_HOST=${capture.url}. Ctrl-C to stop.\n`);
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      await capture.close();
    });
}

/** Builds the `sma` program; exported so tests can run it in-process. */
export function buildProgram(io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Command {
  const program = new Command('sma')
    .description('Marketing attribution for Segment: where each visit came from, first and last touch per user.')
    .showHelpAfterError('(run sma --help for usage)');

  addClassifyCommand(program, io);
  addLocalCommand(program, io);
  addImportCommand(program, io);
  addBackfillCommand(program, io);
  addRefreshCommand(program, io);
  addForgetCommand(program, io);
  addReportCommand(program, io);
  addSecretsCommand(program, io);
  addCaptureSegmentCommand(program, io);
  return program;
}

/** The entry of `sma import`'s worker thread (see import-worker.ts). */
export async function importWorkerMain(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runImportWorkerSide } = require('./import-worker') as typeof import('./import-worker');
  await runImportWorkerSide();
}

/** Entry point of `bin/sma.js`. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    loadEnvFile();
    await buildProgram().parseAsync([...argv]);
  } catch (e: unknown) {
    process.stderr.write(`sma: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
