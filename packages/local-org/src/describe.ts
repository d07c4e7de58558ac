/**
 * Describe results in the REST shape (DescribeGlobalResult, DescribeSObjectResult,
 * DescribeFieldResult), generated from the schema registry.
 */
import type { FieldDef, FieldType } from './schema/model.ts';
import type { ObjectSchema, SchemaRegistry } from './schema/registry.ts';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  url: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  base64: 'xsd:base64Binary',
};

function urls(base: string, o: ObjectSchema): Record<string, string> {
  const root = `${base}/sobjects/${o.name}`;
  return { sobject: root, describe: `${root}/describe`, rowTemplate: `${root}/{ID}` };
}

export function describeGlobal(registry: SchemaRegistry, base: string): Record<string, unknown> {
  return {
    encoding: 'UTF-8',
    maxBatchSize: 200,
    sobjects: registry
      .all()
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((o) => ({
        activateable: false,
        createable: o.def.createable,
        custom: o.def.custom,
        customSetting: false,
        deletable: o.def.deletable,
        deprecatedAndHidden: false,
        feedEnabled: false,
        keyPrefix: o.def.keyPrefix,
        label: o.def.label,
        labelPlural: o.def.labelPlural,
        layoutable: o.def.kind === 'standard' || o.def.kind === 'custom',
        mergeable: false,
        name: o.name,
        queryable: o.def.queryable,
        replicateable: o.def.queryable,
        retrieveable: o.def.queryable,
        searchable: o.def.kind === 'standard' || o.def.kind === 'custom',
        triggerable: o.def.kind !== 'customMetadata',
        undeletable: o.def.deletable,
        updateable: o.def.updateable,
        urls: urls(base, o),
      })),
  };
}

function describeField(f: FieldDef): Record<string, unknown> {
  const numeric = ['int', 'double', 'currency', 'percent'].includes(f.type);
  return {
    aggregatable: f.type !== 'textarea' && f.type !== 'base64',
    autoNumber: f.autoNumber,
    byteLength: f.length * 3,
    calculated: f.calculated,
    cascadeDelete: f.cascadeDelete,
    caseSensitive: f.caseSensitive,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.defaultValue,
    defaultedOnCreate:
      f.name === 'OwnerId' ||
      f.name === 'CurrencyIsoCode' ||
      f.type === 'boolean' ||
      f.picklistValues.some((p) => p.defaultValue),
    digits: f.type === 'int' ? f.precision : 0,
    externalId: f.externalId,
    filterable: f.type !== 'textarea' && f.type !== 'base64',
    groupable: !numeric && f.type !== 'textarea' && f.type !== 'base64' && f.type !== 'datetime',
    idLookup: f.name === 'Id' || f.externalId || f.name === 'Username',
    inlineHelpText: f.inlineHelpText,
    label: f.label,
    length: f.length,
    name: f.name,
    nameField: f.nameField,
    nillable: f.nillable,
    picklistValues: f.picklistValues.map((p) => ({
      active: p.active,
      defaultValue: p.defaultValue,
      label: p.label,
      validFor: null,
      value: p.value,
    })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: numeric && f.type !== 'int' ? f.precision : 0,
    referenceTo: f.referenceTo,
    relationshipName: f.relationshipName,
    relationshipOrder: f.masterDetail ? 0 : null,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    soapType: SOAP_TYPES[f.type],
    sortable: f.type !== 'textarea' && f.type !== 'base64',
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}

export function describeSObject(o: ObjectSchema, base: string): Record<string, unknown> {
  return {
    activateable: false,
    childRelationships: o.childRelationships.map((r) => ({
      cascadeDelete: r.cascadeDelete,
      childSObject: r.childSObject,
      deprecatedAndHidden: false,
      field: r.field,
      relationshipName: r.relationshipName,
      restrictedDelete: false,
    })),
    createable: o.def.createable,
    custom: o.def.custom,
    customSetting: false,
    deletable: o.def.deletable,
    fields: o.def.fields.map(describeField),
    keyPrefix: o.def.keyPrefix,
    label: o.def.label,
    labelPlural: o.def.labelPlural,
    layoutable: o.def.kind === 'standard' || o.def.kind === 'custom',
    name: o.name,
    queryable: o.def.queryable,
    recordTypeInfos: [],
    searchable: o.def.kind === 'standard' || o.def.kind === 'custom',
    triggerable: o.def.kind !== 'customMetadata',
    updateable: o.def.updateable,
    urls: urls(base, o),
  };
}

/** `GET /sobjects/{Type}`: the basic information resource. */
export function sobjectBasicInfo(o: ObjectSchema, base: string): Record<string, unknown> {
  const {
    fields: _fields,
    childRelationships: _children,
    recordTypeInfos: _rt,
    ...objectDescribe
  } = describeSObject(o, base);
  return { objectDescribe, recentItems: [] };
}
