import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { REPO_FORCE_APP_DIR } from '../paths.ts';
import { SchemaRegistry } from './registry.ts';

/** The data model table of shared/DESIGN.md: every object and key field the three parts rely on. */
const DESIGN_MODEL: Record<string, string[]> = {
  Deal_Closure__c: [
    'Opportunity__c',
    'Status__c',
    'Trigger__c',
    'Closing_Confidence__c',
    'Signals__c',
    'Strategy__c',
    'Run_Id__c',
    'Renewal_Risk_Score__c',
    'Renewal_Risk_Factors__c',
    'Started_At__c',
    'Completed_At__c',
    'Error__c',
  ],
  Agent_Step__c: [
    'Deal_Closure__c',
    'Agent__c',
    'Status__c',
    'Reasoning__c',
    'Confidence__c',
    'Started_At__c',
    'Finished_At__c',
    'Duration_Ms__c',
    'Step_Key__c',
  ],
  Contract_Version__c: [
    'Deal_Closure__c',
    'Version__c',
    'Variant__c',
    'Template__c',
    'Clauses__c',
    'Risk_Level__c',
    'Legal_Review_Required__c',
    'Content_Hash__c',
    'Content_Version_Id__c',
  ],
  Deal_Approval__c: [
    'Deal_Closure__c',
    'Approver_Role__c',
    'Approver__c',
    'Backup_Approver__c',
    'Reason__c',
    'Status__c',
    'Due_At__c',
    'Decided_At__c',
    'Escalation_Level__c',
    'Comments__c',
  ],
  Signature_Envelope__c: [
    'Deal_Closure__c',
    'Provider__c',
    'Envelope_Id__c',
    'Status__c',
    'Sent_At__c',
    'Completed_At__c',
  ],
  Envelope_Recipient__c: [
    'Signature_Envelope__c',
    'Name__c',
    'Email__c',
    'Role__c',
    'Routing_Order__c',
    'Status__c',
    'Signed_At__c',
  ],
  Revenue_Schedule__c: ['Deal_Closure__c', 'Opportunity__c', 'Period_Start__c', 'Amount__c'],
  Handoff_Package__c: [
    'Deal_Closure__c',
    'Team__c',
    'Summary__c',
    'Context__c',
    'Completeness__c',
    'Status__c',
  ],
  Win_Insight__c: ['Deal_Closure__c', 'Category__c', 'Insight__c', 'Metric__c', 'Value__c'],
  Approval_Rule__mdt: [
    'Role__c',
    'Min_Amount__c',
    'Min_Discount_Percent__c',
    'Requires_Custom_Terms__c',
    'Requires_Security_Review__c',
    'SLA_Hours__c',
    'Approver_Username__c',
    'Backup_Username__c',
  ],
  Deal_Closure_Event__e: ['Closure_Id__c', 'Status__c', 'Agent__c', 'Message__c'],
};

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return xmlFiles(path);
    return name.endsWith('.xml') ? [path] : [];
  });
}

describe('force-app object metadata', () => {
  const registry = SchemaRegistry.fromForceApp(REPO_FORCE_APP_DIR);

  it('is well-formed XML throughout', () => {
    const files = xmlFiles(join(REPO_FORCE_APP_DIR, 'main', 'default'));
    assert.ok(files.length > 100, `${files.length} files`);
    for (const file of files) {
      const result = XMLValidator.validate(readFileSync(file, 'utf8'));
      assert.equal(result, true, `${file}: ${JSON.stringify(result)}`);
    }
  });

  it('defines every object and field of the DESIGN.md data model', () => {
    for (const [objectName, fields] of Object.entries(DESIGN_MODEL)) {
      const schema = registry.get(objectName);
      assert.ok(schema, `${objectName} exists`);
      for (const f of fields) assert.ok(schema.field(f), `${objectName}.${f} exists`);
    }
  });

  it('makes the master-detail, external-id and picklist choices DESIGN.md states', () => {
    for (const [child, field] of [
      ['Agent_Step__c', 'Deal_Closure__c'],
      ['Deal_Approval__c', 'Deal_Closure__c'],
      ['Envelope_Recipient__c', 'Signature_Envelope__c'],
    ] as const) {
      assert.equal(
        registry.get(child)!.field(field)!.masterDetail,
        true,
        `${child}.${field} is master-detail`,
      );
    }
    for (const [obj, field] of [
      ['Deal_Closure__c', 'Run_Id__c'],
      ['Agent_Step__c', 'Step_Key__c'],
      ['Signature_Envelope__c', 'Envelope_Id__c'],
    ] as const) {
      const f = registry.get(obj)!.field(field)!;
      assert.ok(f.externalId && f.unique, `${obj}.${field} is a unique external id`);
    }
    const picklist = (obj: string, field: string) =>
      registry
        .get(obj)!
        .field(field)!
        .picklistValues.map((v) => v.value);
    assert.deepEqual(picklist('Deal_Approval__c', 'Approver_Role__c'), [
      'Finance',
      'Legal',
      'Sales_VP',
      'InfoSec',
      'Executive',
    ]);
    assert.deepEqual(picklist('Contract_Version__c', 'Variant__c'), [
      'Full',
      'Executive_Summary',
      'Technical_Appendix',
    ]);
    assert.deepEqual(picklist('Handoff_Package__c', 'Team__c'), [
      'Customer_Success',
      'Finance',
      'Support',
      'Implementation',
    ]);
    assert.equal(registry.get('Approval_Rule__mdt')!.def.kind, 'customMetadata');
    assert.equal(registry.get('Deal_Closure_Event__e')!.def.kind, 'platformEvent');
  });

  it('gives every custom type a distinct, stable key prefix', () => {
    const prefixes = registry
      .all()
      .filter((o) => o.def.custom)
      .map((o) => o.def.keyPrefix);
    assert.equal(new Set(prefixes).size, prefixes.length);
    // The prefix derives from the API name alone, so adding objects never moves existing ids.
    assert.equal(
      SchemaRegistry.fromForceApp(REPO_FORCE_APP_DIR).get('Deal_Closure__c')!.def.keyPrefix,
      registry.get('Deal_Closure__c')!.def.keyPrefix,
    );
  });
});
