/**
 * The scheduling seam of the orchestrator. Without a scheduler, runs are driven in this process
 * (the embedded default) and due timers are found by the orchestrator's poller. With one (the
 * pg-boss scheduler in Postgres mode), driving a run and firing timers become jobs that any
 * replica may take, and the scheduler guarantees one driver per run at a time across replicas.
 */
export interface SchedulerWork {
  /** Drives a run as far as it goes now; called with the run's cross-replica lock held. */
  drive(runId: string): Promise<void>;
  /** Turns due timers into events (idempotent: timer events are deduped by timer id). */
  tick(): Promise<void>;
}

export interface RunScheduler {
  /** Starts taking work in this process. */
  start(work: SchedulerWork): Promise<void>;
  /** Asks for the run to be driven soon by some replica; durable once it resolves. */
  kick(runId: string): Promise<void>;
  /** Timers of the run fall due at `dueAts`; the scheduler fires `tick` at each. */
  timersAdded(runId: string, dueAts: Date[]): Promise<void>;
  /** Stops taking work and waits for the work in hand. */
  stop(): Promise<void>;
}
