/**
 * `sma refresh`: the CLI face of src/app/refresh.ts, with progress and a summary.
 */
import { SingleBar } from 'cli-progress';
import { refreshDerived, type RefreshScope, type RefreshSummary } from '../app/refresh';
import { reportFailure } from './failure';
import { cliDeps, targetConfig } from './import-command';
import { InvalidInputError } from '../errors';

export interface RefreshFlags {
  visitor?: string;
  user?: string;
  since?: string;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

/** The one scope the flags name; an error saying what to give otherwise. */
export function scopeOf(flags: RefreshFlags): RefreshScope {
  const given = [flags.visitor, flags.user, flags.since].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new InvalidInputError('give exactly one of --visitor <anonymousId>, --user <id> or --since <YYYY-MM-DD>', 'visitor');
  if (flags.visitor !== undefined) return { anonymousId: flags.visitor };
  if (flags.user !== undefined) return { userId: flags.user };
  const since = flags.since ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(since)))
    throw new InvalidInputError('--since must be a day like 2026-01-31', 'since');
  return { since };
}

function formatSummary(s: RefreshSummary): string {
  return [
    'refresh finished',
    `  visitors refreshed  ${s.visitors}`,
    `  users refreshed     ${s.users}`,
    `  corrected           ${s.corrected} (counters or first/last touch brought in line with the stored events)`,
  ].join('\n');
}

/** Runs a refresh; returns the exit code. */
export async function runRefresh(
  flags: RefreshFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<number> {
  try {
    const scope = scopeOf(flags);
    const config = targetConfig(flags);
    const deps = cliDeps(config);
    io.stderr.write(`refreshing from the events in ${config.dynamodbEndpoint ?? `AWS ${config.region}`} (${config.tables.page})…\n`);
    // The number of visitors is known only at the end of a --since scan: the bar counts up.
    const bar = io.stderr.isTTY
      ? new SingleBar({ format: 'refresh | {value} visitors | {corrected} corrected', stream: io.stderr, hideCursor: true })
      : undefined;
    bar?.start(0, 0, { corrected: 0 });
    const summary = await refreshDerived(scope, deps, (p) => {
      if (bar) bar.update(p.visitors, { corrected: p.corrected });
      else io.stderr.write(`${p.visitors} visitors, ${p.users} users, ${p.corrected} corrected\n`);
    });
    bar?.stop();
    io.stdout.write(`${formatSummary(summary)}\n`);
    return 0;
  } catch (e: unknown) {
    return reportFailure('refresh', e, io.stderr, 'A refresh can be run again.');
  }
}
