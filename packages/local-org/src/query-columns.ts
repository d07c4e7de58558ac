/**
 * `GET /query?q=…&columns=true`: the columns of a SOQL query instead of its rows, as Salesforce
 * answers it (the Developer Console and `sf data query` ask for it to lay out their tables):
 * `{columnMetadata, entityName, groupBy, idSelected, keyPrefix}`, one column per selected field,
 * parent paths as a relationship column whose `joinColumns` hold the parent's fields, subqueries
 * as an `aggregate` column whose `joinColumns` are the child query's columns, and aggregate
 * functions as `aggregate` columns named `exprN` (or their alias) with the function as
 * `displayName`. Shapes follow the columns Salesforce returns, as recorded in
 * salesforcecli/plugin-data's test exemplars (queryFields.exemplars.ts).
 */
import {
  parseQuery,
  type FieldType as SoqlField,
  type Query,
  type Subquery,
} from '@jetstreamapp/soql-parser-js';
import { sfError } from './errors.ts';
import type { LocalOrg } from './local-org.ts';
import type { FieldDef, FieldType } from './schema/model.ts';
import type { ObjectSchema, SchemaRegistry } from './schema/registry.ts';
import { isBareCount } from './soql/aggregate.ts';
import { pathParts, polymorphicNameField } from './soql/engine.ts';

export interface ColumnMetadata {
  aggregate: boolean;
  apexType: string | null;
  booleanType: boolean;
  columnName: string;
  custom: boolean;
  displayName: string;
  foreignKeyName: string | null;
  insertable: boolean;
  joinColumns: ColumnMetadata[];
  numberType: boolean;
  textType: boolean;
  updatable: boolean;
}

export interface QueryColumns {
  columnMetadata: ColumnMetadata[];
  entityName: string;
  groupBy: boolean;
  idSelected: boolean;
  keyPrefix: string;
}

const APEX_TYPES: Record<FieldType, string> = {
  id: 'Id',
  reference: 'Id',
  string: 'String',
  textarea: 'String',
  picklist: 'String',
  multipicklist: 'String',
  email: 'String',
  phone: 'String',
  url: 'String',
  boolean: 'Boolean',
  int: 'Integer',
  double: 'Decimal',
  currency: 'Decimal',
  percent: 'Decimal',
  date: 'Date',
  datetime: 'Datetime',
  base64: 'Blob',
};
const NUMERIC: ReadonlySet<FieldType> = new Set(['int', 'double', 'currency', 'percent']);
const TEXT: ReadonlySet<FieldType> = new Set([
  'string',
  'textarea',
  'picklist',
  'multipicklist',
  'email',
  'phone',
  'url',
]);
/** Aggregate functions whose result is a number whatever field they read. */
const NUMERIC_FUNCTIONS: ReadonlySet<string> = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG']);

/**
 * The columns of `soql`. The query is first run as a normal query so that a bad query fails here
 * with exactly the error (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE) it fails with there.
 */
export function queryColumns(org: LocalOrg, soql: string, apiVersion: string): QueryColumns {
  org.query(soql, { apiVersion });
  const query: Query = parseQuery(soql);
  const schema = org.registry.get(query.sObject ?? '');
  if (!schema) throw sfError.invalidType(query.sObject ?? '');
  const fields = query.fields ?? [];
  const aggregate =
    fields.some((f) => f.type === 'FieldFunctionExpression' && f.isAggregateFn === true) ||
    query.groupBy !== undefined;
  const columns = new ColumnBuilder(org.registry);
  return {
    columnMetadata: aggregate ? columns.aggregate(fields, schema) : columns.select(fields, schema, query),
    entityName: schema.name,
    groupBy: query.groupBy !== undefined,
    idSelected: !aggregate && fields.some((f) => f.type === 'Field' && f.field.toLowerCase() === 'id'),
    keyPrefix: schema.def.keyPrefix,
  };
}

function fieldColumn(f: FieldDef, columnName = f.name, displayName = columnName): ColumnMetadata {
  return {
    aggregate: false,
    apexType: APEX_TYPES[f.type],
    booleanType: f.type === 'boolean',
    columnName,
    custom: f.custom,
    displayName,
    foreignKeyName: null,
    insertable: f.createable,
    joinColumns: [],
    numberType: NUMERIC.has(f.type),
    textType: TEXT.has(f.type),
    updatable: f.updateable,
  };
}

function relationshipColumn(rel: FieldDef): ColumnMetadata {
  const name = rel.relationshipName!;
  return {
    ...fieldColumn(rel, name),
    apexType: null,
    foreignKeyName: rel.name,
    insertable: false,
    textType: false,
    updatable: false,
  };
}

/** The dotted path of a selected field (`Account.Owner.Name`), without the FROM alias. */
function rawPath(f: SoqlField): string | undefined {
  if (f.type === 'Field') return f.field;
  if (f.type === 'FieldRelationship') return [...f.relationships, f.field].join('.');
  return undefined;
}

class ColumnBuilder {
  private readonly registry: SchemaRegistry;

  constructor(registry: SchemaRegistry) {
    this.registry = registry;
  }

  /** A row query: fields, parent paths merged per relationship (as the rows nest them), subqueries. */
  select(fields: SoqlField[], schema: ObjectSchema, query: Query | Subquery): ColumnMetadata[] {
    const out: ColumnMetadata[] = [];
    for (const f of this.expandFields(fields, schema)) {
      const path = rawPath(f);
      if (path !== undefined) {
        this.addPath(out, schema, pathParts(schema, path, query.sObjectAlias));
      } else if (f.type === 'FieldSubquery') {
        out.push(this.subqueryColumn(f.subquery, schema));
      }
    }
    return out;
  }

  /**
   * An aggregate query's columns are flat, as its AggregateResult rows are: grouped fields under
   * their alias or field name, aggregate functions as `exprN` (unaliased ones, counted from 0) or
   * their alias. COUNT() alone returns no rows, only totalSize, and so has no columns.
   */
  aggregate(fields: SoqlField[], schema: ObjectSchema): ColumnMetadata[] {
    if (isBareCount(fields)) return [];
    let exprIndex = 0;
    return fields.flatMap((f): ColumnMetadata[] => {
      const path = rawPath(f);
      if (path !== undefined) {
        const leaf = this.leafField(schema, pathParts(schema, path, undefined));
        const alias = 'alias' in f && typeof f.alias === 'string' ? f.alias : undefined;
        return [fieldColumn(leaf, alias ?? leaf.name, path)];
      }
      if (f.type !== 'FieldFunctionExpression') return [];
      const fn = f.functionName.toUpperCase();
      const param = f.parameters[0];
      const arg =
        typeof param === 'string' ? this.leafField(schema, pathParts(schema, param, undefined)) : null;
      const numeric = NUMERIC_FUNCTIONS.has(fn) || (arg !== null && NUMERIC.has(arg.type));
      return [
        {
          aggregate: true,
          apexType: null,
          booleanType: false,
          columnName: f.alias ?? `expr${exprIndex++}`,
          custom: false,
          displayName: f.rawValue ?? `${f.functionName}(${typeof param === 'string' ? param : ''})`,
          foreignKeyName: null,
          insertable: false,
          joinColumns: [],
          numberType: numeric,
          textType: !numeric && arg !== null && TEXT.has(arg.type),
          updatable: false,
        },
      ];
    });
  }

  private subqueryColumn(sub: Subquery, parent: ObjectSchema): ColumnMetadata {
    const rel = parent.childRelationship(sub.relationshipName)!;
    const child = this.registry.get(rel.childSObject)!;
    return {
      aggregate: true,
      apexType: null,
      booleanType: false,
      columnName: rel.relationshipName,
      custom: rel.relationshipName.endsWith('__r'),
      displayName: rel.relationshipName,
      foreignKeyName: null,
      insertable: false,
      joinColumns: this.select(sub.fields ?? [], child, sub),
      numberType: false,
      textType: false,
      updatable: false,
    };
  }

  /** FIELDS(ALL | STANDARD | CUSTOM) lists the object's fields, as the query engine expands it. */
  private expandFields(fields: SoqlField[], schema: ObjectSchema): SoqlField[] {
    return fields.flatMap((f): SoqlField[] => {
      if (f.type !== 'FieldFunctionExpression' || f.functionName.toUpperCase() !== 'FIELDS') return [f];
      const which = String(f.parameters[0] ?? '').toUpperCase();
      return schema.def.fields
        .filter(
          (d) => d.type !== 'base64' && (which === 'ALL' || (which === 'CUSTOM' ? d.custom : !d.custom)),
        )
        .map((d) => ({ type: 'Field', field: d.name }));
    });
  }

  /** Adds a path to a column list, reusing the relationship column of an earlier path through it. */
  private addPath(out: ColumnMetadata[], schema: ObjectSchema | undefined, parts: string[]): void {
    const [head, ...rest] = parts;
    if (head === undefined) return;
    if (rest.length === 0) {
      const leaf = schema ? schema.field(head) : polymorphicNameField(head);
      if (leaf) out.push(fieldColumn(leaf));
      return;
    }
    const rel = schema?.parentRelationship(head);
    if (!rel) return;
    let column = out.find((c) => c.foreignKeyName === rel.name);
    if (!column) {
      column = relationshipColumn(rel);
      out.push(column);
    }
    // A polymorphic parent (What, Who, Owner of a queue-owned type) exposes the Name object's fields.
    const parent = rel.referenceTo.length === 1 ? this.registry.get(rel.referenceTo[0]!) : undefined;
    this.addPath(column.joinColumns, parent, rest);
  }

  private leafField(schema: ObjectSchema, parts: string[]): FieldDef {
    let current: ObjectSchema | undefined = schema;
    for (const part of parts.slice(0, -1)) {
      const rel: FieldDef | undefined = current?.parentRelationship(part);
      current = rel && rel.referenceTo.length === 1 ? this.registry.get(rel.referenceTo[0]!) : undefined;
    }
    const last = parts[parts.length - 1] ?? '';
    const leaf = current ? current.field(last) : polymorphicNameField(last);
    // The query already ran, so its paths resolve; this guards the types, not the user.
    if (!leaf) throw sfError.invalidField(`No such column '${last}'`);
    return leaf;
  }
}
