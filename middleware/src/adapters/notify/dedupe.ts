/**
 * "The same key is delivered at most once per notifier" (the notify port): a bounded memory of
 * delivered keys. A restart forgets it, so a notice may repeat after a crash; never more often.
 */
export function createDedupe(capacity = 10_000): { seen(key: string): boolean; remember(key: string): void } {
  const keys = new Set<string>();
  return {
    seen: (key) => keys.has(key),
    remember(key) {
      keys.add(key);
      // Sets iterate in insertion order: drop the oldest.
      if (keys.size > capacity) keys.delete(keys.values().next().value!);
    },
  };
}

/**
 * How many sent notifications a notifier keeps for inspection (tests, the demo): the most recent
 * ones only, so a long-running process does not keep every message it ever sent.
 */
export const RECENT_NOTIFICATIONS = 200;

export function keepRecent<T>(list: T[], item: T, capacity = RECENT_NOTIFICATIONS): void {
  list.push(item);
  if (list.length > capacity) list.splice(0, list.length - capacity);
}
