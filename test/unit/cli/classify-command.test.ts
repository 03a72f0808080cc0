import { PassThrough, Readable } from 'node:stream';
import { buildProgram } from '../../../src/cli/main';
import { classificationLine, classifyLine } from '../../../src/cli/classify-command';
import { createClassifier, type Classification } from '../../../src/source';
import { loadCorpus } from '../../helpers/corpus';

async function runCli(args: string[], stdinText: string | Buffer[] = ''): Promise<{ out: string; err: string; code: number }> {
  const stdin = Readable.from(typeof stdinText === 'string' ? [stdinText] : stdinText);
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

  it('answers a large input read in many chunks line for line, as classifying each line alone does', async () => {
    // Prepare: every corpus visit, with CRLF line ends, in 997-byte chunks (lines and characters cut in two).
    const visits = loadCorpus().map(({ url, referrer }) => ({ url, referrer }));
    const bytes = Buffer.from(visits.map((v) => `${JSON.stringify(v)}\r\n`).join(''), 'utf8');
    const chunks = Array.from({ length: Math.ceil(bytes.length / 997) }, (_, i) => bytes.subarray(i * 997, (i + 1) * 997));
    const classify = createClassifier();

    // Act
    const { out, code } = await runCli(['classify', '--jsonl'], chunks);

    // Assess
    expect(code).toBe(0);
    expect(out).toBe(visits.map((v) => `${JSON.stringify(classify(v))}\n`).join(''));
  });
});

describe('classifyLine', () => {
  const classify = createClassifier();

  it.each([
    ['   \t', 'empty line'],
    ['{"url":"https://a.com/",', 'line is not valid JSON'],
    ['null', 'line must be a JSON object like {"url":"…","referrer":"…"}'],
    ['"https://a.com/"', 'line must be a JSON object like {"url":"…","referrer":"…"}'],
    ['42', 'line must be a JSON object like {"url":"…","referrer":"…"}'],
    ['{"url":"https://a.com/","referrer":false}', 'field "referrer" must be a string'],
    ['{"referrer":1,"url":["x"]}', 'field "url" must be a string'],
  ])('answers %j with its reason and line number', (line, error) => {
    // Act
    const result = classifyLine(classify, line, 7);

    // Assess
    expect(result).toEqual({ error, line: 7 });
  });

  it('reads null, missing and extra fields as the classifier expects', () => {
    // Act
    const result = classifyLine(classify, '{"url":null,"utm":"x","referrer":"https://www.bing.com/search?q=crm"}', 1);

    // Assess
    expect(result).toEqual(classify({ referrer: 'https://www.bing.com/search?q=crm' }));
  });
});

describe('classificationLine', () => {
  it('writes exactly what JSON.stringify writes, for every corpus case', () => {
    // Prepare
    const results = loadCorpus().map((c) => createClassifier(c.options)({ url: c.url, referrer: c.referrer }));

    // Act
    const written = results.map(classificationLine);

    // Assess
    expect(written).toEqual(results.map((r) => `${JSON.stringify(r)}\n`));
  });

  it('escapes as JSON.stringify does: quotes, backslashes, control characters, lone surrogates', () => {
    // Prepare
    const base = createClassifier()({ url: 'https://a.com/?utm_source=x&utm_medium=email' });
    const odd: Classification = {
      ...base,
      campaign: 'say "hi"\\now',
      content: 'tab\there\nnewline\u0000nul\u001fus',
      term: 'emoji 😀 lone \ud800 end \udfff',
      campaign_id: 'line\u2028separator é →',
    };

    // Act
    const written = classificationLine(odd);

    // Assess
    expect(written).toBe(`${JSON.stringify(odd)}\n`);
    expect(JSON.parse(written)).toEqual(odd);
  });
});
