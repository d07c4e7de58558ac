/**
 * The cross-reference check over the real project, and a synthetic project full of name drift that it must catch.
 */
import assert from 'node:assert/strict';
import {
  checkReferences,
  describeProblems,
  loadProject,
  soqlProblems,
  type Project,
} from './support/cross-reference.ts';
import { buildSchema } from './support/schema.ts';
import type { SourceFile } from './support/project.ts';

const OBJECTS = 'force-app/main/default/objects';

const objectFile = (name: string, sharing = 'ReadWrite'): SourceFile => ({
  path: `${OBJECTS}/${name}/${name}.object-meta.xml`,
  text: `<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>${name}</label><sharingModel>${sharing}</sharingModel></CustomObject>`,
});

const fieldFile = (objectName: string, name: string, type: string, extra = ''): SourceFile => ({
  path: `${OBJECTS}/${objectName}/fields/${name}.field-meta.xml`,
  text: `<?xml version="1.0" encoding="UTF-8"?><CustomField xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>${name}</fullName><label>${name}</label><type>${type}</type>${extra}</CustomField>`,
});

const picklist = (...values: string[]) =>
  `<valueSet><valueSetDefinition>${values.map((v) => `<value><fullName>${v}</fullName></value>`).join('')}</valueSetDefinition></valueSet>`;

function emptyProject(): Project {
  return {
    objects: [],
    apex: [],
    lwc: [],
    permissionSets: [],
    layouts: [],
    flexipages: [],
    quickActions: [],
    approvalProcesses: [],
    workflows: [],
    customMetadata: [],
    applications: [],
    tabs: [],
    namedCredentials: [],
    externalCredentials: [],
    middleware: [],
  };
}

/** A tiny project where every part names something that does not exist. */
function driftingProject(): Project {
  const project = emptyProject();
  project.objects = [
    objectFile('Deal_Closure__c'),
    fieldFile('Deal_Closure__c', 'Status__c', 'Picklist', picklist('Queued', 'Running')),
    fieldFile(
      'Deal_Closure__c',
      'Opportunity__c',
      'Lookup',
      '<referenceTo>Opportunity</referenceTo><relationshipName>Deal_Closures</relationshipName>',
    ),
    objectFile('Rule__mdt'),
    fieldFile('Rule__mdt', 'Role__c', 'Picklist', picklist('Finance')),
  ];
  project.apex = [
    {
      path: 'force-app/main/default/classes/Drift.cls',
      text: [
        'public with sharing class Drift {',
        "    private static final String NAMED_CREDENTIAL = 'Nowhere';",
        '    @AuraEnabled(cacheable=true)',
        '    public static String existing() { return null; }',
        '    public static void run() {',
        '        List<Deal_Closure__c> rows = [SELECT Id, Stauts__c, Opportunity__r.Amount, Opportunity__r.Amout FROM Deal_Closure__c WHERE Trigger__c = null];',
        '        List<Opportunity> opps = [SELECT Id, (SELECT Id FROM Deal_Closure__r) FROM Opportunity];',
        "        Deal_Closure__c created = new Deal_Closure__c(Status__c = 'Queued', Note__c = 'x');",
        '        Object token = Deal_Closure__c.Eror__c;',
        '        Object other = Deal_Closur__c.SObjectType;',
        '    }',
        '}',
      ].join('\n'),
    },
  ];
  project.lwc = [
    {
      path: 'force-app/main/default/lwc/drift/drift.js',
      text: [
        "import STATUS from '@salesforce/schema/Deal_Closure__c.Statuss__c';",
        "import EXISTING from '@salesforce/apex/Drift.existing';",
        "import HIDDEN from '@salesforce/apex/Drift.run';",
        "import MISSING from '@salesforce/apex/NoSuchController.load';",
        "import helper from 'c/noSuchHelper';",
        "const key = 'Closure_Idd__c';",
      ].join('\n'),
    },
    {
      path: 'force-app/main/default/lwc/drift/drift.js-meta.xml',
      text: '<?xml version="1.0" encoding="UTF-8"?><LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata"><isExposed>true</isExposed><targets><target>lightning__RecordAction</target></targets></LightningComponentBundle>',
    },
  ];
  project.permissionSets = [
    {
      path: 'force-app/main/default/permissionsets/Drift.permissionset-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">
        <classAccesses><apexClass>NoSuchClass</apexClass><enabled>true</enabled></classAccesses>
        <externalCredentialPrincipalAccesses><enabled>true</enabled><externalCredentialPrincipal>Auth-Nobody</externalCredentialPrincipal></externalCredentialPrincipalAccesses>
        <fieldPermissions><editable>true</editable><field>Deal_Closure__c.Run_Idd__c</field><readable>true</readable></fieldPermissions>
        <objectPermissions><allowRead>true</allowRead><object>Deal_Approvall__c</object></objectPermissions>
        <tabSettings><tab>No_Tab__c</tab><visibility>Visible</visibility></tabSettings>
      </PermissionSet>`,
    },
  ];
  project.layouts = [
    {
      path: 'force-app/main/default/layouts/Deal_Closure__c-Drift Layout.layout-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><Layout xmlns="http://soap.sforce.com/2006/04/metadata">
        <layoutSections><layoutColumns><layoutItems><field>Strategyy__c</field></layoutItems></layoutColumns></layoutSections>
        <relatedLists><fields>NAME</fields><relatedList>Agent_Step__c.Deal_Closure__c</relatedList></relatedLists>
      </Layout>`,
    },
  ];
  project.flexipages = [
    {
      path: 'force-app/main/default/flexipages/Drift.flexipage-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><FlexiPage xmlns="http://soap.sforce.com/2006/04/metadata">
        <flexiPageRegions><itemInstances><componentInstance>
          <componentInstanceProperties><name>actionNames</name><valueList><valueListItems><value>Opportunity.Close_Deall</value></valueListItems></valueList></componentInstanceProperties>
          <componentName>force:highlightsPanel</componentName></componentInstance></itemInstances>
          <itemInstances><componentInstance><componentName>drift</componentName></componentInstance></itemInstances>
        </flexiPageRegions>
        <sobjectType>Deal_Closure__c</sobjectType>
      </FlexiPage>`,
    },
  ];
  project.workflows = [
    {
      path: 'force-app/main/default/workflows/Deal_Closure__c.workflow-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
        <fieldUpdates><fullName>Set_Done</fullName><field>Status__c</field><literalValue>Done</literalValue><operation>Literal</operation></fieldUpdates>
      </Workflow>`,
    },
  ];
  project.approvalProcesses = [
    {
      path: 'force-app/main/default/approvalProcesses/Deal_Closure__c.Drift.approvalProcess-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><ApprovalProcess xmlns="http://soap.sforce.com/2006/04/metadata">
        <approvalStep><assignedApprover><approver><name>Approverr__c</name><type>relatedUserField</type></approver></assignedApprover></approvalStep>
        <finalApprovalActions><action><name>Set_Approved</name><type>FieldUpdate</type></action></finalApprovalActions>
      </ApprovalProcess>`,
    },
  ];
  project.customMetadata = [
    {
      path: 'force-app/main/default/customMetadata/Rule.Finance.md-meta.xml',
      text: `<?xml version="1.0" encoding="UTF-8"?><CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata">
        <values><field>Role__c</field><value>Treasury</value></values>
        <values><field>Min_Amountt__c</field><value>1</value></values>
      </CustomMetadata>`,
    },
  ];
  project.middleware = [
    {
      path: 'middleware/src/adapters/drift.ts',
      text: "const soql = 'SELECT Run_Idd__c FROM Deal_Closure__c';",
    },
  ];
  return project;
}

describe('force-app cross-references', () => {
  it('finds every object, field, class, method and component that force-app and the middleware name', () => {
    const problems = checkReferences(loadProject());
    assert.equal(problems.length, 0, `names that do not exist:\n${describeProblems(problems)}`);
  });

  it('reports each name that drifted, with where it was used', () => {
    const problems = checkReferences(driftingProject());
    const messages = problems.map((p) => `${p.source.split('/').pop()}: ${p.message}`);
    const expected = [
      'Drift.cls:6: unknown field Deal_Closure__c.Stauts__c',
      'Drift.cls:6: unknown field Opportunity.Amout',
      'Drift.cls:6: unknown field Deal_Closure__c.Trigger__c',
      'Drift.cls:7: unknown child relationship Opportunity.Deal_Closure__r',
      'Drift.cls:8: unknown field Deal_Closure__c.Note__c',
      'Drift.cls:9: unknown field Deal_Closure__c.Eror__c',
      'Drift.cls:10: unknown name Deal_Closur__c',
      'Drift.cls:2: unknown named credential Nowhere',
      'drift.js:1: unknown field Deal_Closure__c.Statuss__c',
      'drift.js:3: Drift.run is not an @AuraEnabled static method',
      'drift.js:4: unknown Apex class NoSuchController',
      'drift.js:5: unknown component c/noSuchHelper',
      'drift.js:6: unknown name Closure_Idd__c',
      'Drift.permissionset-meta.xml: unknown field Deal_Closure__c.Run_Idd__c',
      'Drift.permissionset-meta.xml: unknown object Deal_Approvall__c',
      'Drift.permissionset-meta.xml: unknown Apex class NoSuchClass',
      'Drift.permissionset-meta.xml: unknown tab No_Tab__c',
      'Drift.permissionset-meta.xml: unknown external credential principal Auth-Nobody',
      'Deal_Closure__c-Drift Layout.layout-meta.xml: unknown field Deal_Closure__c.Strategyy__c',
      'Deal_Closure__c-Drift Layout.layout-meta.xml: unknown related list Agent_Step__c.Deal_Closure__c on Deal_Closure__c',
      'Drift.flexipage-meta.xml: component drift is not exposed on record pages',
      'Drift.flexipage-meta.xml: unknown quick action Opportunity.Close_Deall',
      'Deal_Closure__c.workflow-meta.xml: Deal_Closure__c.Status__c has no picklist value Done',
      'Deal_Closure__c.Drift.approvalProcess-meta.xml: approver field Approverr__c is not a User lookup',
      'Deal_Closure__c.Drift.approvalProcess-meta.xml: unknown field update Set_Approved',
      'Rule.Finance.md-meta.xml: Rule__mdt.Role__c has no picklist value Treasury',
      'Rule.Finance.md-meta.xml: unknown field Rule__mdt.Min_Amountt__c',
      'drift.ts:1: unknown name Run_Idd__c',
    ];
    for (const message of expected) {
      assert.ok(messages.includes(message), `expected "${message}" among:\n${messages.join('\n')}`);
    }
    assert.ok(!messages.some((m) => m.includes('Drift.existing')), 'an existing @AuraEnabled method is fine');
  });

  it('reports SOQL that does not parse', () => {
    const schema = buildSchema(driftingProject().objects);
    assert.match(soqlProblems(schema, 'SELECT FROM WHERE')[0] ?? '', /SOQL does not parse/);
    assert.deepEqual(soqlProblems(schema, 'SELECT Id, Opportunity__r.Account.Name FROM Deal_Closure__c'), []);
  });
});
