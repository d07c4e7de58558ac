/**
 * `POST /composite/tree/{SObject}` (sObject Tree): creates record trees — root records of the
 * URL's type, each with child records nested under its child relationship names — in one
 * all-or-nothing transaction, as the REST API Developer Guide's "sObject Tree" resource does:
 * at most 200 records, 5 record types and 5 levels; a `referenceId` on every record; records
 * created level by level (every root, then every second-level record, …), each child linked to
 * the parent it is nested under. Success is 201 `{hasErrors: false, results: [{referenceId, id}]}`
 * in that order; a failure rolls everything back and is 400 `{hasErrors: true, results:
 * [{referenceId, errors: [{statusCode, message, fields}]}]}` naming the records at fault.
 * `sf data import tree` sends these requests.
 */
import { z } from 'zod';
import type { Dml } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import type { LocalOrg } from './local-org.ts';
import type { ObjectSchema } from './schema/registry.ts';

const MAX_RECORDS = 200;
const MAX_TYPES = 5;
const MAX_DEPTH = 5;
/** "Values must start with an alphanumeric character and contain only letters, numbers, or underscores." */
const REFERENCE_ID = /^[A-Za-z0-9][A-Za-z0-9_]*$/;

const TreeBodySchema = z.object({ records: z.array(z.record(z.string(), z.unknown())).min(1) });
const AttributesSchema = z.object({ type: z.string().min(1), referenceId: z.string().min(1) });
const ChildListSchema = z.object({ records: z.array(z.record(z.string(), z.unknown())) });

export interface TreeResponse {
  status: number;
  body: unknown;
}

interface TreeNode {
  schema: ObjectSchema;
  referenceId: string;
  fields: Record<string, unknown>;
  level: number;
  /** The node this one is nested under, and the child's field that points at it. */
  parent?: { node: TreeNode; field: string };
  id?: string;
}

type RecordError = {
  referenceId: string;
  errors: { statusCode: string; message: string; fields: string[] }[];
};

class TreeInputError extends Error {
  readonly results: RecordError[];
  constructor(results: RecordError[]) {
    super('invalid sObject tree');
    this.results = results;
  }
}

const inputError = (referenceId: string, message: string): TreeInputError =>
  new TreeInputError([{ referenceId, errors: [{ statusCode: 'INVALID_INPUT', message, fields: [] }] }]);

export function createSObjectTree(
  org: LocalOrg,
  userId: string,
  typeName: string,
  body: unknown,
): TreeResponse {
  const root = org.registry.get(typeName);
  if (!root) throw sfError.notFoundType(typeName);
  const parsed = TreeBodySchema.safeParse(body);
  if (!parsed.success) {
    throw sfError.jsonParser(
      `The sObject Tree request body must be {"records": [...]} with at least one record: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  let nodes: TreeNode[];
  try {
    nodes = flatten(org, root, parsed.data.records);
  } catch (err) {
    if (err instanceof TreeInputError) return failed(err.results);
    throw err;
  }
  const count = nodes.length;
  if (count > MAX_RECORDS) {
    throw new SalesforceApiError(
      'LIMIT_EXCEEDED',
      `An sObject Tree request may contain at most ${MAX_RECORDS} records across all trees; this one has ${count}`,
    );
  }
  const types = new Set(nodes.map((n) => n.schema.name));
  if (types.size > MAX_TYPES) {
    throw new SalesforceApiError(
      'LIMIT_EXCEEDED',
      `An sObject Tree request may contain records of at most ${MAX_TYPES} types; this one has ${types.size} (${[...types].join(', ')})`,
    );
  }
  const seen = new Map<string, number>();
  for (const n of nodes) seen.set(n.referenceId, (seen.get(n.referenceId) ?? 0) + 1);
  const duplicates = nodes.filter((n) => seen.get(n.referenceId)! > 1);
  if (duplicates.length > 0) {
    return failed(
      duplicates.map((n) => ({
        referenceId: n.referenceId,
        errors: [
          {
            statusCode: 'INVALID_INPUT',
            message: 'Duplicate ReferenceId provided in the request',
            fields: [],
          },
        ],
      })),
    );
  }
  // Level by level, so every parent exists before its children and results come out in the
  // order Salesforce lists them.
  const ordered = [...nodes].sort((a, b) => a.level - b.level);
  try {
    org.transact(userId, (dml: Dml) => {
      for (const node of ordered) {
        const fields = node.parent
          ? { ...node.fields, [node.parent.field]: node.parent.node.id }
          : node.fields;
        try {
          node.id = dml.insert(node.schema.name, fields).Id;
        } catch (err) {
          if (!(err instanceof SalesforceApiError)) throw err;
          // Thrown out of the transaction, which is then never committed: nothing is created.
          throw new TreeInputError([{ referenceId: node.referenceId, errors: [err.toSaveError()] }]);
        }
      }
    });
  } catch (err) {
    if (err instanceof TreeInputError) return failed(err.results);
    throw err;
  }
  return {
    status: 201,
    body: { hasErrors: false, results: ordered.map((n) => ({ referenceId: n.referenceId, id: n.id! })) },
  };
}

function failed(results: RecordError[]): TreeResponse {
  return { status: 400, body: { hasErrors: true, results } };
}

/** Every record of the request as a node, in request order, with its level and parent link. */
function flatten(org: LocalOrg, root: ObjectSchema, records: Record<string, unknown>[]): TreeNode[] {
  const out: TreeNode[] = [];
  const visit = (
    raw: Record<string, unknown>,
    expected: ObjectSchema,
    level: number,
    parent: TreeNode['parent'],
  ) => {
    const attrs = AttributesSchema.safeParse(raw.attributes);
    const referenceId = attrs.success ? attrs.data.referenceId : '';
    if (!attrs.success)
      throw inputError(referenceId, 'Each record needs attributes with its type and a referenceId');
    if (!REFERENCE_ID.test(referenceId)) {
      throw inputError(
        referenceId,
        `Invalid referenceId ${referenceId}: it must start with a letter or digit and contain only letters, digits and underscores`,
      );
    }
    const schema = org.registry.get(attrs.data.type);
    if (!schema || schema.name !== expected.name) {
      throw inputError(
        referenceId,
        `Record type ${attrs.data.type} does not match the expected type ${expected.name} at this position of the tree`,
      );
    }
    if (level > MAX_DEPTH)
      throw inputError(referenceId, `sObject trees can be at most ${MAX_DEPTH} levels deep`);
    const node: TreeNode = { schema, referenceId, fields: {}, level, ...(parent ? { parent } : {}) };
    out.push(node);
    const children: [Record<string, unknown>[], ObjectSchema, string][] = [];
    for (const [key, value] of Object.entries(raw)) {
      if (key === 'attributes') continue;
      const rel = schema.childRelationship(key);
      const list = rel ? ChildListSchema.safeParse(value) : undefined;
      if (rel && list?.success) {
        const childSchema = org.registry.get(rel.childSObject)!;
        children.push([list.data.records, childSchema, rel.field]);
      } else {
        node.fields[key] = value;
      }
    }
    for (const [list, childSchema, field] of children)
      for (const child of list) visit(child, childSchema, level + 1, { node, field });
  };
  for (const rec of records) visit(rec, root, 1, undefined);
  return out;
}
