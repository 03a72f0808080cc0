/**
 * What an import needs, what it is told, and what it reports: the shapes its
 * callers (the CLI, the worker, tests) use, shared by every stage.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ModelOptions } from '../../attribution/models';
import type { ConversionStore, EventStore, IdentityStore, RollupStore, TouchStore } from '../ports';
import type { Classifier } from '../../source';

export interface ImportDeps {
  /** Builds the S3 client, for s3:// inputs. */
  s3?: () => S3Client;
  events: EventStore;
  identity: IdentityStore;
  touches: TouchStore;
  rollups: RollupStore;
  /** Stored conversions; undefined when conversions are off (CONVERSION_EVENTS empty). */
  conversions?: ConversionStore;
  model: ModelOptions;
  classify: Classifier;
  /**
   * Run before the first write (DynamoDB Local only, see
   * src/local/local-streams.ts): starts every table's stream, so that
   * writing one table's history first does not slow the writes to the others.
   */
  startStreams?: () => Promise<void>;
}

export interface ImportCounts {
  read: number;
  stored: number;
  /** Of `stored`, page and screen views bots made (BOT_FILTER): stored, marked, never a touch. */
  bots: number;
  duplicates: number;
  ignored: number;
  rejected: number;
  links: number;
  /** Visitors with page views: until the touch phase ends, less a few per million (see FingerprintSet). */
  visitors: number;
  /** Users whose report counters the import set (known once the user phase begins). */
  users: number;
  /** Conversions stored (tracks named in CONVERSION_EVENTS); a subset of `stored`. */
  conversions: number;
  /** Of those, the ones whose value was not kept (non-numeric, negative, absurd): stored without a value, with a warning. */
  conversionWarnings: number;
  /** Visitors whose conversions the import credited, with their users (known once the conversions phase begins). */
  converters: number;
}

export interface ImportProgress extends ImportCounts {
  phase: 'events' | 'touches' | 'users' | 'conversions' | 'done';
  bytesRead: number;
  bytesTotal: number;
  touchesDone: number;
  usersDone: number;
  convertersDone: number;
  file: string | undefined;
}

export interface ImportOptions {
  /** Where to keep the checkpoint; the folder `<path>.spill` holds page views by visitor until touches are derived. */
  checkpointPath: string;
  /** Rejected lines go here as JSON lines {file, line, reason}. */
  rejectsPath: string;
  /** Events stored per batch (and per checkpoint); default IMPORT_BATCH_SIZE. */
  batchSize?: number;
  /** Drop IPs and identify traits before storing (DROP_PERSONAL_DATA). */
  dropPersonalData?: boolean;
  /** Tell bots' page views from their user agent (BOT_FILTER). Default true. */
  botFilter?: boolean;
  /** CONVERSION_EVENTS, as the event store was built with: these tracks are stored and credited whatever ids they carry. Default none. */
  conversionEvents?: ReadonlySet<string>;
  onProgress?: (p: ImportProgress) => void;
  /** For tests of resumption: called after each stored batch; throwing stops the import as a crash would. */
  afterBatch?: (batches: number) => void;
  /** For tests of resumption: called after each spill file's touches are written, with how many are. */
  afterTouchFile?: (files: number) => void;
  /** For tests of resumption: called after each chunk of users has its seeds written, before its checkpoint. */
  afterUserChunk?: (chunks: number) => void;
  /** For tests of resumption: called after each chunk of converting visitors is credited, before its checkpoint. */
  afterConversionChunk?: (chunks: number) => void;
}

export interface ImportSummary extends ImportCounts {
  files: number;
  touches: number;
  resumed: boolean;
  seconds: number;
}
