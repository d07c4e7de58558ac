/**
 * The types the SOQL engine's parts share: what a query reads records through, what it returns,
 * and the small context (reader, clock, schema and path resolution) that WHERE compilation and
 * aggregation are handed, so those parts live in their own files without reaching into the
 * query run that owns them.
 */
import type { FieldDef } from '../schema/model.ts';
import type { ObjectSchema } from '../schema/registry.ts';
import type { FieldValue, SObjectRecord } from '../store.ts';

export interface RecordReader {
  get(id: string): { type: string; fields: SObjectRecord } | undefined;
  all(type: string): Iterable<SObjectRecord>;
  /**
   * Records of `type` whose `field` is exactly `value`, from an index; undefined when the reader
   * has none for that type (the engine then scans).
   */
  byField?(type: string, field: string, value: string): Iterable<SObjectRecord> | undefined;
}

export type JsonRecord = Record<string, unknown>;

export interface QueryOutput {
  totalSize: number;
  records: JsonRecord[];
}

export type Getter = (rec: SObjectRecord) => FieldValue | undefined;

export interface ResolvedPath {
  get: Getter;
  field: FieldDef;
  /** Relationship names walked, e.g. ['Account', 'Owner'] for Account.Owner.Name. */
  relationships: string[];
  /** Types along the relationship path, used to build nested output. */
  types: string[];
}

export interface QueryContext {
  readonly reader: RecordReader;
  /** Date literals (TODAY, LAST_N_DAYS:n) are relative to it. */
  readonly now: Date;
  /** The queryable object named `name`, or INVALID_TYPE. */
  objectSchema(name: string): ObjectSchema;
  /** A field path (Account.Owner.Name), with the query's alias stripped, as a getter. */
  resolvePath(schema: ObjectSchema, rawPath: string, alias: string | undefined): ResolvedPath;
}
