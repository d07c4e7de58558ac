/**
 * Closing-signal detection for the offline reasoner: sentence by sentence, cue patterns for each
 * signal type, then the context that changes what a cue means — negation scope, conditions,
 * hypotheticals, questions, sarcasm, the past, reported speech, the seller's own voice, and
 * commitments made to a competitor. Every signal keeps the sentence it came from as evidence.
 * Deterministic and explainable: each decision names the rule that made it.
 */

export const SIGNAL_TYPES = [
  'explicit_commitment',
  'paperwork_request',
  'budget_confirmed',
  'decision_maker_present',
  'timeline_urgency',
  'competitor_mention',
  'security_concern',
  'legal_concern',
  'objection',
  'hesitation',
  'negation',
] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/** Signals that, unqualified and in the buyer's voice, mean the buyer is ready to close. */
const READINESS: ReadonlySet<SignalType> = new Set(['explicit_commitment', 'paperwork_request']);
const NEGATIVE: ReadonlySet<SignalType> = new Set(['objection', 'hesitation', 'negation']);

export type Speaker = 'buyer' | 'seller' | 'unknown';

export interface SentenceSignal {
  type: SignalType;
  /** The sentence, as evidence. */
  quote: string;
  /** Why the cue was kept, weakened or turned around, e.g. `negated: "not"`. */
  qualifiers: string[];
  /** +1 supports closing, −1 works against it, 0 informs without direction. */
  polarity: 1 | -1 | 0;
  /** True when the cue counts as present, unconditional readiness. */
  readiness: boolean;
}

interface Cue {
  type: SignalType;
  re: RegExp;
}

const CUES: Cue[] = [
  // Commitment: the buyer says yes, now.
  {
    type: 'explicit_commitment',
    re: /\b(ready|prepared|good) to (move forward|move ahead|proceed|go ahead|sign|buy|purchase|commit|get started|kick off|go)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\blet'?s (do (it|this)|move forward|proceed|go ahead|go for it|get (it|this) (done|signed|started)|make it happen|get going|sign)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(we|i)('re| are| am|'m) (in|on board|committed|all in|moving forward|going ahead|proceeding|good to go)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(we|i)('ll| will|'d like to| would like to| want to| wish to| intend to| plan to| are going to|'re going to) (sign|proceed|move forward|go ahead|purchase|buy|place the order|commit)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(go ahead|green light|greenlight|thumbs up|sign[- ]off|signed off|approval to proceed|(you('ve| have) (got )?|you have )?our (verbal|yes|commitment|go-ahead|approval)|verbal (yes|commit(ment)?)|consider it (a yes|done|approved)|it'?s a (yes|go)|we have a deal|you have a deal|deal is (approved|done)|we accept|we'?re a go|count us in)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(approved|agreed|decided|chosen|selected) (on our side|internally|to (go|proceed|move forward) with (you|your)|your (platform|solution|proposal|offer))\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(board|committee|leadership|steering committee|cfo|ceo|coo|procurement) (has |have )?(approved|signed off|given the green light|agreed)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(we|i|they|she|he|the (district|council|company|business|team|board|client|customer))('re| are| is|'s)? (moving|going|pushing) (forward|ahead)\b|\b(they|she|he)('re| are| is) (proceeding|going ahead|signing up|committed)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(want|wants|wanted|would like|'d like|are keen|is keen|decided|have decided|has decided) to (proceed|move forward|go ahead|order|buy|purchase|sign|go with (you|your))\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(we|i|they)('ll| will) take (it|them|the [a-z]+ (tier|plan|package|bundle|option))\b|\byes from (me|us|our side)\b|\b(that'?s|it'?s) a (firm )?yes\b|\blet'?s get (started|going|rolling)\b|\bwe('re| are) going(?! to)\b|^(ok(ay)?[.,!]? )?go[.!]?$/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(hereby )?(accept|accepted|accepting) (your|the) (proposal|offer|quote|quotation|terms)\b|\b(validate|validated|approve|approved) (the|your) (offer|proposal|quote|purchase|spend|award|order)\b|\bconfirmed the (award|order|purchase)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(committed|signing up|signed up) (to|for) (the|your|our|a)\b|\b(landed|closed|got) (it|this|the deal) (internally|through|approved)\b|\b(get|have) (it|this|the contract|the agreement|them) signed\b/i,
  },
  {
    type: 'paperwork_request',
    re: /\b(asked|asks|asking|requested|requests|wants|need|needs) (for |us for |to see )?(the |our |a |an )?(final |signed )?(contract|paperwork|order form|msa|agreement|sow|docusign|e-?signature|signature (link|page)|purchase agreement|onboarding pack|vendor (setup|onboarding) (form|pack))\b|\b(prepare|issue|draw up|ship|draft) (the |your |a )?(final )?(contract|agreement|order form|msa|paperwork)\b|\bsend (it|them) (over|across|through)\b|\b(issu|rais|cut|releas)(e|es|ed|ing)? (a |the |our )?(po|purchase order)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(is|are|'re) (proceeding|going ahead|moving (forward|ahead)) with\b|\b(selected|chosen|picked|going with|committed to|decided on) (us|you)\b|\b(we|i)('re| are|'m| am) committing\b|\b('re|are|is|'m|am) keen to (proceed|move forward|go ahead|sign|start)\b|^book it[.!]?$|\bbook it[.!]/i,
  },
  {
    type: 'paperwork_request',
    re: /\b(asked|asks|requested|requests) (for |us for )?[^.?!]{0,60}\b(the |our |your )(contract|order form|msa|agreement|sow|docusign)\b|\b(submit|send) (us )?(the |your )(contract|agreement|order form) for (signature|signing)\b|\b(want|'d like|would like|need) (the )?(contract|agreement|order form) (countersigned|signed|sent|back)\b|\b(cutting|cut) (a |the |our )?(po|purchase order)\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(is|are|'re) (proceeding|going ahead|moving (forward|ahead)) with\b|\b(selected|chosen|picked|going with|committed to|decided on) (us|you)\b|\b(we|i)('re| are|'m| am) committing\b|\b('re|are|is|'m|am) keen to (proceed|move forward|go ahead|sign|start)\b|^book it[.!]?$|\bbook it[.!]/i,
  },
  {
    type: 'paperwork_request',
    re: /\b(asked|asks|requested|requests) (for |us for )?[^.?!]{0,60}\b(the |our |your )(contract|order form|msa|agreement|sow|docusign)\b|\b(submit|send) (us )?(the |your )(contract|agreement|order form) for (signature|signing)\b|\b(want|'d like|would like|need) (the )?(contract|agreement|order form) (countersigned|signed|sent|back)\b|\b(cutting|cut) (a |the |our )?(po|purchase order)\b/i,
  },
  {
    // Common ways buyers say yes, from sales practice: acceptance, award, go-ahead, start of onboarding.
    type: 'explicit_commitment',
    re: /\b(you('ve| have)? won (the|our) (business|deal|tender|bid)|(award|awarded|awarding) (the )?(contract|deal|tender|business|bid) to (you|your)|greenlit|green-lit|done deal|deal done|we('re| are) buying|we('ll| will) buy|ready when you are|we('ve| have) signed|signed (copy|contract|agreement|order form) (is )?(attached|back|on its way)|countersign(ed)?|(please|you can|go ahead and) (proceed|book|start|schedule|invoice|bill)|invoice us|bill us|(kick|start) off (the )?(onboarding|implementation|rollout|project)|schedule (the|a) kick-?off|(start|begin) (the )?onboarding|po (number|#)|purchase order (number|#)|we('re| are) (ready|happy|good|set) to (go|proceed|sign|order|buy|start)|(happy|pleased|glad) to (confirm|proceed|go ahead|move forward)|consider (this|it) (our|a) (yes|go-ahead|confirmation|acceptance)|(formally|officially) (accept|confirm|approve)|confirm(ing|ed)? (our|the) (order|purchase|commitment|decision))\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\blet'?s (make it official|lock it in|seal (it|the deal)|close it out|do the deal|shake on it)\b|\byou('ve| have) got (yourself )?a deal\b|\b(we('re| are)|i('m| am)) signing (it|this|today|now|the)\b|\bconsider us (committed|in|on board)\b|\b(we|i)('ll| will) go with (you|your)\b|\b(contract|agreement|order form|msa) (is|has been) (signed|executed|countersigned)\b|\b(have|got|received) (the )?approval to (purchase|proceed|buy|sign|order)\b|\byou('re| are) our (chosen|preferred|selected) (vendor|partner|provider|supplier)\b|\bsign (me|us) up\b/i,
  },
  {
    type: 'explicit_commitment',
    re: /\b(they|she|he)('ll| will| are going to|'re going to| is going to) (sign|proceed|move forward|go ahead|purchase|buy|place the order)\b|\b(agreed|agree|accepted) (to )?(the|your|our) (pricing|price|terms|proposal|quote|offer)\b|\b(proposal|offer|quote|bid) (has been|was|is) (selected|accepted|approved|chosen)\b|\battached (is |are )?the signed\b|\bsigned (order form|contract|agreement|quote) (is )?attached\b|\b(i|we)('ll| will) get it (through|signed|approved|done)\b/i,
  },
  // Paperwork: asking for the documents that close a deal.
  {
    type: 'paperwork_request',
    re: /\b(send|get|share|forward|email|shoot|push|pass)( (me|us|it|them|over|across|through))*( over| across| through)? (the |your |a |an )?(final )?(contract|paperwork|order form|msa|master (services|subscription) agreement|agreement|sow|statement of work|docusign|e-?signature|signature (link|page)|purchase agreement|quote for signature|papers)\b/i,
  },
  {
    type: 'paperwork_request',
    re: /\b(where|how) do (i|we) sign\b|\bready for (the )?(contract|paperwork|signature|order form)\b|\b(issue|raise|cut) (a |the )?(po|purchase order)\b|\bpo (is )?(coming|on its way|raised|issued)\b/i,
  },
  {
    type: 'paperwork_request',
    re: /\b(contract|paperwork|order form|msa|agreement)( over)? (so|and) (procurement|legal|we) can (start|begin|kick off|process|sign)\b/i,
  },
  // Budget.
  {
    type: 'budget_confirmed',
    re: /\bbudget('s| is| has been| was| got)? (now )?(approved|confirmed|allocated|secured|signed off|released|in place|available|locked( in)?)\b/i,
  },
  {
    type: 'budget_confirmed',
    re: /\b(confirmed|approved|secured|allocated|signed off on) (the |our |a )?budget\b|\b(funds|funding) (is |are |has been |have been )?(approved|allocated|secured|released|in place)\b/i,
  },
  { type: 'budget_confirmed', re: /\bbudget of [$€£]?\s?\d|\bhave the budget\b|\bbudget (covers|fits)\b/i },
  // Decision makers.
  {
    type: 'decision_maker_present',
    re: /\b(cfo|ceo|coo|cio|cto|ciso|chief [a-z]+ officer|vp|vice president|head of [a-z]+|managing director|general manager|owner|economic buyer|decision[- ]maker|board member)\b[^.?!]{0,40}\b(joined|was on|is on|attended|on the call|in the room|approved|confirmed|signed off|agreed|said|will sign|is signing)\b/i,
  },
  {
    type: 'decision_maker_present',
    re: /\b(i|we) (have|hold) (final |the )?(sign-?off|signing) authority\b|\bi('m| am) the (one who|person who) (signs|approves)\b/i,
  },
  // Time pressure.
  {
    type: 'timeline_urgency',
    re: /\b(by|before|until|no later than|ahead of) (the )?(end of (the )?(month|quarter|year|fiscal year|fy)|month[- ]end|quarter[- ]end|year[- ]end|q[1-4]|(january|february|march|april|may|june|july|august|september|october|november|december)|monday|tuesday|wednesday|thursday|friday|next week|the (\d+(st|nd|rd|th)|holidays)|our (go[- ]live|launch|shutdown|audit|deadline))\b/i,
  },
  {
    type: 'timeline_urgency',
    re: /\b(go[- ]live|deadline|asap|as soon as possible|urgent(ly)?|time[- ]sensitive|this week|shutdown window|cut-?off|fiscal year end|before (it|prices?) (expires?|goes up))\b/i,
  },
  // Competition.
  {
    type: 'competitor_mention',
    re: /\b(competitor|competition|other vendors?|another vendor|alternative (vendor|provider|solution)s?|incumbent|the other (provider|solution|platform|tool|bid|offer)|rival|(their|a) (cheaper|competing) (offer|quote|bid|proposal)|shortlist(ed)?|bake-?off|head[- ]to[- ]head)\b/i,
  },
  {
    type: 'competitor_mention',
    re: /\b(vs\.?|versus|compared (to|with)|switch(ing)? (to|from)|going with) [A-Z][A-Za-z0-9]+/,
  },
  // Security and legal.
  {
    type: 'security_concern',
    re: /\b(soc ?2|iso ?27001|pen(etration)?[- ]?test|encrypt(ion|ed)?|data residency|gdpr|hipaa|phi|security (review|questionnaire|assessment|team|audit|requirements?)|sso|saml|vulnerabilit(y|ies)|infosec|information security|cyber ?security|data (protection|breach|retention|sovereignty)|access controls?)\b/i,
  },
  {
    type: 'legal_concern',
    re: /\b(redlines?|redlined|indemnif(y|ication)|indemnity|liability cap|limitation of liability|dpa|data processing (agreement|addendum)|baa|business associate agreement|legal (review|team|counsel|department)|our lawyers?|counsel|governing law|jurisdiction|terms and conditions|t&cs?|contract terms|msa (terms|language)|warranty (terms|clause)|termination clause|auto-?renewal clause)\b/i,
  },
  // Pushback.
  {
    type: 'objection',
    re: /\b(too (expensive|pricey|high|costly|much)|price is (too )?high|over (our )?budget|out of (our )?budget|can'?t afford|(missing|lacks?|doesn'?t (have|support)|no support for) [a-z ]{0,30}(feature|capability|integration|functionality|module|support)|not convinced|deal[- ]?breaker|showstopper|concern(s|ed)? (about|with|over) (the )?(price|pricing|cost|roi|value))\b/i,
  },
  {
    type: 'hesitation',
    re: /\b(need (some |more )?time|not (yet )?sure|unsure|let (me|us) (think|sleep on|digest)|hold(ing)? off|wait (until|till|for)|revisit|circle back|pause|paused|on hold|not a priority|deprioriti[sz]ed|second thoughts|cold feet|not (the )?right time|push(ed|ing)? (it |this )?(out|back|to next)|slip(ped|ping)? (to|into)|reconsider(ing)?|no rush|in no hurry)\b/i,
  },
  {
    type: 'negation',
    re: /\b(budget (freeze|cut|was cut|got cut|frozen)|hiring freeze|spending freeze|no budget|lost (our |the )?budget|champion (left|has left|is leaving)|(decided|chose|going) (not to|against)|no decision (yet|has been made)|not moving forward|won'?t be (moving|going) (forward|ahead)|pass(ing)? on (this|it|your)|(not|no longer) interested)\b/i,
  },
];

const NEGATORS =
  /\b(not|no|never|neither|nor|cannot|can'?t|won'?t|wouldn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|shouldn'?t|couldn'?t|without|no longer|unable to|far from|nowhere near|before (we|i|they)|confident (that )?your|doubt|unlikely|no way)\b/i;
const CONDITIONAL =
  /\b(if|unless|provided( that)?|providing|assuming|as long as|on (the )?condition|subject to|depending on|depends on|contingent (on|upon)|pending|once|as soon as|until|till|only after|not until)\b/i;
const HYPOTHETICAL =
  /\b(might|may|could|would|possibly|maybe|perhaps|potentially|hypothetically|in theory|in principle|likely|probably|hopefully|hope to|hoping to|expect to|expecting|should be able to|in a perfect world|ideally|feels like|seems|seem to|looks like|i think|i believe|my (sense|gut)|gut feel|assume)\b/i;
const VOLITION = /\b(would like to|'d like to|would love to|'d love to)\b/i;
const SARCASM =
  /\b(oh (sure|yes|yeah|great|right)|yeah,? right|sure,? sure|as if|right after|when pigs fly|in your dreams|not in a million years|lol|haha|good one|riiight|totally ready|of course we are|i'?ll just (print|magic|conjure|find|pull|sell)|money tree|out of thin air|in the basement|when hell freezes)\b|🙄|😂|\/s\b/i;
/** A sentence opening with a condition ("Once security signs off, ...") makes the main clause conditional, however long the condition. */
const CLAUSE_INITIAL_CONDITION =
  /^\W*(if|unless|once|when|as soon as|provided( that)?|assuming|only after|after)\b(?![^,]*\?)/i;
/** Sign-offs that show a seller wrote the email. */
const SELLER_SIGNATURE =
  /\b(account executive|account manager|sales (director|manager|representative|rep|engineer)|business development|customer success manager|solutions? (engineer|consultant)|sdr|bdr)\b/i;
const PAST =
  /\b(last (year|quarter|month|time|spring|summer|fall|autumn|winter)|previously|used to|were ready|was ready|had been|at (one|that) point|back (then|in)|originally|initially|in \d{4}|a year ago|months ago)\b/i;
const REPORTED =
  /\b(said|says|mentioned|thinks|told (me|us)|heard|rumou?r|according to)\b[^.?!]{0,40}\b(might|may|could|would|possibly|maybe|probably|likely|consider|considering)\b/i;
const OTHER_PARTY =
  /\b(with|to|from) (the )?(other vendor|competitor|incumbent|them|another vendor|[A-Z][a-z]+(Soft|Tech|Systems|Works|Labs|ware|ly|io)?)\b/;
const CONTRAST = /\b(but|however|although|though|yet|except|that said|having said that)\b/i;

/** Splits text into sentences, keeping quoted speech whole where it can. */
export function splitSentences(text: string): string[] {
  return (
    text
      .replace(/\r/g, '')
      // Abbreviations (Dr., Inc., e.g.) do not end a sentence.
      .split(
        /(?<!\b(?:Dr|Mr|Mrs|Ms|Prof|St|Inc|Ltd|Co|Corp|vs|etc|approx|e\.g|i\.e|No))(?<=[.!?…])["”']?\s+(?=["“]?[A-Z0-9(])|\n{1,}/,
      )
      .map((s) => s.trim())
      .filter((s) => s.length > 1)
  );
}

function negatedBefore(sentence: string, index: number): string | undefined {
  // Negation scope: the same clause, a few words before the cue.
  const before = sentence.slice(Math.max(0, index - 45), index);
  const clause = before.split(/[,;:]|\b(but|and then|however)\b/i).pop() ?? before;
  const m = NEGATORS.exec(clause);
  return m ? m[0] : undefined;
}

function governedBy(re: RegExp, sentence: string, index: number): string | undefined {
  const m = re.exec(sentence);
  if (!m) return undefined;
  // The qualifier matters when it opens the clause holding the cue or precedes it closely.
  const distance = index - m.index;
  if (distance >= 0 && distance <= 80) return m[0];
  // "We'll sign once legal approves": a condition right after the cue also qualifies it.
  if (distance < 0 && -distance <= 60 && re !== HYPOTHETICAL) return m[0];
  return undefined;
}

/**
 * The signals in one sentence. `speaker` is who said it: the seller's own hopes and questions
 * never count as the buyer's readiness.
 */
export function detectSentence(sentence: string, speaker: Speaker): SentenceSignal[] {
  const out: SentenceSignal[] = [];
  const seen = new Set<SignalType>();
  const isQuestion = /\?\s*["”']?\s*$/.test(sentence);
  const sarcastic = SARCASM.exec(sentence)?.[0];
  for (const cue of CUES) {
    const m = cue.re.exec(sentence);
    if (!m || seen.has(cue.type)) continue;
    const qualifiers: string[] = [];
    let type: SignalType = cue.type;
    let readiness = READINESS.has(cue.type);
    let polarity: 1 | -1 | 0 = NEGATIVE.has(cue.type)
      ? -1
      : READINESS.has(cue.type) ||
          cue.type === 'budget_confirmed' ||
          cue.type === 'decision_maker_present' ||
          cue.type === 'timeline_urgency'
        ? 1
        : 0;
    if (cue.type === 'competitor_mention' || cue.type === 'security_concern' || cue.type === 'legal_concern')
      polarity = 0;
    const positiveCue = polarity === 1;
    if (positiveCue) {
      const neg = negatedBefore(sentence, m.index);
      if (neg) {
        qualifiers.push(`negated: "${neg}"`);
        // "Hasn't signed off yet" is a step still pending, not a no.
        type = /\b(yet|still)\b/i.test(sentence) ? 'hesitation' : 'negation';
        polarity = -1;
        readiness = false;
      }
      const cond = governedBy(CONDITIONAL, sentence, m.index) ?? CLAUSE_INITIAL_CONDITION.exec(sentence)?.[0];
      if (cond && polarity === 1) {
        qualifiers.push(`conditional: "${cond}"`);
        readiness = false;
        polarity = 0;
      }
      const hypo = VOLITION.test(sentence) ? undefined : governedBy(HYPOTHETICAL, sentence, m.index);
      if (hypo && polarity === 1) {
        qualifiers.push(`hypothetical: "${hypo}"`);
        readiness = false;
        polarity = 0;
      }
      const reported = REPORTED.exec(sentence)?.[0];
      if (reported && polarity === 1) {
        qualifiers.push(`reported, undecided: "${reported}"`);
        readiness = false;
        polarity = 0;
      }
      if (sarcastic && polarity === 1) {
        qualifiers.push(`sarcasm: "${sarcastic}"`);
        readiness = false;
        polarity = -1;
        type = 'negation';
      }
      const past = PAST.exec(sentence)?.[0];
      if (past && polarity === 1) {
        qualifiers.push(`past: "${past}"`);
        readiness = false;
        polarity = 0;
      }
      const after = sentence.slice(m.index + m[0].length);
      const other = OTHER_PARTY.exec(after);
      // "The other vendor sent their order form and we intend to sign it": a commitment to someone else.
      const toCompetitor =
        /\b(other vendor|another vendor|competitor|incumbent|their (order form|contract|proposal|quote))\b/i.test(
          sentence,
        ) && !/\b(you|your|us)\b/i.test(sentence);
      if (
        (toCompetitor ||
          (other &&
            (/\b(other vendor|competitor|incumbent|another vendor|them)\b/i.test(other[0]) ||
              /^with [A-Z]/.test(other[0])))) &&
        READINESS.has(cue.type) &&
        polarity === 1
      ) {
        qualifiers.push(`commitment to another party: "${other?.[0] ?? 'a competitor'}"`);
        readiness = false;
        polarity = -1;
      }
      if (
        isQuestion &&
        polarity === 1 &&
        !(cue.type === 'paperwork_request' && /\b(where|how|when) (do|can|should) (i|we)\b/i.test(sentence))
      ) {
        qualifiers.push('question');
        readiness = false;
        polarity = 0;
      }
      if (speaker === 'seller' && polarity !== -1) {
        qualifiers.push("seller's own words");
        readiness = false;
        polarity = 0;
      }
      // "Ready to sign, but not until the BAA is done": a contrast that withdraws the commitment.
      const contrast = CONTRAST.exec(after);
      if (contrast && readiness) {
        const tail = after.slice(contrast.index);
        if (
          NEGATORS.test(tail) ||
          CONDITIONAL.test(tail) ||
          /\b(need|needs|first|still|pending|waiting)\b/i.test(tail)
        ) {
          qualifiers.push(`withdrawn: "${tail.trim().slice(0, 60)}"`);
          readiness = false;
          polarity = 0;
        }
      }
    } else if (cue.type === 'hesitation' || cue.type === 'objection' || cue.type === 'negation') {
      const neg = negatedBefore(sentence, m.index);
      // "No need to hold off", "not a dealbreaker": a negated negative is not pushback.
      if (neg && !/\bnot (yet )?sure\b/i.test(m[0]) && !/^no (budget|decision)/i.test(m[0])) {
        continue;
      }
      if (speaker === 'seller') {
        qualifiers.push("seller's own words");
        polarity = 0;
      }
    }
    seen.add(type);
    seen.add(cue.type);
    out.push({ type, quote: sentence, qualifiers, polarity, readiness });
  }
  return out;
}

export interface SnippetVerdict {
  ready: boolean;
  signals: SentenceSignal[];
  /** The sentence that decided readiness, if any. */
  decidedBy: string | null;
  reason: string;
}

/** Who speaks a transcript line: `Rep: ...` / `Buyer (Name, Title): ...`. */
export function speakerOfLine(
  line: string,
  sellerNames: string[] = [],
): { speaker: Speaker; text: string; title: string | null } {
  const m = /^\s*([A-Z][\w .'-]{0,40}?)(?:\s*\(([^)]{0,80})\))?\s*:\s+(.*)$/.exec(line);
  if (!m) return { speaker: 'unknown', text: line, title: null };
  const label = m[1]!.trim();
  const paren = m[2] ?? null;
  const text = m[3] ?? '';
  const labelLower = label.toLowerCase();
  // The label says who speaks ("Buyer", "Rep"); a title such as "VP Sales" in the buyer's
  // parentheses is the buyer's job, not a sign of the seller.
  if (/\b(buyer|customer|client|prospect)\b/.test(labelLower))
    return { speaker: 'buyer', text, title: paren };
  const named = `${labelLower} ${(paren ?? '').toLowerCase()}`;
  if (
    /\b(rep|ae|account executive|seller|sdr|csm|our side|me)\b/.test(labelLower) ||
    sellerNames.some((n) => n && named.includes(n.toLowerCase()))
  ) {
    return { speaker: 'seller', text, title: paren };
  }
  if (paren) return { speaker: 'buyer', text, title: paren };
  return { speaker: 'unknown', text, title: paren };
}

/**
 * Whether a snippet (a transcript excerpt, an email, a note) shows the buyer ready to close:
 * some buyer sentence carries unqualified readiness and nothing later in the snippet takes it
 * back (a later negation, hesitation or condition).
 */
export function classifySnippet(
  text: string,
  source: 'transcript' | 'email' | 'note',
  options: { outbound?: boolean; sellerNames?: string[] } = {},
): SnippetVerdict {
  const units: { sentence: string; speaker: Speaker }[] = [];
  // An email signed by a seller (account executive, sales, customer success) is the seller speaking.
  const sellerSigned = source === 'email' && SELLER_SIGNATURE.test(text.split(/\n/).slice(-4).join(' '));
  for (const line of text.split(/\n+/)) {
    const {
      speaker,
      text: body,
      title,
    } = source === 'transcript'
      ? speakerOfLine(line, options.sellerNames)
      : {
          speaker: (options.outbound || sellerSigned
            ? 'seller'
            : source === 'note'
              ? 'unknown'
              : 'buyer') as Speaker,
          text: line,
          title: null,
        };
    for (const sentence of splitSentences(body)) {
      units.push({ sentence, speaker });
      // A speaker's title is evidence that a decision maker is present.
      if (
        title &&
        /\b(cfo|ceo|coo|cio|cto|chief|vp|vice president|head of|director|owner|managing)\b/i.test(title) &&
        speaker === 'buyer'
      ) {
        units.push({ sentence: `${title} is present`, speaker: 'buyer' });
      }
    }
  }
  const signals: SentenceSignal[] = [];
  let decidedBy: string | null = null;
  let previousReady: Speaker | null = null;
  let ready = false;
  let reason = 'no unqualified commitment or paperwork request from the buyer';
  for (const u of units) {
    const found = u.sentence.endsWith(' is present')
      ? [
          {
            type: 'decision_maker_present' as const,
            quote: u.sentence,
            qualifiers: ['speaker title'],
            polarity: 1 as const,
            readiness: false,
          },
        ]
      : detectSentence(u.sentence, u.speaker);
    signals.push(...found);
    const commit = found.find((s) => s.readiness);
    const setback = found.find(
      (s) =>
        s.polarity === -1 && (s.type === 'negation' || s.type === 'hesitation' || s.type === 'objection'),
    );
    // "We're ready to go. As soon as IT finishes the migration." / "Sure, let's sign. I'll just print the money."
    if (
      ready &&
      previousReady === u.speaker &&
      (CLAUSE_INITIAL_CONDITION.test(u.sentence) || SARCASM.test(u.sentence))
    ) {
      ready = false;
      decidedBy = u.sentence;
      reason = 'the next sentence makes the commitment conditional or ironic';
      previousReady = null;
      continue;
    }
    // Title notes ("CFO is present") sit between sentences without breaking their sequence.
    if (!u.sentence.endsWith(' is present')) previousReady = commit && !setback ? u.speaker : null;
    if (commit && !setback) {
      ready = true;
      decidedBy = u.sentence;
      reason = `${commit.type.replace('_', ' ')} in the buyer's words`;
    } else if (ready && setback && u.speaker !== 'seller') {
      // A later setback in the same snippet withdraws an earlier yes.
      ready = false;
      decidedBy = u.sentence;
      reason = `later ${setback.type} takes the commitment back`;
    }
  }
  // "Budget approved, send the order form" is readiness even when split across sentences;
  // budget alone is not.
  return { ready, signals, decidedBy, reason };
}
