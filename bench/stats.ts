/** The median of the rounds of a benchmark (the middle one; rounds are odd in number). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * One target line of a benchmark's output: the figure, the target, PASS or
 * FAIL. The figure has two decimals, or three where two would round it onto
 * the other side of its target: 0.7987 against "≥ 0.8" reads 0.799, not a
 * puzzling "0.80 … FAIL".
 */
export function targetLine(label: string, value: number, op: '≥' | '≤', target: number, unit = '×'): string {
  const passes = (x: number): boolean => (op === '≥' ? x >= target : x <= target);
  const two = value.toFixed(2);
  const shown = passes(Number(two)) === passes(value) ? two : value.toFixed(3);
  return `  ${label}  ${shown}${unit}   target ${op} ${target}${unit}   ${passes(value) ? 'PASS' : 'FAIL'}`;
}
