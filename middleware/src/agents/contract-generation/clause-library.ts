/**
 * The governed clause library and templates under `config/contracts/`, validated when loaded:
 * zod for shape, the condition checker for facts, and a trial parse of every mustache template
 * and clause body. Errors name the file and the clause, so a bad edit stops the service at start
 * with a message an admin can act on.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';
import type { z } from 'zod';
import {
  checkCondition,
  ClausesFileSchema,
  RequestsFileSchema,
  TemplatesFileSchema,
  type Clause,
  type Condition,
  type MODEL_REQUEST_KEYS,
} from '@dealdesk/contracts';

export type ModelRequestTopics = Record<
  (typeof MODEL_REQUEST_KEYS)[number],
  { topic: string; coveredBy: string[] }
>;

/** A kind of term customers ask for, and the library clauses that answer it. */
export interface RequestTopic {
  topic: string;
  re: RegExp;
  coveredBy: string[];
  generic: boolean;
}

export interface TemplateRule {
  id: 'MSA' | 'SOW' | 'Order_Form';
  title: string;
  rule: string;
  when: Condition;
  source: string;
}

export interface ContractLibrary {
  version: string;
  clauses: Clause[];
  templates: TemplateRule[];
  variants: {
    Executive_Summary: { title: string; source: string };
    Technical_Appendix: { title: string; source: string };
  };
  partials: Record<string, string>;
  requestTopics: RequestTopic[];
  modelRequestTopics: ModelRequestTopics;
}

export class ContractLibraryError extends Error {
  override name = 'ContractLibraryError';
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

type ReadText = (path: string) => string;

const readUtf8: ReadText = (path) => readFileSync(path, 'utf8');

function readJson(file: string, readText: ReadText): unknown {
  try {
    return JSON.parse(readText(file));
  } catch (err) {
    throw new ContractLibraryError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function checkTemplate(source: string, where: string): void {
  try {
    Mustache.parse(source);
  } catch (err) {
    throw new ContractLibraryError(
      `${where}: the mustache template does not parse: ${(err as Error).message}`,
    );
  }
}

type ClausesFile = z.infer<typeof ClausesFileSchema>;
type RequestsFile = z.infer<typeof RequestsFileSchema>;

/** clauses.json, checked: shape, unique ids, conditions, bodies and a fallback for every mandatory group. */
function loadClauses(dir: string, readText: ReadText): { file: ClausesFile; ids: Set<string> } {
  const clausesPath = join(dir, 'clauses.json');
  const raw = readJson(clausesPath, readText) as { clauses?: { id?: unknown }[] };
  const parsed = ClausesFileSchema.safeParse(raw);
  if (!parsed.success) {
    // Name the clause, not just its index, so the admin finds it in a long file.
    const first = parsed.error.issues[0];
    const index = first?.path[0] === 'clauses' ? Number(first.path[1]) : NaN;
    const id = Number.isInteger(index) ? raw.clauses?.[index]?.id : undefined;
    throw new ContractLibraryError(
      `${clausesPath}${typeof id === 'string' ? ` (clause "${id}")` : ''}: ${issues(parsed.error)}`,
    );
  }
  const seen = new Set<string>();
  for (const clause of parsed.data.clauses) {
    if (seen.has(clause.id))
      throw new ContractLibraryError(`${clausesPath}: clause "${clause.id}" appears twice`);
    seen.add(clause.id);
    const problems = checkCondition(clause.when);
    if (problems.length > 0)
      throw new ContractLibraryError(`${clausesPath} (clause "${clause.id}"): ${problems.join('; ')}`);
    checkTemplate(clause.body, `${clausesPath} (clause "${clause.id}")`);
  }
  const groups = new Map<string, Clause[]>();
  for (const c of parsed.data.clauses) if (c.group) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  for (const [group, members] of groups) {
    if (members.at(-1)!.mandatory && members.at(-1)!.when !== true)
      throw new ContractLibraryError(
        `${clausesPath} (clause "${members.at(-1)!.id}"): the last clause of the mandatory group "${group}" must apply always (when: true), so every contract gets one`,
      );
  }
  return { file: parsed.data, ids: seen };
}

/** An admin's request topic, checked against the clauses and the topics named before it. */
function requestTopicOf(
  t: RequestsFile['topics'][number],
  where: { requestsPath: string; clauseIds: Set<string>; topicNames: Set<string> },
): RequestTopic {
  const { requestsPath, clauseIds, topicNames } = where;
  if (topicNames.has(t.topic))
    throw new ContractLibraryError(`${requestsPath}: topic "${t.topic}" appears twice`);
  topicNames.add(t.topic);
  for (const id of t.coveredBy)
    if (!clauseIds.has(id))
      throw new ContractLibraryError(
        `${requestsPath} (topic "${t.topic}"): coveredBy names unknown clause "${id}"`,
      );
  let re: RegExp;
  try {
    re = new RegExp(t.pattern, 'i');
  } catch (err) {
    throw new ContractLibraryError(`${requestsPath} (topic "${t.topic}"): ${(err as Error).message}`);
  }
  return { topic: t.topic, re, coveredBy: t.coveredBy, generic: t.generic };
}

/** requests.json, checked: every clause it names exists, every topic is named once and its pattern compiles. */
function loadRequests(
  dir: string,
  readText: ReadText,
  clauseIds: Set<string>,
): { version: string; requestTopics: RequestTopic[]; modelRequestTopics: ModelRequestTopics } {
  const requestsPath = join(dir, 'requests.json');
  const r = RequestsFileSchema.safeParse(readJson(requestsPath, readText));
  if (!r.success) throw new ContractLibraryError(`${requestsPath}: ${issues(r.error)}`);
  for (const [key, t] of Object.entries(r.data.modelRequests))
    for (const id of t.coveredBy)
      if (!clauseIds.has(id))
        throw new ContractLibraryError(
          `${requestsPath} (model request "${key}"): coveredBy names unknown clause "${id}"`,
        );
  const topicNames = new Set<string>(Object.values(r.data.modelRequests).map((t) => t.topic));
  const requestTopics = r.data.topics.map((t) => requestTopicOf(t, { requestsPath, clauseIds, topicNames }));
  return { version: r.data.version, requestTopics, modelRequestTopics: r.data.modelRequests };
}

/** templates.json and the mustache files it names, each checked to parse (templates, partials, then variants). */
function loadTemplates(
  dir: string,
  readText: ReadText,
): Pick<ContractLibrary, 'templates' | 'variants' | 'partials'> & { version: string } {
  const templatesPath = join(dir, 'templates.json');
  const t = TemplatesFileSchema.safeParse(readJson(templatesPath, readText));
  if (!t.success) throw new ContractLibraryError(`${templatesPath}: ${issues(t.error)}`);
  const read = (file: string) => {
    const path = join(dir, file);
    let source: string;
    try {
      source = readText(path);
    } catch (err) {
      throw new ContractLibraryError(`${path}: ${(err as Error).message}`);
    }
    checkTemplate(source, path);
    return source;
  };
  const templates = t.data.templates.map((tpl) => {
    const problems = checkCondition(tpl.when);
    if (problems.length > 0)
      throw new ContractLibraryError(`${templatesPath} (template "${tpl.id}"): ${problems.join('; ')}`);
    return { id: tpl.id, title: tpl.title, rule: tpl.rule, when: tpl.when, source: read(tpl.file) };
  });
  if (templates.at(-1)!.when !== true)
    throw new ContractLibraryError(`${templatesPath}: the last template must apply always (when: true)`);
  const partials = Object.fromEntries(
    t.data.partials.map((p) => [p, read(join('partials', `${p}.mustache`))]),
  );
  return {
    version: t.data.version,
    templates,
    variants: {
      Executive_Summary: {
        title: t.data.variants.Executive_Summary.title,
        source: read(t.data.variants.Executive_Summary.file),
      },
      Technical_Appendix: {
        title: t.data.variants.Technical_Appendix.title,
        source: read(t.data.variants.Technical_Appendix.file),
      },
    },
    partials,
  };
}

export function loadContractLibrary(dir: string, readText: ReadText = readUtf8): ContractLibrary {
  const clauses = loadClauses(dir, readText);
  const requests = loadRequests(dir, readText, clauses.ids);
  const templates = loadTemplates(dir, readText);
  return {
    version: `${clauses.file.version}/${templates.version}/${requests.version}`,
    clauses: clauses.file.clauses,
    templates: templates.templates,
    variants: templates.variants,
    partials: templates.partials,
    requestTopics: requests.requestTopics,
    modelRequestTopics: requests.modelRequestTopics,
  };
}

/**
 * The library in `dir`, read and checked again only when one of the files it was built from
 * changes (size, modification or change time), so an admin's edit applies to the next contract
 * without a restart, while an unchanged library is not re-read, re-parsed and re-validated for
 * every deal. A library that fails to load is not kept: every call reports the problem until the
 * files are fixed.
 */
export function watchedContractLibrary(dir: string): () => ContractLibrary {
  let cached: { library: ContractLibrary; stamps: Map<string, string> } | undefined;
  const stampOf = (path: string): string | undefined => {
    try {
      const st = statSync(path, { bigint: true });
      return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
    } catch {
      return undefined;
    }
  };
  return () => {
    if (cached && [...cached.stamps].every(([path, stamp]) => stampOf(path) === stamp)) return cached.library;
    cached = undefined;
    const stamps = new Map<string, string>();
    const library = loadContractLibrary(dir, (path) => {
      // Stamped before reading: an edit landing between the two shows as a change next time.
      stamps.set(path, stampOf(path) ?? 'missing');
      return readUtf8(path);
    });
    cached = { library, stamps };
    return library;
  };
}
