/**
 * Salesforce's own `sf` CLI (@salesforce/cli) against the local org, as a new admin uses it: the
 * README's access-token login, `org display`, `data query` (table, CSV, JSON; parent fields,
 * subqueries, COUNT() and aggregates), the record and sObject commands, `data export|import
 * tree`, `api request rest`, the limits, and the readable refusals for what the local org does not
 * have. Expected values come from the org itself over plain REST calls, never from the CLI, so a
 * wrong column, row or total fails here. `sf-cli-dealdesk.test.ts` runs the plugin's commands
 * through the same CLI, middleware and login (test/support/sf-cli.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALIAS, API_VERSION, csvLine, sfStack, type QueryResult, type SfStack } from './support/sf-cli.ts';

describe('the sf CLI against the local org', function () {
  this.timeout(120_000);
  let s: SfStack;
  before(async function () {
    this.timeout(120_000);
    s = await sfStack();
  });
  const org = ['--target-org', ALIAS];
  const sfOk = (args: string[], extra?: Record<string, string>) => s.sfOk(args, extra);
  const sfJson = <T>(args: string[]) => s.sfJson<T>(args);
  const sfFails = (args: string[], extra?: Record<string, string>) => s.sfFails(args, extra);
  const rest = <T>(path: string) => s.rest<T>(path);
  const query = <T = Record<string, unknown>>(soql: string) => s.query<T>(soql);

  describe('login', () => {
    it("logs in with the README's access-token command and displays the connected org", async () => {
      const me = (await (
        await fetch(`${s.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${s.token}` } })
      ).json()) as { preferred_username: string; organization_id: string };
      // The banner prints the login the README documents, with the admin's token file (issue 22,
      // item 4); the suite logged in with exactly that command.
      assert.ok(s.bannerLogin, `the banner prints the sf login:\n${s.banner}`);
      assert.deepEqual(s.bannerLogin.args, [
        'org',
        'login',
        'access-token',
        '--instance-url',
        s.url,
        '--alias',
        ALIAS,
        '--no-prompt',
      ]);
      assert.equal(
        readFileSync(s.bannerLogin.tokenFile, 'utf8').trim(),
        s.token,
        "the file holds the banner's token",
      );
      // The banner's login is the org's admin, not the middleware's integration user (item 4).
      const profile = await query<{ Profile: { Name: string } }>(
        `SELECT Profile.Name FROM User WHERE Username = '${me.preferred_username}'`,
      );
      assert.equal(profile.records[0]?.Profile.Name, 'System Administrator');
      assert.equal(s.login.code, 0, s.login.stdout + s.login.stderr);
      assert.match(
        s.login.stdout,
        new RegExp(`Successfully authorized ${me.preferred_username} with org ID 00D`),
      );
      const [shown, table] = await Promise.all([
        sfJson<Record<string, string>>(['org', 'display', ...org]),
        sfOk(['org', 'display', ...org]),
      ]);
      assert.equal(shown.connectedStatus, 'Connected');
      assert.equal(shown.username, me.preferred_username);
      assert.equal(shown.id, me.organization_id);
      assert.equal(shown.alias, ALIAS);
      assert.equal(shown.apiVersion, API_VERSION);
      assert.equal(shown.instanceUrl?.replace(/\/$/, ''), s.url);
      assert.match(table, /Connected Status\s*│\s*Connected/);
    });

    it('refuses a wrong token with the reason Salesforce gives, not "UNKNOWN"', async () => {
      const out = await sfFails(
        ['org', 'login', 'access-token', '--instance-url', s.url, '--alias', 'wrong', '--no-prompt'],
        { SF_ACCESS_TOKEN: '00DDd0000000001!not-a-real-session' },
      );
      assert.match(out, /Could not retrieve the username/);
      assert.match(out, /Due to: Bad_OAuth_Token/);
      assert.doesNotMatch(out, /UNKNOWN/);
    });
  });

  describe('data query', () => {
    const OPEN =
      'SELECT Name, Amount, Account.Name, (SELECT Role, Contact.Name FROM OpportunityContactRoles) ' +
      'FROM Opportunity WHERE IsClosed = false ORDER BY Name';
    type OpenDeal = {
      Name: string;
      Amount: number;
      Account: { Name: string };
      OpportunityContactRoles: QueryResult<{ Role: string; Contact: { Name: string } }> | null;
    };

    it('prints a table with parent fields and a subquery, one row per child', async () => {
      const expected = await query<OpenDeal>(OPEN);
      assert.ok(expected.totalSize >= 3, 'the demo company has open deals');
      const out = await sfOk(['data', 'query', ...org, '--query', OPEN]);
      const header = out.split('\n').find((l) => l.includes('NAME'))!;
      assert.deepEqual(
        header
          .split('│')
          .map((c) => c.trim())
          .filter(Boolean),
        [
          'NAME',
          'AMOUNT',
          'ACCOUNT.NAME',
          'OPPORTUNITYCONTACTROLES.ROLE',
          'OPPORTUNITYCONTACTROLES.CONTACT.NAME',
        ],
      );
      const rows = out
        .split('\n')
        .filter((l) => l.startsWith('│') && !l.includes('NAME'))
        .map((l) =>
          l
            .split('│')
            .slice(1, -1)
            .map((c) => c.trim()),
        );
      // The first child shares its parent's row; the others get rows of their own; a deal
      // without contact roles is one row with empty child columns.
      const want = expected.records.flatMap((deal) => {
        const parent = [deal.Name, String(deal.Amount), deal.Account.Name];
        const roles = deal.OpportunityContactRoles?.records ?? [];
        if (roles.length === 0) return [[...parent, '', '']];
        return roles.map((role, i) => [...(i === 0 ? parent : ['', '', '']), role.Role, role.Contact.Name]);
      });
      assert.deepEqual(rows, want);
      assert.match(out, new RegExp(`Total number of records retrieved: ${expected.totalSize}\\.`));
    });

    it('writes CSV, and returns the API records unchanged with --json', async () => {
      const soql = 'SELECT Name, Account.Name, Amount, StageName FROM Opportunity ORDER BY Name';
      const expected = await query<{
        Name: string;
        Account: { Name: string };
        Amount: number;
        StageName: string;
      }>(soql);
      const [csv, json] = await Promise.all([
        sfOk(['data', 'query', ...org, '--query', soql, '--result-format', 'csv']),
        sfJson<QueryResult>(['data', 'query', ...org, '--query', OPEN]),
      ]);
      assert.deepEqual(csv.trim().split('\n'), [
        'Name,Account.Name,Amount,StageName',
        ...expected.records.map((r) => csvLine([r.Name, r.Account.Name, r.Amount, r.StageName])),
      ]);
      assert.deepEqual(json, await query(OPEN));
    });

    it('counts with COUNT() in every format', async () => {
      const soql = 'SELECT COUNT() FROM Contact';
      const { totalSize } = await query(soql);
      assert.ok(totalSize > 0);
      const [table, json] = await Promise.all([
        sfOk(['data', 'query', ...org, '--query', soql]),
        sfJson<QueryResult>(['data', 'query', ...org, '--query', soql]),
      ]);
      assert.match(table, new RegExp(`Total number of records retrieved: ${totalSize}\\.`));
      assert.deepEqual([json.totalSize, json.records], [totalSize, []]);
    });

    it('groups with aggregate functions, unaliased (exprN) and aliased, in table and CSV', async () => {
      const raw = await query<{ StageName: string; Amount: number | null }>(
        'SELECT StageName, Amount FROM Opportunity',
      );
      const byStage = new Map<string, { count: number; sum: number }>();
      for (const r of raw.records) {
        const g = byStage.get(r.StageName) ?? { count: 0, sum: 0 };
        byStage.set(r.StageName, { count: g.count + 1, sum: g.sum + (r.Amount ?? 0) });
      }
      const stages = [...byStage.keys()].sort((a, b) => a.localeCompare(b));
      const sum = (s: string) => Math.round(byStage.get(s)!.sum * 1e6) / 1e6;
      assert.ok(stages.length >= 2, 'the demo company has deals in several stages');

      const [csv, table] = await Promise.all([
        sfOk([
          'data',
          'query',
          ...org,
          '--query',
          'SELECT StageName, COUNT(Id), SUM(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName',
          '--result-format',
          'csv',
        ]),
        sfOk([
          'data',
          'query',
          ...org,
          '--query',
          'SELECT StageName, SUM(Amount) total FROM Opportunity GROUP BY StageName ORDER BY StageName',
        ]),
      ]);
      assert.deepEqual(csv.trim().split('\n'), [
        'StageName,COUNT(Id),SUM(Amount)',
        ...stages.map((s) => csvLine([s, byStage.get(s)!.count, sum(s)])),
      ]);

      assert.match(table, /STAGENAME\s*│\s*TOTAL/);
      for (const s of stages)
        assert.match(table, new RegExp(`│ ${s.replace('/', '\\/')}\\s*│ ${sum(s)}\\s*│`));
      assert.match(table, new RegExp(`Total number of records retrieved: ${stages.length}\\.`));
    });
  });

  describe('records and sObjects', () => {
    it('creates, gets, updates and deletes a record', async () => {
      const created = await sfJson<{ id: string; success: boolean }>([
        'data',
        'create',
        'record',
        ...org,
        '--sobject',
        'Account',
        '--values',
        "Name='sf CLI Test Co' Industry=Technology NumberOfEmployees=42",
      ]);
      assert.equal(created.success, true);
      assert.match(created.id, /^001[A-Za-z0-9]{15}$/);
      const [got, byWhere] = await Promise.all([
        sfJson<Record<string, unknown>>(['data', 'get', 'record', ...org, '-s', 'Account', '-i', created.id]),
        sfJson<Record<string, unknown>>([
          'data',
          'get',
          'record',
          ...org,
          '-s',
          'Account',
          '--where',
          "Name='sf CLI Test Co'",
        ]),
      ]);
      assert.deepEqual([got.Name, got.Industry, got.NumberOfEmployees], ['sf CLI Test Co', 'Technology', 42]);
      assert.equal(byWhere.Id, created.id);
      await sfOk([
        'data',
        'update',
        'record',
        ...org,
        '-s',
        'Account',
        '-i',
        created.id,
        '-v',
        'Industry=Manufacturing',
      ]);
      const after = await rest<{ Industry: string }>(`/sobjects/Account/${created.id}`);
      assert.equal(after.Industry, 'Manufacturing');
      await sfOk(['data', 'delete', 'record', ...org, '-s', 'Account', '-i', created.id]);
      const gone = await sfFails(['data', 'get', 'record', ...org, '-s', 'Account', '-i', created.id]);
      assert.match(gone, /NOT_FOUND.*The requested resource does not exist/);
    });

    it('lists and describes sObjects, custom ones included', async () => {
      const [list, described] = await Promise.all([
        sfOk(['sobject', 'list', ...org, '--sobject', 'custom']),
        sfJson<{ name: string; custom: boolean; fields: { name: string; type: string }[] }>([
          'sobject',
          'describe',
          ...org,
          '--sobject',
          'Deal_Closure__c',
        ]),
      ]);
      const custom = list.trim().split('\n');
      const expected = (await rest<{ sobjects: { name: string; custom: boolean }[] }>('/sobjects')).sobjects
        .filter((o) => o.custom)
        .map((o) => o.name);
      assert.deepEqual(custom.filter((l) => /__/.test(l)).sort(), [...expected].sort());
      assert.ok(custom.includes('Deal_Closure__c'));
      assert.equal(described.name, 'Deal_Closure__c');
      assert.equal(described.custom, true);
      assert.deepEqual(described.fields.find((f) => f.name === 'Opportunity__c')?.type, 'reference');
    });
  });

  describe('data export tree and import tree', () => {
    const SOQL =
      "SELECT Name, Industry, (SELECT FirstName, LastName, Email FROM Contacts ORDER BY LastName) FROM Account WHERE Name = 'Kestrel Charge Ltd'";
    type Acct = {
      Id: string;
      Name: string;
      Industry: string;
      Contacts: QueryResult<{ LastName: string; Email: string }>;
    };
    const contactsOf = async (name: string) =>
      (
        await query<Acct>(
          `SELECT Name, Industry, (SELECT LastName, Email FROM Contacts ORDER BY LastName) FROM Account WHERE Name = '${name}'`,
        )
      ).records.map((a) => [a.Industry, a.Contacts?.records.map((c) => [c.LastName, c.Email]) ?? []]);

    it('round-trips an account with its contacts through one tree file', async () => {
      const out = join(s.work, 'tree');
      await sfOk([
        'data',
        'export',
        'tree',
        ...org,
        '--query',
        SOQL,
        '--output-dir',
        out,
        '--prefix',
        'kestrel',
      ]);
      const file = join(out, 'kestrel-Account-Contact.json');
      const exported = JSON.parse(readFileSync(file, 'utf8')) as { records: Record<string, unknown>[] };
      assert.equal(exported.records.length, 1);
      assert.deepEqual(exported.records[0]!.attributes, { type: 'Account', referenceId: 'AccountRef1' });
      writeFileSync(file, JSON.stringify(exported).replace('Kestrel Charge Ltd', 'Kestrel Copy Ltd'));
      const imported = await sfJson<{ refId: string; type: string; id: string }[]>([
        'data',
        'import',
        'tree',
        ...org,
        '--files',
        file,
      ]);
      const original = await contactsOf('Kestrel Charge Ltd');
      assert.equal(original.length, 1);
      assert.deepEqual(await contactsOf('Kestrel Copy Ltd'), original);
      assert.deepEqual(
        imported.map((r) => r.type),
        ['Account', ...Array<string>(original[0]![1]!.length).fill('Contact')],
      );
    });

    it('round-trips through a plan whose contacts refer to their account by reference', async () => {
      const out = join(s.work, 'plan');
      await sfOk(['data', 'export', 'tree', ...org, '--query', SOQL, '--output-dir', out, '--plan']);
      const accounts = join(out, 'Account.json');
      writeFileSync(
        accounts,
        readFileSync(accounts, 'utf8').replace('Kestrel Charge Ltd', 'Kestrel Plan Ltd'),
      );
      const contacts = JSON.parse(readFileSync(join(out, 'Contact.json'), 'utf8')) as {
        records: { AccountId: string }[];
      };
      assert.ok(contacts.records.every((c) => c.AccountId === '@AccountRef1'));
      await sfOk(['data', 'import', 'tree', ...org, '--plan', join(out, 'Account-Contact-plan.json')]);
      assert.deepEqual(await contactsOf('Kestrel Plan Ltd'), await contactsOf('Kestrel Charge Ltd'));
    });

    it('creates nothing when one record of the file fails, and says which and why', async () => {
      const file = join(s.work, 'bad-tree.json');
      writeFileSync(
        file,
        JSON.stringify({
          records: [
            { attributes: { type: 'Account', referenceId: 'Good' }, Name: 'Should Not Exist Co' },
            { attributes: { type: 'Account', referenceId: 'NoName' }, Industry: 'Banking' },
          ],
        }),
      );
      const out = await sfFails(['data', 'import', 'tree', ...org, '--files', file]);
      assert.match(out, /NoName\s*│\s*REQUIRED_FIELD_MISSING\s*│\s*Required fields are missing: \[Name\]/);
      assert.equal(
        (await query("SELECT COUNT() FROM Account WHERE Name = 'Should Not Exist Co'")).totalSize,
        0,
      );
    });
  });

  describe('api, limits, and what the local org does not have', () => {
    it('calls REST resources with api request rest, and displays the API limits', async () => {
      const soql = 'SELECT Name FROM Account ORDER BY Name LIMIT 2';
      type Limits = { name: string; max: number; remaining: number }[];
      const [limits, res, display, list] = await Promise.all([
        sfOk(['api', 'request', 'rest', `/services/data/v${API_VERSION}/limits`, ...org]),
        sfOk([
          'api',
          'request',
          'rest',
          `/services/data/v${API_VERSION}/query?q=${encodeURIComponent(soql)}`,
          ...org,
        ]),
        sfJson<Limits>(['limits', 'api', 'display', ...org]),
        sfJson<Limits>(['org', 'list', 'limits', ...org]),
      ]);
      const max = (JSON.parse(limits) as Record<string, { Max: number; Remaining: number }>).DailyApiRequests!
        .Max;
      assert.equal(max, 100_000);
      assert.deepEqual(JSON.parse(res), await query(soql));
      for (const rows of [display, list]) {
        const daily = rows.find((r) => r.name === 'DailyApiRequests');
        assert.equal(daily?.max, 100_000);
        assert.ok(daily!.remaining > 0 && daily!.remaining < 100_000, 'the suite has used some API requests');
      }
    });

    it('says the local org lacks Bulk API 2.0, the Tooling API and the Metadata API', async () => {
      const csv = join(s.work, 'accounts.csv');
      writeFileSync(csv, 'Name\nBulk Co\n');
      const [bulk, tooling, metadata] = await Promise.all([
        sfFails(['data', 'import', 'bulk', ...org, '--sobject', 'Account', '--file', csv, '--wait', '1']),
        sfFails(['data', 'query', ...org, '--query', 'SELECT Id FROM ApexClass', '--use-tooling-api']),
        sfFails(['org', 'list', 'metadata-types', ...org]),
      ]);
      assert.match(bulk, /the local org does not support Bulk API 2\.0/);
      assert.match(tooling, /the local org does not support the Tooling API/);
      assert.match(metadata, /API_DISABLED_FOR_ORG: The local org does not support the Metadata API/);
      assert.equal((await query("SELECT COUNT() FROM Account WHERE Name = 'Bulk Co'")).totalSize, 0);
    });
  });
});
