/** Polls until `check` returns something truthy; fails after `timeoutMs` (a bound on a hang, not a timing assertion). */
export async function waitFor<T>(check: () => T | Promise<T>, description: string, timeoutMs = 10_000, intervalMs = 15): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
