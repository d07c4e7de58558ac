/**
 * The org schema as force-app defines it (custom objects, custom metadata types, platform events and custom fields
 * on standard objects, read from force-app/main/default/objects) plus the standard objects dealdesk references.
 */
import { parseXml, text, nodes, type SourceFile } from './project.ts';
import { STANDARD_OBJECTS } from './standard-schema.ts';

export interface FieldInfo {
  name: string;
  type: string;
  required: boolean;
  /** For Lookup and MasterDetail fields: the object referenced. */
  referenceTo?: string;
  /** Picklist API values, when the field is a picklist. */
  picklistValues?: string[];
}

export interface ObjectInfo {
  name: string;
  custom: boolean;
  fields: Map<string, FieldInfo>;
  /** Relationship name → parent object. */
  parents: Map<string, string>;
  /** Child relationship name → child object. */
  children: Map<string, string>;
}

const lower = (s: string) => s.toLowerCase();

export class Schema {
  readonly objects = new Map<string, ObjectInfo>();
  /** Every object, field and relationship name, lower-cased, for "exists somewhere" checks. */
  private readonly names = new Set<string>();

  object(name: string): ObjectInfo | undefined {
    return this.objects.get(lower(name));
  }

  field(objectName: string, fieldName: string): FieldInfo | undefined {
    return this.object(objectName)?.fields.get(lower(fieldName));
  }

  /** Whether a name is an object, field or relationship anywhere in the schema. */
  knows(name: string): boolean {
    return this.names.has(lower(name));
  }

  /**
   * Resolves a dotted SOQL path from an object (`Opportunity__r.Account.Name`).
   * @returns undefined when it resolves, otherwise what is missing
   */
  missingInPath(objectName: string, path: string): string | undefined {
    const parts = path.split('.');
    let current: ObjectInfo | undefined = this.object(objectName);
    if (!current) return objectName;
    for (let i = 0; i < parts.length; i++) {
      const part: string = parts[i]!;
      if (i === parts.length - 1) {
        return current.fields.has(lower(part)) ? undefined : `${current.name}.${part}`;
      }
      const parent: string | undefined = current.parents.get(lower(part));
      const next: ObjectInfo | undefined = parent ? this.object(parent) : undefined;
      if (!next) return `${current.name}.${part}`;
      current = next;
    }
    return undefined;
  }

  /** The child object of a child relationship (`Deal_Closure__c` + `Agent_Steps__r` → Agent_Step__c). */
  childObject(objectName: string, relationship: string): string | undefined {
    return this.object(objectName)?.children.get(lower(relationship));
  }

  ensureObject(name: string, custom: boolean): ObjectInfo {
    let info = this.object(name);
    if (!info) {
      info = { name, custom, fields: new Map(), parents: new Map(), children: new Map() };
      this.objects.set(lower(name), info);
      this.names.add(lower(name));
    }
    return info;
  }

  addField(objectName: string, field: FieldInfo): void {
    this.ensureObject(objectName, objectName.includes('__')).fields.set(lower(field.name), field);
    this.names.add(lower(field.name));
  }

  addParent(objectName: string, relationship: string, target: string): void {
    this.ensureObject(objectName, objectName.includes('__')).parents.set(lower(relationship), target);
    this.names.add(lower(relationship));
  }

  addChild(objectName: string, relationship: string, child: string): void {
    this.ensureObject(objectName, objectName.includes('__')).children.set(lower(relationship), child);
    this.names.add(lower(relationship));
  }
}

/** `objects/<Object>/...` → Object. */
function objectOf(path: string): string | undefined {
  return /objects\/([^/]+)\//.exec(path)?.[1];
}

const AUDIT_FIELDS = [
  'Id',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
];

/**
 * Builds the schema from object metadata files (`*.object-meta.xml`, `fields/*.field-meta.xml` under `objects/`)
 * and the standard object list.
 */
export function buildSchema(objectFiles: SourceFile[]): Schema {
  const schema = new Schema();
  for (const [name, def] of Object.entries(STANDARD_OBJECTS)) {
    schema.ensureObject(name, false);
    for (const field of def.fields) schema.addField(name, { name: field, type: 'standard', required: false });
    for (const [rel, target] of Object.entries(def.parents ?? {})) schema.addParent(name, rel, target);
    for (const [rel, child] of Object.entries(def.children ?? {})) schema.addChild(name, rel, child);
  }
  for (const file of objectFiles.filter((f) => f.path.endsWith('.object-meta.xml'))) {
    const name = objectOf(file.path);
    if (!name) continue;
    const doc = parseXml(file.text, 'CustomObject');
    schema.ensureObject(name, true);
    if (name.endsWith('__mdt')) {
      for (const f of [
        'Id',
        'DeveloperName',
        'MasterLabel',
        'Label',
        'QualifiedApiName',
        'NamespacePrefix',
      ]) {
        schema.addField(name, { name: f, type: 'system', required: false });
      }
    } else if (name.endsWith('__e')) {
      for (const f of ['ReplayId', 'EventUuid', 'CreatedDate', 'CreatedById']) {
        schema.addField(name, { name: f, type: 'system', required: false });
      }
    } else {
      for (const f of [...AUDIT_FIELDS, 'Name', 'IsDeleted', 'CurrencyIsoCode']) {
        schema.addField(name, { name: f, type: 'system', required: false });
      }
      schema.addParent(name, 'CreatedBy', 'User');
      schema.addParent(name, 'LastModifiedBy', 'User');
      if (text(doc, 'sharingModel') !== 'ControlledByParent') {
        schema.addField(name, { name: 'OwnerId', type: 'system', required: false });
        schema.addParent(name, 'Owner', 'User');
      }
    }
  }
  for (const file of objectFiles.filter((f) => f.path.endsWith('.field-meta.xml'))) {
    const objectName = objectOf(file.path);
    if (!objectName) continue;
    const doc = parseXml(file.text, 'CustomField');
    const name = text(doc, 'fullName') ?? '';
    const type = text(doc, 'type') ?? '';
    const referenceTo = text(doc, 'referenceTo');
    const valueSet = nodes(doc, 'valueSet')[0];
    const definition = nodes(valueSet, 'valueSetDefinition')[0];
    const picklistValues = nodes(definition, 'value').map((v) => text(v, 'fullName') ?? '');
    // Activity custom fields are Task (and Event) fields: SOQL and permission sets name them on Task.
    for (const target of objectName === 'Activity' ? ['Task'] : [objectName]) {
      schema.addField(target, {
        name,
        type,
        required: text(doc, 'required') === 'true',
        referenceTo,
        picklistValues: type === 'Picklist' || type === 'MultiselectPicklist' ? picklistValues : undefined,
      });
    }
    if (referenceTo && (type === 'Lookup' || type === 'MasterDetail')) {
      schema.addParent(objectName, name.replace(/__c$/, '__r'), referenceTo);
      const relationshipName = text(doc, 'relationshipName');
      if (relationshipName) schema.addChild(referenceTo, `${relationshipName}__r`, objectName);
    }
  }
  return schema;
}
