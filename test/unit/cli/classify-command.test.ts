import { PassThrough, Readable } from 'node:stream';
import { buildProgram } from '../../../src/cli/main';

async function runCli(args: string[], stdinText = ''): Promise<{ out: string; err: string; code: number }> {
  const stdin = Readable.from([stdinText]);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  process.exitCode = 0;
  await buildProgram({ stdin: stdin as unknown as typeof process.stdin, stdout: stdout as never, stderr: stderr as never })
    .exitOverride()
    .parseAsync(['node', 'sma', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe('sma classify', () => {
  it('classifies one visit from flags', async () => {
    // Act
    const { out, code } = await runCli(['classify', '--url', 'https://shop.example.com/?gclid=x', '--referrer', 'https://www.google.com/']);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ channel: 'Paid Search', source: 'google', medium: 'cpc', click_id: 'gclid' });
  });

  it('answers every JSON line in order, with an error object for bad lines', async () => {
    // Prepare
    const lines = [
      '{"url":"https://a.com/?utm_source=newsletter&utm_medium=email","referrer":""}',
      'not json',
      '{"url":"https://a.com/","referrer":"https://duckduckgo.com/?q=x"}',
      '[1,2]',
      '{"url":7}',
      '',
      '{"referrer":"https://www.facebook.com/"}',
    ];

    // Act
    const { out, err, code } = await runCli(['classify', '--jsonl'], lines.join('\n'));

    // Assess
    const results = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(results).toHaveLength(lines.length);
    expect(results.map((r) => r.channel ?? r.error)).toEqual([
      'Email',
      'line is not valid JSON',
      'Organic Search',
      expect.stringContaining('JSON object'),
      'field "url" must be a string',
      'empty line',
      'Organic Social',
    ]);
    expect(results[4]).toMatchObject({ line: 5 });
    expect(code).toBe(1);
    expect(err).toMatch(/4 input line/);
  });

  it('applies --own-domain and --ignore-referrer', async () => {
    // Act
    const own = await runCli([
      'classify',
      '--url',
      'https://example.com/',
      '--referrer',
      'https://pay.example-pay.com/',
      '--own-domain',
      'example-pay.com',
    ]);
    const ignored = await runCli([
      'classify',
      '--url',
      'https://example.com/',
      '--referrer',
      'https://sso.corp.io/',
      '--ignore-referrer',
      'corp.io',
    ]);
    const stillDefault = await runCli([
      'classify',
      '--url',
      'https://example.com/',
      '--referrer',
      'https://checkout.stripe.com/',
      '--ignore-referrer',
      'corp.io',
    ]);
    const noDefaults = await runCli([
      'classify',
      '--url',
      'https://example.com/',
      '--referrer',
      'https://checkout.stripe.com/',
      '--no-default-ignores',
    ]);

    // Assess
    expect(JSON.parse(own.out)).toMatchObject({ touch: false });
    expect(own.out).toContain('is an own domain (example-pay.com)');
    expect(JSON.parse(ignored.out)).toMatchObject({ touch: false });
    expect(ignored.out).toContain('is ignored (corp.io)');
    expect(JSON.parse(stillDefault.out)).toMatchObject({ touch: false });
    expect(JSON.parse(noDefaults.out)).toMatchObject({ touch: true, channel: 'Referral', source: 'checkout.stripe.com' });
  });

  it('tells the user what to do when given nothing', async () => {
    // Act
    const { err, code } = await runCli(['classify']);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/--url/);
  });
});
