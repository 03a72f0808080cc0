import { seededRandom } from '../../helpers/random';
import { CHANNELS, classifySource } from '../../../src/source';

const PIECES = [
  'https://',
  'http://',
  'android-app://',
  '//',
  'www.',
  'google.com',
  'example.co.uk',
  '/',
  '?',
  '&',
  '=',
  '#',
  '%',
  '%E0',
  '%ZZ',
  'utm_source',
  'utm_medium',
  'gclid',
  'fbclid',
  'cpc',
  '..',
  ':',
  '@',
  '[',
  ']',
  '\\',
  ' ',
  '\u0000',
  '😀',
  'ü',
  'javascript:',
  'q=',
  '+',
];

describe('classification of arbitrary input', () => {
  it('never throws and always yields a valid channel and a reason', () => {
    // Prepare
    const random = seededRandom(20261129);
    const piece = (): string => PIECES[Math.floor(random() * PIECES.length)] ?? '';
    const build = (): string => Array.from({ length: Math.floor(random() * 12) }, piece).join('');

    for (let i = 0; i < 5000; i++) {
      const input = { url: build(), referrer: build() };

      // Act
      const result = classifySource(input);

      // Assess
      expect(CHANNELS).toContain(result.channel);
      expect(result.reason.length).toBeGreaterThan(0);
      expect(result.source.length).toBeGreaterThan(0);
    }
  });

  it('accepts non-string input from untyped callers', () => {
    // Prepare
    const inputs: unknown[] = [undefined, null, {}, { url: 5, referrer: ['x'] }, { url: { toString: () => 'x' } }];

    for (const input of inputs) {
      // Act
      const result = classifySource(input as never);

      // Assess
      expect(result.channel).toBe('Direct');
    }
  });
});
