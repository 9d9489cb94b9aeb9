/** Thrown by withinDeadline when the time ran out; `what` says what was awaited. */
export class DeadlineExceededError extends Error {
  override name = 'DeadlineExceededError';
  constructor(readonly what: string, readonly ms: number) {
    super(`${what} did not complete within ${ms} ms`);
  }
}

/**
 * Resolves as `promise` does, or rejects with DeadlineExceededError at `deadline` (epoch ms). The
 * work itself goes on in the background (kafkajs has no cancel); its later rejection is handled.
 */
export function withinDeadline<T>(promise: Promise<T>, deadline: number, what: string, totalMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, totalMs)), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
