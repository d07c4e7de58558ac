/**
 * Writing Approval_Rule__mdt records: one `customMetadata/Approval_Rule.<Name>.md-meta.xml` source
 * file per rule, in exactly the format force-app keeps them, deployed with
 * @salesforce/source-deploy-retrieve (the Metadata API; DML cannot write custom metadata).
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import type { ApprovalRule } from './rules.ts';

type XsdType = 'boolean' | 'double' | 'string';

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function xmlNumber(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

export function ruleToXml(rule: ApprovalRule): string {
  const values: [string, XsdType, string | null][] = [
    ['Active__c', 'boolean', String(rule.active)],
    ['Approver_Username__c', 'string', rule.approverUsername],
    ['Backup_Username__c', 'string', rule.backupUsername],
    ['Currency_Iso_Code__c', 'string', rule.currency],
    ['Depends_On__c', 'string', rule.dependsOn.length > 0 ? rule.dependsOn.join(',') : null],
    ['Min_Amount__c', 'double', rule.minAmount === null ? null : xmlNumber(rule.minAmount)],
    [
      'Min_Discount_Percent__c',
      'double',
      rule.minDiscountPercent === null ? null : xmlNumber(rule.minDiscountPercent),
    ],
    ['Requires_Custom_Terms__c', 'boolean', String(rule.requiresCustomTerms)],
    ['Requires_Legal_Review__c', 'boolean', String(rule.requiresLegalReview)],
    ['Requires_Security_Review__c', 'boolean', String(rule.requiresSecurityReview)],
    ['Role__c', 'string', rule.role],
    ['SLA_Hours__c', 'double', rule.slaHours === null ? null : xmlNumber(rule.slaHours)],
  ];
  const body = values
    .map(
      ([field, type, value]) =>
        `    <values>\n        <field>${field}</field>\n        ${
          value === null
            ? '<value xsi:nil="true"/>'
            : `<value xsi:type="xsd:${type}">${escapeXml(value)}</value>`
        }\n    </values>\n`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n' +
    `    <label>${escapeXml(rule.label)}</label>\n` +
    '    <protected>false</protected>\n' +
    body +
    '</CustomMetadata>\n'
  );
}

export async function writeRuleSources(dir: string, rules: ApprovalRule[]): Promise<string[]> {
  const folder = join(dir, 'main', 'default', 'customMetadata');
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  for (const rule of rules) {
    const file = join(folder, `Approval_Rule.${rule.name}.md-meta.xml`);
    await writeFile(file, ruleToXml(rule));
    files.push(file);
  }
  return files;
}

export interface DeployOutcome {
  id: string | undefined;
  status: string;
  deployed: string[];
}

/** Deploys a source directory; injected in unit tests, SDR against a real org. */
export type SourceDeployer = (conn: Connection, sourceDir: string) => Promise<DeployOutcome>;

export const sdrDeployer: SourceDeployer = async (conn, sourceDir) => {
  const set = ComponentSet.fromSource(sourceDir);
  const deploy = await set.deploy({ usernameOrConnection: conn });
  const result = await deploy.pollStatus();
  const failures = result.getFileResponses().filter((f) => f.state === 'Failed');
  if (!result.response.success || failures.length > 0)
    throw new SfError(
      `The Metadata API deploy ${result.response.id} failed: ${
        failures.map((f) => `${f.fullName}: ${'error' in f ? f.error : 'failed'}`).join('; ') ||
        result.response.errorMessage ||
        result.response.status
      }`,
      'DeployFailed',
    );
  return {
    id: result.response.id,
    status: String(result.response.status),
    deployed: result.getFileResponses().map((f) => `${f.type}:${f.fullName}`),
  };
};

export async function deployRules(
  conn: Connection,
  rules: ApprovalRule[],
  deployer: SourceDeployer = sdrDeployer,
): Promise<DeployOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'dealdesk-rules-'));
  try {
    await writeRuleSources(dir, rules);
    return await deployer(conn, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
