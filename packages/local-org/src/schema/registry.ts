import type { ChildRelationship, FieldDef, ObjectDef } from './model.ts';
import { standardObjects } from './standard-objects.ts';
import { loadForceAppSchema } from './force-app-objects.ts';

/** One object with case-insensitive field lookup, as the Salesforce APIs resolve names. */
export class ObjectSchema {
  readonly def: ObjectDef;
  private readonly byLowerName = new Map<string, FieldDef>();
  private readonly byLowerRelationship = new Map<string, FieldDef>();
  readonly childRelationships: ChildRelationship[] = [];
  private readonly childByLowerName = new Map<string, ChildRelationship>();

  constructor(def: ObjectDef) {
    this.def = def;
    for (const f of def.fields) {
      this.byLowerName.set(f.name.toLowerCase(), f);
      if (f.relationshipName) this.byLowerRelationship.set(f.relationshipName.toLowerCase(), f);
    }
  }

  get name(): string {
    return this.def.name;
  }

  field(name: string): FieldDef | undefined {
    return this.byLowerName.get(name.toLowerCase());
  }

  /** The reference field behind a parent relationship name (`Account` → AccountId). */
  parentRelationship(name: string): FieldDef | undefined {
    return this.byLowerRelationship.get(name.toLowerCase());
  }

  childRelationship(name: string): ChildRelationship | undefined {
    return this.childByLowerName.get(name.toLowerCase());
  }

  addChildRelationship(rel: ChildRelationship): void {
    this.childRelationships.push(rel);
    this.childByLowerName.set(rel.relationshipName.toLowerCase(), rel);
  }

  get nameField(): FieldDef | undefined {
    return this.def.fields.find((f) => f.nameField);
  }

  externalIdFields(): FieldDef[] {
    return this.def.fields.filter((f) => f.externalId);
  }
}

export class SchemaRegistry {
  private readonly byLowerName = new Map<string, ObjectSchema>();
  private readonly byPrefix = new Map<string, ObjectSchema>();
  readonly customMetadata: Map<string, Record<string, unknown>[]>;

  constructor(defs: ObjectDef[], customMetadata = new Map<string, Record<string, unknown>[]>()) {
    this.customMetadata = customMetadata;
    for (const def of defs) {
      if (this.byPrefix.has(def.keyPrefix))
        throw new Error(`key prefix ${def.keyPrefix} used twice (${def.name})`);
      const schema = new ObjectSchema(def);
      this.byLowerName.set(def.name.toLowerCase(), schema);
      this.byPrefix.set(def.keyPrefix, schema);
    }
    for (const child of this.byLowerName.values()) {
      for (const f of child.def.fields) {
        if (f.type !== 'reference' || !f.childRelationshipName) continue;
        for (const parentName of f.referenceTo) {
          const parent = this.byLowerName.get(parentName.toLowerCase());
          parent?.addChildRelationship({
            childSObject: child.name,
            field: f.name,
            relationshipName: f.childRelationshipName,
            cascadeDelete: f.cascadeDelete,
          });
        }
      }
    }
  }

  get(name: string): ObjectSchema | undefined {
    return this.byLowerName.get(name.toLowerCase());
  }

  byKeyPrefix(prefix: string): ObjectSchema | undefined {
    return this.byPrefix.get(prefix);
  }

  all(): ObjectSchema[] {
    return [...this.byLowerName.values()];
  }

  /** The standard objects plus everything defined in the package's `force-app` source. */
  static fromForceApp(forceAppDir: string): SchemaRegistry {
    const forceApp = loadForceAppSchema(forceAppDir);
    const standard = standardObjects().map((def) => {
      const extra = [
        ...(forceApp.standardObjectFields.get(def.name) ?? []),
        // Task and Event custom fields are defined once, on Activity.
        ...(def.name === 'Task' || def.name === 'Event'
          ? (forceApp.standardObjectFields.get('Activity') ?? [])
          : []),
      ];
      // Package fields go before the audit fields, as describe lists custom fields among the others.
      return extra.length === 0 ? def : { ...def, fields: [...def.fields, ...extra] };
    });
    return new SchemaRegistry([...standard, ...forceApp.objects], forceApp.customMetadata);
  }
}
