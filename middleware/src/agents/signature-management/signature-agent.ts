/**
 * Signature Management Agent: sends the contract for signature in the order the contact roles
 * call for, keeps the envelope and every recipient current in Salesforce as provider events
 * arrive, and recovers from what stalls real deals: a decline (the rep is told why and decides),
 * a bounced or auto-responded address (the rep gives the right one and the recipient is
 * corrected on the live envelope), a void or expiry (one action sends a fresh envelope), and a
 * signer who goes quiet (reminded when comparable signers in the org's history typically have
 * signed, or after the configured idle time without that history). Provider reads are few:
 * events carry the state; the provider is asked only on completion and, rate-bounded, for an
 * envelope that has been silent for long.
 *
 * The decisions are `decide`'s (signature-decide.ts), without I/O; this part loads the stage's
 * state, hands it the run's events, and carries out its commands through the ports.
 */
import type { CrmPort } from '../../ports/crm.ts';
import { EsignEventSchema, type EsignPort } from '../../ports/esign.ts';
import type { Notifier } from '../../ports/notify.ts';
import type { Stage, StageContext, StageOutcome } from '../../orchestrator/stage.ts';
import { earlierResults } from '../shared/earlier-results.ts';
import { DEFAULT_POLICY, type HourlyBudget, type SignaturePolicy } from './routing.ts';
import { carryOut, startActing, withAttachments } from './signature-act.ts';
import { decide, envelopeRoleOf, recipientKeyOf } from './signature-decide.ts';
import { currentEnvelope, earlierEnvelopes, loadState, PREDICTIONS_KEY } from './signature-state.ts';
import { cachedSignatureHistory, runPredictions } from './signer-history.ts';
import {
  isLive,
  RECONCILE_TIMER,
  REMINDER_TIMER,
  SignatureActionSchema,
  TimerPayloadSchema,
  type SignatureFacts,
  type SignatureInput,
  type SignatureObservation,
} from './signature-model.ts';

export type { SignatureAction } from './signature-model.ts';

export interface SignatureAgentDeps {
  esign: EsignPort;
  crm: CrmPort;
  /** Tells the rep about declines, bounces, voids and expiry, and reminds idle signers. */
  notifier?: Notifier;
  policy?: SignaturePolicy;
  /** Bounds provider reads for silent envelopes across all runs. */
  reconcileBudget?: HourlyBudget;
  /** How old the shared snapshot of the org's signing history may get (default 10 minutes). */
  historyMaxAgeMs?: number;
}

export function createSignatureAgent(deps: SignatureAgentDeps): Stage {
  const policy = deps.policy ?? DEFAULT_POLICY;
  // One per process: every closure this agent runs shares the snapshot.
  const history = cachedSignatureHistory(deps.crm, { maxAgeMs: deps.historyMaxAgeMs });
  return {
    key: 'signature_management',
    async onCancel(ctx) {
      const tracked = currentEnvelope(ctx);
      if (!tracked || !isLive(tracked)) return undefined;
      // Signers must not be able to sign a contract for a closure that no longer exists.
      await deps.esign.voidEnvelope(tracked.envelopeId, 'The closure was cancelled by the rep');
      return `Envelope ${tracked.envelopeId} voided.`;
    },
    async run(ctx: StageContext): Promise<StageOutcome> {
      const { deal, contract } = earlierResults(ctx);
      const earlier = earlierEnvelopes(ctx);
      const signers = contract.signers.map((s, i) => ({
        recipientKey: recipientKeyOf(s, i),
        role: envelopeRoleOf(s),
      }));
      const exclude = new Set(earlier.map((e) => e.envelopeId));
      const facts: SignatureFacts = {
        runId: ctx.run.id,
        generation: ctx.generation,
        now: ctx.now(),
        deal: {
          opportunityId: deal.opportunity.id,
          opportunityName: deal.opportunity.name,
          ownerId: deal.opportunity.ownerId,
          accountName: deal.account?.name ?? null,
          contactRoles: deal.contactRoles,
        },
        contract,
        policy,
        provider: deps.esign.provider,
        canCorrect: Boolean(deps.esign.correctRecipient),
        canResend: Boolean(deps.esign.resend),
        earlierEnvelopes: earlier,
        predictions: await runPredictions(ctx, PREDICTIONS_KEY, history, signers, exclude),
      };
      const acting = startActing(deps, ctx, contract);
      let decision = decide(loadState(ctx), inputsOf(ctx), facts);
      for (;;) {
        const observed: SignatureObservation[] = [];
        for (const command of decision.commands) {
          const seen = await carryOut(acting, command);
          if (seen) observed.push(seen);
        }
        if (decision.outcome) return withAttachments(acting, decision.outcome);
        decision = decide(decision.state, observed, facts);
      }
    },
  };
}

/** The run's events `decide` acts on, checked; one not in its expected shape is logged and skipped. */
function inputsOf(ctx: StageContext): SignatureInput[] {
  const inputs: SignatureInput[] = [];
  for (const e of ctx.events) {
    const input = inputOf(e.kind, e.payload);
    if (input === null)
      ctx.logger.warn({ kind: e.kind }, 'signature event ignored: not in the expected shape');
    else if (input) inputs.push(input);
  }
  return inputs;
}

/** undefined: not an event for this stage; null: one that does not parse. */
function inputOf(kind: string, payload: unknown): SignatureInput | null | undefined {
  if (kind.startsWith('esign:')) {
    const event = EsignEventSchema.safeParse(payload);
    return event.success ? { kind: 'provider', event: event.data } : null;
  }
  if (kind === 'rep:signature') {
    const action = SignatureActionSchema.safeParse(payload);
    return action.success ? { kind: 'rep', action: action.data } : null;
  }
  for (const timer of [REMINDER_TIMER, RECONCILE_TIMER] as const)
    if (kind === `timer:${timer}`) {
      const t = TimerPayloadSchema.safeParse(payload);
      return t.success ? { kind: 'timer', timer, payload: t.data } : null;
    }
  return undefined;
}
