/**
 * What a value word stands for, in the four languages: invoicing frequencies and places (for data
 * residency). Lexicons of names, not of meanings: which of a passage's values the buyer asks for,
 * and whether they ask at all, is the trained model's call (candidates.ts). Keys are lower-case
 * words as the word segmenter gives them, several words joined by one space.
 */
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

export const REGION_WORDS = new Map<string, Region>([
  ...words<Region>(
    'EU',
    'eu, ue, eea, ewr, eee, europe, european union, europa, europe union, europäische union, europäischen union, union européenne, unión europea, european, europäisch, europäische, europäischen, européen, européenne, europeo, europea, germany, deutschland, allemagne, alemania, france, frankreich, francia, spain, spanien, espagne, españa, netherlands, niederlande, pays bas, países bajos, holland, ireland, irland, irlande, irlanda, italy, italien, italie, italia, belgium, belgien, belgique, bélgica, austria, österreich, autriche, sweden, schweden, suède, suecia, finland, finnland, finlande, finlandia, denmark, dänemark, danemark, dinamarca, poland, polen, pologne, polonia, portugal, luxembourg, luxemburg, luxemburgo, frankfurt, francfort, fráncfort, dublin, dublín, paris, parís, amsterdam, ámsterdam, madrid, milan, milano, mailand, stockholm, estocolmo, warsaw, varsovie, varsovia, munich, münchen, berlin, berlín, vienna, wien, vienne, viena, lyon, barcelona, barcelone, norway, norwegen, norvège, noruega, iceland, liechtenstein',
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
    'switzerland, schweiz, suisse, suiza, zurich, zürich, geneva, genf, genève, ginebra, canada, kanada, canadá, toronto, montreal, montréal, australia, australien, australie, sydney, singapore, singapur, singapour, japan, japon, japón, brazil, brasilien, brésil, brasil, mexico, méxico, mexiko, mexique, india, indien, inde, south africa, uae, dubai,',
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
