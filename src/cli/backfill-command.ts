/**
 * `sma backfill`: the CLI face of src/app/backfill.
 */
import { SingleBar } from 'cli-progress';
import { backfill, type BackfillSummary } from '../app/backfill/backfill';
import { listUnlinkedAnonymous, listUsers } from '../app/backfill/candidates';
import { backfillConversions, listConversions, type ConversionBackfillSummary } from '../app/backfill/conversions';
import type { ChunkedSendSummary } from '../app/backfill/chunked-send';
import { fetchHttpClient, SegmentBatchClient } from '../segment/batch-client';
import { rateLimited } from '../segment/rate-limit';
import { reportFailure } from './failure';
import { cliDeps, targetConfig } from './import-command';
import { InvalidInputError } from '../errors';

export interface BackfillFlags {
  since?: string;
  until?: string;
  users?: boolean;
  anonymous?: boolean;
  identify?: boolean;
  track?: boolean;
  dryRun?: boolean;
  /** Send a Conversion Attributed track per stored conversion instead of the traits and touches. */
  conversions?: boolean;
  rate?: number;
  /** Default: one file per kind of backfill, so that neither discards the other's (CHECKPOINTS). */
  checkpoint?: string;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

/** Where each kind of backfill keeps its checkpoint by default. */
export const CHECKPOINTS = { ids: '.sma-backfill.checkpoint.json', conversions: '.sma-backfill-conversions.checkpoint.json' } as const;

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InvalidInputError(`${flag} must be a date like 2020-01-01 or 2020-01-01T00:00:00Z`, flag.replace(/^--/, ''));
  return new Date(t);
}

/** The summary's lines on what was sent, or in a dry run what would have been; `unit` names the items (ids, conversions). */
function sendLines(s: ChunkedSendSummary & { dryRun: boolean }, unit: string): string[] {
  if (s.dryRun) return ['  first messages that would be sent:', ...s.sample.map((m) => `    ${JSON.stringify(m)}`)];
  const lines = [
    `  requests              ${s.requests}`,
    `  sent                  ${s.messages - s.failedMessages}`,
    `  failed                ${s.failedMessages}`,
  ];
  for (const f of s.failures.slice(0, 10))
    lines.push(`    ${f.messageIds.length} message(s): ${f.error}${f.retryable ? ' (temporary)' : ''}`);
  if (s.failedIds > 0)
    lines.push(
      `  the checkpoint keeps the ${s.failedIds} ${unit} whose messages failed for now: run the same command again to send only theirs`,
    );
  if (s.failures.some((f) => !f.retryable)) lines.push('  refused messages (4xx) are not sent again: fix their cause (the reasons above)');
  return lines;
}

/** The first line: how the run ended, and what it sent again from the last. */
function headLines(s: ChunkedSendSummary & { dryRun: boolean }, what: string, unit: string): string[] {
  return [
    `${what} ${s.dryRun ? '(dry run: nothing was sent)' : s.resumed ? 'resumed and finished' : 'finished'}`,
    ...(s.retried > 0 ? [`  sent again            the messages of ${s.retried} ${unit} that had failed in the last run`] : []),
  ];
}

function formatSummary(s: BackfillSummary, flags: BackfillFlags): string {
  return [
    ...headLines(s, 'backfill', 'id(s)'),
    `  users considered      ${s.users}${flags.anonymous ? `, anonymous visitors ${s.anonymous}` : ''}`,
    `  with touches in range ${s.inRange}`,
    `  messages              ${s.messages} (${s.identifies} identify, ${s.tracks} track)`,
    ...sendLines(s, 'id(s)'),
  ].join('\n');
}

function formatConversionSummary(s: ConversionBackfillSummary): string {
  return [
    ...headLines(s, 'backfill of conversions', 'conversion(s)'),
    `  conversions stored    ${s.conversions}`,
    `  in range              ${s.inRange}`,
    `  messages              ${s.messages} (one track per conversion)`,
    ...sendLines(s, 'conversion(s)'),
  ].join('\n');
}

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } };

/** What every backfill starts from: its range, the stores, and a Segment client spaced by --rate. */
function setUp(flags: BackfillFlags, io: Io) {
  const since = parseDate(flags.since, '--since');
  const until = parseDate(flags.until, '--until');
  const config = targetConfig(flags);
  const http = flags.rate ? rateLimited(fetchHttpClient, flags.rate) : fetchHttpClient;
  const segment = new SegmentBatchClient({ writeKey: config.segment.writeKey, host: config.segment.host, http });
  const deps = { ...cliDeps(config), segment };
  if (!flags.dryRun && segment.dryRun)
    io.stderr.write('ANALYTICS_WRITE_KEY is not set: this is a dry run. Set it (in .env or the environment) to send.\n');
  const from = config.dynamodbEndpoint ?? `AWS ${config.region}`;
  const common = {
    since,
    until,
    dryRun: flags.dryRun === true || segment.dryRun,
    model: deps.model,
    checkpointPath: flags.checkpoint ?? CHECKPOINTS[flags.conversions ? 'conversions' : 'ids'],
  };
  return { config, deps, from, common };
}

/** Progress as a bar on a terminal, else a line per chunk. */
function progress(io: Io, total: number, unit: string) {
  const bar = io.stderr.isTTY
    ? new SingleBar({
        format: `backfill [{bar}] {percentage}% | {value}/{total} ${unit} | {messages} messages, {failed} failed | ETA {eta}s`,
        stream: io.stderr,
      })
    : undefined;
  bar?.start(total, 0, { messages: 0, failed: 0 });
  return {
    onProgress: (p: { done: number; total: number; messages: number; failed: number }): void =>
      bar
        ? bar.update(p.done, { messages: p.messages, failed: p.failed })
        : void io.stderr.write(`${p.done}/${p.total} ${unit}, ${p.messages} messages, ${p.failed} failed\n`),
    stop: () => bar?.stop(),
  };
}

/** The backfill of identify traits and Source Identified tracks. */
async function runIdBackfill(flags: BackfillFlags, io: Io): Promise<number> {
  const { config, deps, from, common } = setUp(flags, io);
  const both = flags.identify !== true && flags.track !== true;
  const wantUsers = flags.users === true || flags.anonymous !== true;
  io.stderr.write(`reading users from ${from} (${config.tables.userMap}, ${config.tables.attribution})…\n`);
  const ids = {
    users: wantUsers ? await listUsers(deps.doc, config.tables) : [],
    anonymous: flags.anonymous ? await listUnlinkedAnonymous(deps.doc, config.tables) : [],
  };
  const shown = progress(io, ids.users.length + ids.anonymous.length, 'ids');
  const summary = await backfill(ids, deps, {
    ...common,
    identify: both || flags.identify === true,
    track: both || flags.track === true,
    eventName: config.segment.eventName,
    onProgress: shown.onProgress,
  });
  shown.stop();
  io.stdout.write(`${formatSummary(summary, flags)}\n`);
  return summary.failedMessages > 0 ? 1 : 0;
}

/** The backfill of Conversion Attributed tracks (--conversions), alone: the other flags choose what the id backfill sends. */
async function runConversionBackfill(flags: BackfillFlags, io: Io): Promise<number> {
  const other = (['users', 'anonymous', 'identify', 'track'] as const).find((f) => flags[f] === true);
  if (other) throw new InvalidInputError(`--conversions sends conversions only; run the backfill with --${other} separately`, other);
  const { config, deps, from, common } = setUp(flags, io);
  io.stderr.write(`reading conversions from ${from} (${config.tables.conversion})…\n`);
  const conversions = await listConversions(deps.conversions);
  const shown = progress(io, conversions.length, 'conversions');
  const summary = await backfillConversions(conversions, deps, {
    ...common,
    eventName: config.conversions.eventName,
    onProgress: shown.onProgress,
  });
  shown.stop();
  io.stdout.write(`${formatConversionSummary(summary)}\n`);
  return summary.failedMessages > 0 ? 1 : 0;
}

/** Runs a backfill; returns the exit code. */
export async function runBackfill(flags: BackfillFlags, io: Io): Promise<number> {
  try {
    return await (flags.conversions ? runConversionBackfill(flags, io) : runIdBackfill(flags, io));
  } catch (e: unknown) {
    return reportFailure('backfill', e, io.stderr, 'Run the same command again to resume from its checkpoint.');
  }
}
