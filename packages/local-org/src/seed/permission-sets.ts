/**
 * The package's permission sets as a deployed org holds them: one PermissionSet record per
 * `permissionsets/*.permissionset-meta.xml` in force-app, and DealDesk_Integration assigned to the
 * integration user, as `sf dealdesk setup` leaves a real org (the demo company assigns the others
 * to its people). Lets admin tooling check and assign permission sets over the data API against
 * the local org.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface PermissionSetDef {
  name: string;
  label: string;
}

/** The package's permission sets, as force-app/main/default/permissionsets names them. */
export type PackagePermissionSet =
  'DealDesk_Admin' | 'DealDesk_Approver' | 'DealDesk_Integration' | 'DealDesk_User';

export const INTEGRATION_PERMISSION_SET: PackagePermissionSet = 'DealDesk_Integration';

export function loadPermissionSets(forceAppDir: string): PermissionSetDef[] {
  const dir = join(forceAppDir, 'main', 'default', 'permissionsets');
  if (!existsSync(dir)) return [];
  const parser = new XMLParser();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.permissionset-meta.xml'))
    .sort()
    .map((f) => {
      const xml = parser.parse(readFileSync(join(dir, f), 'utf8')) as {
        PermissionSet?: { label?: unknown };
      };
      const name = f.replace('.permissionset-meta.xml', '');
      return {
        name,
        label: typeof xml.PermissionSet?.label === 'string' ? xml.PermissionSet.label : name,
      };
    });
}
