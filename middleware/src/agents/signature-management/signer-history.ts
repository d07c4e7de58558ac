/**
 * The org's signing history for completion predictions, and this run's predictions from it.
 *
 * The history is org-wide and changes over days, not seconds, so one process-wide snapshot is
 * shared by every closure and read again only when older than `maxAgeMs` (concurrent closures
 * that find it stale share one read). Each run predicts once, when its signers are first known,
 * and keeps the predictions in its memo: the envelope's prediction stays the one made when it was
 * sent, however the history moves, and a resumed run reads nothing. A closure costs one memo
 * write and, at most every `maxAgeMs` per process, one query.
 */
import type { CrmPort, SignatureHistoryEnvelope } from '../../ports/crm.ts';
import type { StageContext } from '../../orchestrator/stage.ts';
import {
  pastSigners,
  predictSigner,
  type SignerPrediction,
  type SignerToPredict,
} from './signer-prediction.ts';

/** The newest envelopes read: a few hundred signers is plenty, and old habits fade. */
export const HISTORY_LIMIT = 200;
export const HISTORY_MAX_AGE_MS = 10 * 60_000;

export interface SignatureHistorySource {
  read(): Promise<SignatureHistoryEnvelope[]>;
}

/** The shared snapshot over the CRM's history read; undefined when the CRM cannot read it. */
export function cachedSignatureHistory(
  crm: Pick<CrmPort, 'signatureHistory'>,
  options: { maxAgeMs?: number; now?: () => number; limit?: number } = {},
): SignatureHistorySource | undefined {
  const history = crm.signatureHistory?.bind(crm);
  if (!history) return undefined;
  const maxAgeMs = options.maxAgeMs ?? HISTORY_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const limit = options.limit ?? HISTORY_LIMIT;
  let snapshot: { readAt: number; envelopes: SignatureHistoryEnvelope[] } | undefined;
  let reading: Promise<SignatureHistoryEnvelope[]> | undefined;
  return {
    read() {
      if (snapshot && now() - snapshot.readAt < maxAgeMs) return Promise.resolve(snapshot.envelopes);
      if (reading) return reading;
      const readAt = now();
      const read = history({ limit }).then((envelopes) => {
        snapshot = { readAt, envelopes };
        return envelopes;
      });
      reading = read;
      // A failed read is not kept: the next closure asks again.
      const settled = () => {
        if (reading === read) reading = undefined;
      };
      read.then(settled, settled);
      return read;
    },
  };
}

export interface SignerToKey extends SignerToPredict {
  recipientKey: string;
}

/**
 * This run's predictions by recipient key, made once and memoised under `key`. Without a history
 * source the signers get none; when the read fails, none this time (the reminders keep the
 * configured idle time) and a later run of the stage tries again.
 */
export async function runPredictions(
  ctx: Pick<StageContext, 'memo' | 'now' | 'logger'>,
  key: string,
  source: SignatureHistorySource | undefined,
  signers: SignerToKey[],
  exclude: ReadonlySet<string>,
): Promise<Record<string, SignerPrediction>> {
  if (!source) return {};
  try {
    return await ctx.memo(key, async () => {
      const past = pastSigners(await source.read(), ctx.now(), exclude);
      return Object.fromEntries(signers.map((s) => [s.recipientKey, predictSigner(past, s)]));
    });
  } catch (err) {
    ctx.logger.warn({ err }, 'signing history not read: no completion prediction this time');
    return {};
  }
}
