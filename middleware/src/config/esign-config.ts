/**
 * Configuration of the e-signature side: which provider sends envelopes, DocuSign's JWT grant
 * and Connect HMAC secrets (secrets come from the environment only), and the signature policy
 * from `config/dealdesk.json` (signing order by contact role, reminders, expiry, reconciliation).
 */
import { z } from 'zod';

const positiveInt = (what: string, max: number) =>
  z.coerce
    .number({ error: `expected a whole number of ${what}` })
    .int({ error: `expected a whole number of ${what}` })
    .min(1, { error: `expected 1–${max} ${what}` })
    .max(max, { error: `expected 1–${max} ${what}` });

export const DocusignConfigSchema = z
  .object({
    /** The app's integration key (OAuth client id), a GUID. */
    integrationKey: z.uuid({ error: 'expected the integration key, a GUID' }).optional(),
    /** The impersonated user's id (GUID) for the JWT grant. */
    userId: z.uuid({ error: "expected the impersonated user's id, a GUID" }).optional(),
    privateKey: z.string().includes('PRIVATE KEY', { error: 'expected a PEM RSA private key' }).optional(),
    privateKeyFile: z.string().min(1).optional(),
    /** account-d.docusign.com (developer) or account.docusign.com (production); a host, or a URL in tests. */
    authServer: z.string().regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?$/, {
      error: 'expected an OAuth host such as account-d.docusign.com',
    }),
    /** Which of the user's accounts to use; the default account when unset. */
    accountId: z.uuid({ error: 'expected a DocuSign account id (GUID)' }).optional(),
    /** Connect HMAC keys; several may be active at once while one is rotated. */
    connectSecrets: z
      .array(z.string().min(16, { error: 'each Connect HMAC secret must be at least 16 characters' }))
      .max(10, { error: 'at most 10 Connect HMAC secrets may be active at once' })
      .optional(),
    /** Connect messages generated longer ago than this are refused as replays. */
    connectMaxAgeMinutes: positiveInt('minutes', 30 * 24 * 60),
  })
  .strict();

export const SignatureConfigSchema = z
  .object({
    /**
     * Signing order by contact role (regular expressions, case-insensitive): earlier entries sign
     * first; signers whose role matches none sign after them, the provider's countersignature last.
     */
    routingOrder: z.array(z.string().min(1)).min(1),
    reminderDelayDays: positiveInt('days', 999),
    reminderFrequencyDays: positiveInt('days', 999),
    expireAfterDays: positiveInt('days', 999),
    expireWarnDays: positiveInt('days', 999),
    /** The next signer is reminded after this long without progress. */
    idleReminderHours: positiveInt('hours', 24 * 90),
    /** An envelope with no provider event for this long is checked once with the provider. */
    reconcileAfterHours: positiveInt('hours', 24 * 90),
    /** DocuSign allows 1,000 API calls an hour per account; reconciliation stays far below. */
    reconcileMaxPerHour: positiveInt('calls', 1000),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const [i, pattern] of s.routingOrder.entries()) {
      try {
        new RegExp(pattern, 'i');
      } catch {
        ctx.addIssue({ code: 'custom', path: ['routingOrder', i], message: 'expected a regular expression' });
      }
    }
    if (s.expireWarnDays >= s.expireAfterDays)
      ctx.addIssue({
        code: 'custom',
        path: ['expireWarnDays'],
        message: 'the expiry warning must come before the envelope expires',
      });
  });

export type DocusignConfig = z.infer<typeof DocusignConfigSchema>;
export type SignatureConfig = z.infer<typeof SignatureConfigSchema>;

/** DocuSign is chosen explicitly, or by the presence of its credentials. */
export function esignProviderOf(c: { esign?: 'local' | 'docusign' | undefined; docusign: DocusignConfig }) {
  if (c.esign) return c.esign;
  return c.docusign.integrationKey ? 'docusign' : 'local';
}

interface RefineCtx {
  addIssue(issue: { code: 'custom'; path: (string | number)[]; message: string }): void;
}

export function refineDocusign(
  c: { esign?: 'local' | 'docusign' | undefined; docusign: DocusignConfig; publicUrl?: string | undefined },
  ctx: RefineCtx,
): void {
  if (esignProviderOf(c) !== 'docusign') return;
  const d = c.docusign;
  const need = (key: keyof DocusignConfig, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['docusign', key], message: `required with DocuSign: ${message}` });
  if (!d.integrationKey) need('integrationKey', 'the integration key of the DocuSign app');
  if (!d.userId) need('userId', 'the id of the user the JWT grant impersonates');
  if (!d.privateKey && !d.privateKeyFile)
    need(
      'privateKeyFile',
      'the RSA key of the integration (DOCUSIGN_PRIVATE_KEY_FILE or DOCUSIGN_PRIVATE_KEY)',
    );
  if (!c.publicUrl)
    ctx.addIssue({
      code: 'custom',
      path: ['publicUrl'],
      message: 'required with DocuSign: the https URL where DocuSign Connect reaches this service',
    });
  if (!d.connectSecrets || d.connectSecrets.length === 0)
    need('connectSecrets', 'the Connect HMAC secret(s) that sign webhook messages');
}
