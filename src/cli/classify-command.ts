/**
 * `sma classify`: the classifier's public face. One visit from flags, or a
 * stream of JSON lines from stdin, one result line per input line, in order.
 */
import { createInterface } from 'node:readline';
import * as z from 'zod';
import type { Readable, Writable } from 'node:stream';
import { createClassifier, DEFAULT_IGNORED_REFERRERS, type Classifier, type ClassifierOptions } from '../source';

export interface ClassifyFlags {
  url?: string;
  referrer?: string;
  jsonl?: boolean;
  pretty?: boolean;
  ownDomain: string[];
  ignoreReferrer: string[];
  defaultIgnores: boolean;
}

/** Builds the classifier options from the flags: extra ignored referrers add to the defaults unless told otherwise. */
export function toClassifierOptions(flags: ClassifyFlags): ClassifierOptions {
  return {
    ownDomains: flags.ownDomain,
    ignoredReferrers: [...(flags.defaultIgnores ? DEFAULT_IGNORED_REFERRERS : []), ...flags.ignoreReferrer],
  };
}

/** Output lines are written in chunks of this many, to keep the pipe busy without holding the whole stream. */
const WRITE_CHUNK_LINES = 512;

/**
 * Classifies each JSON line of `input` into `output`. A line that is not a
 * JSON object gets `{"error": …, "line": n}` in its place, so output line n
 * always answers input line n.
 *
 * @returns how many lines were classified and how many were bad.
 */
export async function classifyJsonLines(classify: Classifier, input: Readable, output: Writable): Promise<{ ok: number; bad: number }> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let buffer: string[] = [];
  let n = 0;
  let bad = 0;
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    if (!output.write(chunk)) await new Promise<void>((resolve) => output.once('drain', resolve));
  };
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') {
      bad += 1;
      buffer.push(`${JSON.stringify({ error: 'empty line', line: n })}\n`);
    } else {
      const result = classifyLine(classify, line, n);
      if ('error' in result) bad += 1;
      buffer.push(`${JSON.stringify(result)}\n`);
    }
    if (buffer.length >= WRITE_CHUNK_LINES) await flush();
  }
  await flush();
  return { ok: n - bad, bad };
}

const visitLine = z.object(
  { url: z.string().nullish(), referrer: z.string().nullish() },
  { error: 'line must be a JSON object like {"url":"…","referrer":"…"}' },
);

function classifyLine(classify: Classifier, line: string, n: number): object {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { error: 'line is not valid JSON', line: n };
  }
  const visit = visitLine.safeParse(parsed);
  if (!visit.success) {
    const issue = visit.error.issues[0];
    const field = issue?.path.join('.');
    return { error: field ? `field "${field}" must be a string` : (issue?.message ?? 'invalid line'), line: n };
  }
  return classify(visit.data);
}

/** Runs `sma classify` with parsed flags. */
export async function runClassify(flags: ClassifyFlags, io: { stdin: Readable; stdout: Writable; stderr: Writable }): Promise<number> {
  const classify = createClassifier(toClassifierOptions(flags));
  if (flags.jsonl) {
    const { bad } = await classifyJsonLines(classify, io.stdin, io.stdout);
    if (bad > 0) io.stderr.write(`sma classify: ${bad} input line(s) could not be read; see the "error" lines in the output.\n`);
    return bad > 0 ? 1 : 0;
  }
  if (flags.url === undefined && flags.referrer === undefined) {
    io.stderr.write('sma classify: give --url and/or --referrer, or --jsonl to read lines from stdin. See sma classify --help.\n');
    return 2;
  }
  const result = classify({ url: flags.url, referrer: flags.referrer });
  io.stdout.write(`${JSON.stringify(result, null, flags.pretty ? 2 : undefined)}\n`);
  return 0;
}
