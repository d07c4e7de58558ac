/**
 * Sentences two deals' outputs have in common: the check that an agent writes from the deal's
 * facts rather than fixed text. Texts are cut into sentences at line breaks and at a full stop,
 * question or exclamation mark followed by a space and a capital, digit, quote or bracket; two
 * sentences are the same after collapsing white space. A sentence on the allow-list (exact, or a
 * pattern for the sentence as a whole) may be shared: keep that list short and say why each is on it.
 */

export function sentencesOf(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[\p{Lu}\p{Nd}"“'(])/u)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
}

/** The sentences both texts contain, unless the allow-list lets them be shared. */
export function sharedSentences(a: string[], b: string[], allowed: (string | RegExp)[] = []): string[] {
  const theirs = new Set(b.flatMap(sentencesOf));
  const ok = (s: string) =>
    allowed.some((x) => (typeof x === 'string' ? x === s : new RegExp(`^(?:${x.source})$`, x.flags).test(s)));
  return [...new Set(a.flatMap(sentencesOf))].filter((s) => theirs.has(s) && !ok(s));
}
