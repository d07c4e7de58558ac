/**
 * The shape of seed data for the local org. Seed files are plain data: references between
 * records are symbolic (`{ ref }`) and dates are relative to the moment of seeding, so a demo
 * org seeded on any day has a believable, recent history.
 */

/** Another seed record's id, resolved when the org is seeded. */
export interface SeedRef {
  ref: string;
}

/** A Date field `days` from today (negative is the past). */
export interface SeedRelativeDate {
  rel: 'date';
  days: number;
}

/** A DateTime field `days` from now (negative is the past), at a wall-clock time (UTC, HH:MM). */
export interface SeedRelativeDateTime {
  rel: 'datetime';
  days: number;
  time?: string;
}

export type SeedValue = string | number | boolean | null | SeedRef | SeedRelativeDate | SeedRelativeDateTime;

export interface SeedRecord {
  /** Unique symbolic name, e.g. `account.northwind`; other records point at it with `{ ref }`. */
  ref: string;
  /** sObject API name. */
  type: string;
  fields: Record<string, SeedValue>;
}

export const ref = (name: string): SeedRef => ({ ref: name });
export const daysFromToday = (days: number): SeedRelativeDate => ({ rel: 'date', days });
export const at = (days: number, time = '09:00'): SeedRelativeDateTime => ({ rel: 'datetime', days, time });
