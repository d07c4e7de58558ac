/**
 * Checks language-corpus files against the schema and the labelling rules' hard constraints
 * (test/fixtures/language/README.md). Usage: node scripts/language-corpus-check.ts FILE...
 * Prints one line per problem with the file, line and id; exits 1 when there is any.
 */
import { readFileSync } from 'node:fs';
import { CorpusLineSchema, corpusProblems } from '@dealdesk/middleware/language-model';

let problems = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const ids = new Set<string>();
  const counts = { lines: 0, ready: 0 };
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      console.log(`${where}: not JSON (${(e as Error).message})`);
      problems++;
      return;
    }
    const parsed = CorpusLineSchema.safeParse(json);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        console.log(`${where}: ${issue.path.join('.') || '(line)'}: ${issue.message}`);
      problems++;
      return;
    }
    const line = parsed.data;
    if (ids.has(line.id)) {
      console.log(`${where}: duplicate id ${line.id}`);
      problems++;
    }
    ids.add(line.id);
    for (const p of corpusProblems(line)) {
      console.log(`${where} (${line.id}): ${p}`);
      problems++;
    }
    counts.lines++;
    if (line.ready) counts.ready++;
  });
  console.log(`${file}: ${counts.lines} passages, ${counts.ready} ready`);
}
console.log(problems === 0 ? 'ok' : `${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
