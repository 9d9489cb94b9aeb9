import { type Progress, ProgressReporter } from './progress-reporter';

describe('ProgressReporter', () => {
  afterEach(() => jest.useRealTimers());

  it('emits every N candles, in order', async () => {
    const emitted: Progress[] = [];
    const reporter = new ProgressReporter({ every: 100, intervalMs: 60_000 }, async (p) => void emitted.push(p), () => undefined);
    for (const published of [50, 100, 150, 199, 200, 420]) reporter.update({ published, lastOpenTime: published });
    await reporter.close();
    expect(emitted.map((p) => p.published)).toEqual([100, 200, 420]);
  });

  it('emits at least every T seconds, also without progress', async () => {
    jest.useFakeTimers();
    const emitted: Progress[] = [];
    const reporter = new ProgressReporter({ every: 1_000_000, intervalMs: 2_000 }, async (p) => void emitted.push(p), () => undefined);
    reporter.start();
    reporter.update({ published: 5 });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(emitted).toEqual([{ published: 5 }]);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(emitted).toHaveLength(2);
    await reporter.close();
  });

  it('keeps going when one event fails to send', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const reporter = new ProgressReporter({ every: 1, intervalMs: 60_000 }, async () => {
      if (++calls === 1) throw new Error('kafka hiccup');
    }, (e) => errors.push(e));
    reporter.update({ published: 1 });
    reporter.update({ published: 2 });
    await reporter.close();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
