/**
 * Runs the Java tools that ship inside the @salesforce/sfdx-scanner npm package (PMD 7 and the Apex language
 * server's CheckForIssues) with the machine's Java 17.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PMD_LIB, ROOT } from './project.ts';

export interface JavaResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runJava(mainClass: string, args: string[]): JavaResult {
  if (!existsSync(join(PMD_LIB, 'pmd-apex-7.11.0.jar')) && !existsSync(PMD_LIB)) {
    throw new Error(`PMD jars not found at ${PMD_LIB}; run npm ci`);
  }
  const result = spawnSync('java', ['-cp', join(PMD_LIB, '*'), mainClass, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(`could not run java (${result.error.message}); install a Java 17 runtime (.ci/run does)`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
