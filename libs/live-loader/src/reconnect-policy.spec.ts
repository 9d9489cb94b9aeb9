import { ReconnectPolicy } from './reconnect-policy';

describe('ReconnectPolicy', () => {
  const config = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 300, windowMs: 300_000 };

  it('goes at once after a healthy connection, then backs off exponentially with full jitter up to the cap', () => {
    const policy = new ReconnectPolicy(config, () => 0, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => policy.nextDelay())).toEqual([0, 100, 200, 400, 800, 1_000, 1_000]);
    policy.succeeded();
    expect(policy.nextDelay()).toBe(0);
  });

  it('draws the delay uniformly below the step (jitter)', () => {
    const policy = new ReconnectPolicy(config, () => 0, () => 0.25);
    policy.nextDelay();
    policy.nextDelay();
    expect(policy.nextDelay()).toBe(50);
  });

  it('never makes more attempts per window than allowed', () => {
    let now = 0;
    const policy = new ReconnectPolicy({ ...config, maxAttempts: 3, windowMs: 10_000 }, () => now, () => 0);
    const at: number[] = [];
    for (let i = 0; i < 7; i++) {
      const delay = policy.nextDelay();
      policy.succeeded();
      now += delay;
      at.push(now);
    }
    expect(at).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000]);
    for (let i = 3; i < at.length; i++) expect((at[i] as number) - (at[i - 3] as number)).toBeGreaterThanOrEqual(10_000);
  });
});
