/**
 * Shared by the embedded SQLite databases (the run store, the local org, the local signing
 * service): compiling a statement costs more than running it, so each distinct SQL text is
 * prepared once per connection and reused.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export function preparedStatements(db: DatabaseSync): (sql: string) => StatementSync {
  const statements = new Map<string, StatementSync>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
}
