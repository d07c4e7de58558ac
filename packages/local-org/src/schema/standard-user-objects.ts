/** The standard objects for users and their access: profiles, users and permission sets. */
import { field, readOnly, type ObjectDef } from './model.ts';
import {
  bool,
  longText,
  pick,
  ref,
  required,
  standard,
  text,
  CORPORATE_CURRENCY,
  LOCALES,
  ORG_CURRENCIES,
  TIME_ZONES,
} from './standard-fields.ts';

/** Profiles and users. */
export function userObjects(): ObjectDef[] {
  return [
    standard({
      name: 'Profile',
      label: 'Profile',
      labelPlural: 'Profiles',
      keyPrefix: '00e',
      currency: false,
      fields: [
        text('Name', 'Name', 255, { ...required, nameField: true }),
        longText('Description', 'Description', 255),
        bool('PermissionsModifyAllData', 'Modify All Data', false),
        bool('PermissionsApiEnabled', 'API Enabled', true),
      ],
    }),
    standard({
      name: 'User',
      label: 'User',
      labelPlural: 'Users',
      keyPrefix: '005',
      currency: false,
      deletable: false,
      fields: [
        text('Username', 'Username', 80, { ...required, unique: true }),
        text('FirstName', 'First Name', 40),
        text('LastName', 'Last Name', 80, required),
        text('Name', 'Full Name', 121, { ...readOnly, nameField: true }),
        field('Email', 'Email', 'email', { length: 128, ...required }),
        text('Alias', 'Alias', 8, required),
        ref('ProfileId', 'Profile ID', ['Profile'], 'Profile', {
          ...required,
          childRelationshipName: 'Users',
        }),
        text('Title', 'Title', 80),
        text('Department', 'Department', 80),
        bool('IsActive', 'Active', true),
        ref('ManagerId', 'Manager ID', ['User'], 'Manager'),
        ref('DelegatedApproverId', 'Delegated Approver ID', ['User'], 'DelegatedApprover'),
        pick('TimeZoneSidKey', 'Time Zone', TIME_ZONES, { defaultValue: 'America/Los_Angeles' }),
        pick('LocaleSidKey', 'Locale', LOCALES, { defaultValue: 'en_US' }),
        pick('LanguageLocaleKey', 'Language', ['en_US', 'de', 'fr', 'ja'], { defaultValue: 'en_US' }),
        pick('EmailEncodingKey', 'Email Encoding', ['UTF-8', 'ISO-8859-1'], { defaultValue: 'UTF-8' }),
        pick('DefaultCurrencyIsoCode', 'User Currency', ORG_CURRENCIES, { defaultValue: CORPORATE_CURRENCY }),
      ],
    }),
  ];
}

/** Permission sets and their assignments to users. */
export function accessObjects(): ObjectDef[] {
  return [
    standard({
      name: 'PermissionSet',
      label: 'Permission Set',
      labelPlural: 'Permission Sets',
      keyPrefix: '0PS',
      currency: false,
      fields: [
        text('Name', 'Name', 80, { ...required, nameField: true }),
        text('Label', 'Label', 80, required),
        longText('Description', 'Description', 255),
      ],
    }),
    standard({
      name: 'PermissionSetAssignment',
      label: 'Permission Set Assignment',
      labelPlural: 'Permission Set Assignments',
      keyPrefix: '0Pa',
      currency: false,
      updateable: false,
      fields: [
        ref('AssigneeId', 'Assignee ID', ['User'], 'Assignee', {
          ...required,
          updateable: false,
          childRelationshipName: 'PermissionSetAssignments',
        }),
        ref('PermissionSetId', 'Permission Set ID', ['PermissionSet'], 'PermissionSet', {
          ...required,
          updateable: false,
          childRelationshipName: 'Assignments',
        }),
      ],
    }),
  ];
}
