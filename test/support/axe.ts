/**
 * Accessibility checks for browser tests: axe-core (through @axe-core/playwright) on the page as
 * it is now, keeping the violations people would hit hardest (impact serious or critical).
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const BLOCKING = new Set(['serious', 'critical']);

/** axe's selector for a node: one part per frame, and within a frame one per shadow root on the way. */
const selector = (part: string | string[]): string => (Array.isArray(part) ? part.join(' >>> ') : part);

/**
 * Each violation of impact serious or critical on the page, as a readable line: the rule, its
 * impact, what it asks for, and the nodes (axe's selectors) that break it.
 */
export async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page })
    // Full detail for violations only: the passes are not read, and listing them costs time.
    .options({ resultTypes: ['violations'] })
    // A page without frames needs none of the blank page axe otherwise opens to merge frames'
    // results; running in the page itself halves the cost of each check (measured on two busy
    // cores: about 1.5 s a page instead of 3.5 s). A page with frames gets the full method.
    .setLegacyMode(page.frames().length === 1)
    .analyze();
  return violations
    .filter((v) => BLOCKING.has(v.impact ?? ''))
    .map(
      (v) =>
        `${label} (${page.url()}): ${v.id} [${v.impact}] ${v.help}\n` +
        v.nodes
          .map(
            (n) =>
              `    ${n.target.map(selector).join(' >> ')}${n.failureSummary ? `\n      ${n.failureSummary.replaceAll('\n', '\n      ')}` : ''}`,
          )
          .join('\n'),
    );
}

/** Checks each named step of a journey once, collecting what fails, for one assertion at the end. */
export class A11yAudit {
  readonly problems: string[] = [];
  readonly checked: string[] = [];

  async check(page: Page, step: string): Promise<void> {
    if (this.checked.includes(step)) return;
    this.checked.push(step);
    this.problems.push(...(await seriousViolations(page, step)));
  }
}
