/**
 * Polls until a check returns something, for end-to-end tests that wait on a running system.
 */

/** The first truthy value `check` returns, polled every 50 ms; fails with `what` after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
