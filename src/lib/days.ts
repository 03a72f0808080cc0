/**
 * UTC calendar days as `YYYY-MM-DD`, validated for real (no 2026-02-30).
 */
import { InvalidInputError } from '../errors';

export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** The day, or an InvalidInputError naming `field`. */
export function parseDay(value: string, field: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || isoDay(date) !== value) {
    throw new InvalidInputError(`${field} must be a date as YYYY-MM-DD`, field);
  }
  return value;
}
