/**
 * Waits until `check` holds, polling every `intervalMs`, and fails after `timeoutMs` naming what
 * was awaited. The one polling helper of the tests: waiting on a condition instead of sleeping a
 * fixed time keeps tests both fast on an idle machine and correct on a loaded one.
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 5, what = 'condition' } = options;
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
