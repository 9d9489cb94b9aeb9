import type { Producer } from 'kafkajs';
import { BINANCE_DEFAULT_LIMITS, WeightBudget, createBinanceKlinesClient, type BinanceKlinesClient } from '@streamforge/binance';
import { type BinanceSimulator, CandleFactory, klineEvent, startBinanceSimulator } from '@streamforge/binance/testing';
import { createIdempotentProducer, ensureTopics } from '@streamforge/kafka';
import { createTestKafka, TopicRecorder, uniqueName } from '@streamforge/kafka/testing';
import { createLogger } from '@streamforge/logging';
import { candleMessages } from './closed-kline-messages';
import { klineStreamReader } from './kline-stream-message';
import { type SeriesFollower, createSeriesFollower } from './series-follower';

const MINUTE = 60_000;
const A = Date.UTC(2024, 7, 1, 10, 0);
const [B, C, D, E] = [A + MINUTE, A + 2 * MINUTE, A + 3 * MINUTE, A + 4 * MINUTE];
const GRACE = 2_000;
const SEED = 7;
const kafka = createTestKafka('series-follower-test');
const logger = createLogger({ service: 'test', level: 'error' });
const read = klineStreamReader('BTCUSDT', '1m');
const candles = new CandleFactory(SEED);
let producer: Producer;
let sim: BinanceSimulator;
let klines: BinanceKlinesClient;
let recorder: TopicRecorder | undefined;

/** The stream message for the candle opening at `openTime`, as seen at `at` (closed once `at` is past its close). */
const event = (openTime: number, at: number) => read(JSON.stringify(klineEvent(candles, 'BTCUSDT', '1m', openTime, at)), false) as Extract<ReturnType<typeof read>, { kind: 'kline' }>;
const klinesRequests = () => sim.requests.filter((r) => r.path === '/api/v3/klines').map((r) => [Number(r.query['startTime']), Number(r.query['endTime'])]);

async function follower(last: number): Promise<{ follow: SeriesFollower; published: () => number[] }> {
  const topic = uniqueName('follower');
  await ensureTopics(kafka, [{ topic }]);
  recorder = await new TopicRecorder(kafka, topic, 0).start();
  const follow = createSeriesFollower(
    { symbol: 'BTCUSDT', interval: '1m', topic, last, closeGraceMs: GRACE },
    { producer, klines, messages: candleMessages('BTCUSDT', '1m', 1), logger, signal: new AbortController().signal, onPublished: () => undefined },
  );
  const rec = recorder;
  return { follow, published: () => rec.values<{ open_time: number }>().map((c) => c.open_time) };
}

/** Waits until the recorder holds `count` candles (bounded). */
async function settle(published: () => number[], count: number): Promise<number[]> {
  await recorder?.waitFor(() => published().length >= count, { timeoutMs: 15_000 });
  return published();
}

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  // The exchange clock sits in candle E: A..D have closed.
  sim = await startBinanceSimulator({ seed: SEED, now: () => E + 30_000 });
  klines = createBinanceKlinesClient({ baseUrl: sim.url, requestTimeoutMs: 5_000, maxSockets: 1 }, { budget: new WeightBudget({ ...BINANCE_DEFAULT_LIMITS, share: 1 }), logger });
});
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
  sim.reset();
});
afterAll(async () => {
  klines.close();
  await sim.close();
  await producer.disconnect();
});

describe('series follower', () => {
  it('publishes consecutive closed candles from the stream without asking REST, and drops a repeated one', async () => {
    const { follow, published } = await follower(A);
    await follow.handle(event(B, B + 10_000));
    await follow.handle(event(B, C + 5));
    await follow.handle(event(C, C + 10));
    await follow.handle(event(B, C + 20));
    expect(await settle(published, 1)).toEqual([B]);
    expect(klinesRequests()).toEqual([]);
    expect(follow.last).toBe(B);
  });

  it('an in-progress push backfills only candles closed at least the grace before it', async () => {
    const { follow, published } = await follower(A);
    // At C + 1 s, B closed 1 s ago: REST may not have its final values yet, and its closing push may still come.
    await follow.handle(event(C, C + 1_000));
    expect(klinesRequests()).toEqual([]);
    // At C + 3 s, B is past the grace and its closing push never came: fetch it.
    await follow.handle(event(C, C + 3_000));
    expect(klinesRequests()).toEqual([[B, B]]);
    expect(await settle(published, 1)).toEqual([B]);
    // B's late closing push is then a duplicate.
    await follow.handle(event(B, C + 3_500));
    expect(published()).toEqual([B]);
  });

  it('never publishes a closed candle past a hole: everything before it is fetched first, grace or not', async () => {
    const { follow, published } = await follower(A);
    await follow.handle(event(D, E + 5));
    expect(klinesRequests()).toEqual([[B, C]]);
    expect(await settle(published, 3)).toEqual([B, C, D]);
  });

  it('asks REST for an exchange gap once, not on every push', async () => {
    sim.setOptions({ gaps: [{ from: B, to: D }] });
    try {
      const { follow, published } = await follower(A);
      for (const at of [D + 3_000, D + 5_000, D + 7_000]) await follow.handle(event(D, at));
      expect(klinesRequests()).toEqual([[B, C]]);
      await follow.handle(event(D, E + 5));
      expect(await settle(published, 1)).toEqual([D]);
    } finally {
      sim.setOptions({ gaps: [] });
    }
  });
});
