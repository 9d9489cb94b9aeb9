import { reconnectDelay } from './backoff';

describe('reconnectDelay', () => {
  const options = { baseMs: 500, maxMs: 10_000 };

  it('doubles per attempt between half and the whole step, capped at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => reconnectDelay(attempt, options, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect([0, 1, 2, 3, 4, 5, 10].map((attempt) => reconnectDelay(attempt, options, () => 1))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(reconnectDelay(10_000, options, () => 0.5)).toBe(7500);
  });
});
