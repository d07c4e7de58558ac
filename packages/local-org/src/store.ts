/**
 * Persistence for the local org: every record lives in memory for fast SOQL evaluation and is
 * written through to SQLite (node:sqlite) so the org survives restarts. All access is
 * synchronous, so one request's work never interleaves with another's; a transaction stages
 * its writes in an overlay and either commits them in one SQLite transaction or drops them,
 * which is what `allOrNone` needs.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { preparedStatements, writeTransaction } from '@dealdesk/contracts/sqlite';

export type FieldValue = string | number | boolean | null;
export type SObjectRecord = Record<string, FieldValue> & { Id: string };

interface StoredRecord {
  type: string;
  fields: SObjectRecord;
}

export interface RecordChange {
  type: string;
  id: string;
  /** undefined on insert */
  before: SObjectRecord | undefined;
  /** undefined on delete */
  after: SObjectRecord | undefined;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, type TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_type ON records(type);
CREATE TABLE IF NOT EXISTS blobs (id TEXT NOT NULL, field TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (id, field));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class OrgStore {
  private readonly db: DatabaseSync;
  private readonly stmt: (sql: string) => StatementSync;
  private readonly byId = new Map<string, StoredRecord>();
  private readonly byType = new Map<string, Map<string, SObjectRecord>>();
  private readonly counters = new Map<string, number>();
  /** Sequences advanced since the last commit: only these are written (there is one per object type). */
  private readonly advanced = new Set<string>();
  /** Field-value indexes, built on first use: upserts by external id and unique checks look up, not scan. */
  private readonly indexes = new Map<string, FieldIndex[]>();

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    // The local org stands in for Salesforce on a developer's machine: its commits must survive the
    // process being killed (the crash tests kill -9 it mid-write), which WAL gives without syncing
    // to disk. Syncing at every checkpoint as well, against power loss, doubled the cost of a
    // commit on the request path.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
    this.db.exec(SCHEMA_SQL);
    this.stmt = preparedStatements(this.db);
    for (const row of this.stmt('SELECT id, type, data FROM records').all()) {
      const fields = JSON.parse(String(row.data)) as SObjectRecord;
      this.remember(String(row.type), fields);
    }
    for (const row of this.stmt('SELECT name, value FROM counters').all()) {
      this.counters.set(String(row.name), Number(row.value));
    }
  }

  private remember(type: string, fields: SObjectRecord): void {
    const previous = this.byId.get(fields.Id);
    if (previous) for (const index of this.indexes.get(previous.type) ?? []) index.remove(previous.fields);
    for (const index of this.indexes.get(type) ?? []) index.add(fields);
    this.byId.set(fields.Id, { type, fields });
    let table = this.byType.get(type);
    if (!table) this.byType.set(type, (table = new Map()));
    table.set(fields.Id, fields);
  }

  private forget(id: string): void {
    const stored = this.byId.get(id);
    if (!stored) return;
    for (const index of this.indexes.get(stored.type) ?? []) index.remove(stored.fields);
    this.byId.delete(id);
    this.byType.get(stored.type)?.delete(id);
  }

  get(id: string): StoredRecord | undefined {
    return this.byId.get(id);
  }

  all(type: string): Iterable<SObjectRecord> {
    return this.byType.get(type)?.values() ?? [];
  }

  /** Committed records of `type` whose `field` equals `value` (case-insensitively unless `caseSensitive`). */
  lookup(type: string, field: string, value: string, caseSensitive: boolean): SObjectRecord[] {
    const indexes = this.indexes.get(type) ?? [];
    let index = indexes.find((i) => i.field === field && i.caseSensitive === caseSensitive);
    if (!index) {
      index = new FieldIndex(field, caseSensitive);
      for (const rec of this.all(type)) index.add(rec);
      this.indexes.set(type, [...indexes, index]);
    }
    const table = this.byType.get(type);
    return [...index.ids(value)]
      .map((id) => table?.get(id))
      .filter((r): r is SObjectRecord => r !== undefined);
  }

  /** RecordReader's index lookup: exact matches among committed records. */
  byField(type: string, field: string, value: string): SObjectRecord[] {
    return this.lookup(type, field, value, true);
  }

  count(type: string): number {
    return this.byType.get(type)?.size ?? 0;
  }

  isEmpty(): boolean {
    return this.byId.size === 0;
  }

  /** The next value of a named sequence (ids, auto-numbers); persisted when a transaction commits. */
  next(name: string): number {
    const value = (this.counters.get(name) ?? 0) + 1;
    this.counters.set(name, value);
    this.advanced.add(name);
    return value;
  }

  getSetting(name: string): string | undefined {
    const row = this.stmt('SELECT value FROM settings WHERE name = ?').get(name);
    return row ? String(row.value) : undefined;
  }

  setSetting(name: string, value: string): void {
    this.stmt(
      'INSERT INTO settings(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
    ).run(name, value);
  }

  readBlob(id: string, fieldName: string): Uint8Array | undefined {
    const row = this.stmt('SELECT data FROM blobs WHERE id = ? AND field = ?').get(id, fieldName);
    return row ? (row.data as Uint8Array) : undefined;
  }

  begin(): OrgTransaction {
    return new OrgTransaction(this);
  }

  /**
   * Writes a transaction's overlay to SQLite atomically, then to memory. Records of `transient`
   * types (platform events) are returned as changes but never stored.
   */
  commit(tx: OrgTransaction, transient: (type: string) => boolean = () => false): RecordChange[] {
    const all = tx.changes();
    const changes = all.filter((c) => !transient(c.type));
    if (changes.length === 0 && tx.blobs.size === 0) return all;
    const upsert = this.stmt(
      // A record's type never changes (its id says what it is), so an update leaves the type index alone.
      'INSERT INTO records(id, type, data) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data',
    );
    const remove = this.stmt('DELETE FROM records WHERE id = ?');
    const removeBlobs = this.stmt('DELETE FROM blobs WHERE id = ?');
    const putBlob = this.stmt(
      'INSERT INTO blobs(id, field, data) VALUES (?, ?, ?) ON CONFLICT(id, field) DO UPDATE SET data = excluded.data',
    );
    const putCounter = this.stmt(
      'INSERT INTO counters(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value',
    );
    writeTransaction(this.db, () => {
      for (const change of changes) {
        if (change.after) upsert.run(change.id, change.type, JSON.stringify(change.after));
        else {
          remove.run(change.id);
          removeBlobs.run(change.id);
        }
      }
      for (const [key, data] of tx.blobs) {
        const [id, fieldName] = key.split('\u0000') as [string, string];
        putBlob.run(id, fieldName, data);
      }
      for (const name of this.advanced) putCounter.run(name, this.counters.get(name)!);
    });
    this.advanced.clear();
    for (const change of changes) {
      if (change.after) this.remember(change.type, change.after);
      else this.forget(change.id);
    }
    return all;
  }

  close(): void {
    this.db.close();
  }
}

class FieldIndex {
  readonly field: string;
  readonly caseSensitive: boolean;
  private readonly map = new Map<string, Set<string>>();
  constructor(field: string, caseSensitive: boolean) {
    this.field = field;
    this.caseSensitive = caseSensitive;
  }
  key(value: string): string {
    return this.caseSensitive ? value : value.toLowerCase();
  }
  add(rec: SObjectRecord): void {
    const v = rec[this.field];
    if (v === null || v === undefined) return;
    const k = this.key(String(v));
    let ids = this.map.get(k);
    if (!ids) this.map.set(k, (ids = new Set()));
    ids.add(rec.Id);
  }
  remove(rec: SObjectRecord): void {
    const v = rec[this.field];
    if (v === null || v === undefined) return;
    const k = this.key(String(v));
    const ids = this.map.get(k);
    ids?.delete(rec.Id);
    if (ids?.size === 0) this.map.delete(k);
  }
  ids(value: string): Set<string> {
    return this.map.get(this.key(value)) ?? new Set();
  }
}

/**
 * Staged writes over the store. Reads see the transaction's own writes first, so a composite
 * request's later subrequests see the records its earlier ones created.
 */
export class OrgTransaction {
  private readonly store: OrgStore;
  private readonly overlay = new Map<string, StoredRecord | null>();
  private readonly originals = new Map<string, StoredRecord | undefined>();
  readonly blobs = new Map<string, Uint8Array>();

  constructor(store: OrgStore) {
    this.store = store;
  }

  get(id: string): StoredRecord | undefined {
    if (this.overlay.has(id)) return this.overlay.get(id) ?? undefined;
    return this.store.get(id);
  }

  *all(type: string): Iterable<SObjectRecord> {
    for (const rec of this.store.all(type)) {
      if (!this.overlay.has(rec.Id)) yield rec;
    }
    for (const stored of this.overlay.values()) {
      if (stored && stored.type === type) yield stored.fields;
    }
  }

  /** Records of `type` whose `field` equals `value`, the transaction's own writes included. */
  findByField(type: string, field: string, value: string, caseSensitive: boolean): SObjectRecord[] {
    const needle = caseSensitive ? value : value.toLowerCase();
    const out = this.store.lookup(type, field, value, caseSensitive).filter((r) => !this.overlay.has(r.Id));
    for (const stored of this.overlay.values()) {
      if (!stored || stored.type !== type) continue;
      const v = stored.fields[field];
      if (v === null || v === undefined) continue;
      if ((caseSensitive ? String(v) : String(v).toLowerCase()) === needle) out.push(stored.fields);
    }
    return out;
  }

  /** RecordReader's index lookup: exact matches, this transaction's own writes included. */
  byField(type: string, field: string, value: string): SObjectRecord[] {
    return this.findByField(type, field, value, true);
  }

  put(type: string, fields: SObjectRecord): void {
    if (!this.originals.has(fields.Id)) this.originals.set(fields.Id, this.store.get(fields.Id));
    this.overlay.set(fields.Id, { type, fields });
  }

  delete(id: string): void {
    if (!this.originals.has(id)) this.originals.set(id, this.store.get(id));
    this.overlay.set(id, null);
  }

  putBlob(id: string, fieldName: string, data: Uint8Array): void {
    this.blobs.set(`${id}\u0000${fieldName}`, data);
  }

  changes(): RecordChange[] {
    const out: RecordChange[] = [];
    for (const [id, stored] of this.overlay) {
      const original = this.originals.get(id);
      if (!stored && !original) continue;
      out.push({
        type: (stored ?? original)!.type,
        id,
        before: original?.fields,
        after: stored?.fields,
      });
    }
    return out;
  }
}
