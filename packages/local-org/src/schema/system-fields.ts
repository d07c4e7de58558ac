import { field, readOnly, type FieldDef } from './model.ts';

/** Audit fields every queryable record carries. */
export function auditFields(): FieldDef[] {
  return [
    field('IsDeleted', 'Deleted', 'boolean', { ...readOnly, nillable: false, defaultValue: false }),
    field('CreatedDate', 'Created Date', 'datetime', { ...readOnly, nillable: false }),
    field('CreatedById', 'Created By ID', 'reference', {
      ...readOnly,
      nillable: false,
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
    }),
    field('LastModifiedDate', 'Last Modified Date', 'datetime', { ...readOnly, nillable: false }),
    field('LastModifiedById', 'Last Modified By ID', 'reference', {
      ...readOnly,
      nillable: false,
      referenceTo: ['User'],
      relationshipName: 'LastModifiedBy',
    }),
    field('SystemModstamp', 'System Modstamp', 'datetime', { ...readOnly, nillable: false }),
  ];
}

export function idField(): FieldDef {
  return field('Id', 'Record ID', 'id', { ...readOnly, nillable: false, length: 18, calculated: false });
}

export function ownerField(): FieldDef {
  return field('OwnerId', 'Owner ID', 'reference', {
    referenceTo: ['User'],
    relationshipName: 'Owner',
    nillable: false,
    // Defaulted to the caller on insert, so not required in the request.
    defaultValue: null,
  });
}

/** Present on most objects because the local org is a multi-currency org (as most enterprise orgs are). */
export function currencyField(isoCodes: readonly string[], corporate: string): FieldDef {
  return field('CurrencyIsoCode', 'Currency ISO Code', 'picklist', {
    length: 3,
    nillable: false,
    restrictedPicklist: true,
    picklistValues: isoCodes.map((code) => ({
      value: code,
      label: code,
      active: true,
      defaultValue: code === corporate,
    })),
  });
}
