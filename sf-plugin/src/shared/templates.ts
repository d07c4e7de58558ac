/**
 * The contract library (config/contracts: the Mustache contract template and clauses.json) as
 * versioned Salesforce Files. Each pushed file is a ContentVersion keyed by
 * `DealDesk_Key__c = dealdesk-template:<file>:<sha256>`; a changed file becomes a new version of
 * the same ContentDocument, an unchanged one is not pushed again (the unique key would refuse it).
 * Legal sees every version, with who pushed it and when, in Salesforce.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '@salesforce/core';
import { SfError } from '@salesforce/core';
import Mustache from 'mustache';
import { z } from 'zod';
import {
  checkCondition,
  ClausesFileSchema,
  RequestsFileSchema,
  soqlString,
  TemplatesFileSchema,
} from '@dealdesk/contracts';
import { queryAll } from './soql.ts';

export const DEFAULT_LIBRARY_DIR = fileURLToPath(new URL('../../../config/contracts', import.meta.url));
const KEY_PREFIX = 'dealdesk-template:';

// The library files are checked with the schemas the middleware loads them with, so a push the
// org accepts is a library the middleware accepts: shapes, condition facts and operators.
const FILE_SCHEMAS = {
  'clauses.json': ClausesFileSchema,
  'templates.json': TemplatesFileSchema,
  'requests.json': RequestsFileSchema,
} as const;

export interface LibraryFile {
  file: string;
  content: string;
  sha256: string;
  /** The clause library version (clauses.json) or null for templates. */
  libraryVersion: string | null;
}

export type TemplateVersion = {
  file: string;
  versionNumber: string;
  latest: boolean;
  sha256: string;
  libraryVersion: string | null;
  contentVersionId: string;
  contentDocumentId: string | null;
  createdDate: string;
};

function mustacheProblem(text: string): string | null {
  try {
    Mustache.parse(text);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Problems with one JSON file of the library, each with its path; ids and bodies are checked even when another field is wrong, so one run lists every problem. */
function libraryFileProblems(
  file: keyof typeof FILE_SCHEMAS,
  json: unknown,
): { problems: string[]; version: string | null } {
  const problems: string[] = [];
  const parsed = FILE_SCHEMAS[file].safeParse(json);
  if (!parsed.success)
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  else if ('clauses' in parsed.data)
    parsed.data.clauses.forEach((c, i) => problems.push(...checkCondition(c.when, `clauses.${i}.when`)));
  else if ('templates' in parsed.data)
    parsed.data.templates.forEach((t, i) => problems.push(...checkCondition(t.when, `templates.${i}.when`)));
  if (file !== 'clauses.json') return { problems, version: null };
  const raw = (json as { clauses?: unknown } | null)?.clauses;
  const seen = new Set<string>();
  (Array.isArray(raw) ? raw : []).forEach((c: unknown, i) => {
    const { id, body } = (c ?? {}) as { id?: unknown; body?: unknown };
    if (typeof id === 'string') {
      if (seen.has(id)) problems.push(`clauses.${i}.id: duplicate clause id ${id}`);
      seen.add(id);
    }
    const bad = typeof body === 'string' ? mustacheProblem(body) : null;
    if (bad) problems.push(`clauses.${i}.body (${String(id)}): ${bad}`);
  });
  return { problems, version: parsed.success && 'version' in parsed.data ? parsed.data.version : null };
}

/** Reads and validates every file of the library; all problems at once, nothing pushed on any. */
export async function readLibrary(dir: string): Promise<LibraryFile[]> {
  let names: string[];
  try {
    // Templates, their partials and the JSON data files: everything the middleware reads.
    names = (await readdir(dir, { recursive: true }))
      .map((f) => f.split('\\').join('/'))
      .filter((f) => f.endsWith('.mustache') || f in FILE_SCHEMAS)
      .sort();
  } catch (err) {
    throw new SfError(
      `Cannot read the contract library ${dir}: ${(err as Error).message}`,
      'LibraryUnreadable',
    );
  }
  const problems: string[] = [];
  if (!names.includes('clauses.json')) problems.push('clauses.json is missing');
  if (!names.some((n) => n.endsWith('.mustache'))) problems.push('no contract template (*.mustache)');
  const files: LibraryFile[] = [];
  for (const file of names) {
    const content = await readFile(join(dir, file), 'utf8');
    let libraryVersion: string | null = null;
    if (file in FILE_SCHEMAS) {
      let json: unknown;
      try {
        json = JSON.parse(content);
      } catch (err) {
        problems.push(`${file}: invalid JSON: ${(err as Error).message}`);
        continue;
      }
      const found = libraryFileProblems(file as keyof typeof FILE_SCHEMAS, json);
      problems.push(...found.problems.map((p) => `${file}: ${p}`));
      libraryVersion = file === 'clauses.json' ? found.version : null;
    } else {
      const bad = mustacheProblem(content);
      if (bad) problems.push(`${file}: ${bad}`);
    }
    files.push({ file, content, sha256: createHash('sha256').update(content).digest('hex'), libraryVersion });
  }
  if (problems.length > 0)
    throw new SfError(
      `The contract library is invalid; nothing was pushed:\n- ${problems.join('\n- ')}`,
      'LibraryInvalid',
    );
  return files;
}

const VersionRowSchema = z.object({
  Id: z.string(),
  ContentDocumentId: z.string().nullable(),
  VersionNumber: z.string().nullable(),
  IsLatest: z.boolean(),
  DealDesk_Key__c: z.string(),
  Description: z.string().nullable(),
  CreatedDate: z.string(),
});

export async function listVersions(conn: Connection): Promise<TemplateVersion[]> {
  const rows = await queryAll(
    conn,
    `SELECT Id, ContentDocumentId, VersionNumber, IsLatest, DealDesk_Key__c, Description, CreatedDate FROM ContentVersion WHERE DealDesk_Key__c LIKE ${soqlString(`${KEY_PREFIX}%`)} ORDER BY CreatedDate ASC, Id ASC`,
    VersionRowSchema,
    'ContentVersion',
  );
  return rows.map((r) => {
    const [, file = '', sha256 = ''] =
      /^dealdesk-template:(.+):([0-9a-f]{64})(?:#\d+)?$/.exec(r.DealDesk_Key__c) ?? [];
    const lib = /clause library (\S+)/.exec(r.Description ?? '');
    return {
      file,
      versionNumber: r.VersionNumber ?? '',
      latest: r.IsLatest,
      sha256,
      libraryVersion: lib?.[1] ?? null,
      contentVersionId: r.Id,
      contentDocumentId: r.ContentDocumentId,
      createdDate: r.CreatedDate,
    };
  });
}

export type PushOutcome = {
  file: string;
  outcome: 'created' | 'new-version' | 'unchanged' | 'planned';
  sha256: string;
};

export async function pushLibrary(
  conn: Connection,
  files: LibraryFile[],
  options: { dryRun: boolean; reason?: string },
): Promise<PushOutcome[]> {
  const existing = await listVersions(conn);
  const out: PushOutcome[] = [];
  for (const f of files) {
    const versions = existing.filter((v) => v.file === f.file);
    const latest = versions.find((v) => v.latest);
    if (latest?.sha256 === f.sha256) {
      out.push({ file: f.file, outcome: 'unchanged', sha256: f.sha256 });
      continue;
    }
    // A file pushed before (even if not latest now) is reinstated as a new version, never a duplicate key.
    const older = versions.find((v) => v.sha256 === f.sha256);
    if (options.dryRun) {
      out.push({ file: f.file, outcome: 'planned', sha256: f.sha256 });
      continue;
    }
    const key = `${KEY_PREFIX}${f.file}:${f.sha256}${older ? `#${versions.length + 1}` : ''}`;
    const res = await conn.sobject('ContentVersion').create({
      Title: `dealdesk ${f.file}`,
      PathOnClient: f.file,
      VersionData: Buffer.from(f.content, 'utf8').toString('base64'),
      DealDesk_Key__c: key,
      Description: f.libraryVersion
        ? `dealdesk contract library: clause library ${f.libraryVersion}`
        : 'dealdesk contract template',
      ...(options.reason ? { ReasonForChange: options.reason } : {}),
      ...(latest?.contentDocumentId ? { ContentDocumentId: latest.contentDocumentId } : {}),
    });
    if (!res.success) throw new SfError(`Could not push ${f.file}: ${JSON.stringify(res)}`, 'PushFailed');
    out.push({ file: f.file, outcome: latest ? 'new-version' : 'created', sha256: f.sha256 });
  }
  return out;
}
