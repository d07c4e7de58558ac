/**
 * The rep's actions on a closure whose signature is stuck (docs/api.md):
 * `POST /v1/closures/:id/signers/:recipientKey` gives a recipient a corrected address (or a new
 * signer's name and address) — on a live envelope the recipient is corrected in place;
 * `POST /v1/closures/:id/signature/resend` sends a fresh envelope after a decline, void or expiry,
 * or the current one again. Both become `rep:signature` events the Signature Management Agent acts on.
 */
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { closureStatusOf } from '../orchestrator/orchestrator.ts';
import type { Orchestrator } from '../orchestrator/orchestrator.ts';
import { STAGES } from '../orchestrator/stage.ts';
import type { RunRecord, RunStore } from '../ports/store.ts';
import { sendError, validationDetails } from './errors.ts';

const CorrectBodySchema = z
  .object({
    email: z.email({ error: 'expected the recipient’s email address' }),
    name: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
const ResendBodySchema = z.object({}).strict();

interface SignatureOutput {
  status?: string;
  recipients?: { recipientKey?: string; status?: string }[];
}

interface SignatureActionDeps {
  orchestrator: Orchestrator;
  store: RunStore;
  clock: () => Date;
}

/** The closure named in the path, if it is waiting on its signature; otherwise the refusal is sent. */
async function waitingOnSignature(
  deps: SignatureActionDeps,
  req: Request,
  res: Response,
): Promise<{ run: RunRecord; output: SignatureOutput } | undefined> {
  const run = await deps.store.getRun(String(req.params.id));
  if (!run) {
    sendError(res, 404, 'NOT_FOUND', `No closure ${String(req.params.id)}`);
    return undefined;
  }
  if (STAGES[run.stageIndex] !== 'signature_management' || run.status !== 'waiting') {
    sendError(res, 409, 'INVALID_STATE', 'The closure is not waiting on its signature', {
      status: closureStatusOf(run),
    });
    return undefined;
  }
  const step = (await deps.store.steps(run.id)).find((s) => s.stage === 'signature_management');
  return { run, output: (step?.output ?? {}) as SignatureOutput };
}

export function registerSignatureActions(router: Router, deps: SignatureActionDeps): void {
  router.post('/v1/closures/:id/signers/:recipientKey', async (req: Request, res: Response) => {
    const body = CorrectBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'The correction is invalid', validationDetails(body.error));
      return;
    }
    const found = await waitingOnSignature(deps, req, res);
    if (!found) return;
    const recipientKey = String(req.params.recipientKey);
    const recipient = found.output.recipients?.find((r) => r.recipientKey === recipientKey);
    if (!recipient) {
      sendError(res, 404, 'UNKNOWN_RECIPIENT', `The envelope has no recipient ${recipientKey}`, {
        recipients: (found.output.recipients ?? []).map((r) => r.recipientKey),
      });
      return;
    }
    if (recipient.status === 'signed' || recipient.status === 'completed') {
      sendError(res, 409, 'ALREADY_SIGNED', `Recipient ${recipientKey} has already signed`);
      return;
    }
    const at = deps.clock().toISOString();
    await deps.orchestrator.deliver(
      found.run.id,
      'rep:signature',
      `rep:signature:${found.run.id}:${recipientKey}:${at}`,
      {
        action: 'correct',
        recipientKey,
        email: body.data.email,
        name: body.data.name ?? null,
        at,
      },
    );
    res.status(202).json({ closureId: found.run.id, accepted: 'correct', recipientKey });
  });

  router.post('/v1/closures/:id/signature/resend', async (req: Request, res: Response) => {
    const body = ResendBodySchema.safeParse(req.body ?? {});
    if (!body.success) {
      sendError(res, 400, 'INVALID_REQUEST', 'The request body must be empty', validationDetails(body.error));
      return;
    }
    const found = await waitingOnSignature(deps, req, res);
    if (!found) return;
    const at = deps.clock().toISOString();
    await deps.orchestrator.deliver(
      found.run.id,
      'rep:signature',
      `rep:signature:${found.run.id}:resend:${at}`,
      {
        action: 'resend',
        at,
      },
    );
    res
      .status(202)
      .json({ closureId: found.run.id, accepted: 'resend', envelopeStatus: found.output.status ?? null });
  });
}
