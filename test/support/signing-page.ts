/**
 * The local signing page as a recipient uses it in a real browser.
 */
import type { Page } from 'playwright-core';

/** Types the recipient's name, consents, signs, and waits for the page to confirm. */
export async function signOnSigningPage(page: Page, name: string): Promise<void> {
  await page.getByLabel('Type your full name to sign').fill(name);
  await page.getByLabel('I agree to sign electronically').check();
  await page.getByRole('button', { name: 'Sign', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: /You signed on|completed/ })
    .waitFor();
}
