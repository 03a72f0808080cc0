/**
 * The converting visitors an import credits, kept beside the spill files so
 * that a resumed import finds them as they were:
 * - converters.jsonl: the visitor of each conversion in the archive, stored
 *   now or before, appended as its batch commits (a batch committed again
 *   after a kill lists its visitors again; they are deduplicated on read);
 * - stored-converters.bin: every visitor with a conversion stored as the
 *   touch phase begins, the archive's and any earlier (live) ones, as
 *   fingerprints (see FingerprintSet);
 * - converters-to-credit.json: what the conversions phase goes through.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import type { Conversion } from '../../attribution/conversions';
import { anonymousKey, userKey } from '../../attribution/visitor-key';
import { keptAsJson } from '../../lib/files';
import type { ConversionStore } from '../ports';
import { fingerprintOf, FingerprintSet } from './fingerprints';
import { linksPath, readJsonLines, visitorsDerivedFromTable, type LinkLine } from './spill';

const FINGERPRINT_BYTES = 4;

const convertersPath = (dir: string): string => join(dir, 'converters.jsonl');
const storedPath = (dir: string): string => join(dir, 'stored-converters.bin');

/** Lists the visitors of a committed batch's conversions. */
export function recordConverters(dir: string, conversions: readonly Conversion[]): void {
  if (conversions.length > 0) appendFileSync(convertersPath(dir), conversions.map((c) => `${JSON.stringify(c.visitorKey)}\n`).join(''));
}

/** Writes the fingerprint of every stored conversion's visitor, whole or not at all. */
async function scanStoredConverters(path: string, conversions: ConversionStore): Promise<void> {
  writeFileSync(`${path}.tmp`, '');
  for await (const page of conversions.allConversions()) {
    appendFileSync(`${path}.tmp`, new Uint8Array(new Uint32Array(page.map((c) => fingerprintOf(c.visitorKey))).buffer));
  }
  renameSync(`${path}.tmp`, path);
}

/**
 * The visitors with a conversion stored, scanned once (when conversions are
 * on) and kept. A fingerprint may collide, so a visitor may pass for a
 * converting one: it then takes the slower, ordinary path, which is never
 * wrong, only slower.
 */
export async function storedConverters(dir: string, conversions: ConversionStore | undefined): Promise<FingerprintSet> {
  const path = storedPath(dir);
  if (!existsSync(path) && conversions) await scanStoredConverters(path, conversions);
  const converters = new FingerprintSet();
  if (!existsSync(path)) return converters;
  const bytes = readFileSync(path);
  const whole = bytes.length - (bytes.length % FINGERPRINT_BYTES);
  for (const fp of new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + whole))) converters.addFingerprint(fp);
  return converters;
}

/**
 * The visitors whose conversions the import credits, listed once and kept:
 * those of the archive's conversions, and those with conversions stored
 * before whose touches or links the import changed (a visitor it derived
 * from the table, an anonymous id or a user it linked, a user it counted).
 */
export async function convertersToCredit(dir: string, stored: FingerprintSet, users: readonly string[]): Promise<string[]> {
  return keptAsJson(join(dir, 'converters-to-credit.json'), z.array(z.string()), () => {
    const keys = new Set(readJsonLines<string>(convertersPath(dir)));
    const touched = (key: string): void => {
      if (stored.mayHave(key)) keys.add(key);
    };
    for (const key of visitorsDerivedFromTable(dir)) touched(key);
    for (const [userId, anonymousId] of readJsonLines<LinkLine>(linksPath(dir))) {
      touched(anonymousKey(anonymousId));
      touched(userKey(userId));
    }
    for (const userId of users) touched(userKey(userId));
    return Promise.resolve([...keys].sort());
  });
}
