/**
 * Will this signer sign, and when? Estimated from the org's past envelopes: each past recipient
 * who received an envelope either signed after so many hours, or did not sign (declined, or let
 * the envelope expire), or may still sign (the envelope is still out). A signer is compared with
 * past signers of the same title (normalised, so "Chief Financial Officer" is "CFO"), else of the
 * same role in the envelope (customer signer, provider countersignature), else with all signers;
 * a level is used only with MIN_SAMPLES past signers of whom MIN_SIGNED signed, and the
 * prediction says which level it used, with n, and why it skipped the finer ones.
 *
 * The estimate is a Kaplan–Meier curve of the time to signing in which a signer who did not sign
 * never does (so the curve levels off at the share who sign at all) and a signer whose envelope
 * is still out counts until now and no further (right-censored). The median and 80th percentile
 * are of the time among those who sign. A recipient whose envelope was voided, or declined by
 * another signer, before their signature is left out: the envelope was withdrawn and Salesforce
 * keeps no time for it, so it tells nothing about them either way. Pure: no I/O, no clock (each
 * history snapshot's parse is kept beside it, see `reached`).
 */
import type { SignatureHistoryEnvelope } from '../../ports/crm.ts';

/** A level needs this many past signers (signed, not signed or still out) … */
export const MIN_SAMPLES = 5;
/** … of whom at least this many signed, or its times are too thin to quote. */
export const MIN_SIGNED = 3;
/** The window the headline probability is for, so predictions compare across signers. */
export const HORIZON_HOURS = 72;
/** No reminder sooner than this after an event (nor after sending), none later than the max. */
export const REMINDER_MIN_HOURS = 4;
export const REMINDER_MAX_HOURS = 168;

const HOUR = 3_600_000;

export interface PastSigner {
  /** Role and normalised title keys (see `roleKey`, `titleKey`). */
  role: string;
  title: string | null;
  kind: 'signed' | 'unsigned' | 'open';
  /** Hours from receiving the envelope to signing (signed) or to now (open); unused otherwise. */
  hours: number;
}

export interface SignerPrediction {
  /** Whose history it is; `none` when even all signers together are too few. */
  level: 'title' | 'role' | 'all' | 'none';
  /** The group in words: "COO signers", "customer signers", "signers of every role". */
  group: string;
  /** Past signers in the group used (the last one tried at level `none`) and how many signed. */
  samples: number;
  signed: number;
  /** 0–1: signs at all; signs within HORIZON_HOURS of receiving the envelope. */
  probability: number | null;
  /**
   * An approximate 90% interval for `probability` (Wilson's, over the past signers whose outcome
   * is known): wide when the history is thin.
   */
  interval: [number, number] | null;
  probabilityWithin: number | null;
  horizonHours: number;
  /** Hours from receiving the envelope to signing, among those who sign. */
  medianHours: number | null;
  p80Hours: number | null;
  /** The finer levels skipped, with their history: "COO signers: n=2 (1 signed)". */
  skipped: string[];
}

/** "Customer signer (General Counsel)" → role "Customer signer", title "General Counsel". */
export function splitRecipientRole(role: string | null): { role: string; title: string | null } {
  const text = (role ?? '').trim();
  const open = text.indexOf('(');
  if (open === -1) return { role: text, title: null };
  // Role__c holds 80 characters: a long title may have lost its closing parenthesis.
  const title = text
    .slice(open + 1)
    .replace(/\)\s*$/, '')
    .trim();
  return { role: text.slice(0, open).trim(), title: title || null };
}

export function roleKey(role: string): string {
  return role.trim().toLowerCase().replace(/\s+/g, ' ');
}

const FILLER = new Set(['of', 'the', 'for', 'a', 'an']);

/**
 * A title as a comparison key: lower case, without parentheticals ("(Member of the Executive
 * Board)", "(Group)") or founders' suffixes, "chief … officer" as its acronym ("chief financial
 * officer" → "cfo", "chief information security officer" → "ciso"), "vice president" as "vp".
 */
export function titleKey(title: string | null | undefined): string | null {
  if (!title) return null;
  const t = title
    .toLowerCase()
    .replace(/\([^)]*\)?/g, ' ')
    .replace(/&/g, ' and ')
    .replace(/[.,/;:|\u2013\u2014-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\bvice president\b/g, 'vp')
    .replace(/\b(senior|sr) vp\b/g, 'svp')
    .replace(/\bexecutive vp\b/g, 'evp')
    .replace(
      /\bchief ((?:[a-z]+ )+?)officer\b/g,
      (_m, words: string) =>
        `c${words
          .trim()
          .split(' ')
          .filter((w) => w !== 'and')
          .map((w) => w[0])
          .join('')}o`,
    )
    .replace(/\b(and )?(co )?founder\b/g, ' ');
  const words = t.split(' ').filter((w) => w && !FILLER.has(w));
  return words.length > 0 ? words.join(' ') : null;
}

/**
 * A title for reading: its acronym when it is a chief officer or a vice president ("Chief
 * Operating Officer (Member of the Executive Board)" → "COO"), else itself without parentheticals.
 */
export function titleLabel(title: string): string {
  const key = titleKey(title) ?? '';
  if (/^(c[a-z]{1,3}o|vp|svp|evp)$/.test(key)) return key.toUpperCase();
  return title
    .replace(/\([^)]*\)?/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * When a recipient at `order` received the envelope: when it was sent for the first routing
 * order, else when the last of the earlier orders signed; null if one of them never did.
 */
export function receivedAt(
  sentAt: string | null | undefined,
  recipients: { routingOrder: number | null; signedAt?: string | null | undefined }[],
  order: number | null,
): string | null {
  if (!sentAt) return null;
  const earlier = recipients.filter((r) => (r.routingOrder ?? 1) < (order ?? 1));
  if (earlier.length === 0) return sentAt;
  let last = sentAt;
  // Compared as instants: Salesforce writes "+0000" where the provider writes "Z".
  for (const r of earlier) {
    if (!r.signedAt) return null;
    if (Date.parse(r.signedAt) > Date.parse(last)) last = r.signedAt;
  }
  return last;
}

const SIGNED = new Set(['Signed', 'Completed']);
const STILL_OUT = new Set(['Created', 'Sent', 'Delivered']);

/** A past recipient whose turn came, as far as it does not depend on when one asks. */
interface Reached {
  envelopeId: string;
  role: string;
  title: string | null;
  kind: PastSigner['kind'];
  /** Signed: hours to signing. Open: when their turn came (ms), to count the hours from. */
  hours: number;
  receivedMs: number;
}

/**
 * Parsing titles and times is most of the cost, and a process shares one history snapshot among
 * its closures: each snapshot (an array never changed once read) is parsed once.
 */
const reachedOf = new WeakMap<SignatureHistoryEnvelope[], Reached[]>();

function reached(history: SignatureHistoryEnvelope[]): Reached[] {
  const known = reachedOf.get(history);
  if (known) return known;
  const out: Reached[] = [];
  for (const env of history)
    for (const r of env.recipients) {
      const from = receivedAt(env.sentAt, env.recipients, r.routingOrder);
      if (!from) continue;
      const receivedMs = Date.parse(from);
      const { role, title } = splitRecipientRole(r.role);
      const who = { envelopeId: env.envelopeId, role: roleKey(role), title: titleKey(title), receivedMs };
      if (SIGNED.has(r.status) && r.signedAt) {
        const hours = (Date.parse(r.signedAt) - receivedMs) / HOUR;
        if (Number.isFinite(hours) && hours >= 0) out.push({ ...who, kind: 'signed', hours });
      } else if (r.status === 'Declined' || (env.status === 'Expired' && !SIGNED.has(r.status)))
        out.push({ ...who, kind: 'unsigned', hours: Number.POSITIVE_INFINITY });
      else if (STILL_OUT.has(env.status) && Number.isFinite(receivedMs))
        out.push({ ...who, kind: 'open', hours: 0 });
    }
  reachedOf.set(history, out);
  return out;
}

/** What each past recipient who received an envelope did; envelopes in `exclude` are skipped. */
export function pastSigners(
  history: SignatureHistoryEnvelope[],
  now: Date,
  exclude: ReadonlySet<string> = new Set(),
): PastSigner[] {
  const out: PastSigner[] = [];
  for (const r of reached(history)) {
    if (exclude.has(r.envelopeId)) continue;
    const hours = r.kind === 'open' ? Math.max(0, (now.getTime() - r.receivedMs) / HOUR) : r.hours;
    out.push({ role: r.role, title: r.title, kind: r.kind, hours });
  }
  return out;
}

export interface SigningCurve {
  samples: number;
  signed: number;
  /** Share who have signed by each signing time (ascending), and at all. */
  steps: { hours: number; signedBy: number }[];
  probability: number;
}

/** The Kaplan–Meier curve described above, over one group of past signers. */
export function signingCurve(group: PastSigner[]): SigningCurve {
  const signed = group.filter((g) => g.kind === 'signed').map((g) => g.hours);
  const open = group.filter((g) => g.kind === 'open').map((g) => g.hours);
  signed.sort((a, b) => a - b);
  open.sort((a, b) => a - b);
  const steps: SigningCurve['steps'] = [];
  let atRisk = group.length;
  let notYet = 1;
  let o = 0;
  for (let i = 0; i < signed.length;) {
    const t = signed[i]!;
    let d = 0;
    for (; i < signed.length && signed[i] === t; i++) d++;
    // Still-out signers seen for less than t leave before t: nobody knows what they did after.
    for (; o < open.length && open[o]! < t; o++) atRisk--;
    notYet *= 1 - d / atRisk;
    steps.push({ hours: t, signedBy: 1 - notYet });
    atRisk -= d;
  }
  return { samples: group.length, signed: signed.length, steps, probability: 1 - notYet };
}

/** Share signed within `hours` of receiving the envelope. */
export function signedWithin(curve: SigningCurve, hours: number): number {
  let by = 0;
  for (const s of curve.steps) if (s.hours <= hours) by = s.signedBy;
  return by;
}

/** The time by which a share `q` of those who sign have signed. */
export function signingQuantile(curve: SigningCurve, q: number): number | null {
  const target = q * curve.probability - 1e-12;
  return curve.steps.find((s) => s.signedBy >= target)?.hours ?? null;
}

export interface SignerToPredict {
  /** As the envelope names it: "Customer signer (COO)", "Provider countersignature". */
  role: string;
}

/** The prediction for one signer, from the finest level with enough history. */
export function predictSigner(past: PastSigner[], signer: SignerToPredict): SignerPrediction {
  const parts = splitRecipientRole(signer.role);
  const role = roleKey(parts.role);
  const title = titleKey(parts.title);
  const levels: { level: SignerPrediction['level']; group: string; of: PastSigner[] }[] = [
    ...(title
      ? [
          {
            level: 'title' as const,
            group: `${titleLabel(parts.title ?? title)} signers`,
            of: past.filter((p) => p.title === title),
          },
        ]
      : []),
    ...(role ? [{ level: 'role' as const, group: `${role}s`, of: past.filter((p) => p.role === role) }] : []),
    { level: 'all', group: 'signers of every role', of: past },
  ];
  const skipped: string[] = [];
  for (const l of levels) {
    const curve = signingCurve(l.of);
    if (curve.samples >= MIN_SAMPLES && curve.signed >= MIN_SIGNED)
      return {
        level: l.level,
        group: l.group,
        samples: curve.samples,
        signed: curve.signed,
        probability: curve.probability,
        interval: wilson(curve.probability, l.of.filter((p) => p.kind !== 'open').length),
        probabilityWithin: signedWithin(curve, HORIZON_HOURS),
        horizonHours: HORIZON_HOURS,
        medianHours: signingQuantile(curve, 0.5),
        p80Hours: signingQuantile(curve, 0.8),
        skipped,
      };
    skipped.push(`${l.group}: n=${curve.samples}${curve.samples > 0 ? ` (${curve.signed} signed)` : ''}`);
  }
  const last = signingCurve(past);
  return {
    level: 'none',
    group: 'signers of every role',
    samples: last.samples,
    signed: last.signed,
    probability: null,
    interval: null,
    probabilityWithin: null,
    horizonHours: HORIZON_HOURS,
    medianHours: null,
    p80Hours: null,
    skipped,
  };
}

/** Wilson's score interval at 90% for a share `p` of `n`. */
export function wilson(p: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const z = 1.645;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** "19 h", "2.5 days", "45 min". */
export function formatHours(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Math.round(hours)} h`;
  const days = hours / 24;
  return `${days < 10 ? days.toFixed(1).replace(/\.0$/, '') : Math.round(days)} days`;
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

/** The prediction in words (≤ 255 characters), with the history it stands on. */
export function describePrediction(p: SignerPrediction): string {
  if (p.level === 'none' || p.probability === null || p.medianHours === null)
    return `No prediction: ${p.skipped.join('; ')}; not enough history (needs ${MIN_SAMPLES} past signers, ${MIN_SIGNED} of them signed)`.slice(
      0,
      255,
    );
  const range = p.interval
    ? `, 90% interval ${Math.round(p.interval[0] * 100)}–${percent(p.interval[1])}`
    : '';
  const within = `${percent(p.probabilityWithin ?? 0)} within ${formatHours(p.horizonHours)} (${percent(p.probability)} sign at all${range})`;
  const times = `typically ${formatHours(p.medianHours)}${p.p80Hours !== null ? `, 80% of signatures by ${formatHours(p.p80Hours)}` : ''}`;
  const skipped = p.skipped.map((x) => `; ${x}, not enough history`).join('');
  return `${within}, ${times}; from ${p.samples} past ${p.group}${skipped}`.slice(0, 255);
}

/** The signer as the timeline names them: "Dana Whitfield (CFO)". */
export function signerLabel(name: string, role: string): string {
  const { role: r, title } = splitRecipientRole(role);
  return `${name} (${title ? titleLabel(title) : r})`;
}

/**
 * Hours from now until a signer who received the envelope `elapsedHours` ago is reminded: at the
 * typical signing time of comparable signers, or at their 80th percentile once that has passed
 * (each kept within REMINDER_MIN_HOURS–REMINDER_MAX_HOURS of receipt), never sooner than
 * REMINDER_MIN_HOURS from now, so news from the provider is not answered with a reminder at
 * once; without a prediction, or past both, after `idleHours` without news, as before.
 */
export function reminderDelay(
  p: SignerPrediction | undefined,
  elapsedHours: number,
  idleHours: number,
): { hours: number; at: 'median' | 'p80' | 'idle' } {
  const elapsed = Math.max(0, elapsedHours);
  const clamp = (h: number) => Math.min(REMINDER_MAX_HOURS, Math.max(REMINDER_MIN_HOURS, h));
  const marks = [
    { at: 'median' as const, hours: p?.medianHours ?? null },
    { at: 'p80' as const, hours: p?.p80Hours ?? null },
  ];
  for (const m of marks) {
    if (m.hours === null) continue;
    const left = clamp(m.hours) - elapsed;
    if (left > 0) return { hours: Math.max(left, REMINDER_MIN_HOURS), at: m.at };
  }
  return { hours: idleHours, at: 'idle' };
}
