/**
 * POST /v1/playbook/suggestions/:id/decision: a manager accepts or dismisses one of the Learning
 * agent's playbook suggestions (docs/api.md). Behind the same bearer key as the rest of /v1; the
 * body names the deciding user by username, who must be an active user of the org, and the
 * decision is recorded on the Playbook_Suggestion__c (status, decided by and at, note). Deciding
 * the same way again changes nothing; reversing a decision is refused.
 */
import type { Request, Response, Router } from 'express';
import type { Logger } from '../logger.ts';
import type { PlaybookDecision, PlaybookPort, PlaybookSuggestion } from '../ports/playbook.ts';
import {
  PlaybookDecisionBodySchema,
  SuggestionIdSchema,
  to18,
  type SuggestionDecision,
} from '@dealdesk/contracts';
import { sendError, validationDetails } from './errors.ts';

const STATUS_OF = { accept: 'Accepted', dismiss: 'Dismissed' } as const;

export interface PlaybookRouteDeps {
  playbook: PlaybookPort;
  clock: () => Date;
  logger?: Logger;
}

export function registerPlaybookRoutes(router: Router, deps: PlaybookRouteDeps): void {
  router.post('/v1/playbook/suggestions/:id/decision', async (req: Request, res: Response) => {
    const id = SuggestionIdSchema.safeParse(req.params.id);
    const body = PlaybookDecisionBodySchema.safeParse(req.body ?? {});
    if (!id.success || !body.success) {
      sendError(
        res,
        400,
        'INVALID_REQUEST',
        'The decision is invalid',
        validationDetails((id.success ? body.error : id.error)!),
      );
      return;
    }
    const suggestionId = to18(id.data) ?? id.data;
    const status = STATUS_OF[body.data.decision];
    let read: Awaited<ReturnType<PlaybookPort['readForDecision']>>;
    try {
      read = await deps.playbook.readForDecision(suggestionId, body.data.decidedBy);
    } catch (err) {
      unavailable(res, deps, err);
      return;
    }
    const { suggestion, decider } = read;
    if (!suggestion) {
      sendError(res, 404, 'NOT_FOUND', `No playbook suggestion ${id.data}`);
      return;
    }
    if (!decider || !decider.isActive) {
      sendError(
        res,
        422,
        'UNKNOWN_USER',
        `${body.data.decidedBy} is not an active user of the org: the decision must name the manager who made it`,
      );
      return;
    }
    if (suggestion.status !== 'Proposed') {
      answerDecided(res, suggestion, status);
      return;
    }
    const decidedAt = deps.clock().toISOString();
    try {
      await deps.playbook.decide(suggestion.id, {
        status,
        decidedById: decider.id,
        decidedAt,
        note: body.data.note?.trim() || null,
      });
    } catch (err) {
      unavailable(res, deps, err);
      return;
    }
    res.json({
      suggestionId: suggestion.id,
      name: suggestion.name,
      status,
      decidedById: decider.id,
      decidedAt,
      changed: true,
    } satisfies SuggestionDecision);
  });
}

/** A suggestion decided before: the same decision again is a no-op, a reversal is refused. */
function answerDecided(
  res: Response,
  suggestion: PlaybookSuggestion,
  status: PlaybookDecision['status'],
): void {
  if (suggestion.status !== status) {
    sendError(res, 409, 'ALREADY_DECIDED', `Suggestion ${suggestion.name} is already ${suggestion.status}`, {
      status: suggestion.status,
      decidedById: suggestion.decidedById,
      decidedAt: suggestion.decidedAt,
    });
    return;
  }
  // The same decision again: the first one stands, with its manager and time.
  res.json({
    suggestionId: suggestion.id,
    name: suggestion.name,
    status: suggestion.status,
    decidedById: suggestion.decidedById,
    decidedAt: suggestion.decidedAt,
    changed: false,
  } satisfies SuggestionDecision);
}

/** Salesforce refused or could not be reached: nothing was recorded, and the caller may try again. */
function unavailable(res: Response, deps: PlaybookRouteDeps, err: unknown): void {
  (res.req.log ?? deps.logger)?.error(
    { err },
    'the playbook decision could not be read or written in Salesforce',
  );
  sendError(
    res,
    502,
    'SALESFORCE_UNAVAILABLE',
    'Salesforce did not accept the request; nothing was recorded, try again',
  );
}
