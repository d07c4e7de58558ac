import assert from 'node:assert/strict';
import type { ContactRole, CrmUser, CrmWrite, DealContext, TaskWrite } from '../../ports/crm.ts';
import type { StageOutcome } from '../../orchestrator/stage.ts';
import { loadHandoffChecklists } from '../../wiring.ts';
import {
  activity,
  contactRole,
  contractOutput,
  dealContext,
  handoffUsers,
  signal,
  stageContext,
} from '../../test-support/deal-fixtures.ts';
import { createHandoffAgent, type Fact } from './handoff-agent.ts';
import { HandoffOwnersSchema, loadHandoffOwners, type HandoffOwners } from './handoff-owners.ts';
import { SECTIONS, TEAMS } from './teams.ts';
import type { RenewalRisk } from '../system-integration/renewal-risk.ts';
import type { LlmPort } from '../../ports/llm.ts';
import { draftingLlm as fakeDraftingLlm } from '../../test-support/drafting-llm.ts';

const checklists = loadHandoffChecklists();
const CONTRACT_ID = '800Dd0000000001AAA';

const role = (name: string, roleName: string, title: string, over: Partial<ContactRole> = {}) =>
  contactRole({
    name,
    role: roleName,
    title,
    email: `${name.toLowerCase()}@c.example`,
    description: `${name} wants weekly status emails`,
    isPrimary: roleName === 'Economic Buyer',
    ...over,
  });

const FULL_ROLES = [
  role('Eva', 'Economic Buyer', 'CFO'),
  role('Tim', 'Technical Buyer', 'IT Director'),
  role('Pia', 'Other', 'Procurement Lead'),
];

const deal = (over: Partial<DealContext> = {}) =>
  dealContext({
    opportunity: { currency: 'EUR', amountMinor: 120_000_00, ownerName: 'Jordan Keller' },
    contactRoles: FULL_ROLES,
    activities: [
      activity({
        id: '00TDd0000000001AAA',
        body: 'Must integrate with SAP via the API. Go-live before the March shutdown. Goal: reduce downtime by 20%.',
      }),
    ],
    ...over,
  });

/**
 * The Deal Closure reading of the deal, as the language module hands it on: the handoff facts it
 * found in the call note, while that note is among the deal's activities.
 */
const closure = (d: DealContext) => {
  const task = d.activities.find((a) => a.id === '00TDd0000000001AAA');
  const fact = (type: string, quote: string) =>
    task?.body?.includes(quote)
      ? [
          signal({
            type,
            quote,
            source: {
              kind: 'task',
              recordId: task.id,
              occurredAt: task.occurredAt,
              label: 'Call',
              who: null,
            },
            span: {
              field: 'task',
              start: task.body.indexOf(quote),
              end: task.body.indexOf(quote) + quote.length,
            },
          }),
        ]
      : [];
  return {
    assessment: {
      signals: [
        signal({ type: 'security_concern', quote: 'We need SSO and the SOC 2 report.' }),
        ...fact('timeline_urgency', 'Go-live before the March shutdown.'),
      ],
      handoffFacts: {
        success_criteria: fact('success_criteria', 'Goal: reduce downtime by 20%.'),
        seller_commitment: [],
        technical_requirement: fact('technical_requirement', 'Must integrate with SAP via the API.'),
      },
    },
  };
};

/** The demo org's handoff users, as Salesforce would return them. */
const ownersConfig = loadHandoffOwners();
const users: CrmUser[] = handoffUsers(ownersConfig);

interface RunOptions {
  owners?: HandoffOwners;
  known?: CrmUser[];
  turn?: number;
  /** System Integration's output beyond the contract id (its renewal risk). */
  synced?: { renewalRisk?: RenewalRisk };
  /** The language model that drafts the packages' texts. */
  llm?: LlmPort;
  /** The stage's context, to run the stage again as a replay does. */
  ctx?: ReturnType<typeof stageContext>;
}

function contextFor(dealOver: Partial<DealContext> = {}, options: RunOptions = {}) {
  return stageContext('handoff_coordination', {
    deal_closure: { deal: deal(dealOver), assessment: closure(deal(dealOver)) },
    contract_generation: { contract: contractOutput({ currency: 'EUR', totalMinor: 120_000_00 }) },
    system_integration: { output: { contractId: CONTRACT_ID, ...options.synced } },
  });
}

async function run(dealOver: Partial<DealContext> = {}, options: RunOptions = {}) {
  const ctx = options.ctx ?? contextFor(dealOver, options);
  const outcome = await createHandoffAgent({
    checklists,
    owners: options.owners ?? ownersConfig,
    crm: {
      findUsers: async (names) =>
        (options.known ?? users).filter((u) => names.some((n) => n.toLowerCase() === u.username)),
    },
    store: {
      countCompletedThrough: async (stage, _before, exceptRunId) => {
        assert.equal(stage, 'handoff_coordination');
        assert.equal(exceptRunId, ctx.run.id);
        return options.turn ?? 0;
      },
    },
    ...(options.llm ? { llm: options.llm } : {}),
  }).run(ctx);
  return outcome;
}

const handoffs = (outcome: StageOutcome) =>
  (outcome.writes ?? []).filter((w): w is Extract<CrmWrite, { kind: 'handoff' }> => w.kind === 'handoff');
const tasks = (outcome: StageOutcome): TaskWrite[] =>
  (outcome.writes ?? []).flatMap((w) => (w.kind === 'tasks' ? w.tasks : []));
interface PackageContext {
  owner: { name: string; username: string; rule: string; reason: string; userId: string };
  sections: Record<string, Fact[]>;
  found: { item: string; facts: number }[];
  missing: { item: string; supplier: string }[];
}
const contextOf = (outcome: StageOutcome, team: string) =>
  JSON.parse(handoffs(outcome).find((w) => w.team === team)!.context) as PackageContext;

describe('handoff packages', () => {
  it('writes one complete package per team, every fact with the id of its source record', async () => {
    const outcome = await run();
    assert.deepEqual(
      handoffs(outcome).map((w) => [w.team, w.completeness, w.status]),
      [
        ['Customer_Success', 1, 'Ready'],
        ['Finance', 1, 'Ready'],
        ['Support', 1, 'Ready'],
        ['Implementation', 1, 'Ready'],
      ],
    );
    const impl = contextOf(outcome, 'Implementation');
    assert.ok(
      impl.sections.technicalRequirements!.some(
        (f) => /SAP/.test(f.text) && f.source === 'Task 00TDd0000000001AAA',
      ),
    );
    for (const team of TEAMS) {
      const facts = Object.values(contextOf(outcome, team).sections).flat();
      assert.ok(facts.length > 0);
      for (const f of facts)
        assert.match(f.source, /^[A-Za-z_]+ [a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, f.text);
    }
    assert.ok(
      contextOf(outcome, 'Finance').sections.commercialTerms!.every(
        (f) => f.source === `Contract ${CONTRACT_ID}`,
      ),
      'commercial terms cite the activated contract',
    );
  });

  it('drops the score and names each missing item and who supplies it, one fact removed at a time', async () => {
    const full = await run();
    // Each removal empties one required section of the checklist.
    const removals: [string, Partial<DealContext>][] = [
      ['stakeholders', { contactRoles: [] }],
      ['priorities', { contactRoles: FULL_ROLES.map((r) => ({ ...r, description: null })) }],
      ['billingContact', { contactRoles: FULL_ROLES.filter((r) => r.name === 'Tim') }],
      ['technicalContact', { contactRoles: FULL_ROLES.filter((r) => r.name !== 'Tim') }],
      ['products', { lineItems: [] }],
      ['successCriteria', { activities: [] }],
    ];
    for (const [section, removal] of removals) {
      const outcome = await run(removal);
      const affected = TEAMS.filter((t) => checklists.teams[t]!.required.includes(section as never));
      assert.ok(affected.length > 0, `${section} is required by some team`);
      for (const team of affected) {
        const before = handoffs(full).find((w) => w.team === team)!;
        const after = handoffs(outcome).find((w) => w.team === team)!;
        assert.ok(after.completeness < before.completeness, `${team} score drops without ${section}`);
        assert.equal(after.status, 'Incomplete');
        const missing = contextOf(outcome, team).missing.find((m) => m.item === section);
        assert.ok(missing, `${team} names ${section} as missing`);
        assert.ok(missing.supplier.length > 0);
      }
    }
    const noSupport = await run({ contactRoles: [role('Eva', 'Economic Buyer', 'CFO')] });
    const support = contextOf(noSupport, 'Support');
    assert.deepEqual(
      support.missing.map((m) => [m.item, m.supplier]),
      [['supportContacts', 'Jordan Keller (the rep) (a technical buyer or IT contact role)']],
    );
    assert.match(noSupport.reasoning, /supportContacts \(from Jordan Keller \(the rep\)/);
  });

  it("ties words to the stakeholder whose record holds them, and cites each quote's span", async () => {
    const eva = FULL_ROLES[0]!;
    const body =
      'Must integrate with SAP via the API. Go-live before the March shutdown. Goal: reduce downtime by 20%.';
    const outcome = await run({
      activities: [activity({ id: '00TDd0000000001AAA', body, contactId: eva.contactId, type: 'Call' })],
    });
    const cs = contextOf(outcome, 'Customer_Success');
    const goal = cs.sections.successCriteria![0]!;
    assert.equal(goal.source, 'Task 00TDd0000000001AAA');
    assert.deepEqual(goal.span, { field: 'task', start: 72, end: 101 });
    assert.equal(body.slice(goal.span!.start, goal.span!.end), goal.quote);
    assert.deepEqual(goal.figures, ['20%']);
    assert.equal(goal.who, 'Eva');
    assert.ok(
      cs.sections.priorities!.some(
        (f) => f.text.startsWith('Eva (Economic Buyer) — goal: "Goal: reduce downtime by 20%."') && f.span,
      ),
      'what Eva said is among her priorities',
    );
    assert.match(
      cs.sections.communication![0]!.text,
      /^Eva \(Economic Buyer\): 1 × Call; latest Call on 2026-11-20/,
    );
    // Someone else's call: Tim's words are not Eva's.
    const other = await run({
      activities: [activity({ id: '00TDd0000000001AAA', body, contactId: FULL_ROLES[1]!.contactId })],
    });
    assert.equal(contextOf(other, 'Customer_Success').sections.successCriteria![0]!.who, 'Tim');
  });

  it("hands Customer Success the renewal risk's factors, with the record each came from", async () => {
    const outcome = await run(
      {},
      {
        synced: {
          renewalRisk: {
            score: 21,
            level: 'Low',
            factors: [
              {
                factor: 'discount_depth',
                points: 21,
                reason: '21% discount across the deal',
                evidence: [
                  { source: 'OpportunityLineItem 00kDd0000000042AAA', text: '10 × Platform at 21% discount' },
                ],
              },
            ],
          },
        },
      },
    );
    const risks = contextOf(outcome, 'Customer_Success').sections.risks!;
    assert.ok(
      risks.some(
        (f) =>
          f.text === 'renewal risk +21 discount depth: 21% discount across the deal' &&
          f.source === 'OpportunityLineItem 00kDd0000000042AAA',
      ),
    );
  });

  it('writes the summary from the facts, counting the required facts found', async () => {
    const outcome = await run({
      contactRoles: FULL_ROLES.filter((r) => r.name !== 'Pia' && r.name !== 'Eva'),
    });
    const finance = handoffs(outcome).find((w) => w.team === 'Finance')!;
    assert.match(finance.summary, /^Acme GmbH for Finance, owned by raj\.patel/);
    assert.match(finance.summary, /Terms: €120,000\.00 over 12 months from 2026-12-01\./);
    assert.match(
      finance.summary,
      /Acme GmbH: 2 of 3 required facts for Finance found; missing billingContact \(from Jordan Keller \(the rep\) \(a contact role for finance, procurement or accounts payable\)\)\.$/,
    );
    assert.deepEqual(contextOf(outcome, 'Finance').found, [
      { item: 'commercialTerms', facts: 1 },
      { item: 'billing', facts: 2 },
    ]);
    const cs = handoffs(outcome).find((w) => w.team === 'Customer_Success')!;
    assert.match(
      cs.summary,
      /Success means: "Goal: reduce downtime by 20%\." \(Call, 2026-11-20\) — figures: 20%\./,
    );
  });

  it('covers every section a checklist requires with a supplier', () => {
    for (const team of TEAMS)
      for (const item of checklists.teams[team]!.required) assert.ok(checklists.suppliers[item], item);
    assert.ok(SECTIONS.length > 0);
  });
});

describe('handoff owners', () => {
  it('assigns by industry specialist, then territory, then round-robin, and records the rule', async () => {
    const owners = (o: StageOutcome) =>
      Object.fromEntries(
        TEAMS.map((t) => [t, [contextOf(o, t).owner.username.split('@')[0], contextOf(o, t).owner.rule]]),
      );
    assert.deepEqual(owners(await run()), {
      Customer_Success: ['nina.hoffmann', 'industry_specialist'],
      Finance: ['raj.patel', 'round_robin'],
      Support: ['lena.novak', 'territory'],
      Implementation: ['felix.wagner', 'territory'],
    });
    const us = await run(
      { account: { ...deal().account!, industry: 'Healthcare', billingCountry: 'United States' } },
      { turn: 1 },
    );
    assert.deepEqual(owners(us), {
      Customer_Success: ['carlos.mendes', 'territory'],
      Finance: ['elena.petrova', 'round_robin'],
      Support: ['diego.ramos', 'round_robin'],
      Implementation: ['felix.wagner', 'round_robin'],
    });
    const pkg = handoffs(us).find((w) => w.team === 'Finance')!;
    assert.equal(pkg.ownerId, contextOf(us, 'Finance').owner.userId);
  });

  it('creates one dated kickoff Task per team for its owner', async () => {
    const outcome = await run();
    const kickoffs = tasks(outcome);
    assert.equal(kickoffs.length, 4);
    for (const team of TEAMS) {
      const task = kickoffs.find((t) => t.key === `run-test:task:kickoff:${team}`)!;
      assert.equal(task.ownerId, contextOf(outcome, team).owner.userId);
      // 25 Nov + 3 days at the earliest, the day before the 1 December start.
      assert.equal(task.activityDate, '2026-11-30');
    }
  });

  it('stops with the unknown or inactive users named', async () => {
    const known = users
      .filter((u) => !u.username.startsWith('lena.novak'))
      .map((u) => (u.username.startsWith('nina') ? { ...u, isActive: false } : u));
    const outcome = await run({}, { known });
    assert.equal(outcome.status, 'failed');
    assert.match(
      outcome.error!,
      /nina\.hoffmann@dealdesk-demo\.example \(Customer Success Manufacturing specialist\) is inactive/,
    );
    assert.match(
      outcome.error!,
      /lena\.novak@dealdesk-demo\.example \(Support territory Germany\) is not a Salesforce user/,
    );
  });

  it('rejects owner rules without a round-robin, naming the team', () => {
    const bad = structuredClone(ownersConfig) as { teams: Record<string, { roundRobin: string[] }> };
    bad.teams.Finance!.roundRobin = [];
    const parsed = HandoffOwnersSchema.safeParse(bad);
    assert.equal(parsed.success, false);
    assert.match(
      parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join(),
      /teams\.Finance\.roundRobin: needs at least one user/,
    );
  });
});

/**
 * A language model that writes, for each package, one sentence from the package's owner fact and
 * one it made up (figures and a name no fact holds), or that is down.
 */
function draftingLlm(down = false) {
  return fakeDraftingLlm((prompt) => {
    const [, account, team, owner] = /<fact id="owner"[^>]*>\n(.+?) for (.+?), owned by (.+?) \(/.exec(
      prompt,
    )!;
    return [
      { text: `${owner} owns the ${team} handoff for ${account}.`, facts: ['owner'] },
      {
        text: `${account} also bought 500 extra seats for €90,000 through Marcus Lee.`,
        facts: ['owner', 'commercialTerms.1'],
      },
    ];
  }, down);
}

interface Narrative {
  writtenBy: string;
  sentences?: { text: string; facts: string[] }[];
  dropped: number;
  droppedReasons: Record<string, number>;
  fallbackReason?: string;
}
const narrativeOf = (outcome: StageOutcome, team: string) =>
  (contextOf(outcome, team) as PackageContext & { narrative: Narrative }).narrative;
const summaryOf = (outcome: StageOutcome, team: string) =>
  handoffs(outcome).find((w) => w.team === team)!.summary;

describe('handoff texts drafted by a language model', () => {
  it('stores only the verified sentence, with the checklist count, and records the model that wrote it', async () => {
    const offline = await run();
    const { llm, requests } = draftingLlm();
    const ctx = contextFor();
    const outcome = await run({}, { llm, ctx });
    assert.equal(requests.length, 4, 'one draft per team');
    for (const team of TEAMS) {
      const owner = contextOf(outcome, team).owner.name;
      const good = `${owner} owns the ${team.replace('_', ' ')} handoff for Acme GmbH.`;
      const completeness = summaryOf(offline, team).split('\n').at(-1)!;
      assert.equal(summaryOf(outcome, team), `${good}\n${completeness}`);
      assert.doesNotMatch(summaryOf(outcome, team), /Marcus|500|90,000/);
      assert.deepEqual(narrativeOf(outcome, team), {
        writtenBy: 'fake-model',
        sentences: [{ text: good, facts: ['owner'] }],
        dropped: 1,
        // A team whose package has no commercial terms has no fact `commercialTerms.1` to cite.
        droppedReasons: checklists.teams[team]!.sections.includes('commercialTerms')
          ? { unsupported_number: 1 }
          : { unknown_fact: 1 },
      });
      assert.ok(
        tasks(outcome)
          .find((t) => t.key.endsWith(team))!
          .description!.startsWith(good),
      );
    }
    assert.match(
      outcome.reasoning,
      /4 package text\(s\) drafted by fake-model, 4 sentence\(s\) verified against their facts, 4 dropped as unverifiable\.$/,
    );
    const cs = requests.find((r) => /for Customer Success, owned by/.test(r.prompt))!;
    assert.equal(cs.agent, 'Handoff_Coordination');
    assert.match(cs.prompt, /<fact id="successCriteria\.1" source="Task 00TDd0000000001AAA">/);
    assert.match(cs.prompt, /quote: "Goal: reduce downtime by 20%\."/);
    // A replay of the stage keeps the texts it drafted and asks the model nothing.
    const replay = await run({}, { llm, ctx });
    assert.equal(requests.length, 4);
    assert.deepEqual(
      TEAMS.map((t) => summaryOf(replay, t)),
      TEAMS.map((t) => summaryOf(outcome, t)),
    );
  });

  it('writes with the offline templates when the model fails, and says so in the package', async () => {
    const offline = await run();
    const outcome = await run({}, { llm: draftingLlm(true).llm });
    for (const team of TEAMS) {
      assert.equal(summaryOf(outcome, team), summaryOf(offline, team));
      assert.deepEqual(narrativeOf(outcome, team), {
        writtenBy: 'offline templates',
        dropped: 0,
        droppedReasons: {},
        fallbackReason: 'unavailable after 3 attempt(s): over capacity',
      });
      assert.deepEqual(narrativeOf(offline, team), {
        writtenBy: 'offline templates',
        dropped: 0,
        droppedReasons: {},
      });
    }
    assert.match(outcome.reasoning, /4 written by the offline templates \(unavailable after 3 attempt/);
    assert.doesNotMatch(offline.reasoning, /offline templates/);
  });
});
