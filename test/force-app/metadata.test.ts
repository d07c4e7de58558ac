/**
 * Metadata files: every XML under force-app is well-formed (fast-xml-parser's validator), and the package converts
 * from source to Metadata API format with @salesforce/source-deploy-retrieve, as `sf project deploy` would before
 * sending it, with test-only files left out by .forceignore.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { FORCE_APP, read, rel, walk } from './support/project.ts';

describe('force-app metadata', () => {
  it('is well-formed XML throughout', () => {
    const files = walk(FORCE_APP, (p) => p.endsWith('.xml'));
    assert.ok(files.length > 150, `${files.length} XML files`);
    const broken = files.flatMap((file) => {
      const result = XMLValidator.validate(read(file));
      return result === true ? [] : [`${rel(file)}:${result.err.line}: ${result.err.msg}`];
    });
    assert.deepEqual(broken, [], broken.join('\n'));
  });

  it('rejects malformed XML (the check can fail)', () => {
    assert.notEqual(XMLValidator.validate('<Layout><layoutSections></Layout>'), true);
  });

  it('converts to Metadata API format with source-deploy-retrieve', async () => {
    const output = mkdtempSync(join(tmpdir(), 'dealdesk-mdapi-'));
    try {
      const components = ComponentSet.fromSource(FORCE_APP);
      const result = await new MetadataConverter().convert(components, 'metadata', {
        type: 'directory',
        outputDirectory: output,
        genUniqueDir: false,
      });
      assert.ok((result.converted?.length ?? 0) > 50, `${result.converted?.length} components converted`);

      const byType = new Map<string, string[]>();
      for (const component of components.getSourceComponents()) {
        byType.set(component.type.name, [...(byType.get(component.type.name) ?? []), component.fullName]);
      }
      const expected: Record<string, string[]> = {
        ApexClass: ['DealDeskController', 'DealClosureService', 'DealDeskMiddlewareClient', 'TriggerHandler'],
        ApexTrigger: ['OpportunityTrigger', 'DealApprovalTrigger'],
        ApprovalProcess: ['Deal_Approval__c.DealDesk_Deal_Approval'],
        CustomApplication: ['DealDesk'],
        CustomMetadata: ['DealDesk_Setting.Default', 'Approval_Rule.Finance_Large_Deal'],
        CustomObject: ['Deal_Closure__c', 'DealDesk_Setting__mdt', 'Deal_Closure_Event__e'],
        CustomTab: ['Deal_Closure__c'],
        ExternalCredential: ['DealDesk_Middleware_Auth'],
        FlexiPage: ['DealDesk_Opportunity_Record_Page', 'Deal_Closure_Record_Page'],
        Layout: ['Deal_Closure__c-Deal Closure Layout'],
        LightningComponentBundle: ['closeDeal', 'dealClosureTimeline', 'dealDeskUtils'],
        NamedCredential: ['DealDesk_Middleware'],
        PermissionSet: ['DealDesk_User', 'DealDesk_Approver', 'DealDesk_Admin', 'DealDesk_Integration'],
        QuickAction: ['Opportunity.Close_Deal'],
        Settings: ['EmailAdministration'],
        Workflow: ['Deal_Approval__c'],
      };
      for (const [type, names] of Object.entries(expected)) {
        for (const name of names) {
          assert.ok(byType.get(type)?.includes(name), `${type} ${name} is in the package`);
        }
      }
    } finally {
      rmSync(output, { recursive: true, force: true });
    }
  });

  it('leaves Jest tests, mocks and TypeScript out of the deployment (.forceignore)', () => {
    const sources = ComponentSet.fromSource(FORCE_APP)
      .getSourceComponents()
      .toArray()
      .flatMap((component) => [
        ...(component.xml ? [component.xml] : []),
        ...(component.content ? [component.content] : []),
        ...component.walkContent(),
      ])
      .map(rel);
    const leaked = sources.filter((path) => /__tests__|^force-app\/test\/|\.ts$/.test(path));
    assert.deepEqual(leaked, [], leaked.join('\n'));
  });
});
