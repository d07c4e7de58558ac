/**
 * `POST /v1/webhooks/docusign`: DocuSign Connect (JSON SIM) messages. The HMAC covers the raw
 * bytes, so this route reads the body raw, before any JSON parser. A message is acknowledged
 * (200) only once its event is stored with the run it belongs to; DocuSign retries anything
 * else. Every refusal is a 4xx that writes nothing.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../logger.ts';
import type { RunStore } from '../ports/store.ts';
import {
  ConnectMessageSchema,
  type ConnectMessage,
  signatureHeaders,
  toEsignEvent,
  verifyConnectSignature,
} from '../adapters/docusign/connect.ts';
import { sendError, validationDetails } from './errors.ts';

export interface DocusignWebhookDeps {
  /** Active Connect HMAC secrets; none means DocuSign is not configured here. */
  secrets: readonly string[];
  maxAgeMinutes: number;
  store: Pick<RunStore, 'runForRecord' | 'getRun'>;
  /** Stores the event for the run (once per key) and resumes it: `orchestrator.deliver`. */
  deliver: (runId: string, kind: string, dedupeKey: string, payload: unknown) => Promise<boolean>;
  logger: Logger;
  clock?: () => Date;
}

/** DocuSign's clock and ours may differ a little; a message from further ahead is refused. */
const FUTURE_SKEW_MS = 5 * 60_000;

export function createDocusignWebhookRouter(deps: DocusignWebhookDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? (() => new Date());
  router.post(
    '/v1/webhooks/docusign',
    express.raw({ type: () => true, limit: '1mb' }),
    async (req: Request, res: Response) => {
      if (deps.secrets.length === 0) {
        sendError(res, 404, 'NOT_CONFIGURED', 'DocuSign Connect is not configured on this service');
        return;
      }
      const raw = verifiedBody(req, res, deps.secrets);
      if (!raw) return;
      const message = freshMessage(raw, res, deps.maxAgeMinutes, clock);
      if (!message) return;
      await deliverMessage(req, res, deps, message);
    },
  );
  return router;
}

/** The raw body, if one of its signature headers matches an active secret; otherwise the refusal is sent. */
function verifiedBody(req: Request, res: Response, secrets: readonly string[]): Buffer | undefined {
  const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const presented = signatureHeaders(req.headers);
  if (presented.length === 0) {
    sendError(
      res,
      401,
      'SIGNATURE_MISSING',
      'No X-DocuSign-Signature-N header: enable HMAC on the Connect configuration',
    );
    return undefined;
  }
  if (!verifyConnectSignature(raw, presented, secrets)) {
    sendError(
      res,
      401,
      'SIGNATURE_INVALID',
      'No X-DocuSign-Signature-N header matches an active Connect secret',
    );
    return undefined;
  }
  return raw;
}

/**
 * The JSON SIM message, if it parses and was generated within the accepted window; otherwise the
 * refusal is sent.
 */
function freshMessage(
  raw: Buffer,
  res: Response,
  maxAgeMinutes: number,
  clock: () => Date,
): ConnectMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    sendError(res, 400, 'MALFORMED_JSON', 'The Connect message is not valid JSON');
    return undefined;
  }
  const parsed = ConnectMessageSchema.safeParse(json);
  if (!parsed.success) {
    sendError(
      res,
      400,
      'INVALID_MESSAGE',
      'The Connect message is not a JSON SIM message',
      validationDetails(parsed.error),
    );
    return undefined;
  }
  const message = parsed.data;
  const generated = Date.parse(message.generatedDateTime);
  const now = clock().getTime();
  if (now - generated > maxAgeMinutes * 60_000 || generated - now > FUTURE_SKEW_MS) {
    sendError(
      res,
      400,
      'STALE_MESSAGE',
      'The Connect message was generated outside the accepted time window',
      {
        generatedDateTime: message.generatedDateTime,
        maxAgeMinutes,
      },
    );
    return undefined;
  }
  return message;
}

/** Hands a verified message's event to the run that sent its envelope, and answers DocuSign. */
async function deliverMessage(
  req: Request,
  res: Response,
  deps: DocusignWebhookDeps,
  message: ConnectMessage,
): Promise<void> {
  const envelopeId = message.data.envelopeId;
  const indexed = await deps.store.runForRecord(envelopeId);
  const run = indexed?.kind === 'envelope' ? await deps.store.getRun(indexed.runId) : undefined;
  if (!run) {
    sendError(res, 404, 'UNKNOWN_ENVELOPE', `No closure sent envelope ${envelopeId}`);
    return;
  }
  const event = toEsignEvent(message);
  const log = req.log ?? deps.logger;
  if (!event) {
    log.info({ envelopeId, event: message.event }, 'Connect event not used by the signature agent');
    res.status(200).json({ accepted: false, reason: 'event not used' });
    return;
  }
  if (['completed', 'cancelled'].includes(run.status)) {
    // The run is over; acknowledging stops DocuSign retrying a message that changes nothing.
    res.status(200).json({ accepted: false, reason: `closure ${run.status}` });
    return;
  }
  const stored = await deps.deliver(run.id, `esign:${event.kind}`, `esign:${event.eventId}`, event);
  log.info({ envelopeId, event: message.event, runId: run.id, duplicate: !stored }, 'Connect event received');
  res.status(200).json({ accepted: stored, duplicate: !stored });
}
