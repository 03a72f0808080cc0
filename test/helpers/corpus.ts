import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHANNELS } from '../../src/source';

const corpusCase = z.object({
  name: z.string(),
  url: z.string().nullable(),
  referrer: z.string().nullable(),
  expect: z.object({ touch: z.boolean(), channel: z.enum(CHANNELS), source: z.string(), medium: z.string() }).catchall(z.unknown()),
  basis: z.string().min(1),
  options: z.object({ ownDomains: z.array(z.string()).optional(), ignoredReferrers: z.array(z.string()).optional() }).optional(),
});

export type CorpusCase = z.infer<typeof corpusCase>;

/** The labelled classification corpus, test/fixtures/classify-corpus.jsonl. */
export function loadCorpus(): CorpusCase[] {
  const text = readFileSync(join(__dirname, '..', 'fixtures', 'classify-corpus.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = corpusCase.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`classify-corpus.jsonl line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}
