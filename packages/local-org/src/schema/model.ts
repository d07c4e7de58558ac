/**
 * The local org's schema model: a subset of Salesforce's DescribeSObjectResult and
 * DescribeFieldResult, enough to validate writes, evaluate SOQL and answer describe calls.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'picklist'
  | 'multipicklist'
  | 'email'
  | 'phone'
  | 'url'
  | 'base64';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Characters for text types; 0 otherwise. */
  length: number;
  /** Total digits and decimal places for numeric types. */
  precision: number;
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  /** Set by the org itself (formula, roll-up, system field); never written by callers. */
  calculated: boolean;
  autoNumber: boolean;
  /** AutoNumber display format, e.g. `DC-{000000}`. */
  displayFormat?: string;
  nameField: boolean;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  custom: boolean;
  defaultValue: string | number | boolean | null;
  referenceTo: string[];
  relationshipName: string | null;
  /** The plural relationship name on the parent, used by SOQL child subqueries. */
  childRelationshipName: string | null;
  /** Master-detail: children are deleted with the master and the field is required. */
  cascadeDelete: boolean;
  masterDetail: boolean;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  inlineHelpText: string | null;
}

export type ObjectKind = 'standard' | 'custom' | 'customMetadata' | 'platformEvent';

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  kind: ObjectKind;
  custom: boolean;
  queryable: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: FieldDef[];
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string;
  cascadeDelete: boolean;
}

const FIELD_DEFAULTS: Omit<FieldDef, 'name' | 'label' | 'type'> = {
  length: 0,
  precision: 0,
  scale: 0,
  nillable: true,
  createable: true,
  updateable: true,
  calculated: false,
  autoNumber: false,
  nameField: false,
  externalId: false,
  unique: false,
  caseSensitive: false,
  custom: false,
  defaultValue: null,
  referenceTo: [],
  relationshipName: null,
  childRelationshipName: null,
  cascadeDelete: false,
  masterDetail: false,
  picklistValues: [],
  restrictedPicklist: false,
  inlineHelpText: null,
};

export function field(name: string, label: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return { ...FIELD_DEFAULTS, name, label, type, ...extra };
}

/** Picklist values from plain strings; the first listed in `defaults` is the default. */
export function picklistValues(values: readonly string[], defaultValue?: string): PicklistValue[] {
  return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

/** A field the org maintains itself: readable, never writable. */
export const readOnly = { createable: false, updateable: false, calculated: true } as const;
