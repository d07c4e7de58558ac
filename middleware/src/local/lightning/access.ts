/**
 * What a local-org user may do in Lightning Local, from the same sources a real org decides it
 * with: their profile (administrators, "Modify All Data", may do everything) and the package's
 * permission sets assigned to them (object permissions and Apex class access, read from
 * force-app). Standard objects are readable by every user, as the Standard User profile allows.
 *
 * Record-level sharing is not modelled: the local org has none.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import type { LocalOrg } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';

const Flag = z.union([z.boolean(), z.string()]).transform((v) => v === true || v === 'true');
const asList = <T extends z.ZodType>(item: T) =>
  z
    .union([z.array(item), item])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

const PermissionSetXml = z.object({
  PermissionSet: z.object({
    objectPermissions: asList(
      z.object({ object: z.string(), allowRead: Flag.optional(), allowCreate: Flag.optional() }),
    ),
    classAccesses: asList(z.object({ apexClass: z.string(), enabled: Flag.optional() })),
  }),
});

interface PermissionSetGrants {
  read: Set<string>;
  create: Set<string>;
  classes: Set<string>;
}

/** The package's permission sets, by name, as force-app defines them. */
export function loadPermissionSetGrants(forceAppDir: string): Map<string, PermissionSetGrants> {
  const dir = join(forceAppDir, 'main', 'default', 'permissionsets');
  const out = new Map<string, PermissionSetGrants>();
  if (!existsSync(dir)) return out;
  const parser = new XMLParser({ parseTagValue: false });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.permissionset-meta.xml'))) {
    const xml = PermissionSetXml.parse(parser.parse(readFileSync(join(dir, file), 'utf8')));
    const objects = xml.PermissionSet.objectPermissions;
    out.set(file.replace('.permissionset-meta.xml', ''), {
      read: new Set(objects.filter((o) => o.allowRead).map((o) => o.object)),
      create: new Set(objects.filter((o) => o.allowCreate).map((o) => o.object)),
      classes: new Set(xml.PermissionSet.classAccesses.filter((c) => c.enabled).map((c) => c.apexClass)),
    });
  }
  return out;
}

/** A signed-in user and what they may do. */
export interface UserAccess {
  userId: string;
  name: string;
  username: string;
  title: string | null;
  isAdmin: boolean;
  timeZone: string;
  currency: string;
  permissionSets: string[];
  canRead(object: string): boolean;
  canCreate(object: string): boolean;
  canCallClass(apexClass: string): boolean;
}

const isCustom = (object: string) => object.includes('__');

export class AccessModel {
  private readonly grants: Map<string, PermissionSetGrants>;
  private readonly org: LocalOrg;

  constructor(org: LocalOrg, forceAppDir: string) {
    this.org = org;
    this.grants = loadPermissionSetGrants(forceAppDir);
  }

  /** The user's access, read fresh: an admin may assign a permission set between two requests. */
  forUser(userId: string): UserAccess | undefined {
    const user = this.org.query(
      'SELECT Id, Name, Username, Title, IsActive, TimeZoneSidKey, DefaultCurrencyIsoCode, ' +
        `Profile.PermissionsModifyAllData FROM User WHERE Id = ${soqlString(userId)}`,
    ).records[0];
    if (!user || user.IsActive !== true) return undefined;
    const profile = user.Profile as { PermissionsModifyAllData?: unknown } | null;
    const isAdmin = profile?.PermissionsModifyAllData === true;
    const permissionSets = this.org
      .query(
        `SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)}`,
      )
      .records.map((r) => String((r.PermissionSet as { Name?: unknown } | null)?.Name ?? ''))
      .filter((name) => name !== '')
      .sort();
    const granted = permissionSets.flatMap((name) => {
      const grant = this.grants.get(name);
      return grant ? [grant] : [];
    });
    const any = (pick: (g: PermissionSetGrants) => Set<string>, value: string) =>
      granted.some((g) => pick(g).has(value));
    return {
      userId: String(user.Id),
      name: String(user.Name),
      username: String(user.Username),
      title: typeof user.Title === 'string' ? user.Title : null,
      isAdmin,
      timeZone: typeof user.TimeZoneSidKey === 'string' ? user.TimeZoneSidKey : 'UTC',
      currency: typeof user.DefaultCurrencyIsoCode === 'string' ? user.DefaultCurrencyIsoCode : 'USD',
      permissionSets,
      canRead: (object) => isAdmin || !isCustom(object) || any((g) => g.read, object),
      canCreate: (object) => isAdmin || any((g) => g.create, object),
      // Administrators can run every class (they hold Author Apex); others need a grant.
      canCallClass: (apexClass) => isAdmin || any((g) => g.classes, apexClass),
    };
  }
}
