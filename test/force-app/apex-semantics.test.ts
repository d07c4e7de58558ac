/**
 * Semantic Apex check without an org: the Apex language server of apex-dev-tools (CheckForIssues, shipped in the
 * PMD 7 distribution of @salesforce/sfdx-scanner) resolves types, methods and SObject fields of force-app against
 * the platform's standard library and the object metadata. It catches much of what a deploy would (unknown types,
 * wrong method signatures, unknown custom fields), not everything the org's compiler checks.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ROOT } from './support/project.ts';
import { runJava } from './support/java.ts';
import { CLASS_META, fixtureProject } from './support/fixture.ts';

function check(workspace: string) {
  const result = runJava('io.github.apexdevtools.apexls.CheckForIssues', [
    '--nocache',
    '--detail',
    'warnings',
    '--workspace',
    workspace,
  ]);
  return { status: result.status, report: `${result.stdout}${result.stderr}`.trim() };
}

describe('force-app Apex semantics (apex-ls CheckForIssues)', () => {
  it('reports no errors, missing types, fields or methods, and no warnings', () => {
    const { status, report } = check(ROOT);
    assert.equal(report, '', report);
    assert.equal(status, 0, report);
  });

  it('fails on a class that uses an unknown field, type and method (the check can fail)', () => {
    const workspace = fixtureProject({
      'force-app/main/default/objects/Thing__c/Thing__c.object-meta.xml':
        '<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>Thing</label><pluralLabel>Things</pluralLabel><nameField><label>Name</label><type>Text</type></nameField><deploymentStatus>Deployed</deploymentStatus><sharingModel>ReadWrite</sharingModel></CustomObject>',
      'force-app/main/default/classes/Broken.cls': [
        'public with sharing class Broken {',
        '    public static void run() {',
        "        Thing__c thing = new Thing__c(Missing_Field__c = 'x');",
        '        NoSuchType value = null;',
        "        new HttpRequest().setEndpointTypo('x');",
        '    }',
        '}',
      ].join('\n'),
      'force-app/main/default/classes/Broken.cls-meta.xml': CLASS_META,
    });
    try {
      const { status, report } = check(workspace);
      assert.notEqual(status, 0, report);
      assert.match(report, /Unknown field 'Missing_Field__c'/);
      assert.match(report, /No type declaration found for 'NoSuchType'/);
      assert.match(report, /No matching method found for 'setEndpointTypo'/);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
