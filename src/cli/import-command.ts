/**
 * `sma import <paths…>`: the CLI face of src/app/import. A progress bar on a
 * terminal, plain periodic lines otherwise, and a reconciled summary.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SingleBar } from 'cli-progress';
import { parseConfig, type Config } from '../config';
import { buildDeps, type Deps } from '../handlers/deps';
import { CLI_CLIENT_OPTIONS, CLI_SHARED_IN_FLIGHT, createDocumentClient, type ClientOptions } from '../store/client';
import { localStateDir, stackRunsOn } from '../local/stack-marker';
import { startStreams } from '../local/local-streams';
import { loadTableDefinitions } from '../local/table-definitions';
import { importHistory, type ImportProgress, type ImportSummary } from '../app/import/importer';
import { reportFailure } from './failure';

/** Plain progress lines, when not on a terminal, at most this often. */
const PLAIN_PROGRESS_INTERVAL_MS = 5_000;
/** The local stack's DynamoDB Local, the default target. */
export const LOCAL_DYNAMODB_ENDPOINT = 'http://localhost:8000';

export interface ImportFlags {
  /** An S3-compatible endpoint (MinIO, a test server); default AWS S3. */
  s3Endpoint?: string;
  checkpoint: string;
  rejects: string;
  stage?: string;
  region?: string;
  endpoint?: string;
  aws?: boolean;
}

/** The configuration an import or backfill runs with: local stack by default, AWS with --aws. */
export function targetConfig(flags: Pick<ImportFlags, 'stage' | 'region' | 'endpoint' | 'aws'>) {
  return parseConfig({
    ...process.env,
    ...(flags.stage ? { STAGE: flags.stage } : {}),
    ...(flags.region ? { REGION: flags.region } : {}),
    DYNAMODB_ENDPOINT: flags.aws ? '' : (flags.endpoint ?? process.env.DYNAMODB_ENDPOINT ?? LOCAL_DYNAMODB_ENDPOINT),
  });
}

/** The dependencies of a CLI command: the configured stores, with the CLI's patient timeouts (to connect, and per call). */
export function cliDeps(config: Config, options: ClientOptions = {}): Deps {
  return buildDeps(config, createDocumentClient(config, { ...CLI_CLIENT_OPTIONS, ...options }));
}

/** The summary's conversions line: how many were stored, how many lost their value, and whom the import credited. */
function conversionsLine(s: ImportSummary, conversionsOn: boolean): string {
  if (!conversionsOn) return '  conversions off (CONVERSION_EVENTS is empty)';
  const warnings = s.conversionWarnings > 0 ? `, ${s.conversionWarnings} with a value that was not kept` : '';
  return `  conversions ${s.conversions}${warnings} (credited for ${s.converters} converting visitors and their users)`;
}

/** The summary's bots line: how many stored views were bots', or that bots are not told apart. */
function botsLine(s: ImportSummary, botFilterOn: boolean): string {
  if (!botFilterOn) return '  bots        not told apart (BOT_FILTER=off)';
  return `  bots        ${s.bots} of the stored page views (kept, never a touch)`;
}

function formatSummary(s: ImportSummary, settings: { conversionsOn: boolean; botFilterOn: boolean }): string {
  const balance = s.stored + s.duplicates + s.ignored + s.rejected;
  return [
    `import ${s.resumed ? 'resumed and ' : ''}finished in ${s.seconds.toFixed(1)} s (${Math.round(s.read / Math.max(s.seconds, 0.001))} events/s)`,
    `  files       ${s.files}`,
    `  read        ${s.read}`,
    `  stored      ${s.stored}`,
    botsLine(s, settings.botFilterOn),
    `  duplicates  ${s.duplicates}`,
    `  ignored     ${s.ignored}`,
    `  rejected    ${s.rejected}`,
    `  ${balance === s.read ? 'read = stored + duplicates + ignored + rejected ✓' : `MISMATCH: stored + duplicates + ignored + rejected = ${balance}`}`,
    `  id links    ${s.links}`,
    `  visitors    ${s.visitors} (touches derived for ${s.touches})`,
    `  users       ${s.users} (report counters set)`,
    conversionsLine(s, settings.conversionsOn),
  ].join('\n');
}

/** Each phase after the events: how far it is, out of how many, and what they are. */
const PHASE_PROGRESS: Record<'touches' | 'users' | 'conversions', (p: ImportProgress) => [number, number, string]> = {
  touches: (p) => [p.touchesDone, p.visitors, 'visitors'],
  users: (p) => [p.usersDone, p.users, 'users'],
  conversions: (p) => [p.convertersDone, p.converters, 'converting visitors'],
};

/** A plain progress line's detail for the phase. */
function plainProgress(p: ImportProgress, rate: string): string {
  if (p.phase === 'events' || p.phase === 'done')
    return `${Math.round((100 * p.bytesRead) / Math.max(p.bytesTotal, 1))}% of input, ${rate}`;
  const [done, total, what] = PHASE_PROGRESS[p.phase](p);
  return `${done}/${total} ${what}`;
}

/** Shows progress on `stderr`: a bar per phase on a terminal, a plain line every few seconds otherwise. */
function progressReporter(stderr: NodeJS.WritableStream & { isTTY?: boolean }): {
  onProgress: (p: ImportProgress) => void;
  stop: () => void;
} {
  const bar = stderr.isTTY
    ? new SingleBar({ format: '{phase} [{bar}] {percentage}% | {value}/{total} | {rate} | ETA {eta}s', hideCursor: true, stream: stderr })
    : undefined;
  let lastPlain = 0;
  let phase: ImportProgress['phase'] | undefined;
  const started = Date.now();
  const onProgress = (p: ImportProgress): void => {
    const rate = `${Math.round(p.read / Math.max((Date.now() - started) / 1000, 0.001))} events/s, ${p.stored} stored, ${p.duplicates} dup, ${p.rejected} rejected`;
    if (!bar) {
      // A line at once when a phase begins, so a log shows when each one started.
      if (Date.now() - lastPlain < PLAIN_PROGRESS_INTERVAL_MS && p.phase === phase) return;
      phase = p.phase;
      lastPlain = Date.now();
      stderr.write(`${p.phase}: ${plainProgress(p, rate)}\n`);
      return;
    }
    if (p.phase === 'done') return bar.stop();
    const [done, total, what] = p.phase === 'events' ? [Math.min(p.bytesRead, p.bytesTotal), p.bytesTotal, ''] : PHASE_PROGRESS[p.phase](p);
    const label = p.phase === 'events' ? rate : `${total} ${what}`;
    if (phase !== p.phase) {
      bar.stop();
      phase = p.phase;
      // A phase with nothing to do (no conversions, say) gets no bar.
      if (total > 0) bar.start(total, done, { phase: p.phase.padEnd(11), rate: label });
    }
    if (total > 0) bar.update(done, { rate: label });
  };
  return { onProgress, stop: () => bar?.stop() };
}

/** The tables an import writes to: the conversion table only when conversions are on. */
function importTables(config: Config): string[] {
  const { page, identify, userMap, attribution, conversion } = config.tables;
  return [page, identify, userMap, attribution, ...(config.conversions.events.length > 0 ? [conversion] : [])];
}

/** Runs an import with progress on `err` and the summary on `out`. */
export async function runImport(
  paths: string[],
  flags: ImportFlags,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
): Promise<number> {
  const config = targetConfig(flags);
  // A running local stack shares this DynamoDB Local: leave its live traffic room.
  const shared = stackRunsOn(localStateDir(), config.dynamodbEndpoint);
  const stores = cliDeps(config, shared ? { maxInFlight: CLI_SHARED_IN_FLIGHT } : {});
  const deps = {
    ...stores,
    // Only DynamoDB Local has the cost this avoids (src/local/local-streams.ts).
    startStreams: config.dynamodbEndpoint ? () => startStreams(stores.doc, loadTableDefinitions(config.tables)) : undefined,
    s3: () =>
      new S3Client({
        region: config.region,
        ...(flags.s3Endpoint ? { endpoint: flags.s3Endpoint, forcePathStyle: true } : {}),
      }),
  };
  io.stderr.write(`importing into ${config.dynamodbEndpoint ?? `AWS ${config.region}`}: ${importTables(config).join(', ')}\n`);
  if (shared)
    io.stderr.write(
      `the local stack is running on it: the import keeps ${CLI_SHARED_IN_FLIGHT} requests in flight, so live events keep getting their touches\n`,
    );
  const progress = progressReporter(io.stderr);
  try {
    const summary = await importHistory(paths, deps, {
      checkpointPath: flags.checkpoint,
      rejectsPath: flags.rejects,
      dropPersonalData: config.dropPersonalData,
      botFilter: config.botFilter,
      conversionEvents: new Set(config.conversions.events),
      onProgress: progress.onProgress,
    });
    progress.stop();
    io.stdout.write(`${formatSummary(summary, { conversionsOn: config.conversions.events.length > 0, botFilterOn: config.botFilter })}\n`);
    if (summary.rejected > 0) io.stdout.write(`  rejected lines, with file, line and reason: ${flags.rejects}\n`);
    return 0;
  } catch (e: unknown) {
    progress.stop();
    return reportFailure('import', e, io.stderr, `Run the same command again to resume from ${flags.checkpoint}.`);
  }
}
