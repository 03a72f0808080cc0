/**
 * `sma forget`: a deletion request from the terminal, against local or AWS tables.
 */
import { forgetPerson, type ForgetScope } from '../app/forget';
import { reportFailure } from './failure';
import { cliDeps, targetConfig } from './import-command';
import { InvalidInputError } from '../errors';

export interface ForgetFlags {
  user?: string;
  anonymous?: string;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

/** The one person the flags name; an error saying what to give otherwise. */
export function forgetScopeOf(flags: ForgetFlags): ForgetScope {
  if ((flags.user === undefined) === (flags.anonymous === undefined))
    throw new InvalidInputError('give exactly one of --user <id> or --anonymous <id>', 'user');
  return flags.user !== undefined ? { userId: flags.user } : { anonymousId: flags.anonymous ?? '' };
}

/** Runs a deletion; returns the exit code. */
export async function runForget(flags: ForgetFlags, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  try {
    const scope = forgetScopeOf(flags);
    const config = targetConfig(flags);
    io.stderr.write(
      `deleting from ${config.dynamodbEndpoint ?? `AWS ${config.region}`} (this scans the identify and attribution tables)…\n`,
    );
    const removed = await forgetPerson(scope, cliDeps(config));
    io.stdout.write(
      [
        `forgot ${'userId' in scope ? `user ${scope.userId} and every anonymous id linked to them` : `anonymous visitor ${scope.anonymousId}`}`,
        ...Object.entries(removed).map(([kind, n]) => `  ${kind.padEnd(13)} ${n}`),
        '  report counters are aggregates and stay as they were',
      ].join('\n') + '\n',
    );
    return 0;
  } catch (e: unknown) {
    return reportFailure('forget', e, io.stderr, 'A deletion can be run again.');
  }
}
