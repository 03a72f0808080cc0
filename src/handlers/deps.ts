/**
 * Clients and stores, built once per Lambda container (or sls offline
 * process) on first use, and shared by every handler. The secrets are read
 * then too (SSM when deployed, see src/secrets.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModelOptions } from '../attribution/models';
import { SegmentBatchClient } from '../segment/batch-client';
import { getConfig, type Config } from '../config';
import { resolveSecrets, type SecretName } from '../secrets';
import type { ConversionStore, EventStore, ForgetStore, IdentityStore, RollupStore, TouchStore } from '../app/ports';
import { createClassifier, DEFAULT_IGNORED_REFERRERS, type Classifier } from '../source';
import { createDocumentClient } from '../store/client';
import { DynamoConversionStore } from '../store/conversion-store';
import { DynamoEventStore } from '../store/event-store';
import { DynamoForgetStore } from '../store/forget-store';
import { DynamoIdentityStore } from '../store/identity-store';
import { DynamoRollupStore } from '../store/rollup-store';
import { DynamoTouchStore } from '../store/touch-store';

export interface Deps {
  config: Config;
  segment: SegmentBatchClient;
  /** The attribution options from the configuration. */
  model: ModelOptions;
  doc: DynamoDBDocumentClient;
  events: EventStore;
  identity: IdentityStore;
  touches: TouchStore;
  rollups: RollupStore;
  forget: ForgetStore;
  /** Stored conversions; undefined when CONVERSION_EVENTS names none, and conversions are off. */
  conversions: ConversionStore | undefined;
  classify: Classifier;
}

/** Builds the dependencies for a configuration (on an existing client, if given). */
export function buildDeps(config: Config, doc: DynamoDBDocumentClient = createDocumentClient(config)): Deps {
  return {
    config,
    segment: new SegmentBatchClient({ writeKey: config.segment.writeKey, host: config.segment.host }),
    model: { lastTouch: config.attribution.lastTouch, lookbackDays: config.attribution.lookbackDays },
    doc,
    events: new DynamoEventStore(doc, config.tables, { retentionDays: config.retentionDays, conversionEvents: config.conversions.events }),
    identity: new DynamoIdentityStore(doc, config.tables.userMap),
    touches: new DynamoTouchStore(doc, config.tables),
    rollups: new DynamoRollupStore(doc, config.tables.rollup),
    forget: new DynamoForgetStore(doc, config.tables),
    conversions: config.conversions.events.length > 0 ? new DynamoConversionStore(doc, config.tables.conversion) : undefined,
    classify: createClassifier({
      ownDomains: config.ownDomains,
      ignoredReferrers: [...DEFAULT_IGNORED_REFERRERS, ...config.ignoredReferrers],
    }),
  };
}

/**
 * Where a handler gets the dependencies it uses (`K`): the deployed export
 * passes loadDeps with its function's secrets, a test or benchmark its own.
 */
export type DepsSource<K extends keyof Deps = keyof Deps> = () => Promise<Pick<Deps, K>>;

const loaded = new Map<string, Promise<Deps>>();

/**
 * The process's dependencies, with the secrets its handler needs (each
 * Lambda function runs one handler, and its role may read only those). A
 * failed load (SSM unavailable) is not kept: the next request tries again.
 */
export function loadDeps(needed: readonly SecretName[] = []): Promise<Deps> {
  const key = [...needed].sort().join(',');
  let deps = loaded.get(key);
  if (!deps) {
    deps = resolveSecrets(getConfig(), needed).then((config) => buildDeps(config));
    void deps.catch(() => loaded.delete(key));
    loaded.set(key, deps);
  }
  return deps;
}
