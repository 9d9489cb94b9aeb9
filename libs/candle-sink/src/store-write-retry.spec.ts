import { StopRequestedError, StoreRetryExhaustedError } from './errors';
import { retryStoreWrite, type StoreRetryPolicy } from './store-write-retry';

const policy: StoreRetryPolicy = { initialDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: 400 };

function hooks(overrides: Partial<Parameters<typeof retryStoreWrite>[2]> = {}) {
  const retries: Array<{ attempt: number; delayMs: number }> = [];
  return {
    retries,
    hooks: {
      collection: 'candles',
      stopped: new Promise<void>(() => undefined),
      stopRequested: () => false,
      onRetry: (_error: unknown, attempt: number, delayMs: number) => retries.push({ attempt, delayMs }),
      random: () => 1,
      ...overrides,
    },
  };
}

describe('retryStoreWrite', () => {
  it('retries until the store answers, backing off exponentially up to the ceiling', async () => {
    let calls = 0;
    const { retries, hooks: h } = hooks();
    const result = await retryStoreWrite(async () => {
      calls += 1;
      if (calls <= 4) throw new Error('connection refused');
      return 'written';
    }, policy, h);
    expect(result).toBe('written');
    expect(retries.map((r) => r.delayMs)).toEqual([10, 20, 40, 40]);
  });

  it('keeps at least half the ceiling as jitter', async () => {
    let calls = 0;
    const { retries, hooks: h } = hooks({ random: () => 0 });
    await retryStoreWrite(async () => {
      calls += 1;
      if (calls <= 3) throw new Error('503');
    }, policy, h);
    expect(retries.map((r) => r.delayMs)).toEqual([5, 10, 20]);
  });

  it('throws a non-retriable error at once', async () => {
    const refused = Object.assign(new Error('bad credentials'), { retriable: false });
    const { retries, hooks: h } = hooks();
    await expect(retryStoreWrite(() => Promise.reject(refused), policy, h)).rejects.toBe(refused);
    expect(retries).toHaveLength(0);
  });

  it('gives up after the bound with the last cause', async () => {
    const startedAt = Date.now();
    const { hooks: h } = hooks();
    const error = await retryStoreWrite(() => Promise.reject(Object.assign(new Error('store down'), { retriable: true })), policy, h).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreRetryExhaustedError);
    expect((error as Error).message).toMatch(/failed \d+ times over \d+\.\d s \(collection "candles"\), giving up: Error: store down/);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(policy.giveUpAfterMs);
    // The last pause is cut to the bound, so it gives up right after it (the margin is for a loaded machine).
    expect(Date.now() - startedAt).toBeLessThan(policy.giveUpAfterMs + 2_000);
  });

  it('abandons the write when a stop arrives during a pause', async () => {
    let stop!: () => void;
    let stopRequested = false;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const { hooks: h } = hooks({ stopped, stopRequested: () => stopRequested, random: () => 1 });
    const slow: StoreRetryPolicy = { initialDelayMs: 10_000, maxDelayMs: 10_000, giveUpAfterMs: 60_000 };
    const startedAt = Date.now();
    const pending = retryStoreWrite(() => Promise.reject(new Error('down')), slow, h);
    setTimeout(() => { stopRequested = true; stop(); }, 50);
    await expect(pending).rejects.toBeInstanceOf(StopRequestedError);
    expect(Date.now() - startedAt).toBeLessThan(5_000); // far below the 10 s pause it cut short
  });
});
