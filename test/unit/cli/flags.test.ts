import { CommanderError } from 'commander';
import { buildProgram, numberFlag } from '../../../src/cli/main';

/** Parses a command line with commander's exits and output turned into values. */
function parse(args: string[]): { error: string } {
  const program = buildProgram();
  const out = { error: '' };
  for (const c of [program, ...program.commands]) {
    c.exitOverride().configureOutput({ writeErr: (s) => void (out.error += s), writeOut: () => undefined });
    c.action(() => undefined);
  }
  try {
    program.parse(['node', 'sma', ...args]);
  } catch (e: unknown) {
    if (!(e instanceof CommanderError)) throw e;
  }
  return out;
}

describe('numeric flags', () => {
  it('refuse what is not a number in range, naming the rule', () => {
    const port = numberFlag({ integer: true, min: 1, max: 65_535, hint: 'give a port' });
    expect(port('4000')).toBe(4000);
    for (const bad of ['', ' ', 'abc', '0', '65536', '80.5', 'Infinity']) expect(() => port(bad)).toThrow('give a port');
    const rate = numberFlag({ min: Number.MIN_VALUE, hint: 'above 0' });
    expect(rate('0.5')).toBe(0.5);
    expect(() => rate('0')).toThrow('above 0');
  });

  it.each([
    [['backfill', '--rate', 'abc'], /--rate.*above 0/],
    [['import', 'x.jsonl', '--heap-mb', 'lots'], /--heap-mb.*at least 32/],
    [['local', '--port', 'eighty'], /--port.*port number/],
    [['local', '--dynamodb-port', '70000'], /--dynamodb-port.*port number/],
    [['capture-segment', '--port', '-1'], /--port.*port number/],
  ])('stop sma %j with a clear error', (args, message) => {
    expect(parse(args).error).toMatch(message);
  });
});
