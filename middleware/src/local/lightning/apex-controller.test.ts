import assert from 'node:assert/strict';
import type { LocalOrg } from '@dealdesk/local-org';
import { demoScenario } from '@dealdesk/local-org';
import { soqlString } from '@dealdesk/contracts';
import { FORCE_APP_DIR } from '../../paths.ts';
import { closureInFlight, demoOrg, userId } from '../../test-support/lightning-fixtures.ts';
import { AccessModel, type UserAccess } from './access.ts';
import { ApexError, DealDeskControllerStandIn, NOTE_MAX_LENGTH, overallDiscount } from './apex-controller.ts';
import type { ClosurePreview, Timeline } from './apex-contract.ts';

describe('DealDeskController stand-in', () => {
  let org: LocalOrg;
  let access: AccessModel;
  let controller: DealDeskControllerStandIn;
  let enqueued: string[];
  let verbalYes: { Id: string; Name: string };
  const as = (username: string): UserAccess => access.forUser(userId(org, username))!;
  const call = (user: UserAccess, method: string, params: Record<string, unknown>) =>
    controller.invoke(user, { classname: 'DealDeskController', method, params });
  const refusal = (user: UserAccess, method: string, params: Record<string, unknown>): ApexError => {
    try {
      call(user, method, params);
    } catch (err) {
      assert.ok(err instanceof ApexError, `expected an ApexError, got ${String(err)}`);
      return err;
    }
    assert.fail(`${method} answered instead of refusing`);
  };

  beforeEach(() => {
    org = demoOrg();
    access = new AccessModel(org, FORCE_APP_DIR);
    enqueued = [];
    controller = new DealDeskControllerStandIn({ org, enqueueStart: (id) => enqueued.push(id) });
    const name = demoScenario('verbal-yes').opportunityName;
    verbalYes = org
      .query(`SELECT Id, Name FROM Opportunity WHERE Name = ${soqlString(name)}`)
      .records.map((r) => ({ Id: String(r.Id), Name: String(r.Name) }))[0]!;
  });
  afterEach(() => org.close());

  describe('getClosurePreview', () => {
    it('answers with the opportunity, its products, contacts and discount as the org holds them', () => {
      const preview = call(as('jordan.keller'), 'getClosurePreview', {
        opportunityId: verbalYes.Id.slice(0, 15),
      }) as ClosurePreview;
      const opp = org.query(
        'SELECT Id, Name, Amount, StageName, CurrencyIsoCode, CloseDate, Account.Name, ' +
          '(SELECT Id, Quantity, UnitPrice, ListPrice, Discount, TotalPrice FROM OpportunityLineItems), ' +
          '(SELECT Id, IsPrimary, Contact.Name FROM OpportunityContactRoles) ' +
          `FROM Opportunity WHERE Id = ${soqlString(verbalYes.Id)}`,
      ).records[0]!;
      const items = (opp.OpportunityLineItems as { records: Record<string, number>[] }).records;
      const roles = (opp.OpportunityContactRoles as { records: { Id: string; IsPrimary: boolean }[] })
        .records;
      assert.equal(preview.opportunityId, verbalYes.Id, 'the 15-character id comes back as 18');
      assert.equal(preview.name, verbalYes.Name);
      assert.equal(preview.accountName, (opp.Account as { Name: string }).Name);
      assert.equal(preview.amount, opp.Amount);
      assert.equal(preview.currencyIsoCode, opp.CurrencyIsoCode);
      assert.equal(preview.closeDate, opp.CloseDate);
      assert.deepEqual(
        preview.products.map((p) => p.totalPrice),
        items.map((i) => i.TotalPrice),
      );
      const gross = items.reduce((s, i) => s + i.ListPrice! * i.Quantity!, 0);
      const net = items.reduce((s, i) => s + i.TotalPrice!, 0);
      assert.equal(preview.discountPercent, Math.round((1 - net / gross) * 10000) / 100);
      assert.equal(preview.contacts.length, roles.length);
      assert.equal(preview.contacts[0]!.isPrimary, true, 'the primary contact comes first');
      assert.deepEqual(preview.blockers, []);
      assert.equal(preview.canStart, true);
      assert.equal(preview.readiness, null);
    });

    it('refuses unknown and malformed ids with the messages the Apex class and Aura give', () => {
      const rep = as('jordan.keller');
      const unknown = refusal(rep, 'getClosurePreview', { opportunityId: '006Dd000009zzzz' });
      assert.equal(unknown.message, 'The opportunity does not exist or you do not have access to it.');
      assert.equal(unknown.exceptionType, 'System.AuraHandledException');
      assert.equal(
        refusal(rep, 'getClosurePreview', { opportunityId: 'not-an-id' }).message,
        "Value provided is invalid for action parameter 'opportunityId' of type 'Id'",
      );
      assert.equal(
        refusal(rep, 'getClosurePreview', {}).message,
        'The opportunity does not exist or you do not have access to it.',
      );
    });

    it('lists every reason a closed opportunity cannot close again', () => {
      const won = org.query("SELECT Id, StageName FROM Opportunity WHERE StageName = 'Closed Won' LIMIT 1")
        .records[0]!;
      const preview = call(as('jordan.keller'), 'getClosurePreview', {
        opportunityId: won.Id,
      }) as ClosurePreview;
      assert.equal(preview.canStart, false);
      assert.ok(preview.blockers.includes(`This opportunity is already closed (${String(won.StageName)}).`));
    });

    it('shows the readiness of the latest closure that recorded one', () => {
      const flight = closureInFlight(org, verbalYes.Id, 'priya.raman');
      const preview = call(as('jordan.keller'), 'getClosurePreview', {
        opportunityId: verbalYes.Id,
      }) as ClosurePreview;
      assert.deepEqual(
        { ...preview.readiness, assessedAt: typeof preview.readiness?.assessedAt },
        {
          dealClosureId: flight.closureId,
          name: flight.closureName,
          confidence: 82.5,
          decision: 'Needs_Rep_Confirmation',
          decisionLabel: 'Needs Rep Confirmation',
          assessedAt: 'string',
        },
      );
      assert.deepEqual(preview.blockers, [
        `A deal closure is already running for this opportunity (${flight.closureName}, Waiting_Approval).`,
      ]);
    });
  });

  describe('startClosure', () => {
    it('inserts a Queued closure as the rep and hands it to the start callout', () => {
      const rep = as('jordan.keller');
      const id = call(rep, 'startClosure', {
        opportunityId: verbalYes.Id,
        note: '  Verbal yes from the COO  ',
        transcript: '',
      }) as string;
      assert.match(id, /^[a-zA-Z0-9]{18}$/);
      assert.deepEqual(enqueued, [id]);
      const row = org.query(
        `SELECT Status__c, Trigger__c, Note__c, Transcript__c, Opportunity__c, CreatedById FROM Deal_Closure__c WHERE Id = ${soqlString(id)}`,
      ).records[0]!;
      assert.deepEqual(
        { ...row, attributes: undefined },
        {
          attributes: undefined,
          Status__c: 'Queued',
          Trigger__c: 'Rep',
          Note__c: 'Verbal yes from the COO',
          Transcript__c: null,
          Opportunity__c: verbalYes.Id,
          CreatedById: rep.userId,
        },
      );
      const again = refusal(rep, 'startClosure', { opportunityId: verbalYes.Id });
      const name = org.query(`SELECT Name FROM Deal_Closure__c WHERE Id = ${soqlString(id)}`).records[0]!
        .Name;
      assert.equal(
        again.message,
        `A deal closure is already running for this opportunity (${String(name)}, Queued).`,
      );
      assert.equal(enqueued.length, 1, 'a refused start calls nobody');
    });

    it('refuses what the Apex class refuses, with its messages, and inserts nothing', () => {
      const rep = as('jordan.keller');
      const before = org.store.count('Deal_Closure__c');
      assert.equal(refusal(rep, 'startClosure', { note: 'x' }).message, 'Choose an opportunity to close.');
      assert.equal(
        refusal(rep, 'startClosure', { opportunityId: verbalYes.Id, note: 'n'.repeat(NOTE_MAX_LENGTH + 1) })
          .message,
        `The note is longer than ${NOTE_MAX_LENGTH} characters.`,
      );
      // An approver reads closures but may not create them: `insert as user` fails.
      assert.equal(
        refusal(as('priya.raman'), 'startClosure', { opportunityId: verbalYes.Id }).message,
        'DML operation INSERT not allowed on Deal_Closure__c',
      );
      assert.equal(org.store.count('Deal_Closure__c'), before);
      assert.deepEqual(enqueued, []);
    });

    it('refuses users without access to the class', () => {
      const support = as('lena.novak');
      assert.deepEqual(support.permissionSets, []);
      const err = refusal(support, 'startClosure', { opportunityId: verbalYes.Id });
      assert.equal(err.message, "You do not have access to the Apex class named 'DealDeskController'.");
      assert.equal(err.status, 403);
      assert.equal(refusal(support, 'getTimeline', { recordId: verbalYes.Id }).status, 403);
    });

    it('does not answer methods the class does not have', () => {
      for (const method of ['toString', 'constructor', 'markFailed']) {
        assert.equal(refusal(as('jordan.keller'), method, {}).status, 404);
      }
    });
  });

  describe('getTimeline', () => {
    it("shows a closure's steps, approvals and recipients with the picklists' labels", () => {
      const flight = closureInFlight(org, verbalYes.Id, 'priya.raman');
      const rep = as('jordan.keller');
      const byOpportunity = call(rep, 'getTimeline', { recordId: verbalYes.Id }) as Timeline;
      const byClosure = call(rep, 'getTimeline', { recordId: flight.closureId }) as Timeline;
      assert.deepEqual(byOpportunity, byClosure);
      const { closure, steps, approvals, recipients } = byClosure;
      assert.equal(closure?.id, flight.closureId);
      assert.equal(closure?.opportunityName, verbalYes.Name);
      assert.equal(closure?.statusLabel, 'Waiting Approval');
      assert.equal(closure?.currentAgentLabel, 'Approval Orchestration');
      assert.equal(closure?.decisionLabel, 'Needs Rep Confirmation');
      assert.equal(closure?.isTerminal, false);
      assert.equal(closure?.startedAt, '2026-11-24T08:00:00.000Z');
      assert.deepEqual(
        steps.map((s) => [s.id, s.agentLabel, s.statusLabel, s.durationMs, s.finishedAt]),
        [[flight.stepId, 'Deal Closure', 'Succeeded', 4200, '2026-11-24T08:00:05.200Z']],
      );
      assert.deepEqual(
        approvals.map((a) => [a.id, a.roleLabel, a.approverName, a.statusLabel]),
        [[flight.approvalId, 'Sales VP', 'Priya Raman', 'Pending']],
      );
      assert.deepEqual(
        recipients.map((r) => [r.name, r.role, r.routingOrder, r.statusLabel, r.envelopeStatusLabel]),
        [['Katrin Vogel', 'Customer Signer', 1, 'Sent', 'Sent']],
      );
    });

    it('is empty for an opportunity without closures, and refuses other records', () => {
      const rep = as('jordan.keller');
      assert.deepEqual(call(rep, 'getTimeline', { recordId: verbalYes.Id }), {
        closure: null,
        steps: [],
        approvals: [],
        recipients: [],
      });
      const account = String(org.query('SELECT Id FROM Account LIMIT 1').records[0]!.Id);
      assert.equal(
        refusal(rep, 'getTimeline', { recordId: account }).message,
        'The deal closure timeline works on Opportunity and Deal Closure pages only.',
      );
      assert.equal(refusal(rep, 'getTimeline', {}).message, 'The timeline needs a record.');
      assert.equal(
        refusal(rep, 'getTimeline', { recordId: 42 }).message,
        "Value provided is invalid for action parameter 'recordId' of type 'Id'",
      );
    });
  });

  describe('overallDiscount', () => {
    it('weighs lines by list price and rounds half up to two decimals', () => {
      assert.equal(overallDiscount([]), null);
      assert.equal(
        overallDiscount([
          { Quantity: 10, UnitPrice: 1000, ListPrice: 1000, TotalPrice: 10000 },
          { Quantity: 4, UnitPrice: 400, ListPrice: 500, Discount: 10, TotalPrice: 1440 },
        ]),
        4.67,
      );
      // Without a total, the line's own discount applies to its sales price; without a list price, the sales price is the reference.
      assert.equal(overallDiscount([{ Quantity: 2, UnitPrice: 100, Discount: 12.5 }]), 12.5);
      assert.equal(overallDiscount([{ Quantity: 0, UnitPrice: 100, TotalPrice: 0 }]), null);
    });
  });
});
