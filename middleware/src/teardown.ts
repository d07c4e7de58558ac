/**
 * One stack of things to close, filled in the order they are opened and emptied in reverse, so
 * every exit (a normal stop, a start-up that fails half way, a signal) closes the same things in
 * the same order, and nothing opened before a failure is left running.
 */
export type Disposer = () => void | Promise<void>;

export class Teardown {
  private readonly steps: { name: string; dispose: Disposer }[] = [];
  private running: Promise<void> | undefined;

  /** Whether the teardown has begun (a second signal need not announce it again). */
  get begun(): boolean {
    return this.running !== undefined;
  }

  /** Adds a step; it runs before every step pushed earlier. */
  push(name: string, dispose: Disposer): void {
    if (this.running) throw new Error(`cannot add '${name}': the teardown has already run`);
    this.steps.push({ name, dispose });
  }

  /**
   * Runs every step, last pushed first, once: later calls wait for the same run. A failing step
   * does not stop the rest (a store left open is worse than one error); the run then rejects with
   * the first failure, naming its step.
   */
  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    const failures: { name: string; err: unknown }[] = [];
    for (const { name, dispose } of this.steps.toReversed()) {
      try {
        await dispose();
      } catch (err) {
        failures.push({ name, err });
      }
    }
    const first = failures[0];
    if (first)
      throw new Error(
        `teardown step '${first.name}' failed${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}`,
        {
          cause: first.err,
        },
      );
  }
}

/** A disposer that does its work on the first call only, for a step pushed at two depths of the stack. */
export function once(dispose: Disposer): Disposer {
  let done: Promise<void> | undefined;
  return () => (done ??= Promise.resolve().then(dispose));
}
