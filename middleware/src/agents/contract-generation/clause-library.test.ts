import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_DIR } from '../../paths.ts';
import {
  ContractLibraryError,
  loadContractLibrary,
  watchedContractLibrary,
  type ContractLibrary,
} from './clause-library.ts';
import { evaluate, explain, type DealFacts } from '@dealdesk/contracts';

describe('the clause library', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dealdesk-clauses-'));
    cpSync(join(CONFIG_DIR, 'contracts'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const edit = (
    file: string,
    change: (json: { clauses: Record<string, unknown>[] } & Record<string, unknown>) => void,
  ) => {
    const path = join(dir, file);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    change(json);
    writeFileSync(path, JSON.stringify(json));
  };

  it('loads the shipped library: templates, variants, partials and the required clauses', () => {
    const lib = loadContractLibrary(dir);
    assert.deepEqual(
      lib.templates.map((t) => t.id),
      ['SOW', 'Order_Form', 'MSA'],
    );
    const ids = lib.clauses.map((c) => c.id);
    for (const want of [
      'liability-cap',
      'ip-indemnification',
      'data-protection-eu',
      'data-protection-us',
      'soc2',
      'encryption',
      'sla',
      'payment-net-30',
      'payment-net-45',
      'payment-net-60',
      'billing-annual',
      'billing-quarterly',
      'auto-renewal',
      'termination',
      'governing-law-germany',
      'equipment-compatibility-warranty',
    ])
      assert.ok(ids.includes(want), want);
  });

  it('refuses a condition on an unknown fact, naming the file and the clause', () => {
    edit('clauses.json', (j) => {
      j.clauses[3]!.when = {
        all: [
          { fact: 'region', eq: 'EU' },
          { fact: 'annualRevnue', gte: 10 },
        ],
      };
    });
    assert.throws(
      () => loadContractLibrary(dir),
      (err: unknown) =>
        err instanceof ContractLibraryError &&
        err.message.includes(join(dir, 'clauses.json')) &&
        err.message.includes('clause "confidentiality"') &&
        err.message.includes('unknown fact "annualRevnue"'),
    );
  });

  it('refuses a comparison of the wrong type and a malformed clause, naming the clause', () => {
    edit('clauses.json', (j) => {
      j.clauses[0]!.when = { fact: 'healthData', eq: 'yes' };
    });
    assert.throws(
      () => loadContractLibrary(dir),
      /clause "liability-cap-enhanced".*"healthData" is a boolean/,
    );
    cpSync(join(CONFIG_DIR, 'contracts', 'clauses.json'), join(dir, 'clauses.json'));
    edit('clauses.json', (j) => {
      delete j.clauses[2]!.title;
    });
    assert.throws(
      () => loadContractLibrary(dir),
      /clauses\.json \(clause "ip-indemnification"\): clauses\.2\.title/,
    );
  });

  it('refuses a request topic answered by a clause that does not exist, or with a broken pattern', () => {
    const path = join(dir, 'requests.json');
    const json = JSON.parse(readFileSync(path, 'utf8')) as {
      modelRequests: Record<string, { coveredBy: string[] }>;
      topics: Record<string, unknown>[];
    };
    json.modelRequests['residency_EU']!.coveredBy = ['data-protection-mars'];
    writeFileSync(path, JSON.stringify(json));
    assert.throws(
      () => loadContractLibrary(dir),
      /requests\.json \(model request "residency_EU"\): coveredBy names unknown clause "data-protection-mars"/,
    );
    json.modelRequests['residency_EU']!.coveredBy = ['data-protection-eu'];
    json.topics[0]!.coveredBy = ['data-protection-mars'];
    writeFileSync(path, JSON.stringify(json));
    assert.throws(
      () => loadContractLibrary(dir),
      /requests\.json \(topic "support access restricted to a region"\): coveredBy names unknown clause "data-protection-mars"/,
    );
    json.topics[0]!.coveredBy = [];
    json.topics[1]!.pattern = '(unclosed';
    writeFileSync(path, JSON.stringify(json));
    assert.throws(
      () => loadContractLibrary(dir),
      /requests\.json \(topic "approval of new sub-processors"\): Invalid regular expression/,
    );
    delete (json as { modelRequests?: unknown }).modelRequests;
    json.topics[1]!.pattern = 'x';
    writeFileSync(path, JSON.stringify(json));
    assert.throws(() => loadContractLibrary(dir), /requests\.json: modelRequests/);
  });

  it('refuses a template that does not parse, naming the file', () => {
    writeFileSync(join(dir, 'sow.mustache'), '# SOW\n{{#lines}}\n- {{product}}\n');
    assert.throws(
      () => loadContractLibrary(dir),
      (err: unknown) =>
        err instanceof ContractLibraryError && err.message.includes(join(dir, 'sow.mustache')),
    );
  });

  it('requires a fallback for every mandatory group, so no contract lacks governing law or payment terms', () => {
    edit('clauses.json', (j) => {
      j.clauses = j.clauses.filter((c) => c.id !== 'governing-law-provider');
    });
    assert.throws(() => loadContractLibrary(dir), /mandatory group "governing-law" must apply always/);
  });

  it('is read again only when a file it came from changes, and a broken edit is reported until fixed', () => {
    const library = watchedContractLibrary(dir);
    const first = library();
    assert.equal(library(), first, 'unchanged files: the same library, not a re-read');

    // A partial is one of the files a template pulls in, not only the JSON files.
    const partial = join(dir, 'partials', 'signatures.mustache');
    writeFileSync(partial, `${readFileSync(partial, 'utf8')}\nSigned in counterparts.\n`);
    const edited = library();
    assert.notEqual(edited, first);
    assert.match(edited.partials.signatures!, /Signed in counterparts\./);
    assert.equal(library(), edited);

    writeFileSync(join(dir, 'sow.mustache'), '# SOW\n{{#lines}}\n');
    assert.throws(() => library(), ContractLibraryError);
    assert.throws(() => library(), ContractLibraryError, 'the broken library is not kept');
    cpSync(join(CONFIG_DIR, 'contracts', 'sow.mustache'), join(dir, 'sow.mustache'));
    const sow = (l: ContractLibrary) => l.templates.find((t) => t.id === 'SOW')!.source;
    assert.equal(sow(library()), sow(first));

    rmSync(join(dir, 'requests.json'));
    assert.throws(() => library(), /requests\.json/);
  });
});

describe('conditions', () => {
  const facts = {
    region: 'EU',
    employees: null,
    contractValueCorporate: 1_200_000,
    healthData: false,
  } as unknown as DealFacts;
  it('evaluates all / any / not and comparisons; a fact with no value never matches, a fact with no name is an error', () => {
    assert.equal(
      evaluate(
        {
          all: [
            { fact: 'region', eq: 'EU' },
            { fact: 'contractValueCorporate', gte: 1_000_000 },
          ],
        },
        facts,
      ),
      true,
    );
    assert.equal(
      evaluate(
        {
          any: [
            { fact: 'healthData', eq: true },
            { fact: 'region', in: ['UK', 'US'] },
          ],
        },
        facts,
      ),
      false,
    );
    assert.equal(evaluate({ not: { fact: 'region', eq: 'EU' } }, facts), false);
    assert.equal(evaluate({ fact: 'employees', gte: 0 }, facts), false);
    assert.equal(evaluate({ fact: 'employees', exists: false }, facts), true);
    assert.throws(() => evaluate({ fact: 'employeeCount', gte: 1 }, facts), /unknown fact "employeeCount"/);
  });
  it('explains which comparisons made a rule fire', () => {
    assert.deepEqual(
      explain(
        {
          any: [
            { fact: 'healthData', eq: true },
            { fact: 'contractValueCorporate', gte: 1_000_000 },
          ],
        },
        facts,
      ),
      ['contractValueCorporate = 1200000'],
    );
  });
});
