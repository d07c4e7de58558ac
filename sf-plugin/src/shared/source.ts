/** The dealdesk source (force-app) a command compares the org with or deploys. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SfError } from '@salesforce/core';

/** force-app beside the plugin in the dealdesk repository (src/shared or lib/shared → ../../../force-app). */
export const DEFAULT_SOURCE_DIR = fileURLToPath(new URL('../../../force-app', import.meta.url));

export const PERMISSION_SETS = [
  'DealDesk_Admin',
  'DealDesk_Approver',
  'DealDesk_Integration',
  'DealDesk_User',
] as const;
export const APPROVAL_PROCESS = 'DealDesk_Deal_Approval';

export function sourceDir(flag: string | undefined): string {
  const dir = resolve(flag ?? DEFAULT_SOURCE_DIR);
  if (!existsSync(join(dir, 'main', 'default')))
    throw new SfError(
      `${dir} is not the dealdesk force-app (no main/default in it); pass --source-dir <path to force-app>`,
      'NoSource',
    );
  return dir;
}

/** Objects and the custom fields force-app defines on each (standard objects included for their custom fields). */
export function expectedSchema(dir: string): Map<string, string[]> {
  const objectsDir = join(dir, 'main', 'default', 'objects');
  const out = new Map<string, string[]>();
  for (const object of readdirSync(objectsDir).sort()) {
    const fieldsDir = join(objectsDir, object, 'fields');
    const fields = existsSync(fieldsDir)
      ? readdirSync(fieldsDir)
          .filter((f) => f.endsWith('.field-meta.xml'))
          .map((f) => f.replace('.field-meta.xml', ''))
          .sort()
      : [];
    out.set(object, fields);
  }
  return out;
}
