/**
 * Seeds a local org: the baseline every org has (organization, profiles, the integration user,
 * currencies, approval process definitions) and, on request, a demo company. Seed records use
 * symbolic references and relative dates (see seed-types.ts); they are written in system mode
 * through the same DML code as API writes, so seeded data obeys the same rules.
 */
import type { ApprovalProcessDefinition } from '../approvals.ts';
import type { LocalOrg } from '../local-org.ts';
import type { FieldValue } from '../store.ts';
import { formatDate, formatDateTime } from '../values.ts';
import { mintId } from '../ids.ts';
import type { SeedRecord, SeedValue } from './seed-types.ts';
import { INTEGRATION_PERMISSION_SET, type PermissionSetDef } from './permission-sets.ts';

export const INTEGRATION_USERNAME = 'integration@dealdesk-demo.example';

/** Symbolic names of baseline records that seed files may reference. */
export const BASELINE_REFS = {
  adminProfile: 'profile.system-administrator',
  standardProfile: 'profile.standard-user',
  integrationProfile: 'profile.integration',
  integrationUser: 'user.integration',
} as const;

export interface SeedResult {
  created: number;
  reused: number;
  ids: Map<string, string>;
}

/** Records that already exist are matched by these natural keys instead of duplicated. */
const NATURAL_KEYS: Record<string, string> = {
  User: 'Username',
  Profile: 'Name',
  CurrencyType: 'IsoCode',
  Organization: 'Name',
  ProcessDefinition: 'DeveloperName',
  PermissionSet: 'Name',
};

export function ensureBaseline(
  org: LocalOrg,
  processes: ApprovalProcessDefinition[],
  permissionSets: PermissionSetDef[] = [],
): { integrationUserId: string; processDefinitionIds: Map<string, string> } {
  const existingIntegration = [...org.store.all('User')].find((u) => u.Username === INTEGRATION_USERNAME);
  // In an empty org the integration user creates everything, itself included, so its id comes first.
  const integrationId = existingIntegration?.Id ?? mintId('005', org.store.next('id:005'));
  const baseline: SeedRecord[] = [
    {
      ref: 'organization',
      type: 'Organization',
      fields: {
        Name: 'dealdesk local org',
        DefaultLocaleSidKey: 'en_US',
        TimeZoneSidKey: 'GMT',
        LanguageLocaleKey: 'en_US',
        OrganizationType: 'Developer Edition',
        InstanceName: 'LOCAL',
        IsSandbox: false,
        DefaultCurrencyIsoCode: 'USD',
      },
    },
    {
      ref: BASELINE_REFS.adminProfile,
      type: 'Profile',
      fields: { Name: 'System Administrator', PermissionsModifyAllData: true, PermissionsApiEnabled: true },
    },
    {
      ref: BASELINE_REFS.standardProfile,
      type: 'Profile',
      fields: { Name: 'Standard User', PermissionsModifyAllData: false, PermissionsApiEnabled: true },
    },
    {
      // Least privilege, as a real integration user should have: no Modify All Data, so the
      // local org holds the middleware to the same record locks as a real org.
      ref: BASELINE_REFS.integrationProfile,
      type: 'Profile',
      fields: { Name: 'DealDesk Integration', PermissionsModifyAllData: false, PermissionsApiEnabled: true },
    },
    {
      ref: BASELINE_REFS.integrationUser,
      type: 'User',
      fields: {
        Id: integrationId,
        Username: INTEGRATION_USERNAME,
        FirstName: 'DealDesk',
        LastName: 'Integration',
        Email: INTEGRATION_USERNAME,
        Alias: 'ddint',
        Title: 'Integration User',
        IsActive: true,
        ProfileId: { ref: BASELINE_REFS.integrationProfile },
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        LanguageLocaleKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        DefaultCurrencyIsoCode: 'USD',
      },
    },
    {
      ref: 'currency.USD',
      type: 'CurrencyType',
      fields: { IsoCode: 'USD', ConversionRate: 1, IsCorporate: true, IsActive: true, DecimalPlaces: 2 },
    },
    ...processes.map((p): SeedRecord => ({
      ref: `process.${p.developerName}`,
      type: 'ProcessDefinition',
      fields: {
        Name: p.label,
        DeveloperName: p.developerName,
        TableEnumOrId: p.object,
        State: 'Active',
        Type: 'Approval',
        Description: p.description,
      },
    })),
    ...permissionSets.map((p): SeedRecord => ({
      ref: `permissionset.${p.name}`,
      type: 'PermissionSet',
      fields: { Name: p.name, Label: p.label },
    })),
  ];
  const integrationSet = [...org.store.all('PermissionSet')].find(
    (p) => p.Name === INTEGRATION_PERMISSION_SET,
  );
  const assigned =
    integrationSet !== undefined &&
    [...org.store.all('PermissionSetAssignment')].some(
      (a) => a.PermissionSetId === integrationSet.Id && a.AssigneeId === integrationId,
    );
  if (!assigned && permissionSets.some((p) => p.name === INTEGRATION_PERMISSION_SET))
    baseline.push({
      ref: 'permissionsetassignment.integration',
      type: 'PermissionSetAssignment',
      fields: {
        AssigneeId: { ref: BASELINE_REFS.integrationUser },
        PermissionSetId: { ref: `permissionset.${INTEGRATION_PERMISSION_SET}` },
      },
    });
  const result = seedRecords(org, baseline, integrationId);
  const processDefinitionIds = new Map(
    processes.map((p) => [p.developerName, result.ids.get(`process.${p.developerName}`)!]),
  );
  return { integrationUserId: result.ids.get(BASELINE_REFS.integrationUser)!, processDefinitionIds };
}

export function seedRecords(org: LocalOrg, records: SeedRecord[], actorId?: string): SeedResult {
  // Refs of earlier seeds stay resolvable, so later seeds can build on the demo company.
  const ids = new Map<string, string>(
    JSON.parse(org.store.getSetting('seed-refs') ?? '[]') as [string, string][],
  );
  for (const [ref, type, key, value] of [
    [BASELINE_REFS.adminProfile, 'Profile', 'Name', 'System Administrator'],
    [BASELINE_REFS.standardProfile, 'Profile', 'Name', 'Standard User'],
    [BASELINE_REFS.integrationProfile, 'Profile', 'Name', 'DealDesk Integration'],
    [BASELINE_REFS.integrationUser, 'User', 'Username', INTEGRATION_USERNAME],
  ] as const) {
    const existing = [...org.store.all(type)].find((r) => r[key] === value);
    if (existing) ids.set(ref, existing.Id);
  }
  const now = org.clock();
  let created = 0;
  let reused = 0;
  const actor = actorId ?? ids.get(BASELINE_REFS.integrationUser)!;
  org.transact(
    actor,
    (dml) => {
      for (const record of records) {
        if (ids.has(record.ref) && record.ref.startsWith('profile.')) continue;
        const fields: Record<string, FieldValue> = {};
        for (const [name, value] of Object.entries(record.fields))
          fields[name] = resolve(value, ids, now, record.ref);
        if (record.type === 'User' && !('ProfileId' in fields))
          fields.ProfileId = ids.get(BASELINE_REFS.standardProfile) ?? null;
        const naturalKey = NATURAL_KEYS[record.type];
        const existing = naturalKey
          ? [...dml.tx.all(record.type)].find(
              (r) => String(r[naturalKey]).toLowerCase() === String(fields[naturalKey]).toLowerCase(),
            )
          : undefined;
        if (existing) {
          ids.set(record.ref, existing.Id);
          reused++;
          continue;
        }
        const inserted = dml.insert(record.type, fields);
        ids.set(record.ref, inserted.Id);
        created++;
      }
    },
    { system: true },
  );
  org.store.setSetting('seed-refs', JSON.stringify([...ids]));
  return { created, reused, ids };
}

function resolve(value: SeedValue, ids: Map<string, string>, now: Date, owner: string): FieldValue {
  if (value === null || typeof value !== 'object') return value;
  if ('ref' in value) {
    const id = ids.get(value.ref);
    if (!id) throw new Error(`seed record ${owner} references ${value.ref}, which is not defined before it`);
    return id;
  }
  const d = new Date(now.getTime() + value.days * 86_400_000);
  if (value.rel === 'date') return formatDate(d);
  const [hh, mm] = (value.time ?? '09:00').split(':').map(Number);
  d.setUTCHours(hh ?? 9, mm ?? 0, 0, 0);
  return formatDateTime(d);
}
