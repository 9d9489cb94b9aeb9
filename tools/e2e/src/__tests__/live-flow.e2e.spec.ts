import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alignOpenTime } from '@streamforge/binance';
import { startBinanceMarket, type BinanceMarket } from '@streamforge/binance/testing';
import { createIndicatorSet } from '@streamforge/indicators';
import { createTestKafka, testBootstrapServers, TopicRecorder } from '@streamforge/kafka/testing';
import { createLogger } from '@streamforge/logging';
import { QueueManagerClient, startLocalPlatform, type LocalPlatform } from '@streamforge/platform';
import { DEFAULT_INDICATORS, indicatorListSchema, type QueueState } from '@streamforge/schemas';
import { createDocumentStore, storeSettingsSchema } from '@streamforge/storage';
import { target, waitUntil } from '../e2e-harness';

const MINUTE = 60_000;
/** 1m candles at 60×: one closes every real second. The market clock starts at real now, so it is never behind queue-manager's. */
const SPEED = 60;
/** Minutes of history before the start: the backfill's share. */
const HISTORY = 30;

type Candle = { _key: string; open_time: number; close_time: number; high: number; low: number; close: number; volume: number } & Record<string, unknown>;
/** The sink's default list (the flows here set none). */
const indicators = createIndicatorSet(indicatorListSchema.parse(DEFAULT_INDICATORS));
type WaitForState = (what: string, predicate: (state: QueueState) => boolean, timeoutMs?: number) => Promise<QueueState>;

// The live flow through the queue-manager API and the local launcher: REST and WebSocket
// simulators on one accelerated clock → loader-api-candles + loader-ws-candles → one topic →
// arango-candles → SQLite. Whichever loader publishes first, and through every stream fault, the
// collection ends up holding every candle from the start to the last one published, once, each with
// the indicator values a batch load of the stored series gives.
describe('live flow (open-ended range) end to end', () => {
  let market: BinanceMarket;
  let platform: LocalPlatform;
  let client: QueueManagerClient;
  let sqlitePath: string;
  const kafka = createTestKafka();
  const recorders: TopicRecorder[] = [];

  beforeAll(async () => {
    market = await startBinanceMarket({ clock: { start: Date.now(), speed: SPEED }, ws: { pongTimeoutMs: 600_000 } });
    const dir = mkdtempSync(join(tmpdir(), 'streamforge-live-e2e-'));
    sqlitePath = join(dir, 'streamforge.db');
    platform = await startLocalPlatform({
      kafkaBootstrapServers: testBootstrapServers(),
      binanceBaseUrl: market.rest.url,
      port: 0,
      logFile: join(dir, 'platform.log'),
      env: {
        STORE: 'sqlite', SQLITE_PATH: sqlitePath, ARANGO_URL: undefined,
        BINANCE_WS_BASE_URL: market.ws.url,
        // A silent connection is given up after 2 s (pushes come every 1-2 simulated s, 20-40 per real s at 60×).
        LIVE_SILENCE_TIMEOUT_MS: '2000',
        // Frequent events, a quick reconnect after a refused connection, short stops.
        LOADER_PROGRESS_INTERVAL_S: '0.5', PROGRESS_INTERVAL_S: '0.5', LIVE_RECONNECT_BASE_MS: '100', LIVE_RECONNECT_MAX_MS: '500', LIVE_MAX_CONNECTS_PER_5MIN: '300',
        STOP_REPEAT_MS: '500', STOP_GRACE_MS: '20000', LIVE_STOP_DRAIN_S: '15',
        // A klines page the test holds back is waited for, not timed out and retried.
        LOADER_REQUEST_TIMEOUT_MS: '300000',
      },
    });
    client = new QueueManagerClient(platform.apiUrl);
  }, 90_000);

  afterAll(async () => {
    for (const recorder of recorders) await recorder.close();
    await platform?.stop();
    await market?.close();
  });

  /** Polls the queue state into `latest` while `body` runs. */
  async function withQueue<T>(queueId: string, body: (latest: () => QueueState | undefined, wait: WaitForState) => Promise<T>): Promise<T> {
    let state: QueueState | undefined;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        state = await client.getQueue(queueId).catch(() => state);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    async function waitForState(what: string, predicate: (s: QueueState) => boolean, timeoutMs = 60_000): Promise<QueueState> {
      await waitUntil(`${what} (queue ${queueId}; last state ${JSON.stringify(state)?.slice(0, 2000)})`, () => state !== undefined && predicate(state), timeoutMs);
      return state as QueueState;
    }
    try {
      return await body(() => state, waitForState);
    } finally {
      polling = false;
      await poller;
    }
  }

  async function storedCandles(collection: string): Promise<Candle[]> {
    const store = createDocumentStore(storeSettingsSchema.parse({ STORE: 'sqlite', SQLITE_PATH: sqlitePath }), { logger: createLogger({ service: 'e2e', level: 'error' }) });
    try {
      return await store.all<Candle>(collection);
    } finally {
      await store.close();
    }
  }

  /** Starts a live queue from HISTORY minutes ago, through POST /queues/start or live_candles_flow. */
  async function startLive(symbol: string, how: 'start' | 'flow'): Promise<{ queueId: string; collection: string; topic: TopicRecorder; from: number }> {
    const from = alignOpenTime('1m', Date.now()) - HISTORY * MINUTE;
    const time_range = `${new Date(from).toISOString()}/`;
    const started = how === 'start'
      ? await client.startQueue({ symbol, type: 'api_candles_1m', time_range })
      : await client.startFlow({ flow_name: 'live_candles_flow', symbol, time_range });
    expect(started.targets.map((t) => t.target)).toEqual(['loader-api-candles', 'loader-ws-candles', 'arango-candles']);
    expect(new Set(started.targets.map((t) => t.collection_name)).size).toBe(1);
    const topic = await new TopicRecorder(kafka, started.targets[0].kafka_topic, 0).start();
    recorders.push(topic);
    return { queueId: started.queue_id, collection: started.targets[0].collection_name, topic, from };
  }

  /** Stop → every worker ended cleanly, and the collection holds exactly every candle published, with no hole from the start on. */
  async function stopAndCheck(queueId: string, collection: string, topic: TopicRecorder, from: number, wait: WaitForState): Promise<void> {
    expect((await client.stopQueue(queueId)).status).toBe('stopping');
    const ended = await wait('every worker ended after the stop', (s) => s.status === 'interrupted', 60_000);
    expect(ended.targets.map((t) => [t.target, t.status])).toEqual([['loader-api-candles', 'finished'], ['loader-ws-candles', 'interrupted'], ['arango-candles', 'interrupted']]);
    const stored = await storedCandles(collection);
    const openTimes = stored.map((c) => c.open_time).sort((a, b) => a - b);
    const publishedKeys = () => new Set(topic.values<Candle>().filter((c) => typeof c.open_time === 'number').map((c) => c._key));
    await waitUntil('the test\'s consumer read every stored candle from the topic', () => stored.every((c) => publishedKeys().has(c._key)), 20_000);
    const published = publishedKeys();
    // Everything published is stored (the sink drained the topic before leaving), and nothing else.
    expect(new Set(stored.map((c) => c._key))).toEqual(published);
    expect(openTimes[0]).toBe(from);
    const holes = openTimes.slice(1).filter((t, i) => t - (openTimes[i] as number) !== MINUTE);
    expect(holes).toEqual([]);
    expect(openTimes.at(-1)).toBe(target(ended, 'loader-ws-candles').last_loaded_timestamp);
    // The topic carried each candle once: the backfill and the live worker never both published one.
    const keys = topic.values<Candle>().filter((c) => typeof c.open_time === 'number').map((c) => c._key);
    expect(keys.length).toBe(new Set(keys).size);
    // Every stored candle holds the values a batch load of the stored series gives, whatever the order the two loaders published in.
    const series = [...stored].sort((a, b) => a.open_time - b.open_time);
    const { values } = indicators.applyAll(series, indicators.initialState());
    const row = (key: string, source: Record<string, unknown>) => [key, ...indicators.fields.map((field) => (field in source ? source[field] : 'missing'))];
    expect(series.map((doc) => row(doc._key, doc))).toEqual(series.map((doc, i) => row(doc._key, values[i] as Record<string, unknown>)));
    // The sink waited for the topic's end before leaving (its loaders were stopped first).
    expect(platformLog().some((line) => line.includes('"msg":"live stop: everything published is stored and committed"'))).toBe(true);
  }

  function platformLog(): string[] {
    return readFileSync(platform.logFile, 'utf8').split('\n');
  }

  it('live worker first: the backfill is held until candles stream in, then fills the history; stop stores everything', async () => {
    const before = alignOpenTime('1m', Date.now()) - HISTORY * MINUTE;
    // The backfill's klines requests start before the handoff; the live worker's gap fill starts at it.
    const releaseBackfill = market.rest.holdKlines((query) => query.symbol === 'BTCUSDT' && Number(query.startTime) < before + HISTORY * MINUTE - 2 * MINUTE);
    const { queueId, collection, topic, from } = await startLive('BTCUSDT', 'start');
    await withQueue(queueId, async (_latest, wait) => {
      const streaming = await wait('the live worker published streamed candles', (s) => target(s, 'loader-ws-candles').records_written >= 5);
      expect(target(streaming, 'loader-api-candles').records_written).toBe(0);
      expect(streaming.status).toBe('loading');
      releaseBackfill();
      const backfilled = await wait('the backfill finished', (s) => target(s, 'loader-api-candles').status === 'finished');
      expect(backfilled.status).toBe('loading');
      const writtenThen = target(backfilled, 'arango-candles').records_written;
      await wait('the sink stored more live candles after the backfill', (s) => target(s, 'arango-candles').records_written >= writtenThen + 3);
      await stopAndCheck(queueId, collection, topic, from, wait);
    });
  }, 150_000);

  it('every stream fault in turn (drop, silence, skipped close, serverShutdown, junk, the 24 h cut): reconnects counted, the store complete, no duplicate', async () => {
    const { queueId, collection, topic, from } = await startLive('BNBUSDT', 'start');
    const upgraded = () => market.ws.connections.filter((c) => c.status === 101).length;
    const publishedFrom = (openTime: number) => topic.values<Candle>().some((c) => c.open_time >= openTime);
    await withQueue(queueId, async (latest, wait) => {
      await wait('the backfill finished and the live worker published streamed candles', (s) => target(s, 'loader-api-candles').status === 'finished' && target(s, 'loader-ws-candles').records_written >= 3);
      const faults: Array<[string, () => void, boolean]> = [
        ['a dropped connection', () => market.ws.dropConnections(), true],
        ['a silent connection', () => market.ws.silenceConnections(), true],
        ['a skipped closing message', () => market.ws.skipClosingEvents(1), false],
        ['serverShutdown', () => market.ws.serverShutdown(60_000), true],
        ['junk messages', () => (['not-json', 'binary', 'bad-kline'] as const).forEach((kind) => market.ws.sendJunk(kind)), false],
        ['the 24 h cut (a day of candles to fill through REST)', () => market.clock.advance(24 * 60 * MINUTE), true],
      ];
      for (const [fault, inject, reconnects] of faults) {
        const connections = upgraded();
        inject();
        if (reconnects) await waitUntil(`a new stream connection after ${fault}`, () => upgraded() > connections, 20_000);
        // Two closes after the fault: the candle it hit (skipped, or closed while disconnected) is behind them.
        const next = alignOpenTime('1m', market.clock.now()) + 2 * MINUTE;
        await waitUntil(`a candle opening at ${new Date(next).toISOString()} published after ${fault} (newest: ${JSON.stringify(topic.values<Candle>().at(-1)?.open_time)})`, () => publishedFrom(next), 20_000);
      }
      // The queue state (the dashboard's table) shows the reconnects (drop, silence, serverShutdown, the cut) and the junk.
      const counted = await wait('the worker reported its reconnects and malformed messages', (s) => (target(s, 'loader-ws-candles').reconnects ?? 0) >= 4 && target(s, 'loader-ws-candles').error_count >= 3, 20_000);
      expect(target(counted, 'loader-ws-candles').error_count).toBe(3);
      expect(latest()?.status).toBe('loading');
      await stopAndCheck(queueId, collection, topic, from, wait);
    });
  }, 150_000);

  it('backfill first: the live worker cannot connect until the history is loaded, then continues with no hole', async () => {
    const refusing = market.ws.refuseConnections();
    const { queueId, collection, topic, from } = await startLive('ETHUSDT', 'flow');
    await withQueue(queueId, async (_latest, wait) => {
      const backfilled = await wait('the backfill finished', (s) => target(s, 'loader-api-candles').status === 'finished');
      expect(target(backfilled, 'loader-api-candles').records_written).toBeGreaterThanOrEqual(HISTORY - 1);
      expect(target(backfilled, 'loader-ws-candles').records_written).toBe(0);
      expect(backfilled.status).not.toBe('finished');
      refusing();
      const live = await wait('the live worker published candles', (s) => target(s, 'loader-ws-candles').records_written >= 5);
      expect(live.status).toBe('loading');
      await stopAndCheck(queueId, collection, topic, from, wait);
    });
  }, 150_000);
});
