/**
 * The contracts force-app keeps with the rest of dealdesk and with issue 3: the approval process the middleware's
 * local org emulates, the credential that carries the middleware's API key, the default approval matrix and
 * settings, the HTTP calls Apex makes, and permission sets that grant what the code needs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_DIR, ROOT, nodes, parseXml, read, text, texts, type XmlNode } from './support/project.ts';
import { buildSchema } from './support/schema.ts';
import { loadProject, queryFields } from './support/cross-reference.ts';

const file = (...parts: string[]) => read(join(DEFAULT_DIR, ...parts));
const project = loadProject();
const schema = buildSchema(project.objects);

interface LocalApprovalProcess {
  developerName: string;
  object: string;
  approverField: string;
  onSubmit: Record<string, string>;
  onApprove: Record<string, string>;
  onReject: Record<string, string>;
  onRecall: Record<string, string>;
}

function fieldUpdate(name: string): { field: string; value: string } {
  const workflow = parseXml(file('workflows', 'Deal_Approval__c.workflow-meta.xml'), 'Workflow');
  const update = nodes(workflow, 'fieldUpdates').find((u) => text(u, 'fullName') === name);
  assert.ok(update, `field update ${name}`);
  const operation = text(update, 'operation');
  return {
    field: text(update, 'field') ?? '',
    value: operation === 'Formula' ? `=${text(update, 'formula')}` : (text(update, 'literalValue') ?? ''),
  };
}

function actions(doc: XmlNode, key: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const action of nodes(nodes(doc, key)[0], 'action')) {
    const update = fieldUpdate(text(action, 'name') ?? '');
    out[update.field] = update.value === '=NOW()' ? '$NOW' : update.value;
  }
  return out;
}

function permissionSet(name: string): XmlNode {
  return parseXml(file('permissionsets', `${name}.permissionset-meta.xml`), 'PermissionSet');
}

function fieldAccess(permissions: XmlNode): Map<string, { read: boolean; edit: boolean }> {
  return new Map(
    nodes(permissions, 'fieldPermissions').map((p) => [
      text(p, 'field') ?? '',
      { read: text(p, 'readable') === 'true', edit: text(p, 'editable') === 'true' },
    ]),
  );
}

function objectAccess(permissions: XmlNode, objectName: string): Record<string, boolean> {
  const perm = nodes(permissions, 'objectPermissions').find((p) => text(p, 'object') === objectName);
  const flag = (key: string) => text(perm, key) === 'true';
  return {
    create: flag('allowCreate'),
    read: flag('allowRead'),
    edit: flag('allowEdit'),
    delete: flag('allowDelete'),
    viewAll: flag('viewAllRecords'),
    modifyAll: flag('modifyAllRecords'),
  };
}

/** Custom objects of the dealdesk data model (not custom metadata, not events). */
const dataModel = [...schema.objects.values()].filter((o) => o.custom && o.name.endsWith('__c'));

describe('force-app contracts', () => {
  describe('approval process DealDesk_Deal_Approval', () => {
    const doc = parseXml(
      file('approvalProcesses', 'Deal_Approval__c.DealDesk_Deal_Approval.approvalProcess-meta.xml'),
      'ApprovalProcess',
    );

    it('routes to Approver__c, locks the record while pending and allows recall', () => {
      assert.equal(text(doc, 'active'), 'true');
      assert.equal(text(doc, 'recordEditability'), 'AdminOnly');
      assert.equal(text(doc, 'allowRecall'), 'true');
      const approvers = nodes(nodes(nodes(doc, 'approvalStep')[0], 'assignedApprover')[0], 'approver');
      assert.deepEqual(
        approvers.map((a) => [text(a, 'type'), text(a, 'name')]),
        [['relatedUserField', 'Approver__c']],
      );
    });

    it('sets exactly the statuses the middleware local org emulates', async () => {
      const modulePath = join(ROOT, 'packages', 'local-org', 'src', 'approvals.ts');
      const local = (await import(modulePath)) as { DEALDESK_APPROVAL_PROCESS: LocalApprovalProcess };
      const emulated = local.DEALDESK_APPROVAL_PROCESS;
      assert.equal(emulated.developerName, 'DealDesk_Deal_Approval');
      assert.equal(emulated.object, 'Deal_Approval__c');
      assert.equal(emulated.approverField, 'Approver__c');
      assert.deepEqual(actions(doc, 'initialSubmissionActions'), emulated.onSubmit);
      assert.deepEqual(actions(doc, 'finalApprovalActions'), emulated.onApprove);
      assert.deepEqual(actions(doc, 'finalRejectionActions'), emulated.onReject);
      assert.deepEqual(actions(doc, 'recallActions'), emulated.onRecall);
      assert.deepEqual(actions(doc, 'finalApprovalActions'), {
        Status__c: 'Approved',
        Decided_At__c: '$NOW',
      });
    });

    it('has email approval response enabled', () => {
      const settings = parseXml(
        file('settings', 'EmailAdministration.settings-meta.xml'),
        'EmailAdministrationSettings',
      );
      assert.equal(text(settings, 'enableEmailWorkflowApproval'), 'true');
    });
  });

  describe('middleware credential', () => {
    it('is a named credential on an external credential with a Bearer header from the ApiKey parameter', () => {
      const named = parseXml(
        file('namedCredentials', 'DealDesk_Middleware.namedCredential-meta.xml'),
        'NamedCredential',
      );
      assert.equal(text(named, 'namedCredentialType'), 'SecuredEndpoint');
      const params = nodes(named, 'namedCredentialParameters');
      assert.equal(
        text(
          params.find((p) => text(p, 'parameterType') === 'Url'),
          'parameterValue',
        ),
        'https://dealdesk-middleware.example.com',
      );
      assert.equal(
        text(
          params.find((p) => text(p, 'parameterType') === 'Authentication'),
          'externalCredential',
        ),
        'DealDesk_Middleware_Auth',
      );

      const external = parseXml(
        file('externalCredentials', 'DealDesk_Middleware_Auth.externalCredential-meta.xml'),
        'ExternalCredential',
      );
      assert.equal(text(external, 'authenticationProtocol'), 'Custom');
      const parameters = nodes(external, 'externalCredentialParameters');
      const principal = parameters.find((p) => text(p, 'parameterType') === 'NamedPrincipal');
      assert.equal(text(principal, 'parameterName'), 'Middleware');
      const header = parameters.find((p) => text(p, 'parameterType') === 'AuthHeader');
      assert.equal(text(header, 'parameterName'), 'Authorization');
      assert.equal(
        text(header, 'parameterValue'),
        "{!'Bearer ' & $Credential.DealDesk_Middleware_Auth.ApiKey}",
      );
    });

    it('keeps the key out of source', () => {
      const credentialFiles = [...project.namedCredentials, ...project.externalCredentials];
      for (const f of credentialFiles) {
        assert.doesNotMatch(f.text, /<password>|<parameterName>ApiKey<\/parameterName>/, f.path);
      }
      for (const f of project.apex) {
        assert.doesNotMatch(f.text, /setHeader\(\s*'Authorization'/i, `${f.path} sets Authorization itself`);
      }
    });
  });

  describe('Apex HTTP contract with the middleware', () => {
    const client = file('classes', 'DealDeskMiddlewareClient.cls');

    it('posts closures and decisions through the named credential with the agreed bodies', () => {
      assert.match(client, /NAMED_CREDENTIAL = 'DealDesk_Middleware'/);
      assert.match(client, /'callout:' \+ NAMED_CREDENTIAL/);
      assert.match(client, /CLOSURES_PATH = '\/v1\/closures'/);
      assert.match(client, /APPROVALS_PATH = '\/v1\/approvals\/'/);
      assert.match(client, /'\/decision'/);
      assert.match(client, /setHeader\('Idempotency-Key', closure\.Id\)/);
      assert.match(client, /setHeader\('Content-Type', 'application\/json'\)/);
      const fields = [...client.matchAll(/writeStringField\('(\w+)'/g)].map((m) => m[1]);
      assert.deepEqual(fields, [
        'opportunityId',
        'trigger',
        'note',
        'transcript',
        'dealClosureId',
        'decision',
        'comment',
        'actorId',
      ]);
    });
  });

  describe('custom metadata', () => {
    const records = new Map(
      project.customMetadata.map((f) => {
        const values: Record<string, string | null> = {};
        for (const value of nodes(parseXml(f.text, 'CustomMetadata'), 'values')) {
          const v = nodes(value, 'value')[0];
          values[text(value, 'field') ?? ''] =
            v && v['@xsi:nil'] === 'true' ? null : (text(value, 'value') ?? null);
        }
        return [f.path.split('/').pop()!.replace('.md-meta.xml', ''), values];
      }),
    );

    it('defines DealDesk_Setting__mdt with the Default record', () => {
      assert.equal(schema.field('DealDesk_Setting__mdt', 'Verbal_Commit_Stage__c')?.type, 'Text');
      assert.equal(schema.field('DealDesk_Setting__mdt', 'Auto_Start_On_Stage_Change__c')?.type, 'Checkbox');
      assert.equal(schema.field('DealDesk_Setting__mdt', 'Max_Callout_Attempts__c')?.type, 'Number');
      assert.match(
        file('objects', 'DealDesk_Setting__mdt', 'fields', 'Verbal_Commit_Stage__c.field-meta.xml'),
        /<length>40<\/length>/,
      );
      assert.match(
        file('objects', 'DealDesk_Setting__mdt', 'fields', 'Max_Callout_Attempts__c.field-meta.xml'),
        /<precision>2<\/precision>[\s\S]*<scale>0<\/scale>/,
      );
      assert.deepEqual(records.get('DealDesk_Setting.Default'), {
        Auto_Start_On_Stage_Change__c: 'true',
        Max_Callout_Attempts__c: '5.0',
        Verbal_Commit_Stage__c: 'Verbal Commit',
      });
    });

    it('ships the default approval matrix with approvers of the local demo org', () => {
      const expected: Record<string, Record<string, string | null>> = {
        Finance_Large_Deal: {
          Role__c: 'Finance',
          Min_Amount__c: '100000.0',
          Approver_Username__c: 'elena.petrova',
          Backup_Username__c: 'raj.patel',
        },
        Legal_Custom_Terms: {
          Role__c: 'Legal',
          Requires_Custom_Terms__c: 'true',
          Approver_Username__c: 'hannah.brooks',
          Backup_Username__c: 'oliver.grant',
        },
        Legal_Review_Flag: {
          Role__c: 'Legal',
          Requires_Legal_Review__c: 'true',
          Approver_Username__c: 'hannah.brooks',
          Backup_Username__c: 'oliver.grant',
        },
        Sales_VP_Discount: {
          Role__c: 'Sales_VP',
          Min_Discount_Percent__c: '15.0',
          Approver_Username__c: 'priya.raman',
          Backup_Username__c: 'claire.dubois',
        },
        InfoSec_Security_Clauses: {
          Role__c: 'InfoSec',
          Requires_Security_Review__c: 'true',
          Approver_Username__c: 'samuel.okafor',
          Backup_Username__c: 'mei.chen',
        },
        Executive_Large_Deal: {
          Role__c: 'Executive',
          Min_Amount__c: '500000.0',
          Depends_On__c: 'Legal,Finance',
          Approver_Username__c: 'marcus.bell',
          Backup_Username__c: 'laura.jennings',
        },
      };
      const seed = read(join(ROOT, 'packages', 'local-org', 'src', 'seed', 'demo-company.ts'));
      for (const [name, values] of Object.entries(expected)) {
        const record = records.get(`Approval_Rule.${name}`);
        assert.ok(record, `Approval_Rule.${name}`);
        for (const [field, value] of Object.entries(values)) {
          const actual: string | null | undefined = field.endsWith('Username__c')
            ? record[field]?.replace('@dealdesk-demo.example', '')
            : record[field];
          assert.equal(actual, value, `${name}.${field}`);
        }
        assert.equal(record.Active__c, 'true', `${name} is active`);
        assert.equal(record.Currency_Iso_Code__c, 'USD', `${name} is in USD`);
        assert.ok(Number(record.SLA_Hours__c) > 0, `${name} has an SLA`);
        for (const user of [values.Approver_Username__c, values.Backup_Username__c]) {
          assert.ok(seed.includes(`username: \`${user}@`), `${user} is a user of the local demo org`);
        }
      }
    });
  });

  describe('permission sets', () => {
    const names = ['DealDesk_User', 'DealDesk_Approver', 'DealDesk_Admin', 'DealDesk_Integration'];

    it('all let their users call the middleware through the external credential principal', () => {
      for (const name of names) {
        const principals = texts(
          nodes(permissionSet(name), 'externalCredentialPrincipalAccesses')[0],
          'externalCredentialPrincipal',
        );
        assert.deepEqual(principals, ['DealDesk_Middleware_Auth-Middleware'], name);
      }
    });

    it('give the integration user read and write on every field of the data model, regardless of sharing', () => {
      const integration = permissionSet('DealDesk_Integration');
      const access = fieldAccess(integration);
      for (const object of dataModel) {
        assert.deepEqual(
          objectAccess(integration, object.name),
          { create: true, read: true, edit: true, delete: true, viewAll: true, modifyAll: true },
          object.name,
        );
        for (const field of object.fields.values()) {
          if (!field.name.endsWith('__c') || field.required || field.type === 'MasterDetail') continue;
          assert.deepEqual(
            access.get(`${object.name}.${field.name}`),
            { read: true, edit: true },
            `${object.name}.${field.name}`,
          );
        }
      }
      const standardWithCustomFields = [...schema.objects.values()].filter((o) => !o.custom);
      for (const object of standardWithCustomFields) {
        for (const field of object.fields.values()) {
          if (!field.name.endsWith('__c')) continue;
          assert.deepEqual(
            access.get(`${object.name}.${field.name}`),
            { read: true, edit: true },
            `DealDesk_Integration needs read and edit on ${object.name}.${field.name}`,
          );
        }
      }
      assert.ok(objectAccess(integration, 'Opportunity').edit, 'Opportunity edit');
      assert.ok(objectAccess(integration, 'Contract').create, 'Contract create');
      assert.ok(objectAccess(integration, 'Deal_Closure_Event__e').create, 'publishes Deal_Closure_Event__e');
      // Tasks have no object permissions: creating the renewal-plan and kickoff Tasks needs Edit Tasks.
      assert.deepEqual(
        nodes(integration, 'userPermissions').map((n) => texts(n, 'name')[0]),
        ['ApiEnabled', 'EditTask'],
      );
    });

    it('let reps and approvers read every field the components read with user mode', () => {
      const userModeFields = project.apex
        .filter((f) => f.path.endsWith('Selector.cls'))
        .flatMap((f) => [...f.text.matchAll(/\[\s*(SELECT\b[\s\S]*?)\]/g)].map((m) => m[1]!))
        .filter((soql) => /WITH USER_MODE/.test(soql))
        .flatMap((soql) => queryFields(schema, soql))
        .filter((field) => field.split('.')[1]!.endsWith('__c'));
      assert.ok(userModeFields.length > 30, `${userModeFields.length} fields`);
      for (const name of ['DealDesk_User', 'DealDesk_Approver']) {
        const permissions = permissionSet(name);
        const access = fieldAccess(permissions);
        for (const field of new Set(userModeFields)) {
          const info = schema.field(field.split('.')[0]!, field.split('.')[1]!);
          if (info?.required || info?.type === 'MasterDetail') continue;
          assert.ok(access.get(field)?.read, `${name} reads ${field}`);
        }
        assert.ok(objectAccess(permissions, 'Deal_Closure_Event__e').read, `${name} reads the event stream`);
        const classes = texts(nodes(permissions, 'classAccesses')[0], 'apexClass');
        assert.ok(
          nodes(permissions, 'classAccesses').some((c) => text(c, 'apexClass') === 'DealDeskController'),
          `${name} may call DealDeskController (${classes.join(', ')})`,
        );
      }
    });

    it('let reps create closures with the fields Close Deal sets', () => {
      const rep = permissionSet('DealDesk_User');
      assert.ok(objectAccess(rep, 'Deal_Closure__c').create, 'create Deal_Closure__c');
      const access = fieldAccess(rep);
      for (const field of ['Opportunity__c', 'Trigger__c', 'Note__c', 'Transcript__c', 'Started_At__c']) {
        assert.ok(access.get(`Deal_Closure__c.${field}`)?.edit, `edit Deal_Closure__c.${field}`);
      }
      assert.ok(!access.get('Deal_Closure__c.Run_Id__c')?.edit, 'reps do not write the run id');
    });
  });

  describe('user interface', () => {
    it('offers Close Deal as a screen quick action on Opportunity', () => {
      const action = parseXml(
        file('quickActions', 'Opportunity.Close_Deal.quickAction-meta.xml'),
        'QuickAction',
      );
      assert.equal(text(action, 'type'), 'LightningWebComponent');
      assert.equal(text(action, 'actionSubtype'), 'ScreenAction');
      assert.equal(text(action, 'lightningWebComponent'), 'closeDeal');
      const bundle = parseXml(file('lwc', 'closeDeal', 'closeDeal.js-meta.xml'), 'LightningComponentBundle');
      assert.equal(
        text(nodes(nodes(bundle, 'targetConfigs')[0], 'targetConfig')[0], 'actionType'),
        'ScreenAction',
      );
    });

    it('places the timeline on Opportunity and Deal Closure record pages', () => {
      for (const [page, objectName] of [
        ['DealDesk_Opportunity_Record_Page', 'Opportunity'],
        ['Deal_Closure_Record_Page', 'Deal_Closure__c'],
      ] as const) {
        const flexipage = file('flexipages', `${page}.flexipage-meta.xml`);
        assert.match(flexipage, new RegExp(`<sobjectType>${objectName}</sobjectType>`));
        assert.match(flexipage, /<componentName>dealClosureTimeline<\/componentName>/);
      }
      assert.match(
        file('flexipages', 'DealDesk_Opportunity_Record_Page.flexipage-meta.xml'),
        /<value>Opportunity\.Close_Deal<\/value>/,
      );
    });

    it('has a tab and a page layout for every custom object', () => {
      const tabs = new Set(project.tabs.map((f) => f.path.split('/').pop()!.replace('.tab-meta.xml', '')));
      const layouts = new Set(project.layouts.map((f) => f.path.split('/').pop()!.split('-')[0]));
      for (const object of dataModel) {
        assert.ok(tabs.has(object.name), `tab ${object.name}`);
        assert.ok(layouts.has(object.name), `layout ${object.name}`);
      }
    });
  });
});
