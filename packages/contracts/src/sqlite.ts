/**
 * Shared by the embedded SQLite databases (the run store, the local org, the local signing
 * service): prepared statements and write transactions.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Compiling a statement costs more than running it: each distinct SQL text is prepared once per connection. */
export function preparedStatements(db: DatabaseSync): (sql: string) => StatementSync {
  const statements = new Map<string, StatementSync>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}

/**
 * Runs `work` (synchronous) in one write transaction. IMMEDIATE takes the write lock at the start,
 * so another connection's writer waits on busy_timeout instead of failing at COMMIT.
 */
export function writeTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
