/**
 * The run memo's layout, in one place: how a stage's memoised values and saved state are keyed,
 * and its generations (a retry after the rep fixes data, or a revision, starts the next
 * generation, so the stage reads afresh). Agents never spell a key; they ask their StageContext
 * (`generation`, `earlier`) or, for a past run, `stageValue`.
 */
import type { RunRecord } from '../ports/store.ts';

type Memo = RunRecord['memo'];
/** A stage's key (stage.ts `StageKey`; a plain string here, so stage.ts can import this module). */
type StageKey = string;

/** Which of a stage's memo keys a value lives under: what `memo(key)` computed, or what `save(key)` saved. */
export type MemoKind = 'memo' | 'state';

const generationKey = (stage: StageKey) => `${stage}.generation`;

/** The stage's current generation: 0 until its first retry after a data fix. */
export function generationOf(memo: Memo, stage: StageKey): number {
  return Number(memo[generationKey(stage)] ?? 0);
}

/** The memo keys that start the next generation of these stages. */
export function nextGenerations(memo: Memo, stages: readonly StageKey[]): Record<string, number> {
  return Object.fromEntries(stages.map((s) => [generationKey(s), generationOf(memo, s) + 1]));
}

function prefixOf(stage: StageKey, generation: number): string {
  return generation === 0 ? `${stage}.` : `${stage}.g${generation}.`;
}

/** The full key of a stage's value in a generation (the current one unless given). */
export function memoKey(
  memo: Memo,
  stage: StageKey,
  key: string,
  kind: MemoKind = 'memo',
  generation = generationOf(memo, stage),
): string {
  return `${prefixOf(stage, generation)}${kind === 'state' ? `state.${key}` : key}`;
}

/** A stage's value in its current generation, as a past run recorded it. */
export function stageValue<T>(
  memo: Memo,
  stage: StageKey,
  key: string,
  kind: MemoKind = 'memo',
): T | undefined {
  return memo[memoKey(memo, stage, key, kind)] as T | undefined;
}

export interface EarlierValue<T> {
  generation: number;
  /** The key as the stage named it (`tracked.2`), without the layout's prefixes. */
  key: string;
  value: T;
}

/**
 * A stage's values from its generations before the current one, newest first. `key` ending in
 * `*` matches every key that starts with what precedes it.
 */
export function earlierValues<T>(
  memo: Memo,
  stage: StageKey,
  key: string,
  kind: MemoKind = 'memo',
): EarlierValue<T>[] {
  const wildcard = key.endsWith('*');
  const wanted = wildcard ? key.slice(0, -1) : key;
  const found: EarlierValue<T>[] = [];
  for (let g = generationOf(memo, stage) - 1; g >= 0; g--) {
    const prefix = memoKey(memo, stage, '', kind, g);
    for (const [full, value] of Object.entries(memo)) {
      if (!full.startsWith(prefix)) continue;
      const own = full.slice(prefix.length);
      // Generation 0's prefix is also the start of every later generation's keys (`stage.g2.…`).
      if (g === 0 && kind === 'memo' && /^g\d+\./.test(own)) continue;
      if (wildcard ? own.startsWith(wanted) : own === wanted)
        found.push({ generation: g, key: own, value: value as T });
    }
  }
  return found;
}

/** The memo key counting a stage's transient failures in a row. */
export function failuresKey(stage: StageKey): string {
  return `${stage}.failuresInARow`;
}
