/**
 * The cross-reference check: every object, field, relationship, Apex class, @AuraEnabled method, component, tab,
 * action, field update and credential that force-app (Apex, LWC, permission sets, layouts, flexipages, quick
 * actions, the approval process, custom metadata records, the app) and the middleware name must exist. Name drift
 * between the parts is the classic integration bug; this finds it without an org.
 */
import { parseQuery, type Query } from '@jetstreamapp/soql-parser-js';
import {
  DEFAULT_DIR,
  ROOT,
  nodes,
  parseXml,
  sources,
  text,
  texts,
  type SourceFile,
  type XmlNode,
} from './project.ts';
import { buildSchema, type Schema } from './schema.ts';
import { STANDARD_LAYOUT_FIELDS, STANDARD_RELATED_LISTS } from './standard-schema.ts';
import { join } from 'node:path';

/** Everything the check reads, as file path and content. */
export interface Project {
  objects: SourceFile[];
  apex: SourceFile[];
  lwc: SourceFile[];
  permissionSets: SourceFile[];
  layouts: SourceFile[];
  flexipages: SourceFile[];
  quickActions: SourceFile[];
  approvalProcesses: SourceFile[];
  workflows: SourceFile[];
  customMetadata: SourceFile[];
  applications: SourceFile[];
  tabs: SourceFile[];
  namedCredentials: SourceFile[];
  externalCredentials: SourceFile[];
  middleware: SourceFile[];
}

/** A reference to something that does not exist. */
export interface Problem {
  source: string;
  message: string;
}

/** Custom API names: objects, fields, relationships, custom metadata types and platform events. */
export const CUSTOM_TOKEN = /\b[A-Z][A-Za-z0-9_]*__(c|r|mdt|e)\b/g;

const meta = (suffix: string) => (p: string) => p.endsWith(suffix);

/** Reads the real project: force-app/main/default, and the middleware and shared-contract sources outside tests and the local org. */
export function loadProject(): Project {
  const dir = (name: string) => join(DEFAULT_DIR, name);
  return {
    objects: sources(dir('objects'), meta('-meta.xml')),
    apex: sources(DEFAULT_DIR, (p) => p.endsWith('.cls') || p.endsWith('.trigger')),
    lwc: sources(dir('lwc'), (p) => !p.includes('__tests__') && /\.(js|html|js-meta\.xml)$/.test(p)),
    permissionSets: sources(dir('permissionsets'), meta('.permissionset-meta.xml')),
    layouts: sources(dir('layouts'), meta('.layout-meta.xml')),
    flexipages: sources(dir('flexipages'), meta('.flexipage-meta.xml')),
    quickActions: sources(dir('quickActions'), meta('.quickAction-meta.xml')),
    approvalProcesses: sources(dir('approvalProcesses'), meta('.approvalProcess-meta.xml')),
    workflows: sources(dir('workflows'), meta('.workflow-meta.xml')),
    customMetadata: sources(dir('customMetadata'), meta('.md-meta.xml')),
    applications: sources(dir('applications'), meta('.app-meta.xml')),
    tabs: sources(dir('tabs'), meta('.tab-meta.xml')),
    namedCredentials: sources(dir('namedCredentials'), meta('.namedCredential-meta.xml')),
    externalCredentials: sources(dir('externalCredentials'), meta('.externalCredential-meta.xml')),
    // The shared contracts name fields too (the playbook suggestion's), so they are checked with the middleware.
    middleware: [
      ...sources(
        join(ROOT, 'middleware', 'src'),
        (p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.includes('/middleware/src/local/'),
      ),
      ...sources(
        join(ROOT, 'packages', 'contracts', 'src'),
        (p) => p.endsWith('.ts') && !p.endsWith('.test.ts'),
      ),
    ],
  };
}

/** The base name of a metadata file: `classes/Foo.cls` → Foo, `tabs/X__c.tab-meta.xml` → X__c. */
export function baseName(path: string, suffix: string): string {
  const file = path.split('/').pop() ?? path;
  return file.endsWith(suffix) ? file.slice(0, -suffix.length) : file;
}

function lineOf(source: string, index: number): number {
  return source.slice(0, index).split('\n').length;
}

/** What the Apex classes offer the LWC: class names and their @AuraEnabled static methods. */
export function apexClasses(apex: SourceFile[]): Map<string, { name: string; auraMethods: Set<string> }> {
  const classes = new Map<string, { name: string; auraMethods: Set<string> }>();
  for (const file of apex.filter((f) => f.path.endsWith('.cls'))) {
    const name = baseName(file.path, '.cls');
    const auraMethods = new Set<string>();
    const aura = /@AuraEnabled(?:\s*\([^)]*\))?\s+(?:public|global)\s+static\s+[\w<>,.\s]+?\s+(\w+)\s*\(/gi;
    for (const m of file.text.matchAll(aura)) auraMethods.add(m[1]!.toLowerCase());
    classes.set(name.toLowerCase(), { name, auraMethods });
  }
  return classes;
}

/** Checks one SOQL query against the schema. */
export function soqlProblems(schema: Schema, soql: string): string[] {
  let query: Query;
  try {
    query = parseQuery(soql, { allowApexBindVariables: true });
  } catch (e) {
    return [`SOQL does not parse (${(e as Error).message.split('\n')[0]}): ${soql.replace(/\s+/g, ' ')}`];
  }
  return queryProblems(schema, query, query.sObject ?? '');
}

function queryProblems(schema: Schema, query: Query, objectName: string): string[] {
  if (!schema.object(objectName)) return [`unknown object ${objectName}`];
  const problems: string[] = [];
  const checkPath = (path: string) => {
    const missing = schema.missingInPath(objectName, path);
    if (missing) problems.push(`unknown field ${missing}`);
  };
  for (const field of query.fields ?? []) {
    if (field.type === 'Field') checkPath(field.field);
    else if (field.type === 'FieldRelationship')
      checkPath(field.rawValue ?? [...field.relationships, field.field].join('.'));
    else if (field.type === 'FieldSubquery') {
      const relationship = field.subquery.relationshipName;
      const child = schema.childObject(objectName, relationship);
      if (!child) problems.push(`unknown child relationship ${objectName}.${relationship}`);
      else problems.push(...queryProblems(schema, field.subquery as Query, child));
    }
  }
  const visitWhere = (where: unknown) => {
    if (!where || typeof where !== 'object') return;
    const clause = where as { left?: { field?: unknown; valueQuery?: Query } | null; right?: unknown };
    const left = clause.left;
    if (left && typeof left.field === 'string') checkPath(left.field);
    if (left?.valueQuery)
      problems.push(...queryProblems(schema, left.valueQuery, left.valueQuery.sObject ?? ''));
    visitWhere(clause.right);
  };
  visitWhere(query.where);
  const orderBy = Array.isArray(query.orderBy) ? query.orderBy : query.orderBy ? [query.orderBy] : [];
  for (const order of orderBy)
    if ('field' in order && typeof order.field === 'string') checkPath(order.field);
  return problems;
}

/** The text between an opening parenthesis at `open` and its match. */
function parenthesized(source: string, open: number): string {
  let depth = 0;
  let inString = false;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return '';
}

/** Top-level `Name = value` pairs of an SObject constructor's arguments. */
function constructorFields(args: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  const parts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if ('({['.includes(c!)) depth++;
    else if (')}]'.includes(c!)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(args.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(args.slice(start));
  for (const part of parts) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)/.exec(part);
    if (m) fields.push(m[1]!);
  }
  return fields;
}

/** References in Apex: SOQL, SObject constructors, `Object.Field__c` tokens, custom names, named credentials. */
export function apexProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  const namedCredentials = new Set(
    project.namedCredentials.map((f) => baseName(f.path, '.namedCredential-meta.xml').toLowerCase()),
  );
  for (const file of project.apex) {
    const at = (index: number) => `${file.path}:${lineOf(file.text, index)}`;
    for (const m of file.text.matchAll(/\[\s*(SELECT\b[\s\S]*?)\]/gi)) {
      for (const message of soqlProblems(schema, m[1]!)) problems.push({ source: at(m.index), message });
    }
    for (const m of file.text.matchAll(/'(SELECT\s[^']*)'/gi)) {
      for (const message of soqlProblems(schema, m[1]!)) problems.push({ source: at(m.index), message });
    }
    for (const m of file.text.matchAll(/\bnew\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
      const objectName = m[1]!;
      const info = schema.object(objectName);
      if (!info || info.name !== objectName) continue;
      const open = m.index + m[0].length - 1;
      for (const field of constructorFields(parenthesized(file.text, open))) {
        if (!schema.field(objectName, field)) {
          problems.push({ source: at(m.index), message: `unknown field ${objectName}.${field}` });
        }
      }
    }
    for (const m of file.text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*__c)\b/g)) {
      const info = schema.object(m[1]!);
      if (info && info.name === m[1] && !schema.field(m[1]!, m[2]!)) {
        problems.push({ source: at(m.index), message: `unknown field ${m[1]}.${m[2]}` });
      }
    }
    for (const m of file.text.matchAll(CUSTOM_TOKEN)) {
      if (!schema.knows(m[0])) problems.push({ source: at(m.index), message: `unknown name ${m[0]}` });
    }
    const calloutNames = [
      ...[...file.text.matchAll(/'callout:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1]!, index: m.index })),
      ...[...file.text.matchAll(/NAMED_CREDENTIAL\s*=\s*'([A-Za-z0-9_]+)'/g)].map((m) => ({
        name: m[1]!,
        index: m.index,
      })),
    ];
    for (const { name, index } of calloutNames) {
      if (!namedCredentials.has(name.toLowerCase())) {
        problems.push({ source: at(index), message: `unknown named credential ${name}` });
      }
    }
  }
  return problems;
}

/** References in Lightning web components: schema and Apex imports, components, custom names. */
export function lwcProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  const classes = apexClasses(project.apex);
  const components = new Set(
    project.lwc.filter((f) => f.path.endsWith('.js-meta.xml')).map((f) => f.path.split('/').slice(-2)[0]!),
  );
  for (const file of project.lwc.filter((f) => !f.path.endsWith('.js-meta.xml'))) {
    const at = (index: number) => `${file.path}:${lineOf(file.text, index)}`;
    for (const m of file.text.matchAll(
      /['"]@salesforce\/schema\/([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_.]+))?['"]/g,
    )) {
      const [, objectName, path] = m;
      if (!schema.object(objectName!))
        problems.push({ source: at(m.index), message: `unknown object ${objectName}` });
      else if (path) {
        const missing = schema.missingInPath(objectName!, path);
        if (missing) problems.push({ source: at(m.index), message: `unknown field ${missing}` });
      }
    }
    for (const m of file.text.matchAll(/['"]@salesforce\/apex\/([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)['"]/g)) {
      const [, className, method] = m;
      const cls = classes.get(className!.toLowerCase());
      if (!cls) problems.push({ source: at(m.index), message: `unknown Apex class ${className}` });
      else if (!cls.auraMethods.has(method!.toLowerCase())) {
        problems.push({
          source: at(m.index),
          message: `${className}.${method} is not an @AuraEnabled static method`,
        });
      }
    }
    for (const m of file.text.matchAll(/['"]c\/([A-Za-z0-9_]+)['"]/g)) {
      if (!components.has(m[1]!))
        problems.push({ source: at(m.index), message: `unknown component c/${m[1]}` });
    }
    for (const m of file.text.matchAll(CUSTOM_TOKEN)) {
      if (!schema.knows(m[0])) problems.push({ source: at(m.index), message: `unknown name ${m[0]}` });
    }
  }
  for (const file of project.lwc.filter((f) => f.path.endsWith('.js-meta.xml'))) {
    const doc = parseXml(file.text, 'LightningComponentBundle');
    for (const config of nodes(nodes(doc, 'targetConfigs')[0], 'targetConfig')) {
      for (const objectName of texts(nodes(config, 'objects')[0], 'object')) {
        if (!schema.object(objectName))
          problems.push({ source: file.path, message: `unknown object ${objectName}` });
      }
    }
  }
  return problems;
}

/** References in permission sets. */
export function permissionSetProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  const classes = apexClasses(project.apex);
  const tabs = new Set(project.tabs.map((f) => baseName(f.path, '.tab-meta.xml')));
  const apps = new Set(project.applications.map((f) => baseName(f.path, '.app-meta.xml')));
  const principals = externalCredentialPrincipals(project);
  for (const file of project.permissionSets) {
    const doc = parseXml(file.text, 'PermissionSet');
    const report = (message: string) => problems.push({ source: file.path, message });
    for (const perm of nodes(doc, 'fieldPermissions')) {
      const [objectName, fieldName] = (text(perm, 'field') ?? '').split('.');
      const field = schema.field(objectName ?? '', fieldName ?? '');
      if (!field) report(`unknown field ${text(perm, 'field')}`);
      else if (field.required || field.type === 'MasterDetail') {
        report(`${text(perm, 'field')} is required or master-detail: it takes no field permissions`);
      }
    }
    for (const perm of nodes(doc, 'objectPermissions')) {
      if (!schema.object(text(perm, 'object') ?? '')) report(`unknown object ${text(perm, 'object')}`);
    }
    for (const access of nodes(doc, 'classAccesses')) {
      if (!classes.has((text(access, 'apexClass') ?? '').toLowerCase())) {
        report(`unknown Apex class ${text(access, 'apexClass')}`);
      }
    }
    for (const access of nodes(doc, 'customMetadataTypeAccesses')) {
      if (!schema.object(text(access, 'name') ?? ''))
        report(`unknown custom metadata type ${text(access, 'name')}`);
    }
    for (const setting of nodes(doc, 'tabSettings')) {
      const tab = text(setting, 'tab') ?? '';
      if (!tab.startsWith('standard-') && !tabs.has(tab)) report(`unknown tab ${tab}`);
    }
    for (const visibility of nodes(doc, 'applicationVisibilities')) {
      if (!apps.has(text(visibility, 'application') ?? ''))
        report(`unknown app ${text(visibility, 'application')}`);
    }
    for (const access of nodes(doc, 'externalCredentialPrincipalAccesses')) {
      const principal = text(access, 'externalCredentialPrincipal') ?? '';
      if (!principals.has(principal)) report(`unknown external credential principal ${principal}`);
    }
  }
  return problems;
}

/** `ExternalCredential-Principal` names the external credentials define. */
function externalCredentialPrincipals(project: Project): Set<string> {
  const principals = new Set<string>();
  for (const file of project.externalCredentials) {
    const name = baseName(file.path, '.externalCredential-meta.xml');
    const doc = parseXml(file.text, 'ExternalCredential');
    for (const param of nodes(doc, 'externalCredentialParameters')) {
      const type = text(param, 'parameterType');
      if (type === 'NamedPrincipal' || type === 'PerUserPrincipal')
        principals.add(`${name}-${text(param, 'parameterName')}`);
    }
  }
  return principals;
}

/** References in page layouts: fields and related lists. */
export function layoutProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const file of project.layouts) {
    const objectName = baseName(file.path, '.layout-meta.xml').split('-')[0]!;
    const report = (message: string) => problems.push({ source: file.path, message });
    if (!schema.object(objectName)) {
      report(`unknown object ${objectName}`);
      continue;
    }
    const doc = parseXml(file.text, 'Layout');
    for (const section of nodes(doc, 'layoutSections')) {
      for (const column of nodes(section, 'layoutColumns')) {
        for (const item of nodes(column, 'layoutItems')) {
          const field = text(item, 'field');
          if (field && !STANDARD_LAYOUT_FIELDS.includes(field) && !schema.field(objectName, field)) {
            report(`unknown field ${objectName}.${field}`);
          }
        }
      }
    }
    for (const list of nodes(doc, 'relatedLists')) {
      const name = text(list, 'relatedList') ?? '';
      if (STANDARD_RELATED_LISTS.includes(name)) continue;
      const [child, lookup] = name.split('.');
      const field = schema.field(child ?? '', lookup ?? '');
      if (!field || field.referenceTo?.toLowerCase() !== objectName.toLowerCase()) {
        report(`unknown related list ${name} on ${objectName}`);
        continue;
      }
      for (const column of texts(list, 'fields')) {
        if (column !== 'NAME' && !schema.field(child!, column)) report(`unknown field ${child}.${column}`);
      }
    }
  }
  return problems;
}

/** References in Lightning pages, quick actions, tabs and the app. */
export function uiProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  const bundles = new Map<string, XmlNode>();
  for (const file of project.lwc.filter((f) => f.path.endsWith('.js-meta.xml'))) {
    bundles.set(file.path.split('/').slice(-2)[0]!, parseXml(file.text, 'LightningComponentBundle'));
  }
  const targetsOf = (bundle: XmlNode) => texts(nodes(bundle, 'targets')[0], 'target');
  const quickActions = new Set(project.quickActions.map((f) => baseName(f.path, '.quickAction-meta.xml')));
  const flexipages = new Map<string, string>();
  for (const file of project.flexipages) {
    const doc = parseXml(file.text, 'FlexiPage');
    const objectName = text(doc, 'sobjectType') ?? '';
    flexipages.set(baseName(file.path, '.flexipage-meta.xml'), objectName);
    const report = (message: string) => problems.push({ source: file.path, message });
    if (objectName && !schema.object(objectName)) report(`unknown object ${objectName}`);
    for (const region of nodes(doc, 'flexiPageRegions')) {
      for (const item of nodes(region, 'itemInstances')) {
        for (const component of nodes(item, 'componentInstance')) {
          const name = text(component, 'componentName') ?? '';
          if (!name.includes(':')) {
            const bundle = bundles.get(name);
            if (!bundle) report(`unknown component ${name}`);
            else if (
              text(bundle, 'isExposed') !== 'true' ||
              !targetsOf(bundle).includes('lightning__RecordPage')
            ) {
              report(`component ${name} is not exposed on record pages`);
            }
          }
          for (const property of nodes(component, 'componentInstanceProperties')) {
            if (text(property, 'name') !== 'actionNames') continue;
            for (const entry of nodes(nodes(property, 'valueList')[0], 'valueListItems')) {
              const action = text(entry, 'value') ?? '';
              if (action.includes('.') && !quickActions.has(action)) report(`unknown quick action ${action}`);
            }
          }
        }
      }
    }
  }
  for (const file of project.quickActions) {
    const objectName = baseName(file.path, '.quickAction-meta.xml').split('.')[0]!;
    const doc = parseXml(file.text, 'QuickAction');
    if (!schema.object(objectName))
      problems.push({ source: file.path, message: `unknown object ${objectName}` });
    const component = text(doc, 'lightningWebComponent');
    if (component) {
      const bundle = bundles.get(component);
      if (!bundle) problems.push({ source: file.path, message: `unknown component ${component}` });
      else if (!targetsOf(bundle).includes('lightning__RecordAction')) {
        problems.push({ source: file.path, message: `component ${component} is not a record action` });
      }
    }
  }
  const tabs = new Set<string>();
  for (const file of project.tabs) {
    const name = baseName(file.path, '.tab-meta.xml');
    tabs.add(name);
    if (text(parseXml(file.text, 'CustomTab'), 'customObject') === 'true' && !schema.object(name)) {
      problems.push({ source: file.path, message: `unknown object ${name}` });
    }
  }
  for (const file of project.applications) {
    const doc = parseXml(file.text, 'CustomApplication');
    for (const tab of texts(doc, 'tabs')) {
      const ok = tab.startsWith('standard-') ? schema.object(tab.slice('standard-'.length)) : tabs.has(tab);
      if (!ok) problems.push({ source: file.path, message: `unknown tab ${tab}` });
    }
    for (const override of nodes(doc, 'actionOverrides')) {
      const page = text(override, 'content') ?? '';
      const objectName = text(override, 'pageOrSobjectType') ?? '';
      if (!flexipages.has(page))
        problems.push({ source: file.path, message: `unknown Lightning page ${page}` });
      else if (flexipages.get(page) !== objectName) {
        problems.push({
          source: file.path,
          message: `Lightning page ${page} is not a ${objectName} record page`,
        });
      }
    }
  }
  const externalCredentials = new Set(
    project.externalCredentials.map((f) => baseName(f.path, '.externalCredential-meta.xml')),
  );
  for (const file of project.namedCredentials) {
    const doc = parseXml(file.text, 'NamedCredential');
    for (const param of nodes(doc, 'namedCredentialParameters')) {
      const ec = text(param, 'externalCredential');
      if (ec && !externalCredentials.has(ec)) {
        problems.push({ source: file.path, message: `unknown external credential ${ec}` });
      }
    }
  }
  return problems;
}

/** References in the approval process, its field updates and the custom metadata records. */
export function automationProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  const fieldUpdates = new Map<string, Set<string>>();
  for (const file of project.workflows) {
    const objectName = baseName(file.path, '.workflow-meta.xml');
    const names = new Set<string>();
    fieldUpdates.set(objectName, names);
    for (const update of nodes(parseXml(file.text, 'Workflow'), 'fieldUpdates')) {
      names.add(text(update, 'fullName') ?? '');
      const fieldName = text(update, 'field') ?? '';
      const field = schema.field(objectName, fieldName);
      const literal = text(update, 'literalValue');
      if (!field) problems.push({ source: file.path, message: `unknown field ${objectName}.${fieldName}` });
      else if (literal !== undefined && field.picklistValues && !field.picklistValues.includes(literal)) {
        problems.push({
          source: file.path,
          message: `${objectName}.${fieldName} has no picklist value ${literal}`,
        });
      }
    }
  }
  for (const file of project.approvalProcesses) {
    const objectName = baseName(file.path, '.approvalProcess-meta.xml').split('.')[0]!;
    const doc = parseXml(file.text, 'ApprovalProcess');
    const report = (message: string) => problems.push({ source: file.path, message });
    if (!schema.object(objectName)) report(`unknown object ${objectName}`);
    for (const field of texts(nodes(doc, 'approvalPageFields')[0], 'field')) {
      if (!schema.field(objectName, field)) report(`unknown field ${objectName}.${field}`);
    }
    const actionLists: XmlNode[] = [
      ...[
        'initialSubmissionActions',
        'finalApprovalActions',
        'finalRejectionActions',
        'recallActions',
      ].flatMap((key) => nodes(doc, key)),
    ];
    for (const step of nodes(doc, 'approvalStep')) {
      actionLists.push(...nodes(step, 'approvalActions'), ...nodes(step, 'rejectionActions'));
      for (const approver of nodes(nodes(step, 'assignedApprover')[0], 'approver')) {
        if (text(approver, 'type') !== 'relatedUserField') continue;
        const field = schema.field(objectName, text(approver, 'name') ?? '');
        if (!field || field.referenceTo !== 'User')
          report(`approver field ${text(approver, 'name')} is not a User lookup`);
      }
    }
    for (const list of actionLists) {
      for (const action of nodes(list, 'action')) {
        const name = text(action, 'name') ?? '';
        if (text(action, 'type') === 'FieldUpdate' && !fieldUpdates.get(objectName)?.has(name)) {
          report(`unknown field update ${name}`);
        }
      }
    }
    const formula = text(nodes(doc, 'entryCriteria')[0], 'formula') ?? '';
    for (const m of formula.matchAll(CUSTOM_TOKEN)) {
      if (!schema.field(objectName, m[0])) report(`unknown field ${objectName}.${m[0]}`);
    }
  }
  for (const file of project.customMetadata) {
    const [typeName] = baseName(file.path, '.md-meta.xml').split('.');
    const objectName = `${typeName}__mdt`;
    if (!schema.object(objectName)) {
      problems.push({ source: file.path, message: `unknown custom metadata type ${objectName}` });
      continue;
    }
    for (const value of nodes(parseXml(file.text, 'CustomMetadata'), 'values')) {
      const fieldName = text(value, 'field') ?? '';
      const field = schema.field(objectName, fieldName);
      const literal = text(value, 'value');
      if (!field) problems.push({ source: file.path, message: `unknown field ${objectName}.${fieldName}` });
      else if (literal && field.picklistValues && !field.picklistValues.includes(literal)) {
        problems.push({
          source: file.path,
          message: `${objectName}.${fieldName} has no picklist value ${literal}`,
        });
      }
    }
  }
  return problems;
}

/** Custom names the middleware uses (outside its tests and the local org) must exist in force-app. */
export function middlewareProblems(schema: Schema, project: Project): Problem[] {
  const problems: Problem[] = [];
  for (const file of project.middleware) {
    for (const m of file.text.matchAll(CUSTOM_TOKEN)) {
      if (!schema.knows(m[0])) {
        problems.push({
          source: `${file.path}:${lineOf(file.text, m.index)}`,
          message: `unknown name ${m[0]}`,
        });
      }
    }
  }
  return problems;
}

/** Runs every check over a project. */
export function checkReferences(project: Project): Problem[] {
  const schema = buildSchema(project.objects);
  return [
    ...apexProblems(schema, project),
    ...lwcProblems(schema, project),
    ...permissionSetProblems(schema, project),
    ...layoutProblems(schema, project),
    ...uiProblems(schema, project),
    ...automationProblems(schema, project),
    ...middlewareProblems(schema, project),
  ];
}

/** Problems as one readable list for an assertion message. */
export function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `  ${p.source}: ${p.message}`).join('\n');
}

/** The `Object.Field` pairs a SOQL query reads, with relationship paths and subqueries resolved. */
export function queryFields(schema: Schema, soql: string): string[] {
  const query = parseQuery(soql, { allowApexBindVariables: true });
  const out: string[] = [];
  const resolve = (objectName: string, path: string) => {
    const parts = path.split('.');
    let current = objectName;
    for (const part of parts.slice(0, -1)) {
      const parent = schema.object(current)?.parents.get(part.toLowerCase());
      if (!parent) return;
      current = parent;
    }
    const field = schema.field(current, parts[parts.length - 1]!);
    if (field) out.push(`${schema.object(current)!.name}.${field.name}`);
  };
  const visit = (q: Query, objectName: string) => {
    for (const field of q.fields ?? []) {
      if (field.type === 'Field') resolve(objectName, field.field);
      else if (field.type === 'FieldRelationship') {
        resolve(objectName, field.rawValue ?? [...field.relationships, field.field].join('.'));
      } else if (field.type === 'FieldSubquery') {
        const child = schema.childObject(objectName, field.subquery.relationshipName);
        if (child) visit(field.subquery as Query, child);
      }
    }
  };
  visit(query, query.sObject ?? '');
  return out;
}
