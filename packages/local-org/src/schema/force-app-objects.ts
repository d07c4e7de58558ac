/**
 * Reads custom objects, custom metadata types and platform events from the SFDX source in
 * `force-app/main/default/objects`, so the package metadata is the single source of truth for
 * the local org's schema: a field added to the package is a field in the local org.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { field, readOnly, type FieldDef, type FieldType, type ObjectDef, type ObjectKind } from './model.ts';
import { auditFields, idField, ownerField } from './system-fields.ts';
import { currencyFieldForOrg } from './standard-objects.ts';

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'value' || name === 'fields',
});

const xmlBool = z
  .union([z.string(), z.boolean()])
  .optional()
  .transform((v) => v === true || v === 'true');
const xmlInt = z
  .union([z.string(), z.number()])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : Number(v)));

const PicklistValueXml = z.object({
  fullName: z.string(),
  label: z.string().optional(),
  default: xmlBool,
});

const FieldXmlSchema = z.object({
  fullName: z.string(),
  label: z.string(),
  type: z.string(),
  length: xmlInt,
  precision: xmlInt,
  scale: xmlInt,
  required: xmlBool,
  externalId: xmlBool,
  unique: xmlBool,
  caseSensitive: xmlBool,
  defaultValue: z.string().optional(),
  referenceTo: z.string().optional(),
  relationshipName: z.string().optional(),
  inlineHelpText: z.string().optional(),
  displayFormat: z.string().optional(),
  valueSet: z
    .object({
      restricted: xmlBool,
      valueSetDefinition: z.object({ value: z.array(PicklistValueXml) }).optional(),
    })
    .optional(),
});
type FieldXml = z.infer<typeof FieldXmlSchema>;

const ObjectXmlSchema = z.object({
  label: z.string(),
  pluralLabel: z.string().optional(),
  sharingModel: z.string().optional(),
  nameField: z
    .object({
      label: z.string(),
      type: z.string(),
      displayFormat: z.string().optional(),
    })
    .optional(),
});

export interface ForceAppSchema {
  objects: ObjectDef[];
  /** Custom fields the package adds to standard objects (objects/Opportunity/fields/...). */
  standardObjectFields: Map<string, FieldDef[]>;
  /** Custom metadata records: type name → records (DeveloperName, MasterLabel and field values). */
  customMetadata: Map<string, Record<string, unknown>[]>;
}

function kindOf(name: string): ObjectKind {
  if (name.endsWith('__mdt')) return 'customMetadata';
  if (name.endsWith('__e')) return 'platformEvent';
  return 'custom';
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Key prefixes for custom types: a letter by kind (a custom object, m metadata, e event) and two
 * characters from a hash of the API name, so an object keeps its prefix (and stored ids stay
 * valid) when other objects are added to the package.
 */
function assignKeyPrefixes(names: string[]): Map<string, string> {
  const taken = new Set<string>();
  const result = new Map<string, string>();
  for (const name of [...names].sort()) {
    const kind = kindOf(name);
    const lead = kind === 'customMetadata' ? 'm' : kind === 'platformEvent' ? 'e' : 'a';
    let n = createHash('sha256').update(name).digest().readUInt16BE(0) % (62 * 62);
    let prefix: string;
    do {
      prefix = lead + BASE62.charAt(Math.floor(n / 62)) + BASE62.charAt(n % 62);
      n = (n + 1) % (62 * 62);
    } while (taken.has(prefix));
    taken.add(prefix);
    result.set(name, prefix);
  }
  return result;
}

function readXml(path: string, root: string): unknown {
  const doc = parser.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const body = doc[root];
  if (body === undefined) throw new Error(`${path}: expected a <${root}> document`);
  return body;
}

/** Salesforce's metadata field types, as the local org's describe types them. */
const FIELD_TYPES: Record<string, FieldType> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Html: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Lookup: 'reference',
  MasterDetail: 'reference',
  MetadataRelationship: 'string',
  AutoNumber: 'string',
};

/** What every custom field takes from its XML and its object's kind, whatever its type. */
function commonFieldProps(xml: FieldXml, kind: ObjectKind): Partial<FieldDef> {
  const base: Partial<FieldDef> = {
    custom: true,
    inlineHelpText: xml.inlineHelpText ?? null,
    externalId: xml.externalId,
    unique: xml.unique,
    caseSensitive: xml.caseSensitive,
    nillable: !xml.required,
  };
  // Custom metadata records are deployed, and platform events are published once: neither is updated.
  const writable: Partial<FieldDef> =
    kind === 'customMetadata'
      ? { createable: false, updateable: false }
      : kind === 'platformEvent'
        ? { updateable: false }
        : {};
  return { ...base, ...writable };
}

function fieldFromXml(xml: FieldXml, kind: ObjectKind, source: string): FieldDef {
  const type = FIELD_TYPES[xml.type];
  if (!type) throw new Error(`${source}: field type ${xml.type} is not supported by the local org`);
  const common = commonFieldProps(xml, kind);
  switch (xml.type) {
    case 'Text':
    case 'TextArea':
    case 'LongTextArea':
    case 'Html':
      return field(xml.fullName, xml.label, type, { ...common, length: xml.length ?? 255 });
    case 'Email':
      return field(xml.fullName, xml.label, type, { ...common, length: 80 });
    case 'Phone':
      return field(xml.fullName, xml.label, type, { ...common, length: 40 });
    case 'Url':
      return field(xml.fullName, xml.label, type, { ...common, length: 255 });
    case 'Number':
    case 'Currency':
    case 'Percent':
      return field(xml.fullName, xml.label, type, {
        ...common,
        precision: xml.precision ?? 18,
        scale: xml.scale ?? 0,
        defaultValue: xml.defaultValue === undefined ? null : Number(xml.defaultValue),
      });
    case 'Checkbox':
      return field(xml.fullName, xml.label, type, {
        ...common,
        nillable: false,
        defaultValue: xml.defaultValue === 'true',
      });
    case 'Picklist':
    case 'MultiselectPicklist':
      return picklistFieldFromXml(xml, type, common);
    case 'Lookup':
    case 'MasterDetail':
      return referenceFieldFromXml(xml, common, source);
    case 'AutoNumber':
      return field(xml.fullName, xml.label, 'string', {
        ...common,
        ...readOnly,
        length: 30,
        autoNumber: true,
        displayFormat: xml.displayFormat ?? '{0}',
      });
    default:
      return field(xml.fullName, xml.label, type, common);
  }
}

function picklistFieldFromXml(xml: FieldXml, type: FieldType, common: Partial<FieldDef>): FieldDef {
  const values = xml.valueSet?.valueSetDefinition?.value ?? [];
  return field(xml.fullName, xml.label, type, {
    ...common,
    length: 255,
    restrictedPicklist: xml.valueSet?.restricted ?? false,
    picklistValues: values.map((v) => ({
      value: v.fullName,
      label: v.label ?? v.fullName,
      active: true,
      defaultValue: v.default,
    })),
  });
}

function referenceFieldFromXml(xml: FieldXml, common: Partial<FieldDef>, source: string): FieldDef {
  if (!xml.referenceTo || !xml.relationshipName) {
    throw new Error(`${source}: ${xml.type} needs referenceTo and relationshipName`);
  }
  const master = xml.type === 'MasterDetail';
  return field(xml.fullName, xml.label, 'reference', {
    ...common,
    length: 18,
    referenceTo: [xml.referenceTo],
    relationshipName: xml.fullName.replace(/__c$/, '__r'),
    childRelationshipName: `${xml.relationshipName}__r`,
    masterDetail: master,
    cascadeDelete: master,
    nillable: master ? false : common.nillable,
    // Master-detail children cannot be reparented unless the field says so.
    // `common` leaves updateable unset for ordinary objects: a lookup stays updateable then.
    updateable: master ? false : (common.updateable ?? true),
  });
}

function objectFields(
  name: string,
  kind: ObjectKind,
  xml: z.infer<typeof ObjectXmlSchema>,
  custom: FieldDef[],
): FieldDef[] {
  if (kind === 'customMetadata') {
    return [
      idField(),
      field('DeveloperName', 'Custom Metadata Record Name', 'string', {
        length: 40,
        ...readOnly,
        calculated: false,
      }),
      field('MasterLabel', 'Label', 'string', {
        length: 40,
        nameField: true,
        ...readOnly,
        calculated: false,
      }),
      field('Label', 'Label', 'string', { length: 40, ...readOnly }),
      field('QualifiedApiName', 'Qualified API Name', 'string', { length: 70, ...readOnly }),
      field('NamespacePrefix', 'Namespace Prefix', 'string', { length: 15, ...readOnly }),
      field('Language', 'Master Language', 'picklist', { length: 40, ...readOnly }),
      ...custom,
    ];
  }
  if (kind === 'platformEvent') {
    return [
      field('ReplayId', 'Replay ID', 'string', { length: 255, ...readOnly }),
      field('EventUuid', 'Event UUID', 'string', { length: 36, ...readOnly }),
      field('CreatedDate', 'Created Date', 'datetime', { ...readOnly, nillable: false }),
      field('CreatedById', 'Created By ID', 'reference', {
        ...readOnly,
        referenceTo: ['User'],
        relationshipName: 'CreatedBy',
      }),
      ...custom,
    ];
  }
  const nameXml = xml.nameField;
  const nameField =
    nameXml?.type === 'AutoNumber'
      ? field('Name', nameXml.label, 'string', {
          length: 80,
          nameField: true,
          autoNumber: true,
          displayFormat: nameXml.displayFormat ?? `${name}-{0}`,
          ...readOnly,
          nillable: false,
        })
      : field('Name', nameXml?.label ?? `${xml.label} Name`, 'string', {
          length: 80,
          nameField: true,
          nillable: false,
        });
  const controlledByParent = xml.sharingModel === 'ControlledByParent';
  return [
    idField(),
    ...(controlledByParent ? [] : [ownerField()]),
    nameField,
    ...custom,
    currencyFieldForOrg(),
    ...auditFields(),
  ];
}

function readFieldFiles(fieldsDir: string, kind: ObjectKind): FieldDef[] {
  if (!existsSync(fieldsDir)) return [];
  return readdirSync(fieldsDir)
    .filter((f) => f.endsWith('.field-meta.xml'))
    .sort()
    .map((f) => {
      const path = join(fieldsDir, f);
      const xml = FieldXmlSchema.safeParse(readXml(path, 'CustomField'));
      if (!xml.success) throw new Error(`${path}: ${xml.error.message}`);
      return fieldFromXml(xml.data, kind, path);
    });
}

/** Parses every object folder under `<forceAppDir>/main/default/objects`. */
export function loadForceAppSchema(forceAppDir: string): ForceAppSchema {
  const objectsDir = join(forceAppDir, 'main', 'default', 'objects');
  if (!existsSync(objectsDir)) throw new Error(`no object metadata at ${objectsDir}`);
  const names = readdirSync(objectsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /__(c|mdt|e)$/.test(d.name))
    .map((d) => d.name);
  const prefixes = assignKeyPrefixes(names);
  const objects: ObjectDef[] = [];
  for (const name of names) {
    const kind = kindOf(name);
    const objectPath = join(objectsDir, name, `${name}.object-meta.xml`);
    const parsed = ObjectXmlSchema.safeParse(readXml(objectPath, 'CustomObject'));
    if (!parsed.success) throw new Error(`${objectPath}: ${parsed.error.message}`);
    const custom = readFieldFiles(join(objectsDir, name, 'fields'), kind);
    objects.push({
      name,
      label: parsed.data.label,
      labelPlural: parsed.data.pluralLabel ?? parsed.data.label,
      keyPrefix: prefixes.get(name)!,
      kind,
      custom: true,
      queryable: kind !== 'platformEvent',
      createable: kind !== 'customMetadata',
      updateable: kind === 'custom',
      deletable: kind === 'custom',
      fields: objectFields(name, kind, parsed.data, custom),
    });
  }
  const standardObjectFields = new Map<string, FieldDef[]>();
  for (const dir of readdirSync(objectsDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || dir.name.includes('__')) continue;
    standardObjectFields.set(dir.name, readFieldFiles(join(objectsDir, dir.name, 'fields'), 'standard'));
  }
  return { objects, standardObjectFields, customMetadata: loadCustomMetadataRecords(forceAppDir) };
}

const MetadataValueXml = z.object({
  field: z.string(),
  value: z.union([z.string(), z.object({}).passthrough()]).optional(),
});

/** Custom metadata records (`customMetadata/<Type>.<Record>.md-meta.xml`), as SOQL sees them. */
function loadCustomMetadataRecords(forceAppDir: string): Map<string, Record<string, unknown>[]> {
  const dir = join(forceAppDir, 'main', 'default', 'customMetadata');
  const out = new Map<string, Record<string, unknown>[]>();
  if (!existsSync(dir)) return out;
  const recordParser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    isArray: (n) => n === 'values',
  });
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.md-meta.xml'))
    .sort()) {
    const [typeName, developerName] = file.replace(/\.md-meta\.xml$/, '').split('.');
    if (!typeName || !developerName) continue;
    const doc = recordParser.parse(readFileSync(join(dir, file), 'utf8')) as {
      CustomMetadata?: { label?: string; values?: unknown[] };
    };
    const fields: Record<string, unknown> = {
      DeveloperName: developerName,
      MasterLabel: doc.CustomMetadata?.label ?? developerName,
    };
    for (const raw of doc.CustomMetadata?.values ?? []) {
      const v = MetadataValueXml.safeParse(raw);
      if (!v.success) throw new Error(`${file}: ${v.error.message}`);
      // `<value xsi:nil="true"/>` parses to an empty object: a null value.
      fields[v.data.field] = typeof v.data.value === 'string' ? v.data.value : null;
    }
    const type = `${typeName}__mdt`;
    out.set(type, [...(out.get(type) ?? []), fields]);
  }
  return out;
}
