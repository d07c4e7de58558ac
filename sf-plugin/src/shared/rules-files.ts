/** The approval matrix as files: CSV or JSON in (with the line each rule starts on), CSV or JSON out. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { SfError } from '@salesforce/core';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { RULE_COLUMNS, type ApprovalRule, type RuleProblem, type SourceRow } from './rules.ts';

export type RulesFormat = 'csv' | 'json';

export function formatOf(path: string, explicit?: string): RulesFormat {
  const f = (explicit ?? extname(path).slice(1)).toLowerCase();
  if (f === 'csv' || f === 'json') return f;
  throw new SfError(
    `Cannot tell the format of ${path}: name it .csv or .json, or pass --format`,
    'UnknownFormat',
  );
}

export async function readRulesFile(
  path: string,
  format: RulesFormat,
): Promise<{ rows: SourceRow[]; problems: RuleProblem[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SfError(`Cannot read ${path}: ${(err as Error).message}`, 'FileUnreadable');
  }
  return format === 'csv' ? parseCsv(text) : parseJson(text);
}

export function parseCsv(text: string): { rows: SourceRow[]; problems: RuleProblem[] } {
  try {
    const records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      raw: true,
    }) as { record: Record<string, string>; raw: string; info: { lines: number } }[];
    // info.lines is where a record ends; quoted newlines inside it move its start up.
    const startOf = (r: (typeof records)[number]) =>
      r.info.lines - (r.raw.trimEnd().match(/\n/g)?.length ?? 0);
    return { rows: records.map((r) => ({ line: startOf(r), raw: r.record })), problems: [] };
  } catch (err) {
    const e = err as { lines?: number; message: string };
    return { rows: [], problems: [{ line: e.lines ?? null, rule: null, field: null, message: e.message }] };
  }
}

export function parseJson(text: string): { rows: SourceRow[]; problems: RuleProblem[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    const line = pos ? lineAt(text, Number(pos[1])) : null;
    return {
      rows: [],
      problems: [{ line, rule: null, field: null, message: `invalid JSON: ${(err as Error).message}` }],
    };
  }
  const list = Array.isArray(data) ? data : (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list))
    return {
      rows: [],
      problems: [
        { line: 1, rule: null, field: null, message: 'expected an array of rules or {"rules": [...]}' },
      ],
    };
  const starts = elementStarts(text, Array.isArray(data));
  const rows: SourceRow[] = [];
  const problems: RuleProblem[] = [];
  list.forEach((item, i) => {
    const line = starts[i] !== undefined ? lineAt(text, starts[i]) : 1;
    if (item === null || typeof item !== 'object' || Array.isArray(item))
      problems.push({ line, rule: null, field: null, message: 'expected a rule object' });
    else rows.push({ line, raw: item as Record<string, unknown> });
  });
  return { rows, problems };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Offsets where each element of the rules array starts (the top-level array, or the one under "rules"). */
function elementStarts(text: string, topLevel: boolean): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let arrayDepth = topLevel ? 1 : 2;
  let expectElement = false;
  let sawRulesKey = topLevel;
  let lastString = '';
  let stringStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        lastString = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (/\s/.test(ch)) continue;
    if (expectElement && ch !== ']') {
      starts.push(i);
      expectElement = false;
    }
    if (ch === '"') {
      inString = true;
      stringStart = i;
    } else if (ch === '[' || ch === '{') {
      depth++;
      if (ch === '[' && depth === arrayDepth && (sawRulesKey || (depth === 2 && lastString === 'rules'))) {
        sawRulesKey = true;
        arrayDepth = depth;
        expectElement = true;
      }
    } else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === arrayDepth && sawRulesKey) expectElement = true;
  }
  return starts;
}

export function rulesToCsv(rules: ApprovalRule[]): string {
  return stringify(
    rules.map((r) => RULE_COLUMNS.map((c) => (c === 'dependsOn' ? r.dependsOn.join(';') : (r[c] ?? '')))),
    { header: true, columns: [...RULE_COLUMNS], cast: { boolean: (b) => String(b) } },
  );
}

export function rulesToJson(rules: ApprovalRule[]): string {
  return `${JSON.stringify(
    rules.map((r) => Object.fromEntries(RULE_COLUMNS.map((c) => [c, r[c]]))),
    null,
    2,
  )}\n`;
}
