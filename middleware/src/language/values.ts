/**
 * What a value word stands for, in the four languages: invoicing frequencies and places (for data
 * residency). Lexicons of names, not of meanings: which of a passage's values the buyer asks for,
 * and whether they ask at all, is the trained model's call (candidates.ts). Keys are lower-case
 * words as the word segmenter gives them, several words joined by one space.
 */
import countries from 'i18n-iso-countries';
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import es from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import type { BILLING_FREQUENCIES, RESIDENCY_REGIONS } from '../ports/language.ts';

type Billing = (typeof BILLING_FREQUENCIES)[number];
type Region = (typeof RESIDENCY_REGIONS)[number];

const words = <T extends string>(value: T, list: string): [string, T][] =>
  list
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
    .map((w) => [w, value]);

export const BILLING_WORDS = new Map<string, Billing>([
  ...words<Billing>(
    'monthly',
    'monthly, month, per month, a month, every month, monatlich, monatliche, monatlichen, monatlicher, monatliches, pro monat, im monat, mensuel, mensuelle, mensuels, mensuelles, mensuellement, mensualité, mensualités, par mois, mensual, mensuales, mensualmente, al mes, por mes, cada mes',
  ),
  ...words<Billing>(
    'quarterly',
    'quarterly, quarter, per quarter, each quarter, every quarter, quartalsweise, quartalsweisen, quartal, pro quartal, vierteljährlich, vierteljährliche, vierteljährlichen, trimestriel, trimestrielle, trimestriels, trimestrielles, trimestriellement, par trimestre, trimestre, trimestral, trimestrales, trimestralmente, por trimestre',
  ),
  ...words<Billing>(
    'semiannual',
    'semiannual, semi annual, semiannually, semi annually, biannual, biannually, half yearly, half year, every six months, twice a year, halbjährlich, halbjährliche, halbjährlichen, halbjahr, halbjahresweise, semestriel, semestrielle, semestriels, semestrielles, semestre, par semestre, semestral, semestrales, semestralmente, por semestre',
  ),
  ...words<Billing>(
    'annual',
    'annual, annually, yearly, per year, a year, every year, upfront annual, jährlich, jährliche, jährlichen, jährlicher, pro jahr, jahresweise, annuel, annuelle, annuels, annuelles, annuellement, par an, anual, anuales, anualmente, por año, al año',
  ),
]);

/** The EU and the rest of the EEA, by ISO 3166 code: data there counts as hosted in the EU. */
const EEA = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);
const regionOfCountry = (code: string): Region =>
  EEA.has(code) ? 'EU' : code === 'GB' ? 'UK' : code === 'US' ? 'US' : 'other';

const nameSegmenter = new Intl.Segmenter('und', { granularity: 'word' });
/** A name as the reader's tokens spell it: its words, lower-cased, joined by one space. */
const asKey = (name: string) =>
  [...nameSegmenter.segment(name.toLowerCase())]
    .filter((w) => w.isWordLike)
    .map((w) => w.segment)
    .join(' ');

/**
 * Every country's names in the four languages (i18n-iso-countries, from Unicode CLDR), with their
 * region. Names of three letters or fewer are left out: as words they are mostly something else.
 */
function countryWords(): [string, Region][] {
  for (const locale of [en, de, fr, es]) countries.registerLocale(locale);
  const out: [string, Region][] = [];
  for (const lang of ['en', 'de', 'fr', 'es'])
    for (const [code, names] of Object.entries(countries.getNames(lang, { select: 'all' })))
      for (const name of names) {
        const key = asKey(name);
        if (key.length > 3) out.push([key, regionOfCountry(code)]);
      }
  return out;
}

/**
 * Places and their hosting region: the words written here (regions, adjectives, cloud-region
 * cities, and the abbreviations buyers use) first, then every country's names.
 */
export const REGION_WORDS = new Map<string, Region>([
  ...countryWords(),
  ...words<Region>(
    'EU',
    'eu, ue, eea, ewr, eee, europe, european union, europa, europe union, europäische union, europäischen union, union européenne, unión europea, european, europäisch, europäische, europäischen, européen, européenne, europeo, europea, holland, frankfurt, francfort, fráncfort, dublin, dublín, paris, parís, amsterdam, ámsterdam, madrid, milan, milano, mailand, stockholm, estocolmo, warsaw, varsovie, varsovia, munich, münchen, berlin, berlín, vienna, wien, vienne, viena, lyon, barcelona, barcelone',
  ),
  ...words<Region>(
    'UK',
    'uk, u k, united kingdom, britain, great britain, royaume uni, reino unido, großbritannien, grossbritannien, vereinigtes königreich, vereinigten königreich, england, angleterre, inglaterra, scotland, london, londres, manchester, british, britannique, británico',
  ),
  ...words<Region>(
    'US',
    'us, u s, usa, u s a, united states, united states of america, états unis, etats unis, estados unidos, ee uu, eeuu, vereinigte staaten, vereinigten staaten, america, amérique, américa, amerika, virginia, ohio, oregon, texas, california, us east, us west, american, américain, estadounidense',
  ),
  ...words<Region>(
    'other',
    'swiss, schweizer, zurich, zürich, geneva, genf, genève, ginebra, toronto, montreal, montréal, canadian, sydney, melbourne, australian, tokyo, tokio, osaka, seoul, séoul, seúl, mumbai, bombay, hong kong, são paulo, sao paulo, dubai, abu dhabi, riyadh, johannesburg',
  ),
]);

/** Words that are also ordinary words in lower case ("us", "eu" in Spanish, "ue"): only capitalised. */
export const CASE_SENSITIVE = new Set(['us', 'u s', 'eu', 'ue', 'eee', 'uk', 'u k', 'ewr', 'usa', 'eea']);

/** Words for a term's unit, and small numbers written out, for the length of a multi-year term. */
export const YEAR_WORDS = new Set(
  'year, years, yr, yrs, jahr, jahre, jahren, jahres, an, ans, année, années, año, años, anos'.split(', '),
);
export const MONTH_WORDS = new Set('month, months, monat, monate, monaten, mois, mes, meses'.split(', '));
export const SMALL_NUMBERS = new Map<string, number>([
  ...(['one', 'two', 'three', 'four', 'five'] as const).map((w, i) => [w, i + 1] as [string, number]),
  ...(['ein', 'zwei', 'drei', 'vier', 'fünf'] as const).map((w, i) => [w, i + 1] as [string, number]),
  ...(['un', 'deux', 'trois', 'quatre', 'cinq'] as const).map((w, i) => [w, i + 1] as [string, number]),
  ...(['uno', 'dos', 'tres', 'cuatro', 'cinco'] as const).map((w, i) => [w, i + 1] as [string, number]),
]);
