/**
 * Who owns each handoff: an industry specialist when the account's industry has one, else the
 * owner of the account's territory (billing country), else the next person in the team's
 * round-robin. Rules live in config/handoff-owners.json; the rule that decided is recorded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CONFIG_DIR } from '../../paths.ts';
import type { CrmUser, DealContext } from '../../ports/crm.ts';
import { TEAMS, type Team } from './teams.ts';

const Username = z.string().trim().min(3, { error: 'expected a Salesforce username' });

const TeamOwnersSchema = z.object({
  industrySpecialists: z.array(
    z.object({ industries: z.array(z.string().trim().min(1)).min(1), username: Username }).strict(),
  ),
  territories: z.array(
    z.object({ countries: z.array(z.string().trim().min(1)).min(1), username: Username }).strict(),
  ),
  roundRobin: z.array(Username).min(1, { error: 'needs at least one user for deals no other rule matches' }),
});

export const HandoffOwnersSchema = z.object({
  teams: z
    .record(z.enum(TEAMS), TeamOwnersSchema.strict())
    .refine((teams) => TEAMS.every((t) => t in teams), {
      error: `every team needs owner rules: ${TEAMS.join(', ')}`,
    }),
});
export type HandoffOwners = z.infer<typeof HandoffOwnersSchema>;

export function loadHandoffOwners(file = join(CONFIG_DIR, 'handoff-owners.json')): HandoffOwners {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = HandoffOwnersSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export type OwnerRule = 'industry_specialist' | 'territory' | 'round_robin';

export interface OwnerChoice {
  team: Team;
  username: string;
  rule: OwnerRule;
  /** Why this rule matched, in the deal's terms. */
  reason: string;
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** The owner each team's rules choose for this deal; `turn` picks the round-robin position. */
export function chooseOwners(owners: HandoffOwners, deal: DealContext, turn: number): OwnerChoice[] {
  const industry = deal.account?.industry ?? null;
  const country = deal.account?.billingCountry ?? null;
  return TEAMS.map((team): OwnerChoice => {
    const rules = owners.teams[team]!;
    const specialist = industry
      ? rules.industrySpecialists.find((r) => r.industries.some((i) => same(i, industry)))
      : undefined;
    if (specialist)
      return {
        team,
        username: specialist.username,
        rule: 'industry_specialist',
        reason: `${industry} specialist`,
      };
    const territory = country
      ? rules.territories.find((r) => r.countries.some((c) => same(c, country)))
      : undefined;
    if (territory)
      return { team, username: territory.username, rule: 'territory', reason: `territory ${country}` };
    const position = turn % rules.roundRobin.length;
    return {
      team,
      username: rules.roundRobin[position]!,
      rule: 'round_robin',
      reason: `round-robin turn ${position + 1} of ${rules.roundRobin.length}: no ${industry ?? 'industry'} specialist, no territory for ${country ?? 'an account without a country'}`,
    };
  });
}

/** Usernames the rules name that Salesforce does not know or that are inactive, with where they are used. */
export function unknownOwners(choices: OwnerChoice[], users: CrmUser[]): string[] {
  return choices
    .filter((c) => !users.some((u) => same(u.username, c.username) && u.isActive))
    .map((c) => {
      const user = users.find((u) => same(u.username, c.username));
      return `${c.username} (${c.team.replace('_', ' ')} ${c.reason}) ${user ? 'is inactive' : 'is not a Salesforce user'}`;
    });
}
