'use strict';
/**
 * The baseline of the whole-process classify benchmark: a plain JSON-lines
 * loop over referer-parser, as someone would write it without sma. It reads
 * {"url","referrer"} lines from stdin with readline, classifies each with
 * referer-parser and writes one JSON line per input line, in batches.
 */
const { createInterface } = require('node:readline');
const Referer = require('referer-parser');

/** Output lines per write, as `sma classify` wrote them before it read in chunks. */
const LINES_PER_WRITE = 512;

async function main() {
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  let batch = [];
  const flush = async () => {
    const text = batch.join('');
    batch = [];
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  };
  for await (const line of lines) {
    let result;
    try {
      const { url, referrer } = JSON.parse(line);
      const r = new Referer(referrer, url);
      result = { known: r.known, medium: r.medium, source: r.referer, term: r.search_term };
    } catch (e) {
      result = { error: String(e && e.message) };
    }
    batch.push(`${JSON.stringify(result)}\n`);
    if (batch.length >= LINES_PER_WRITE) await flush();
  }
  await flush();
}

void main();
