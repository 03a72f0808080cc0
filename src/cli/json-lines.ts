/**
 * Line-by-line transforms of large text streams, read in the stream's own
 * chunks and written back one chunk at a time: per-line reads and writes
 * cost more than the work on each line.
 */
import type { Readable, Writable } from 'node:stream';

/**
 * Splits text that arrives in chunks into lines, as `node:readline` does with
 * `crlfDelay: Infinity`: a line ends at `\n`, `\r\n` or a lone `\r`, and the
 * text after the last line break is a last line unless it is empty.
 */
export class LineSplitter {
  private rest = '';

  /** Calls `onLine` for every line this chunk completes. */
  push(chunk: string, onLine: (line: string) => void): void {
    const text = this.rest === '' ? chunk : this.rest + chunk;
    // A `\r` at the very end may be the first half of a `\r\n` split across chunks.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    const from = text.includes('\r') ? splitAnyBreak(text, end, onLine) : splitNewlines(text, end, onLine);
    this.rest = text.slice(from);
  }

  /** Calls `onLine` for the last line, if the text did not end with a line break. */
  end(onLine: (line: string) => void): void {
    const last = this.rest.endsWith('\r') ? this.rest.slice(0, -1) : this.rest;
    const hadBreak = last.length !== this.rest.length;
    this.rest = '';
    if (last !== '' || hadBreak) onLine(last);
  }
}

/** Emits the `\n`-terminated lines of `text` before `end`; returns where the unfinished line starts. */
function splitNewlines(text: string, end: number, onLine: (line: string) => void): number {
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < end; nl = text.indexOf('\n', start)) {
    onLine(text.slice(start, nl));
    start = nl + 1;
  }
  return start;
}

const ANY_BREAK = /\r\n|\n|\r/g;

/** As {@link splitNewlines}, for text that holds a `\r`. */
function splitAnyBreak(text: string, end: number, onLine: (line: string) => void): number {
  let start = 0;
  ANY_BREAK.lastIndex = 0;
  for (let m = ANY_BREAK.exec(text); m !== null && m.index < end; m = ANY_BREAK.exec(text)) {
    onLine(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  return start;
}

/** Resolves once `output` can take more, and fails if it breaks first (a closed pipe). */
function drained(output: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      output.off('drain', onDrain);
      output.off('error', onError);
      output.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (e: Error): void => done(e);
    const onClose = (): void => done(new Error('the output closed before every line was written'));
    output.once('drain', onDrain);
    output.once('error', onError);
    output.once('close', onClose);
  });
}

/** Room for this many UTF-16 code units of output before a chunk's buffer grows. */
const START_CHUNK_UNITS = 64 * 1024;
/** A UTF-16 code unit takes at most three bytes in UTF-8. */
const MAX_UTF8_BYTES_PER_UNIT = 3;
const START_CHUNK_BYTES = START_CHUNK_UNITS * MAX_UTF8_BYTES_PER_UNIT;

/**
 * Output text encoded straight into one buffer per chunk: joining thousands
 * of short strings and then encoding the result costs more than the lines.
 */
class ChunkBuffer {
  private buffer = Buffer.allocUnsafe(START_CHUNK_BYTES);
  private length = 0;

  add(text: string): void {
    const needed = this.length + text.length * MAX_UTF8_BYTES_PER_UNIT;
    if (needed > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.length);
      this.buffer = bigger;
    }
    this.length += this.buffer.write(text, this.length, 'utf8');
  }

  /** The bytes added so far; the next ones go to a new buffer, since a write may still hold these. */
  take(): Buffer | undefined {
    if (this.length === 0) return undefined;
    const bytes = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(START_CHUNK_BYTES);
    this.length = 0;
    return bytes;
  }
}

/**
 * Answers each line of `input` with one line of `output`, in order: `answer`
 * gets the line and its number (from 1) and returns the text to write, with
 * its own line break. Each input chunk is answered with one write, and the
 * next chunk is read only once `output` has taken it.
 *
 * @returns how many lines were read.
 */
export async function mapLines(input: Readable, output: Writable, answer: (line: string, n: number) => string): Promise<number> {
  const splitter = new LineSplitter();
  const pending = new ChunkBuffer();
  let n = 0;
  const onLine = (line: string): void => {
    n += 1;
    pending.add(answer(line, n));
  };
  const flush = async (): Promise<void> => {
    const bytes = pending.take();
    if (bytes && !output.write(bytes)) await drained(output);
  };
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    splitter.push(chunk, onLine);
    await flush();
  }
  splitter.end(onLine);
  await flush();
  return n;
}
