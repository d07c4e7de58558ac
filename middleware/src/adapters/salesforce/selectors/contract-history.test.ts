import assert from 'node:assert/strict';
import { startLocalOrg, type LocalOrgHarness } from '@dealdesk/local-org/testing';
import { shippedContractLibrary } from '../../../test-support/contract-input.ts';
import { demoCompany, demoScenario } from '@dealdesk/local-org';
import { decideFromHistory } from '../../../agents/contract-generation/account-history.ts';
import type { CrmPort } from '../../../ports/crm.ts';
import { createSalesforceCrm } from '../salesforce-crm.ts';

/** The seeded history read through the adapter, as the Contract Generation Agent gets it. */
describe("an account's earlier contracts, read from the org", () => {
  let h: LocalOrgHarness;
  let crm: CrmPort;
  let requests = 0;
  const library = shippedContractLibrary();
  const accountId = (name: string) =>
    String(h.org.query(`SELECT Id FROM Account WHERE Name = '${name}'`).records[0]!.Id);
  /** A new deal for the account: the opportunity whose contract the history is for. */
  const newDeal = (account: string) =>
    h.org.transact(h.org.integrationUserId, (dml) =>
      dml.insert('Opportunity', {
        Name: `${account} - next deal`,
        AccountId: accountId(account),
        StageName: 'Negotiation/Review',
        CloseDate: '2027-01-31',
        Amount: 50000,
      }),
    ).Id;

  before(async () => {
    h = await startLocalOrg();
    h.org.seed(demoCompany);
    crm = createSalesforceCrm({ conn: h.conn, apiVersion: '65.0', onRequest: () => (requests += 1) });
  });
  after(async () => h.close());

  it('come with the deal in its one request, newest first, and the same when read alone', async () => {
    const opp = newDeal('Harbourline Ferries Ltd');
    requests = 0;
    const deal = await crm.loadDeal(opp, { activityDays: 90 });
    assert.equal(requests, 1, 'no request of its own');
    const contracts = deal.accountContracts!;
    assert.deepEqual(
      contracts.map((c) => c.opportunityName),
      [
        'Harbourline Ferries - Crew Mobile',
        'Harbourline Ferries - Terminal Equipment',
        'Harbourline Ferries - Fleet Maintenance',
      ],
    );
    const names = h.org
      .query(
        `SELECT Name FROM Contract_Version__c WHERE Account__c = '${accountId('Harbourline Ferries Ltd')}' ORDER BY CreatedDate DESC`,
      )
      .records.map((r) => String(r.Name));
    assert.deepEqual(
      contracts.map((c) => c.name),
      names,
    );
    assert.deepEqual(await crm.loadContractHistory!(opp), contracts);

    const d = decideFromHistory(contracts, null, library);
    assert.deepEqual(
      d.carried.map((c) => [c.term, c.form, c.clause ?? c.value]),
      [
        ['uncapped_liability', 'settled', 'liability-cap-enhanced'],
        ['billing', 'asked', 'quarterly'],
      ],
    );
    assert.equal(
      d.carried[0]!.reason,
      `liability beyond the standard cap: asked for in 3 of 3 earlier contracts and settled as a cap of twice the annual fees in 2 of them (${names[0]}, ${names[1]}); pre-included in its settled form`,
    );
  });

  it('leave out the deal itself, lost deals, and other accounts', async () => {
    const won = h.org.query("SELECT Id FROM Opportunity WHERE Name = 'Harbourline Ferries - Crew Mobile'")
      .records[0]!;
    const others = await crm.loadContractHistory!(String(won.Id));
    assert.deepEqual(
      others.map((c) => c.opportunityName),
      ['Harbourline Ferries - Terminal Equipment', 'Harbourline Ferries - Fleet Maintenance'],
    );

    const vanDijk = await crm.loadContractHistory!(newDeal('Van Dijk Food Logistics B.V.'));
    const d = decideFromHistory(vanDijk, null, library);
    assert.deepEqual(
      d.carried.map((c) => c.reason.replace(/CV-\d+/g, 'CV')),
      [
        'EU data residency: asked for and accepted in 2 of 2 earlier contracts (CV, CV)',
        'payment terms (net 45 days): asked for and accepted in 2 of 2 earlier contracts (CV, CV)',
      ],
    );

    // Summit Valley's only earlier contract is on a lost deal: it settled nothing.
    const ambiguous = h.org.query(
      `SELECT Id FROM Opportunity WHERE Name = '${demoScenario('ambiguous').opportunityName}'`,
    ).records[0]!;
    assert.equal(
      h.org.query(
        `SELECT COUNT() FROM Contract_Version__c WHERE Account__c = '${accountId('Summit Valley Health')}'`,
      ).totalSize,
      1,
    );
    assert.deepEqual((await crm.loadDeal(String(ambiguous.Id), { activityDays: 90 })).accountContracts, []);
  });
});
