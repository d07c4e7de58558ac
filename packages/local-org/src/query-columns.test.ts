import assert from 'node:assert/strict';
import request from 'supertest';
import { startLocalOrg, type LocalOrgHarness } from './testing.ts';
import { LOCAL_ORG_API_VERSION } from './local-org.ts';
import type { ColumnMetadata, QueryColumns } from './query-columns.ts';

const API = `/services/data/v${LOCAL_ORG_API_VERSION}`;
const AUTH = { Authorization: 'Bearer test-token' };

/** Column names as a tree, `Account(Name,Owner(Name))`, to compare shapes at a glance. */
function shape(columns: ColumnMetadata[]): string {
  return columns
    .map((c) => (c.joinColumns.length > 0 ? `${c.columnName}(${shape(c.joinColumns)})` : c.columnName))
    .join(',');
}

describe('local org query columns (?columns=true)', () => {
  let h: LocalOrgHarness;
  before(async () => {
    h = await startLocalOrg();
    const acct = await h.conn.sobject('Account').create({ Name: 'Acme', Industry: 'Technology' });
    const contact = await h.conn.sobject('Contact').create({ LastName: 'Lee', AccountId: acct.id });
    for (const [name, amount, stage] of [
      ['Deal A', 1000, 'Prospecting'],
      ['Deal B', 2500, 'Prospecting'],
      ['Deal C', 400, 'Closed Won'],
    ] as const) {
      const opp = await h.conn.sobject('Opportunity').create({
        Name: name,
        AccountId: acct.id,
        Amount: amount,
        StageName: stage,
        CloseDate: '2026-12-01',
      });
      await h.conn
        .sobject('OpportunityContactRole')
        .create({ OpportunityId: opp.id, ContactId: contact.id, Role: 'Economic Buyer', IsPrimary: true });
    }
  });
  after(async () => h.close());

  const columnsOf = async (soql: string): Promise<QueryColumns> => {
    const res = await request(h.app)
      .get(`${API}/query`)
      .query({ q: soql, columns: 'true' })
      .set(AUTH)
      .expect(200);
    return res.body as QueryColumns;
  };

  it('describes plain fields with their types, and the query object', async () => {
    const cols = await columnsOf('SELECT Id, Name, Amount, IsClosed, CloseDate FROM Opportunity');
    assert.deepEqual(
      { ...cols, columnMetadata: undefined },
      {
        columnMetadata: undefined,
        entityName: 'Opportunity',
        groupBy: false,
        idSelected: true,
        keyPrefix: '006',
      },
    );
    assert.equal(shape(cols.columnMetadata), 'Id,Name,Amount,IsClosed,CloseDate');
    const [id, name, amount, closed, date] = cols.columnMetadata;
    assert.deepEqual(id, {
      aggregate: false,
      apexType: 'Id',
      booleanType: false,
      columnName: 'Id',
      custom: false,
      displayName: 'Id',
      foreignKeyName: null,
      insertable: false,
      joinColumns: [],
      numberType: false,
      textType: false,
      updatable: false,
    });
    assert.deepEqual(
      [name!.textType, name!.insertable, name!.updatable, amount!.numberType, amount!.apexType],
      [true, true, true, true, 'Decimal'],
    );
    assert.deepEqual([closed!.booleanType, closed!.apexType, date!.apexType], [true, 'Boolean', 'Date']);
  });

  it('nests parent paths under one relationship column per relationship, with its foreign key', async () => {
    const cols = await columnsOf(
      'SELECT Name, Account.Name, Account.Owner.Name, Account.Industry, o.Owner.Email FROM Opportunity o',
    );
    assert.equal(shape(cols.columnMetadata), 'Name,Account(Name,Owner(Name),Industry),Owner(Email)');
    const account = cols.columnMetadata[1]!;
    assert.deepEqual(
      [account.foreignKeyName, account.apexType, account.aggregate],
      ['AccountId', null, false],
    );
    assert.equal(cols.idSelected, false);
  });

  it('describes a subquery as an aggregate column over the child query columns', async () => {
    const cols = await columnsOf(
      'SELECT Name, (SELECT Role, Contact.LastName FROM OpportunityContactRoles) FROM Opportunity',
    );
    assert.equal(shape(cols.columnMetadata), 'Name,OpportunityContactRoles(Role,Contact(LastName))');
    const sub = cols.columnMetadata[1]!;
    assert.deepEqual([sub.aggregate, sub.foreignKeyName, sub.apexType], [true, null, null]);
  });

  it('names aggregates exprN (unaliased ones, counted from 0) or by alias, with the function as displayName', async () => {
    const soql =
      'SELECT StageName, COUNT(Id), SUM(Amount) total, MAX(Name) FROM Opportunity GROUP BY StageName';
    const cols = await columnsOf(soql);
    assert.equal(cols.groupBy, true);
    assert.deepEqual(
      cols.columnMetadata.map((c) => [c.columnName, c.displayName, c.aggregate, c.numberType, c.textType]),
      [
        ['StageName', 'StageName', false, false, true],
        ['expr0', 'COUNT(Id)', true, true, false],
        ['total', 'SUM(Amount)', true, true, false],
        ['expr1', 'MAX(Name)', true, false, true],
      ],
    );
    // The column names are the keys of the rows the same query returns.
    const rows = await h.conn.query<Record<string, unknown>>(soql);
    for (const row of rows.records)
      assert.deepEqual(Object.keys(row).slice(1), ['StageName', 'expr0', 'total', 'expr1']);
  });

  it('gives COUNT() no columns: it returns no rows, only totalSize', async () => {
    const cols = await columnsOf('SELECT COUNT() FROM Opportunity');
    assert.deepEqual(cols.columnMetadata, []);
    assert.equal(cols.entityName, 'Opportunity');
  });

  it('expands FIELDS(STANDARD) to the fields the query returns', async () => {
    const cols = await columnsOf('SELECT FIELDS(STANDARD) FROM Account LIMIT 1');
    const rows = await h.conn.query<Record<string, unknown>>('SELECT FIELDS(STANDARD) FROM Account LIMIT 1');
    assert.deepEqual(
      cols.columnMetadata.map((c) => c.columnName),
      Object.keys(rows.records[0]!).filter((k) => k !== 'attributes'),
    );
  });

  it('fails a bad query exactly as running it does', async () => {
    for (const [soql, code] of [
      ['SELECT Bogus__c FROM Account', 'INVALID_FIELD'],
      ['SELECT Id FROM Nope__c', 'INVALID_TYPE'],
      ['SELECT FROM', 'MALFORMED_QUERY'],
    ] as const) {
      const res = await request(h.app).get(`${API}/query`).query({ q: soql, columns: 'true' }).set(AUTH);
      assert.equal(res.status, 400, soql);
      assert.equal(res.body[0].errorCode, code, soql);
    }
  });
});
