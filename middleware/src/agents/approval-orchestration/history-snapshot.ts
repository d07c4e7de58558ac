/**
 * One process-wide snapshot of approval history, shared by every closure that plans approvals.
 *
 * Predictions and precedent read the last few hundred Deal_Approval__c decisions. Reading them
 * per closure made each closure sort, send and parse hundreds of rows (and store them in its
 * memo), and the cost grew with the history; yet decisions arrive over hours, so a snapshot a few
 * minutes old predicts as well as a fresh one. The snapshot is refreshed when older than
 * `maxAgeMs` (0: read on every call, the behaviour without the cache); concurrent closures that
 * find it stale share one read. Users and their workload are never cached: a deactivated approver
 * must be seen at once, and queues change by the hour.
 */
import type { ApprovalHistoryEntry, ApprovalsPort } from '../../ports/approvals.ts';

export interface HistorySnapshotOptions {
  maxAgeMs: number;
  now?: () => number;
}

interface Snapshot {
  readAt: number;
  limit: number;
  entries: ApprovalHistoryEntry[];
}

export function withHistorySnapshot(port: ApprovalsPort, options: HistorySnapshotOptions): ApprovalsPort {
  if (options.maxAgeMs <= 0) return port;
  const now = options.now ?? Date.now;
  let snapshot: Snapshot | undefined;
  let reading: Promise<Snapshot> | undefined;

  const fresh = (limit: number): ApprovalHistoryEntry[] | undefined =>
    snapshot && snapshot.limit >= limit && now() - snapshot.readAt < options.maxAgeMs
      ? snapshot.entries.slice(0, limit)
      : undefined;
  /**
   * The snapshot when fresh, else the history another closure is reading when it reads enough; a
   * failed read is this caller's to redo. Synchronous when there is neither, so that the caller
   * starts its read before any other closure looks.
   */
  const known = (
    limit: number,
  ): ApprovalHistoryEntry[] | Promise<ApprovalHistoryEntry[] | undefined> | undefined =>
    fresh(limit) ??
    reading?.then(
      (read) => (read.limit >= limit ? read.entries.slice(0, limit) : undefined),
      () => undefined,
    );
  const track = (limit: number, entries: Promise<ApprovalHistoryEntry[]>): Promise<Snapshot> => {
    const readAt = now();
    const read = entries.then((e): Snapshot => {
      // A slower read that started earlier must not replace a newer snapshot.
      if (!snapshot || snapshot.readAt <= readAt) snapshot = { readAt, limit, entries: e };
      return { readAt, limit, entries: e };
    });
    if (!reading) {
      reading = read;
      const settled = () => {
        if (reading === read) reading = undefined;
      };
      read.then(settled, settled);
    }
    return read;
  };
  /** Users (and their workload) are never from the snapshot: read them alone. */
  const people = async (usernames: string[], options: Parameters<ApprovalsPort['planningData']>[2]) => {
    if (usernames.length === 0) return { users: [] };
    const { history: _none, ...people } = await port.planningData(usernames, 0, options);
    return people;
  };

  return {
    ...port,
    async history({ limit }) {
      const shared = known(limit);
      const entries = shared && (await shared);
      if (entries) return entries;
      return (await track(limit, port.history({ limit }))).entries;
    },

    async planningData(usernames, historyLimit, options) {
      const shared = known(historyLimit);
      const entries = shared && (await shared);
      if (entries) return { ...(await people(usernames, options)), history: entries };
      // Users and history in one round trip; closures arriving meanwhile wait for this history.
      const both = port.planningData(usernames, historyLimit, options);
      await track(
        historyLimit,
        both.then((b) => b.history),
      );
      return both;
    },
  };
}
