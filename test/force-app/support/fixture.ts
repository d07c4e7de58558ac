/**
 * Throwaway SFDX projects for proving that a check fails on bad input.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes the files (path relative to the project root → content) into a new temporary SFDX project. */
export function fixtureProject(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'dealdesk-force-app-'));
  const all: Record<string, string> = {
    'sfdx-project.json': JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      sourceApiVersion: '65.0',
    }),
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export const CLASS_META = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>65.0</apiVersion>
    <status>Active</status>
</ApexClass>
`;
