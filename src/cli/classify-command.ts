/**
 * `sma classify`: the classifier's public face. One visit from flags, or a
 * stream of JSON lines from stdin, one result line per input line, in order.
 */
import type { Readable, Writable } from 'node:stream';
import { createClassifier, DEFAULT_IGNORED_REFERRERS, type Classification, type Classifier, type ClassifierOptions } from '../source';
import { mapLines } from './json-lines';

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

/**
 * Classifies each JSON line of `input` into `output`. A line that is not a
 * JSON object gets `{"error": …, "line": n}` in its place, so output line n
 * always answers input line n.
 *
 * @returns how many lines were classified and how many were bad.
 */
export async function classifyJsonLines(classify: Classifier, input: Readable, output: Writable): Promise<{ ok: number; bad: number }> {
  let bad = 0;
  const n = await mapLines(input, output, (line, lineNumber) => {
    const result = classifyLine(classify, line, lineNumber);
    if (!('error' in result)) return classificationLine(result);
    bad += 1;
    return `${JSON.stringify(result)}\n`;
  });
  return { ok: n - bad, bad };
}

/** What JSON.stringify escapes in a string: control characters, quotes, backslashes, lone surrogates. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPING = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** A string or null as JSON. */
const text = (value: string | null): string =>
  value === null ? 'null' : NEEDS_ESCAPING.test(value) ? JSON.stringify(value) : `"${value}"`;

/**
 * The same text as `JSON.stringify(result)`, its fields in the order the
 * classifier sets them, with a line break: one template is quicker than the
 * generic walk, and serialising is a large part of `--jsonl`'s work.
 */
export function classificationLine(r: Classification): string {
  return `{"touch":${r.touch},"channel":${text(r.channel)},"source":${text(r.source)},"medium":${text(r.medium)},"campaign":${text(r.campaign)},"content":${text(r.content)},"term":${text(r.term)},"campaign_id":${text(r.campaign_id)},"click_id":${text(r.click_id)},"referrer_host":${text(r.referrer_host)},"reason":${text(r.reason)}}\n`;
}

const NOT_AN_OBJECT = 'line must be a JSON object like {"url":"…","referrer":"…"}';

/** A field of an input line: a string, or null or absent for none. */
const isVisitField = (value: unknown): value is string | null | undefined =>
  typeof value === 'string' || value === null || value === undefined;

/** The classification of one input line, or why the line cannot be read. */
export function classifyLine(classify: Classifier, line: string, n: number): Classification | { error: string; line: number } {
  if (line.trim() === '') return { error: 'empty line', line: n };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { error: 'line is not valid JSON', line: n };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: NOT_AN_OBJECT, line: n };
  const url = 'url' in parsed ? parsed.url : undefined;
  const referrer = 'referrer' in parsed ? parsed.referrer : undefined;
  if (!isVisitField(url)) return { error: 'field "url" must be a string', line: n };
  if (!isVisitField(referrer)) return { error: 'field "referrer" must be a string', line: n };
  return classify({ url, referrer });
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
