import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_LIBRARY_DIR, readLibrary } from '../../src/shared/templates.ts';

/** A copy of the shipped library with one JSON file changed by `edit`; the error push would show. */
async function problemsAfter(file: string, edit: (json: Record<string, unknown>) => void): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'dealdesk-library-'));
  try {
    cpSync(DEFAULT_LIBRARY_DIR, dir, { recursive: true });
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
    edit(json);
    writeFileSync(join(dir, file), JSON.stringify(json));
    const err = await readLibrary(dir).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err, `readLibrary accepted the edited ${file}`).to.be.instanceOf(Error);
    return err!.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('templates push: the library is checked as the middleware loads it', () => {
  it('accepts the shipped library', async () => {
    const files = await readLibrary(DEFAULT_LIBRARY_DIR);
    expect(files.find((f) => f.file === 'clauses.json')?.libraryVersion).to.be.a('string');
  });

  it('refuses a clause whose condition names a fact the middleware does not know', async () => {
    const message = await problemsAfter('clauses.json', (lib) => {
      (lib.clauses as { when: unknown }[])[0]!.when = { fact: 'dealSize', gt: 10 };
    });
    expect(message).to.match(/clauses\.json: clauses\.0\.when: unknown fact "dealSize"/);
  });

  it('refuses a number comparison on a text fact', async () => {
    const message = await problemsAfter('clauses.json', (lib) => {
      (lib.clauses as { when: unknown }[])[0]!.when = { fact: 'industry', gt: 3 };
    });
    expect(message).to.match(/clauses\.0\.when: "gt" needs a number fact, "industry" is a string/);
  });

  it('refuses templates.json and requests.json edits the middleware would refuse at start', async () => {
    const templates = await problemsAfter('templates.json', (t) => {
      (t.templates as { id: string }[])[0]!.id = 'NDA';
    });
    expect(templates).to.match(/templates\.json: templates\.0\.id: /);
    const requests = await problemsAfter('requests.json', (r) => {
      delete (r.modelRequests as Record<string, unknown>).mfn_pricing;
    });
    expect(requests).to.match(/requests\.json: modelRequests\.mfn_pricing: /);
  });
});
