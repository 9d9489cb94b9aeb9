import { createProgressReporter } from './progress-reporter';

describe('createProgressReporter', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports after N more records, and every T while records arrive, never when nothing changed', async () => {
    const reports: number[] = [];
    const reporter = createProgressReporter({ everyRecords: 500, everyMs: 1_000 }, async () => void reports.push(Date.now()));
    const start = Date.now();
    reporter.note(300);
    expect(reports).toHaveLength(0);
    reporter.note(250);
    expect(reports).toHaveLength(1);
    await reporter.flush();

    reporter.note(10);
    jest.advanceTimersByTime(1_000);
    expect(reports).toHaveLength(2);
    await reporter.flush();
    jest.advanceTimersByTime(5_000);
    expect(reports).toHaveLength(2);
    expect(reports[1] - start).toBe(1_000);
    reporter.stop();
  });

  it('sends one report at a time and none after stop', async () => {
    let release!: () => void;
    let calls = 0;
    const reporter = createProgressReporter({ everyRecords: 1, everyMs: 1_000 }, () => {
      calls += 1;
      return new Promise<void>((resolve) => (release = resolve));
    });
    reporter.note(1);
    reporter.note(1);
    expect(calls).toBe(1);
    reporter.stop();
    release();
    await reporter.flush();
    reporter.note(5);
    jest.advanceTimersByTime(2_000);
    expect(calls).toBe(1);
  });
});
