/**
 * Polls `read` until `check` accepts its value, then returns that value. Gives up after
 * `timeoutMs` naming what it waited for and the last value seen: a test waits for the event,
 * never for a fixed time.
 */
export async function waitFor<T>(
  what: string,
  read: () => T | Promise<T>,
  check: (value: T) => boolean = Boolean,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${describe(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? String(value)).slice(0, 2000);
}
