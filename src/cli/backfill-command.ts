/**
 * `sma backfill`: the CLI face of src/app/backfill.
 */
import { SingleBar } from 'cli-progress';
import { backfill, type BackfillSummary } from '../app/backfill/backfill';
import { listUnlinkedAnonymous, listUsers } from '../app/backfill/candidates';
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
  rate?: number;
  checkpoint: string;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new InvalidInputError(`${flag} must be a date like 2020-01-01 or 2020-01-01T00:00:00Z`, flag.replace(/^--/, ''));
  return new Date(t);
}

function formatSummary(s: BackfillSummary, flags: BackfillFlags): string {
  const lines = [
    `backfill ${s.dryRun ? '(dry run: nothing was sent)' : s.resumed ? 'resumed and finished' : 'finished'}`,
    ...(s.retried > 0 ? [`  sent again            the messages of ${s.retried} id(s) that had failed in the last run`] : []),
    `  users considered      ${s.users}${flags.anonymous ? `, anonymous visitors ${s.anonymous}` : ''}`,
    `  with touches in range ${s.inRange}`,
    `  messages              ${s.messages} (${s.identifies} identify, ${s.tracks} track)`,
  ];
  if (!s.dryRun) {
    lines.push(
      `  requests              ${s.requests}`,
      `  sent                  ${s.messages - s.failedMessages}`,
      `  failed                ${s.failedMessages}`,
    );
    for (const f of s.failures.slice(0, 10))
      lines.push(`    ${f.messageIds.length} message(s): ${f.error}${f.retryable ? ' (temporary)' : ''}`);
    if (s.failedIds > 0)
      lines.push(
        `  the checkpoint keeps the ${s.failedIds} id(s) whose messages failed for now: run the same command again to send only theirs`,
      );
    if (s.failures.some((f) => !f.retryable))
      lines.push('  refused messages (4xx) are not sent again: fix their cause (the reasons above)');
  } else {
    lines.push('  first messages that would be sent:');
    for (const m of s.sample) lines.push(`    ${JSON.stringify(m)}`);
  }
  return lines.join('\n');
}

/** Runs a backfill; returns the exit code. */
export async function runBackfill(
  flags: BackfillFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<number> {
  try {
    const since = parseDate(flags.since, '--since');
    const until = parseDate(flags.until, '--until');
    const config = targetConfig(flags);
    const http = flags.rate ? rateLimited(fetchHttpClient, flags.rate) : fetchHttpClient;
    const segment = new SegmentBatchClient({ writeKey: config.segment.writeKey, host: config.segment.host, http });
    const deps = { ...cliDeps(config), segment };
    const dryRun = flags.dryRun === true || segment.dryRun;
    if (!flags.dryRun && segment.dryRun)
      io.stderr.write('ANALYTICS_WRITE_KEY is not set: this is a dry run. Set it (in .env or the environment) to send.\n');
    const both = flags.identify !== true && flags.track !== true;
    const wantUsers = flags.users === true || flags.anonymous !== true;
    io.stderr.write(
      `reading users from ${config.dynamodbEndpoint ?? `AWS ${config.region}`} (${config.tables.userMap}, ${config.tables.attribution})…\n`,
    );
    const ids = {
      users: wantUsers ? await listUsers(deps.doc, config.tables) : [],
      anonymous: flags.anonymous ? await listUnlinkedAnonymous(deps.doc, config.tables) : [],
    };
    const bar = io.stderr.isTTY
      ? new SingleBar({
          format: 'backfill [{bar}] {percentage}% | {value}/{total} ids | {messages} messages, {failed} failed | ETA {eta}s',
          stream: io.stderr,
        })
      : undefined;
    bar?.start(ids.users.length + ids.anonymous.length, 0, { messages: 0, failed: 0 });
    const summary = await backfill(ids, deps, {
      since,
      until,
      identify: both || flags.identify === true,
      track: both || flags.track === true,
      dryRun,
      eventName: config.segment.eventName,
      model: deps.model,
      checkpointPath: flags.checkpoint,
      onProgress: (p) =>
        bar
          ? bar.update(p.done, { messages: p.messages, failed: p.failed })
          : io.stderr.write(`${p.done}/${p.total} ids, ${p.messages} messages, ${p.failed} failed\n`),
    });
    bar?.stop();
    io.stdout.write(`${formatSummary(summary, flags)}\n`);
    return summary.failedMessages > 0 ? 1 : 0;
  } catch (e: unknown) {
    return reportFailure('backfill', e, io.stderr, 'Run the same command again to resume from its checkpoint.');
  }
}
