/**
 * PMD 7 Apex rules (security, best practices, error prone, performance, ApexDoc) over force-app, with the jars
 * shipped in @salesforce/sfdx-scanner and the ruleset in test/force-app/pmd-apex-ruleset.xml. Zero violations;
 * every @SuppressWarnings('PMD.…') must carry a comment right above it saying why.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { ROOT, apexFiles } from './support/project.ts';
import { runJava } from './support/java.ts';
import { CLASS_META, fixtureProject } from './support/fixture.ts';

const RULESET = join('test', 'force-app', 'pmd-apex-ruleset.xml');

function pmd(dir: string): { status: number | null; report: string } {
  const result = runJava('net.sourceforge.pmd.cli.PmdCli', [
    'check',
    '--dir',
    dir,
    '--rulesets',
    RULESET,
    '--format',
    'text',
    '--no-cache',
    '--no-progress',
  ]);
  return { status: result.status, report: `${result.stdout}${result.stderr}`.trim() };
}

describe('force-app PMD 7 Apex rules', () => {
  it('finds no violations', () => {
    const { status, report } = pmd(join(ROOT, 'force-app'));
    assert.equal(report, '', report);
    assert.equal(status, 0, report);
  });

  it('reports insecure, undocumented code (the check can fail)', () => {
    const workspace = fixtureProject({
      'force-app/main/default/classes/Careless.cls': [
        'public class Careless {',
        '    public static void run(List<Account> accounts) {',
        '        update accounts;',
        '        System.debug([SELECT Id FROM Account]);',
        '    }',
        '}',
      ].join('\n'),
      'force-app/main/default/classes/Careless.cls-meta.xml': CLASS_META,
    });
    try {
      const { status, report } = pmd(join(workspace, 'force-app'));
      assert.notEqual(status, 0, report);
      for (const rule of [
        'ApexSharingViolations',
        'ApexCRUDViolation',
        'ApexDoc',
        'AvoidNonRestrictiveQueries',
        'AvoidDebugStatements',
      ]) {
        assert.match(report, new RegExp(rule), `${rule} in:\n${report}`);
      }
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('explains every suppression in a comment', () => {
    const unexplained = apexFiles().flatMap((file) => {
      const lines = file.text.split('\n');
      return lines.flatMap((line, i) => {
        if (!/@SuppressWarnings\(\s*'PMD\./.test(line)) return [];
        const before = lines.slice(Math.max(0, i - 3), i).join('\n');
        return /\/\/|\*\//.test(before) || /\/\//.test(line) ? [] : [`${file.path}:${i + 1}`];
      });
    });
    assert.deepEqual(unexplained, [], unexplained.join('\n'));
  });
});
