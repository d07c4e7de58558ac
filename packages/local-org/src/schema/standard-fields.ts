/**
 * The building blocks of the standard objects' tables: the org's currencies, field constructors
 * by type, and `standard()`, which adds the system fields every standard object carries.
 */
import { field, picklistValues, type FieldDef, type ObjectDef } from './model.ts';
import { auditFields, currencyField, idField, ownerField } from './system-fields.ts';

export const ORG_CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'SEK',
  'INR',
  'SGD',
  'KWD',
] as const;
export const CORPORATE_CURRENCY = 'USD';

export const text = (name: string, label: string, length: number, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'string', { length, ...extra });
export const longText = (name: string, label: string, length = 32000, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'textarea', { length, ...extra });
export const ref = (
  name: string,
  label: string,
  to: string[],
  relationshipName: string,
  extra: Partial<FieldDef> = {},
) => field(name, label, 'reference', { length: 18, referenceTo: to, relationshipName, ...extra });
export const bool = (name: string, label: string, defaultValue = false, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'boolean', { nillable: false, defaultValue, ...extra });
export const money = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'currency', { precision: 18, scale: 2, ...extra });
export const pick = (name: string, label: string, values: readonly string[], extra: Partial<FieldDef> = {}) =>
  field(name, label, 'picklist', { length: 255, picklistValues: picklistValues(values), ...extra });
export const num = (
  name: string,
  label: string,
  precision: number,
  scale: number,
  extra: Partial<FieldDef> = {},
) => field(name, label, scale === 0 && precision <= 9 ? 'int' : 'double', { precision, scale, ...extra });
export const date = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'date', extra);
export const datetime = (name: string, label: string, extra: Partial<FieldDef> = {}) =>
  field(name, label, 'datetime', extra);
export const required = { nillable: false } as const;

export const address = (prefix: string, label: string): FieldDef[] => [
  longText(`${prefix}Street`, `${label} Street`, 255),
  text(`${prefix}City`, `${label} City`, 40),
  text(`${prefix}State`, `${label} State/Province`, 80),
  text(`${prefix}PostalCode`, `${label} Zip/Postal Code`, 20),
  text(`${prefix}Country`, `${label} Country`, 80),
];

interface StandardSpec {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  owner?: boolean;
  currency?: boolean;
  createable?: boolean;
  updateable?: boolean;
  deletable?: boolean;
  fields: FieldDef[];
}

export function standard(spec: StandardSpec): ObjectDef {
  const currency = spec.currency ?? true;
  const fields = [
    idField(),
    ...(spec.owner ? [ownerField()] : []),
    ...spec.fields,
    ...(currency ? [currencyFieldForOrg()] : []),
    ...auditFields(),
  ];
  return {
    name: spec.name,
    label: spec.label,
    labelPlural: spec.labelPlural,
    keyPrefix: spec.keyPrefix,
    kind: 'standard',
    custom: false,
    queryable: true,
    createable: spec.createable ?? true,
    updateable: spec.updateable ?? true,
    deletable: spec.deletable ?? true,
    fields,
  };
}

export function currencyFieldForOrg(): FieldDef {
  return currencyField(ORG_CURRENCIES, CORPORATE_CURRENCY);
}

export const TIME_ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'America/Chicago',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Paris',
  'Asia/Singapore',
  'Asia/Tokyo',
  'Australia/Sydney',
  'GMT',
];
export const LOCALES = ['en_US', 'en_GB', 'de_DE', 'fr_FR', 'ja_JP', 'en_AU', 'en_SG'];
