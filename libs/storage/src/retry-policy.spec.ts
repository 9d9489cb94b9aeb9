import { StoreUnavailableError, StorageError } from './errors';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, withRetry } from './retry-policy';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

describe('retry policy', () => {
  it('backs off exponentially up to the ceiling, with jitter in the upper half', () => {
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, policy, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(retry, policy, () => 1))).toEqual([100, 200, 300, 300]);
  });

  it('by default waits long enough to ride out a 15 s cluster failover, even with the least jitter', () => {
    const waits = (random: () => number) => Array.from({ length: DEFAULT_RETRY_POLICY.attempts - 1 }, (_, i) => backoffDelayMs(i + 1, DEFAULT_RETRY_POLICY, random)).reduce((a, b) => a + b, 0);
    expect(waits(() => 0)).toBeGreaterThanOrEqual(15_000);
    expect(waits(() => 1)).toBeLessThanOrEqual(35_000);
  });

  it('retries retriable storage errors with the computed delays, then succeeds', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      policy,
      async () => {
        calls += 1;
        if (calls < 3) throw new StoreUnavailableError('503');
        return 'ok';
      },
      { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after the bounded attempts and says so', async () => {
    let calls = 0;
    const failure = withRetry(policy, async () => {
      calls += 1;
      throw new StoreUnavailableError('store down');
    }, { sleep: async () => undefined });
    await expect(failure).rejects.toThrow('store down (gave up after 4 attempts)');
    expect(calls).toBe(4);
  });

  it('does not retry errors that are not retriable', async () => {
    let calls = 0;
    await expect(withRetry(policy, async () => {
      calls += 1;
      throw new StorageError('bad credentials', false);
    }, { sleep: async () => undefined })).rejects.toThrow('bad credentials');
    expect(calls).toBe(1);
  });
});
