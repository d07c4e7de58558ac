import assert from 'node:assert/strict';
import type { DealClosureOutput } from '../deal-closure/deal-closure-agent.ts';
import type { RequestedTerms } from '../../ports/language.ts';
import { activity, contractOutput, dealContext, signal } from '../../test-support/deal-fixtures.ts';
import { collectFacts, figuresOf } from './handoff-facts.ts';

const BODY =
  'Reduce invoice cycle time by 35% before 2027-03-31. Host everything in Frankfurt. Acme Billing was cheaper.';
const CALL = activity({ id: '00TDd0000000501AAA', body: BODY });
const at = (quote: string) => ({
  field: 'task',
  start: BODY.indexOf(quote),
  end: BODY.indexOf(quote) + quote.length,
});
const said = (type: string, quote: string) =>
  signal({
    type,
    quote,
    source: {
      kind: 'task',
      recordId: CALL.id,
      occurredAt: CALL.occurredAt,
      label: 'Call: review',
      who: null,
    },
    span: at(quote),
  });
const GOAL = 'Reduce invoice cycle time by 35% before 2027-03-31.';
const HOST = 'Host everything in Frankfurt.';
const RIVAL = 'Acme Billing was cheaper.';

const terms: RequestedTerms = {
  billing: null,
  residency: 'EU',
  healthData: false,
  securityReview: false,
  multiYear: false,
  termMonths: null,
  paymentDays: null,
  nonStandard: [],
  evidence: {
    residency: {
      span: { recordId: CALL.id, source: 'task', ...at(HOST), occurredAt: CALL.occurredAt },
      excerpt: HOST,
      probability: 0.9,
    },
  },
};

const closure = {
  assessment: {
    signals: [said('timeline_urgency', GOAL), said('competitor_mention', RIVAL)],
    handoffFacts: {
      success_criteria: [said('success_criteria', GOAL)],
      technical_requirement: [said('technical_requirement', HOST)],
    },
    competitors: ['Acme Billing', 'Northwind'],
    terms,
  },
} as unknown as DealClosureOutput;

const facts = collectFacts({
  deal: dealContext({ activities: [CALL] }),
  contract: contractOutput(),
  closure,
  contractSource: 'Contract 800Dd0000000501AAA',
  closureRecordId: null,
});

describe('handoff facts', () => {
  it('gives a success criterion its figures and the deadline read in the same words', () => {
    assert.deepEqual(
      facts.successCriteria.map((f) => [f.quote, f.figures, f.due, f.span]),
      [[GOAL, ['35%', '2027-03-31'], GOAL, at(GOAL)]],
    );
    assert.match(
      facts.successCriteria[0]!.text,
      /— figures: 35%, 2027-03-31; deadline read in the same words$/,
    );
  });

  it('names a requested term where a requirement states it, once', () => {
    assert.deepEqual(
      facts.technicalRequirements.map((f) => f.text),
      [`the buyer asked for data hosted in EU: "${HOST}" (Call: review, 2026-11-20)`],
    );
  });

  it('names the competitors a mention contains, among the risks and the competition', () => {
    assert.equal(
      facts.competitorContext[0]!.text,
      `Acme Billing mentioned: "${RIVAL}" (Call: review, 2026-11-20)`,
    );
    assert.ok(facts.risks.some((f) => f.text === facts.competitorContext[0]!.text));
  });

  it('lifts figures by their digits, in any language', () => {
    assert.deepEqual(figuresOf('Réduire de 20 % le délai, 1.200 heures, €2,5 Mio., bis 31.03.2027'), [
      '20 %',
      '1.200',
      '€2,5',
      '31.03.2027',
    ]);
    assert.deepEqual(figuresOf('no figure here'), []);
  });
});
