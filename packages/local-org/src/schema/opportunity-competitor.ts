/**
 * OpportunityCompetitor: a competitor named on an Opportunity, with its strengths and weaknesses
 * (Object Reference: key prefix 00J, child relationship Opportunity.OpportunityCompetitors). It has
 * no owner and no currency of its own; access follows the Opportunity's, as in a real org.
 * CompetitorName is a combobox there (a picklist that also takes free text): a 40-character
 * string here, which is what the API accepts and returns.
 */
import { field, type ObjectDef } from './model.ts';
import { auditFields, idField } from './system-fields.ts';

export function opportunityCompetitorObject(): ObjectDef {
  return {
    name: 'OpportunityCompetitor',
    label: 'Opportunity: Competitor',
    labelPlural: 'Opportunity: Competitor',
    keyPrefix: '00J',
    kind: 'standard',
    custom: false,
    queryable: true,
    createable: true,
    updateable: true,
    deletable: true,
    fields: [
      idField(),
      field('OpportunityId', 'Opportunity ID', 'reference', {
        length: 18,
        nillable: false,
        updateable: false,
        referenceTo: ['Opportunity'],
        relationshipName: 'Opportunity',
        childRelationshipName: 'OpportunityCompetitors',
        cascadeDelete: true,
      }),
      field('CompetitorName', 'Competitor Name', 'string', { length: 40 }),
      field('Strengths', 'Strengths', 'string', { length: 1000 }),
      field('Weaknesses', 'Weaknesses', 'string', { length: 1000 }),
      ...auditFields(),
    ],
  };
}
