/** How the Learning agent words figures: durations as a person reads them, lists in prose. */

/** A duration as a person reads it: 840 ms, 12.5 s, 7.2 min, 5.1 h, 3.4 days. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 360_000) / 10} h`;
  return `${Math.round(ms / 8_640_000) / 10} days`;
}

/** `a`, `a and b`, `a, b and c`; past `max` items, `… and N more`. */
export function listed(items: readonly string[], max = 6): string {
  const shown = items.length > max ? [...items.slice(0, max), `${items.length - max} more`] : [...items];
  return shown.length <= 1 ? (shown[0] ?? '') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}

/** `1 deal`, `3 deals`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A percentage with at most two decimals, as the pricing insight words it. */
export function percent(value: number): string {
  return `${Math.round(value * 100) / 100}%`;
}
