import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { LineSplitter, mapLines } from '../../../src/cli/json-lines';

/** The lines node:readline reads from `text` (with crlfDelay: Infinity), the behaviour LineSplitter keeps. */
async function readlineLines(text: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: Readable.from([text]), crlfDelay: Number.POSITIVE_INFINITY })) lines.push(line);
  return lines;
}

function splitInChunks(text: string, size: number): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter();
  for (let i = 0; i < text.length; i += size) splitter.push(text.slice(i, i + size), (line) => lines.push(line));
  splitter.end((line) => lines.push(line));
  return lines;
}

/** A writable that takes `delayMs` per chunk and keeps what it got. */
function slowSink(delayMs: number): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      setTimeout(done, delayMs);
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('LineSplitter', () => {
  const texts = {
    'LF, last line unterminated': 'a\nbb\n\nccc',
    'LF, terminated': 'a\nbb\n',
    CRLF: 'a\r\nbb\r\n\r\nc\r\n',
    'lone CR': 'a\rbb\r\rc',
    'CR at the end': 'a\nb\r',
    'CR then LF as separate breaks': 'a\r\r\nb\n\r',
    'only breaks': '\n\r\n\r',
    empty: '',
    'multi-byte text': 'é→😀\n{"a":"ü"}\r\nlast',
  };

  it.each(Object.entries(texts))('reads %s as readline does, however the text is chunked', async (_name, text) => {
    // Prepare
    const expected = await readlineLines(text);

    // Act
    const chunkings = [1, 2, 3, 5, text.length || 1].map((size) => splitInChunks(text, size));

    // Assess
    for (const lines of chunkings) expect(lines).toEqual(expected);
  });
});

describe('mapLines', () => {
  it('answers every line in order, once per line, whatever the input chunks', async () => {
    // Prepare: chunks that split lines and a multi-byte character (→ is three bytes).
    const bytes = Buffer.from('one\ntwo→\r\nthree\n', 'utf8');
    const input = Readable.from([bytes.subarray(0, 2), bytes.subarray(2, 6), bytes.subarray(6, 9), bytes.subarray(9)]);
    const { sink, text } = slowSink(0);

    // Act
    const n = await mapLines(input, sink, (line, i) => `${i}:${line.toUpperCase()}\n`);

    // Assess
    expect(n).toBe(3);
    expect(text()).toBe('1:ONE\n2:TWO→\n3:THREE\n');
  });

  it('reads on only as fast as a slow output takes the answers', async () => {
    // Prepare: 200 input chunks; the output holds 16 bytes and takes 1 ms a write.
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    let pulled = 0;
    const input = Readable.from(
      (function* () {
        for (let c = 0; c < 200; c++) {
          pulled += 1;
          yield `${lines.slice(c * 10, c * 10 + 10).join('\n')}\n`;
        }
      })(),
    );
    let written = 0;
    let mostAhead = 0;
    const received: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        written += 1;
        mostAhead = Math.max(mostAhead, pulled - written);
        received.push(chunk);
        setTimeout(done, 1);
      },
    });

    // Act
    await mapLines(input, sink, (line) => `${line}\n`);

    // Assess: the input stream reads 16 chunks ahead by itself (its high-water mark), and no more.
    expect(Buffer.concat(received).toString()).toBe(`${lines.join('\n')}\n`);
    expect(mostAhead).toBeLessThanOrEqual(20);
  });

  it('fails instead of waiting forever when the output breaks', async () => {
    // Prepare: an output that never drains, then fails (a closed pipe).
    const sink = new Writable({ highWaterMark: 1, write: () => undefined });
    const input = Readable.from(['a\nb\n', 'c\n']);
    setTimeout(() => sink.destroy(new Error('EPIPE')), 10);

    // Act
    const run = mapLines(input, sink, (line) => `${line}\n`);

    // Assess
    await expect(run).rejects.toThrow('EPIPE');
  });
});
