import { type KlinePage, scanKlinePage } from '@streamforge/binance';
import { candleEncoder, type CandleMessage } from './candle-encoder';
import { LoadFailedError } from './errors';
import { type FetchWindow, planLoad } from './load-plan';
import { runLoadPipeline } from './load-pipeline';

const M = 60_000;
const T = Date.UTC(2024, 7, 1);
const plan = planLoad('1m', { from: T, to: T + 50 * M }, { now: Date.UTC(2030, 0, 1), closeGraceMs: 0, pageSize: 10 });
const encode = candleEncoder('BTCUSDT', '1m');

function pageOf(w: FetchWindow, skip: (t: number) => boolean = () => false): KlinePage {
  const rows: unknown[] = [];
  for (let t = w.startTime; t <= w.endTime; t += M) {
    if (!skip(t)) rows.push([t, '1.0', '2.0', '0.5', '1.5', '10.0', t + M - 1, '15.0', 3, '4.0', '6.0', '0']);
  }
  return scanKlinePage(Buffer.from(JSON.stringify(rows)), { interval: '1m', startTime: w.startTime, endTime: w.endTime });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const opensOf = (sent: CandleMessage[][]) => sent.flat().map((m) => Number(m.key.toString().split('_')[2]));
const minutes = (n: number, from = 0) => Array.from({ length: n }, (_, i) => T + (from + i) * M);

describe('runLoadPipeline', () => {
  it('publishes in time order although windows complete out of order, with bounded concurrency', async () => {
    const sent: CandleMessage[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await runLoadPipeline(
      { concurrency: 3, batchSize: 7, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: new AbortController().signal,
        fetchWindow: async (w) => {
          maxInFlight = Math.max(maxInFlight, ++inFlight);
          await delay(w.index % 2 === 0 ? 30 : 5); // even windows are slow
          inFlight--;
          return pageOf(w);
        },
        send: async (messages) => {
          sent.push(messages);
        },
      },
    );
    expect(result).toMatchObject({ status: 'finished', published: 50, lastOpenTime: T + 49 * M, gaps: [], missing: 0 });
    expect(opensOf(sent)).toEqual(minutes(50));
    expect(sent.every((batch) => batch.length <= 7)).toBe(true);
    expect(maxInFlight).toBe(3);
  });

  it('cuts batches by bytes too', async () => {
    const sizes: number[] = [];
    const [oneMessage] = encode(pageOf(plan.windows.at(0)));
    const bytes = (oneMessage?.key.length ?? 0) + (oneMessage?.value.length ?? 0);
    await runLoadPipeline(
      { concurrency: 1, batchSize: 1000, batchBytes: bytes * 4 + 1 },
      { plan, encode, stopSignal: new AbortController().signal, fetchWindow: async (w) => pageOf(w), send: async (m) => void sizes.push(m.length) },
    );
    expect(sizes).toEqual([...Array(12).fill(4), 2]);
  });

  it('never publishes past a window that failed: the earlier windows go out, then the error', async () => {
    const sent: CandleMessage[][] = [];
    const failure = new Error('window 2 failed');
    const error = await runLoadPipeline(
      { concurrency: 2, batchSize: 5, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: new AbortController().signal,
        fetchWindow: async (w) => {
          if (w.index === 2) throw failure;
          await delay(w.index > 2 ? 0 : 10);
          return pageOf(w);
        },
        send: async (messages) => void sent.push(messages),
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadFailedError);
    expect((error as LoadFailedError).failure).toBe(failure);
    expect((error as LoadFailedError).published).toBe(20);
    expect(opensOf(sent)).toEqual(minutes(20));
  });

  it('on stop: no new fetches, publishes the fetched prefix, resolves interrupted with the exact count', async () => {
    const stop = new AbortController();
    const sent: CandleMessage[][] = [];
    const fetchedWindows: number[] = [];
    const result = await runLoadPipeline(
      { concurrency: 1, batchSize: 100, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: stop.signal,
        fetchWindow: async (w, signal) => {
          fetchedWindows.push(w.index);
          if (w.index === 2) {
            stop.abort();
            expect(signal.aborted).toBe(true);
            throw new Error('aborted');
          }
          return pageOf(w);
        },
        send: async (messages) => void sent.push(messages),
      },
    );
    expect(result).toMatchObject({ status: 'interrupted', published: 20, lastOpenTime: T + 19 * M });
    expect(fetchedWindows).toEqual([0, 1, 2]);
    expect(opensOf(sent)).toEqual(minutes(20));
  });

  it('reports a failed send with the count acknowledged before it', async () => {
    let sends = 0;
    const error = await runLoadPipeline(
      { concurrency: 2, batchSize: 10, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: new AbortController().signal, fetchWindow: async (w) => pageOf(w),
        send: async () => {
          if (++sends === 3) throw new Error('broker gone');
        },
      },
    ).catch((e: unknown) => e);
    expect((error as LoadFailedError).message).toBe('broker gone');
    expect((error as LoadFailedError).published).toBe(20);
    expect(sends).toBe(3);
  });

  it('finds exchange gaps across window borders', async () => {
    const result = await runLoadPipeline(
      { concurrency: 2, batchSize: 100, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: new AbortController().signal, send: async () => undefined,
        fetchWindow: async (w) => pageOf(w, (t) => (t >= T + 8 * M && t < T + 13 * M) || t >= T + 48 * M),
      },
    );
    expect(result).toMatchObject({ status: 'finished', published: 43, missing: 7, gaps: [{ from: T + 8 * M, to: T + 12 * M }, { from: T + 48 * M, to: T + 49 * M }] });
  });

  it('refuses to publish when the check rejects a message', async () => {
    const error = await runLoadPipeline(
      { concurrency: 1, batchSize: 100, batchBytes: 1e9 },
      {
        plan, encode, stopSignal: new AbortController().signal, fetchWindow: async (w) => pageOf(w), send: async () => undefined,
        check: () => {
          throw new Error('invalid candle');
        },
      },
    ).catch((e: unknown) => e);
    expect((error as LoadFailedError).message).toBe('invalid candle');
    expect((error as LoadFailedError).published).toBe(0);
  });
});
