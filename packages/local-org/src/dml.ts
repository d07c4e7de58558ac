/**
 * Record writes with a real org's rules: field-level validation, required and unique fields,
 * reference integrity, read-only and system fields, auto-numbers, approval-process record
 * locks, cascade deletes, and the standard behaviour a real org applies on save (Opportunity
 * stage flags and Amount roll-up, line-item prices, contract end dates, files). Every write
 * happens inside a transaction so composite and collection calls can be all-or-none. The
 * per-object save behaviour of the standard objects is in `dml-standard.ts`.
 */
import type { FieldDef } from './schema/model.ts';
import type { ObjectSchema, SchemaRegistry } from './schema/registry.ts';
import { CORPORATE_CURRENCY } from './schema/standard-objects.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { keyPrefixOf, mintId, to18 } from './ids.ts';
import type { FieldValue, OrgStore, OrgTransaction, SObjectRecord } from './store.ts';
import { afterWrite, deriveStandardFields } from './dml-standard.ts';
import { coerceFieldValue, formatDateTime } from './values.ts';

/** Hidden marker on a record under a pending approval; never serialized to callers. */
export const LOCK_MARKER = '__locked';

export interface DmlContext {
  userId: string;
  now: Date;
  /** System mode: seed data and the org's own automation, not bound by field access or locks. */
  system?: boolean;
}

export type JsonInput = Record<string, unknown>;

export class Dml {
  readonly registry: SchemaRegistry;
  readonly store: OrgStore;
  readonly tx: OrgTransaction;
  readonly ctx: DmlContext;

  constructor(registry: SchemaRegistry, store: OrgStore, tx: OrgTransaction, ctx: DmlContext) {
    this.registry = registry;
    this.store = store;
    this.tx = tx;
    this.ctx = ctx;
  }

  /** The schema of a writable type, or Salesforce's error for an unknown one. */
  schemaFor(typeName: string): ObjectSchema {
    const schema = this.registry.get(typeName);
    if (!schema) throw sfError.notFoundType(typeName);
    return schema;
  }

  withContext(ctx: Partial<DmlContext>): Dml {
    return new Dml(this.registry, this.store, this.tx, { ...this.ctx, ...ctx });
  }

  /** A record by id, checking it is of the expected type. */
  find(schema: ObjectSchema, id: string): SObjectRecord | undefined {
    const id18 = to18(id);
    if (!id18) return undefined;
    const stored = this.tx.get(id18);
    return stored && stored.type === schema.name ? stored.fields : undefined;
  }

  insert(typeName: string, input: JsonInput): SObjectRecord {
    const schema = this.schemaFor(typeName);
    if (!schema.def.createable && !this.ctx.system) {
      throw new SalesforceApiError(
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${schema.name} does not support insert`,
      );
    }
    if ('Id' in input && input.Id !== undefined && !this.ctx.system) {
      throw new SalesforceApiError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        'Record ID: cannot specify Id in an insert call',
        {
          fields: ['Id'],
        },
      );
    }
    const values = this.readInput(schema, input, 'insert');
    const id =
      this.ctx.system && typeof input.Id === 'string'
        ? to18(input.Id)!
        : mintId(schema.def.keyPrefix, this.store.next(`id:${schema.def.keyPrefix}`));
    const now = formatDateTime(this.ctx.now);
    const rec: SObjectRecord = { Id: id };
    for (const f of schema.def.fields) {
      if (f.name === 'Id') continue;
      if (values.has(f.name)) rec[f.name] = values.get(f.name)!;
      else rec[f.name] = this.defaultFor(schema, f, values);
    }
    if (schema.field('IsDeleted')) {
      rec.IsDeleted = false;
      rec.CreatedDate = values.has('CreatedDate') && this.ctx.system ? values.get('CreatedDate')! : now;
      rec.CreatedById = this.ctx.userId;
      rec.LastModifiedDate = now;
      rec.LastModifiedById = this.ctx.userId;
      rec.SystemModstamp = now;
    } else if (schema.def.kind === 'platformEvent') {
      rec.CreatedDate = now;
      rec.CreatedById = this.ctx.userId;
    }
    for (const f of schema.def.fields) {
      if (f.autoNumber) rec[f.name] = this.nextAutoNumber(schema, f);
    }
    deriveStandardFields(this, schema, rec, undefined);
    this.checkRecord(schema, rec, undefined);
    this.tx.put(schema.name, rec);
    afterWrite(this, schema, rec, undefined);
    return rec;
  }

  update(typeName: string, id: string, input: JsonInput): SObjectRecord {
    const schema = this.schemaFor(typeName);
    const before = this.find(schema, id);
    if (!before) throw sfError.notFound();
    if (!schema.def.updateable && !this.ctx.system) {
      throw new SalesforceApiError(
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${schema.name} does not support update`,
      );
    }
    if (before[LOCK_MARKER] === true && !this.ctx.system && !this.canEditLocked())
      throw sfError.entityIsLocked();
    const values = this.readInput(schema, input, 'update', before);
    const rec: SObjectRecord = { ...before };
    for (const [name, value] of values) rec[name] = value;
    if (schema.field('LastModifiedDate')) {
      const now = formatDateTime(this.ctx.now);
      rec.LastModifiedDate = now;
      rec.LastModifiedById = this.ctx.userId;
      rec.SystemModstamp = now;
    }
    deriveStandardFields(this, schema, rec, before);
    this.checkRecord(schema, rec, before);
    this.tx.put(schema.name, rec);
    afterWrite(this, schema, rec, before);
    return rec;
  }

  /** Upsert by an external id field: update the one match, insert when none, 300 when several. */
  upsert(
    typeName: string,
    externalIdField: string,
    externalId: string,
    input: JsonInput,
  ): { record: SObjectRecord; created: boolean } {
    const schema = this.schemaFor(typeName);
    const f = schema.field(externalIdField);
    if (!f || (!f.externalId && f.name !== 'Id')) {
      throw sfError.notFound(
        `Provided external ID field does not exist or is not accessible: ${externalIdField}`,
      );
    }
    if (f.name === 'Id') {
      const existing = this.find(schema, externalId);
      if (!existing) throw sfError.notFound();
      return { record: this.update(typeName, existing.Id, input), created: false };
    }
    const matches = this.findByField(schema, f, externalId);
    if (matches.length > 1) {
      throw new SalesforceApiError(
        'MULTIPLE_RECORDS_FOUND',
        `More than one record found for external id field ${f.name} with value ${externalId}`,
        { status: 300 },
      );
    }
    const { [f.name]: bodyValue, ...rest } = caseInsensitiveOmit(input, f.name);
    if (bodyValue !== undefined && String(bodyValue) !== externalId) {
      throw sfError.invalidField(
        `The value of ${f.name} in the body does not match the external id in the URL`,
        [f.name],
      );
    }
    if (matches[0]) return { record: this.update(typeName, matches[0].Id, rest), created: false };
    return { record: this.insert(typeName, { ...rest, [f.name]: externalId }), created: true };
  }

  delete(typeName: string, id: string): void {
    const schema = this.schemaFor(typeName);
    const rec = this.find(schema, id);
    if (!rec) throw new SalesforceApiError('ENTITY_IS_DELETED', 'entity is deleted', { status: 404 });
    if (!schema.def.deletable && !this.ctx.system) {
      throw new SalesforceApiError(
        'INVALID_TYPE_FOR_OPERATION',
        `entity type ${schema.name} does not support delete`,
      );
    }
    if (rec[LOCK_MARKER] === true && !this.ctx.system && !this.canEditLocked())
      throw sfError.entityIsLocked();
    for (const rel of schema.childRelationships) {
      const childSchema = this.registry.get(rel.childSObject);
      if (!childSchema) continue;
      const childField = childSchema.field(rel.field)!;
      for (const child of this.tx.findByField(childSchema.name, rel.field, rec.Id, true)) {
        if (rel.cascadeDelete) this.withContext({ system: true }).delete(childSchema.name, child.Id);
        else if (childField.nillable) this.tx.put(childSchema.name, { ...child, [rel.field]: null });
      }
    }
    this.tx.delete(rec.Id);
    afterWrite(this, schema, undefined, rec);
  }

  /** Administrators ("Modify All Data") may edit records an approval process has locked. */
  private canEditLocked(): boolean {
    const profileId = this.tx.get(this.ctx.userId)?.fields.ProfileId;
    return typeof profileId === 'string' && this.tx.get(profileId)?.fields.PermissionsModifyAllData === true;
  }

  findByField(schema: ObjectSchema, f: FieldDef, value: string): SObjectRecord[] {
    return this.tx.findByField(schema.name, f.name, value, f.caseSensitive === true);
  }

  /** Validates and converts a request body into field values (canonical names). */
  private readInput(
    schema: ObjectSchema,
    input: JsonInput,
    mode: 'insert' | 'update',
    before?: SObjectRecord,
  ): Map<string, FieldValue> {
    const values = new Map<string, FieldValue>();
    for (const [key, raw] of Object.entries(input)) {
      if (key === 'attributes' || (key === 'Id' && (mode === 'update' || this.ctx.system))) continue;
      const f = schema.field(key);
      if (!f) {
        const rel = schema.parentRelationship(key);
        if (rel && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
          values.set(rel.name, this.resolveParentByExternalId(rel, raw as JsonInput));
          continue;
        }
        throw sfError.invalidField(`No such column '${key}' on sobject of type ${schema.name}`, [key]);
      }
      const allowed = mode === 'insert' ? f.createable : f.updateable;
      const systemSettable = this.ctx.system && (f.name === 'CreatedDate' || !f.autoNumber);
      // Re-sending a read-only field's current value (an upsert body reused for update) is a no-op.
      if (!allowed && !systemSettable && before && valuesEqual(f, before[f.name], raw)) continue;
      if (!allowed && !systemSettable) {
        throw new SalesforceApiError(
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${f.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          { fields: [f.name] },
        );
      }
      values.set(f.name, coerceFieldValue(f, raw));
    }
    return values;
  }

  /** `"Account": {"External_Id__c": "X"}` in a body: the parent found by one of its external ids. */
  private resolveParentByExternalId(rel: FieldDef, raw: JsonInput): string {
    const parent = this.schemaFor(rel.referenceTo[0]!);
    const entries = Object.entries(raw).filter(([k]) => k !== 'attributes');
    const [key, value] = entries[0] ?? [];
    const f = key ? parent.field(key) : undefined;
    if (entries.length !== 1 || !f || !f.externalId || typeof value !== 'string') {
      throw sfError.invalidField(
        `Foreign key external ID: ${rel.relationshipName} must name exactly one external id field of ${parent.name}`,
        [rel.name],
      );
    }
    const matches = this.findByField(parent, f, value);
    if (matches.length !== 1) {
      throw new SalesforceApiError(
        'INVALID_FIELD',
        `Foreign key external ID: ${value} not found for field ${f.name} in entity ${parent.name}`,
        { fields: [rel.name] },
      );
    }
    return matches[0]!.Id;
  }

  private defaultFor(schema: ObjectSchema, f: FieldDef, values: Map<string, FieldValue>): FieldValue {
    if (f.name === 'OwnerId') return this.ctx.userId;
    if (f.name === 'CurrencyIsoCode') return this.inheritedCurrency(schema, values);
    if (f.type === 'picklist') {
      const d = f.picklistValues.find((v) => v.defaultValue);
      if (d) return d.value;
    }
    if (f.type === 'boolean') return f.defaultValue === true;
    return f.defaultValue ?? null;
  }

  /** Children take their parent's currency (line items must match their opportunity); others the user's. */
  private inheritedCurrency(schema: ObjectSchema, values: Map<string, FieldValue>): string {
    for (const f of schema.def.fields) {
      if (f.type !== 'reference' || !(f.masterDetail || f.cascadeDelete)) continue;
      const parentId = values.get(f.name);
      const parent = typeof parentId === 'string' ? this.tx.get(parentId) : undefined;
      const code = parent?.fields.CurrencyIsoCode;
      if (typeof code === 'string') return code;
    }
    const user = this.tx.get(this.ctx.userId)?.fields;
    const code = user?.DefaultCurrencyIsoCode;
    return typeof code === 'string' ? code : CORPORATE_CURRENCY;
  }

  private nextAutoNumber(schema: ObjectSchema, f: FieldDef): string {
    const n = this.store.next(`autonumber:${schema.name}.${f.name}`);
    const format = f.displayFormat ?? '{0}';
    return format.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
  }

  /** Required fields, uniqueness and reference integrity, checked on the record as it will be saved. */
  private checkRecord(schema: ObjectSchema, rec: SObjectRecord, before: SObjectRecord | undefined): void {
    const missing = schema.def.fields
      .filter((f) => !f.nillable && !f.calculated && !f.autoNumber && f.type !== 'boolean' && f.name !== 'Id')
      .filter((f) => rec[f.name] === null || rec[f.name] === undefined)
      .map((f) => f.name);
    if (missing.length > 0) throw sfError.requiredFieldMissing(missing);
    for (const f of schema.def.fields) {
      const value = rec[f.name];
      if (value === null || value === undefined) continue;
      if ((f.unique || (f.externalId && f.unique)) && (!before || before[f.name] !== value)) {
        const dup = this.findByField(schema, f, String(value)).find((r) => r.Id !== rec.Id);
        if (dup) {
          throw new SalesforceApiError(
            'DUPLICATE_VALUE',
            `duplicate value found: ${f.name} duplicates value on record with id: ${dup.Id}`,
            { fields: [f.name] },
          );
        }
      }
      if (f.type === 'reference' && (!before || before[f.name] !== value) && f.createable) {
        const target = this.tx.get(String(value));
        const targetType = this.registry.byKeyPrefix(keyPrefixOf(String(value)))?.name;
        if (!targetType || !f.referenceTo.some((t) => t.toLowerCase() === targetType.toLowerCase())) {
          throw new SalesforceApiError(
            'FIELD_INTEGRITY_EXCEPTION',
            `field integrity exception: ${f.name} (${f.label}: id value of incorrect type: ${String(value)})`,
            { fields: [f.name] },
          );
        }
        if (!target) {
          throw new SalesforceApiError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, {
            fields: [f.name],
          });
        }
      }
    }
  }
}

function valuesEqual(f: FieldDef, current: FieldValue | undefined, raw: unknown): boolean {
  try {
    return coerceFieldValue(f, raw) === (current ?? null);
  } catch {
    return false;
  }
}

function caseInsensitiveOmit(input: JsonInput, name: string): JsonInput {
  const out: JsonInput = {};
  for (const [k, v] of Object.entries(input)) out[k.toLowerCase() === name.toLowerCase() ? name : k] = v;
  return out;
}

export type { FieldValue };
