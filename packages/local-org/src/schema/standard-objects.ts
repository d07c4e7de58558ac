/**
 * A faithful subset of the standard objects dealdesk touches, with their real API names,
 * types, lengths, key prefixes and relationship names (Salesforce Object Reference).
 * Fields the org maintains itself (IsClosed, TotalPrice, ContentSize, ...) are read-only here
 * and computed by the local org's automation, as in a real org.
 */
import { readOnly, type ObjectDef } from './model.ts';
import {
  bool,
  datetime,
  num,
  pick,
  required,
  standard,
  text,
  LOCALES,
  ORG_CURRENCIES,
  TIME_ZONES,
} from './standard-fields.ts';
import { accessObjects, userObjects } from './standard-user-objects.ts';
import {
  accountObjects,
  contractObjects,
  opportunityObjects,
  productObjects,
} from './standard-sales-objects.ts';
import { activityObjects, contentObjects } from './standard-activity-objects.ts';
import { approvalObjects } from './standard-approval-objects.ts';

export { CORPORATE_CURRENCY, ORG_CURRENCIES, currencyFieldForOrg } from './standard-fields.ts';
export { INDUSTRIES, OPPORTUNITY_STAGES } from './standard-sales-objects.ts';

export function standardObjects(): ObjectDef[] {
  return [
    ...orgObjects(),
    ...userObjects(),
    ...accountObjects(),
    ...productObjects(),
    ...opportunityObjects(),
    ...contractObjects(),
    ...activityObjects(),
    ...contentObjects(),
    ...approvalObjects(),
    ...accessObjects(),
  ];
}

/** The org itself and its currencies. */
function orgObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Organization',
      label: 'Organization',
      labelPlural: 'Organizations',
      keyPrefix: '00D',
      currency: false,
      createable: false,
      deletable: false,
      fields: [
        text('Name', 'Name', 80, { ...required, nameField: true }),
        pick('DefaultLocaleSidKey', 'Locale', LOCALES),
        pick('TimeZoneSidKey', 'Time Zone', TIME_ZONES),
        pick('LanguageLocaleKey', 'Language', ['en_US', 'de', 'fr', 'ja']),
        text('OrganizationType', 'Edition', 40, readOnly),
        text('InstanceName', 'Instance Name', 5, readOnly),
        bool('IsSandbox', 'Is Sandbox', false, readOnly),
        pick('DefaultCurrencyIsoCode', 'Currency Locale', ORG_CURRENCIES, {
          createable: false,
          updateable: false,
        }),
        text('Country', 'Country', 80),
        // Read by @salesforce/core when an sf login records the org (determineOrg).
        text('NamespacePrefix', 'Namespace Prefix', 15, readOnly),
        datetime('TrialExpirationDate', 'Trial Expiration Date', readOnly),
      ],
    }),
    standard({
      name: 'CurrencyType',
      label: 'Currency Type',
      labelPlural: 'Currency Types',
      keyPrefix: '02C',
      currency: false,
      fields: [
        pick('IsoCode', 'Currency ISO Code', ORG_CURRENCIES, {
          ...required,
          restrictedPicklist: true,
          updateable: false,
        }),
        num('ConversionRate', 'Conversion Rate', 15, 6, required),
        num('DecimalPlaces', 'Decimal Places', 1, 0, { defaultValue: 2 }),
        bool('IsActive', 'Active', true),
        bool('IsCorporate', 'Corporate Currency', false),
      ],
    }),
  ];
}
