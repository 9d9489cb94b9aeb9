import { DEFAULT_RETRY_POLICY, backoffDelayMs } from './retry-policy';

describe('backoffDelayMs', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 500, maxDelayMs: 4_000 };

  it('doubles each attempt, with half of each step random', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(policy, n, () => 0))).toEqual([250, 500, 1_000]);
    expect([1, 2, 3].map((n) => backoffDelayMs(policy, n, () => 1))).toEqual([500, 1_000, 2_000]);
  });

  it('never exceeds the ceiling', () => {
    expect(backoffDelayMs(policy, 30, () => 1)).toBe(4_000);
  });
});
