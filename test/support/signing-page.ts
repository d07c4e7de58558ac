/**
 * The local signing page as a recipient uses it in a real browser.
 */
import type { Page } from 'playwright-core';

/**
 * Types the recipient's name, consents, signs, and waits for the page to confirm. `beforeSigning`
 * sees the filled-in form (an accessibility check, a screenshot).
 */
export async function signOnSigningPage(
  page: Page,
  name: string,
  beforeSigning: () => Promise<void> = async () => undefined,
): Promise<void> {
  await page.getByLabel('Type your full name to sign').fill(name);
  await page.getByLabel('I agree to sign electronically').check();
  await beforeSigning();
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /You signed on|completed/ })
    .waitFor();
}
