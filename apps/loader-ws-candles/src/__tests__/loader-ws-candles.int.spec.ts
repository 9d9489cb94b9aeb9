import type { Producer } from 'kafkajs';
import { alignOpenTime } from '@streamforge/binance';
import { createIdempotentProducer } from '@streamforge/kafka';
import { createTestKafka } from '@streamforge/kafka/testing';
import { killAllWorkerProcesses, metricsPortOf, type WorkerProcess } from '@streamforge/worker/testing';
import { LIVE_FROM, type LiveScenario, MINUTE, START, allMessages, liveScenario, restCandles } from './live-harness';

const kafka = createTestKafka('live-loader-test');
let producer: Producer;
const scenarios: LiveScenario[] = [];
// The TIME_RANGE start is on the minute grid: the first candle wanted opens at it.
const FIRST = LIVE_FROM;

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  killAllWorkerProcesses();
  await Promise.all(scenarios.map((s) => s.close()));
  await producer.disconnect();
});

async function scenario(env: Record<string, string> = {}, market: Parameters<typeof liveScenario>[3] = {}): Promise<LiveScenario> {
  const s = await liveScenario(kafka, producer, env, market);
  scenarios.push(s);
  return s;
}

/** The topic holds every candle from `first` to its newest exactly once, each equal to what REST serves. */
async function expectCompleteSeries(s: LiveScenario, first = FIRST): Promise<void> {
  const messages = await allMessages(kafka, s.data);
  const candles = s.candles();
  expect(candles).toHaveLength(messages.length);
  const keys = candles.map((c) => c._key);
  expect(new Set(keys).size).toBe(keys.length);
  const opens = candles.map((c) => c.open_time);
  const newest = Math.max(...opens);
  expect(opens).toEqual([...opens].sort((a, b) => a - b));
  expect(candles).toEqual(await restCandles(s.market.rest.url, first, newest));
  for (const m of messages) expect(m.key).toBe((m.json as { _key: string })._key);
}

/** Stops the worker through queue-control; it must end cleanly with an `interrupted` event. */
async function stopCleanly(s: LiveScenario, worker: ReturnType<LiveScenario['start']>) {
  await s.stop();
  expect(await worker.exited).toBe(0);
  return s.waitForEvent('interrupted');
}

/** Sum of the samples of a metric (all label sets, or those containing `labels`) on the worker's /metrics. */
async function metric(worker: WorkerProcess, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${await metricsPortOf(worker)}/metrics`)).text();
  const samples = text.split('\n').filter((line) => line.startsWith(`streamforge_loader_ws_candles_${name}`) && line.includes(labels));
  return samples.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** Simulated open time of the candle 3 closes after now. */
const threeCandlesLater = (s: LiveScenario) => alignOpenTime('1m', s.market.clock.now()) + 2 * MINUTE;

describe('loader-ws-candles against the Binance simulators and a real broker', () => {
  it('backfills from the TIME_RANGE start, follows the stream, stops on command: complete, in order, REST-identical', async () => {
    const s = await scenario();
    const worker = s.start();
    await s.waitForConnection();
    await s.waitForCandle(threeCandlesLater(s));
    // A loading event after the first streamed candle carries its close → publish lag.
    const loading = await s.waitForEvent('loading', (e) => e.live_lag_ms !== undefined);
    expect(loading.last_loaded_timestamp).toBeGreaterThan(START);
    expect(loading).toMatchObject({ reconnects: 0, error_count: 0, live_lag_ms: expect.any(Number) });
    const interrupted = await stopCleanly(s, worker);
    expect(interrupted).toMatchObject({ reconnects: 0, error_count: 0 });
    await expectCompleteSeries(s);
    expect(s.market.ws.stats.closingEvents).toBeGreaterThanOrEqual(3);
    // Pings answered: the simulator drops a connection whose pong is a minute late, and reconnects is 0.
    expect(s.market.ws.stats.pongs).toBeGreaterThan(0);
  });

  const faults: Array<[string, (s: LiveScenario) => void, (e: { reconnects?: number; error_count?: number }) => void]> = [
    ['a dropped connection', (s) => s.market.ws.dropConnections(), (e) => expect(e.reconnects).toBeGreaterThanOrEqual(1)],
    ['a silent connection', (s) => s.market.ws.silenceConnections(), (e) => expect(e.reconnects).toBeGreaterThanOrEqual(1)],
    ['a skipped closing message', (s) => s.market.ws.skipClosingEvents(1), (e) => expect(e.reconnects).toBe(0)],
    ['serverShutdown', (s) => s.market.ws.serverShutdown(), (e) => expect(e.reconnects).toBeGreaterThanOrEqual(1)],
    ['junk messages', (s) => ['not-json', 'binary', 'bad-kline'].forEach((k) => s.market.ws.sendJunk(k as 'not-json')), (e) => expect(e).toMatchObject({ reconnects: 0, error_count: 3 })],
    ['the 24 h cut (a day of candles to backfill)', (s) => s.market.clock.advance(24 * 60 * MINUTE), (e) => expect(e.reconnects).toBeGreaterThanOrEqual(1)],
  ];

  it.each(faults)('%s: the series stays complete and duplicate-free', async (_name, inject, expectEvent) => {
    const s = await scenario();
    const worker = s.start();
    await s.waitForConnection();
    await s.waitForCandle(threeCandlesLater(s));
    inject(s);
    await s.waitForCandle(threeCandlesLater(s));
    const scraped = { reconnects: await metric(worker, 'reconnects_total'), error_count: await metric(worker, 'malformed_messages_total') };
    expect(await metric(worker, 'candles_published_total', 'source="stream"')).toBeGreaterThanOrEqual(3);
    const interrupted = await stopCleanly(s, worker);
    expectEvent(interrupted);
    // The metrics tell the same story as the events.
    expectEvent(scraped);
    await expectCompleteSeries(s);
  });

  it('stops cleanly in the middle of a long backfill: exit 0, interrupted, what it published has no hole', async () => {
    const first = START - 20 * 24 * 60 * MINUTE - 10_000;
    const s = await scenario({ TIME_RANGE: `${new Date(first).toISOString()}:` }, { rest: { latencyMs: 150 } });
    const worker = s.start();
    await s.waitForCandle(first);
    const interrupted = await stopCleanly(s, worker);
    const candles = s.candles();
    // 20 days are 28,800 candles in 29 pages; the stop came long before the last one.
    expect(candles.length).toBeLessThan(28_800);
    expect(interrupted.records_written).toBe(candles.length);
    await expectCompleteSeries(s, first);
  });

  it('says once, at info level, when its gap fill pauses for the Binance weight budget, and still stops promptly', async () => {
    const first = START - 20 * 24 * 60 * MINUTE - 10_000;
    // 0.001 of the 6,000 weight a minute is 6: three pages (weight 2 each), then a pause until the next real minute.
    const s = await scenario({ TIME_RANGE: `${new Date(first).toISOString()}:`, LOADER_WEIGHT_SHARE: '0.001' });
    const worker = s.start();
    const line = await worker.waitForOutput(/pausing requests for/, 30_000);
    expect(JSON.parse(line)).toMatchObject({ level: 30, component: 'binance', cap: 6, msg: expect.stringMatching(/^Binance weight budget of this window used \(6 of 6000\): pausing requests for \d+\.\d s/) });
    await stopCleanly(s, worker);
    expect(worker.stdout().split('\n').filter((l) => l.includes('pausing requests for'))).toHaveLength(1);
    await expectCompleteSeries(s, first);
  });

  it('resumes from the topic after SIGKILL: no hole, no duplicate', async () => {
    const s = await scenario();
    const first = s.start();
    await s.waitForConnection();
    await s.waitForCandle(threeCandlesLater(s));
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killedAt = s.market.clock.now();
    // Candles keep closing while no worker runs; the restarted one must backfill them.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (s.market.clock.now() >= killedAt + 3 * MINUTE) resolve(void clearInterval(poll));
      }, 20);
    });
    const second = s.start();
    await s.waitForCandle(threeCandlesLater(s));
    await stopCleanly(s, second);
    await expectCompleteSeries(s);
    expect(second.stdout()).toMatch(/continuing after/);
  });
});
