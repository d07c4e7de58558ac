/**
 * Where the Salesforce side of dealdesk lives and how the offline checks read it.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const FORCE_APP = join(ROOT, 'force-app');
export const DEFAULT_DIR = join(FORCE_APP, 'main', 'default');
export const PMD_LIB = join(ROOT, 'node_modules', '@salesforce', 'sfdx-scanner', 'dist', 'pmd7', 'lib');

/** Every file below `dir` whose path passes `keep` (paths are absolute). */
export function walk(dir: string, keep: (path: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (name === 'node_modules') return [];
      return statSync(path).isDirectory() ? walk(path, keep) : keep(path) ? [path] : [];
    });
}

/** A path relative to the repository root, with forward slashes, for messages. */
export function rel(path: string): string {
  return relative(ROOT, path).split(sep).join('/');
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** A source file of the project: where it is and what it says. */
export interface SourceFile {
  path: string;
  text: string;
}

export function sources(dir: string, keep: (path: string) => boolean): SourceFile[] {
  return walk(dir, keep).map((path) => ({ path: rel(path), text: read(path) }));
}

/** Apex sources (classes and triggers) of force-app. */
export function apexFiles(): SourceFile[] {
  return sources(FORCE_APP, (p) => p.endsWith('.cls') || p.endsWith('.trigger'));
}

/** Tags that may repeat in the metadata dealdesk reads, so the parser always returns arrays for them. */
const REPEATING = new Set([
  'action',
  'applicationVisibilities',
  'approvalStep',
  'approver',
  'classAccesses',
  'componentInstanceProperties',
  'criteriaItems',
  'customMetadataTypeAccesses',
  'externalCredentialParameters',
  'externalCredentialPrincipalAccesses',
  'field',
  'fieldPermissions',
  'fieldUpdates',
  'fields',
  'flexiPageRegions',
  'itemInstances',
  'layoutColumns',
  'layoutItems',
  'layoutSections',
  'namedCredentialParameters',
  'object',
  'objectPermissions',
  'actionOverrides',
  'relatedLists',
  'tabSettings',
  'tabs',
  'target',
  'targetConfig',
  'userPermissions',
  'value',
  'valueListItems',
  'values',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => REPEATING.has(name),
});

/** A metadata XML document as plain data: the root element's children. */
export type XmlNode = { [key: string]: unknown };

export function parseXml(text: string, root: string): XmlNode {
  const doc = parser.parse(text) as XmlNode;
  const body = doc[root];
  if (body === undefined || body === null || typeof body !== 'object') {
    throw new Error(`expected a <${root}> document`);
  }
  return body as XmlNode;
}

/** A child element as a list of nodes (empty when absent). */
export function nodes(node: XmlNode | undefined, key: string): XmlNode[] {
  const value = node?.[key];
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is XmlNode => typeof v === 'object' && v !== null);
}

/** A child element's text (the first one when repeated), or undefined. */
export function text(node: XmlNode | undefined, key: string): string | undefined {
  const value = node?.[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'object') {
    const inner = (first as XmlNode)['#text'];
    return inner === undefined ? undefined : String(inner);
  }
  return String(first);
}

/** Every text of a repeated child element. */
export function texts(node: XmlNode | undefined, key: string): string[] {
  const value = node?.[key];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) =>
    typeof v === 'object' && v !== null ? String((v as XmlNode)['#text'] ?? '') : String(v),
  );
}
