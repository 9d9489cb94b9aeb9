/** Shared set-up of loader-ws-candles process tests: both Binance simulators on one fast clock, fresh topics, the bundle. */
import axios from 'axios';
import type { Kafka, Producer } from 'kafkajs';
import { type BinanceMarket, type BinanceMarketOptions, startBinanceMarket } from '@streamforge/binance/testing';
import { ensureTopics } from '@streamforge/kafka';
import { testBootstrapServers, TopicRecorder, uniqueName, type RecordedMessage } from '@streamforge/kafka/testing';
import { bundlePath, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';

export const MINUTE = 60_000;
/** Simulated start of every scenario; TIME_RANGE starts 30 candles earlier, so each run starts with a backfill. */
export const START = Date.UTC(2024, 7, 1, 12, 0, 10);
export const LIVE_FROM = START - 30 * MINUTE - 10_000;
/** 1m candles at 120× → one closes every 0.5 s of real time. */
export const SPEED = 120;

export type LiveEvent = { queue_id: string; status: string; message: string; records_written: number; last_loaded_timestamp?: number; error_count?: number; reconnects?: number; live_lag_ms?: number };
type Candle = { _key: string; open_time: number } & Record<string, unknown>;

export interface LiveScenario {
  queueId: string;
  dataTopic: string;
  market: BinanceMarket;
  data: TopicRecorder;
  start(extraEnv?: Record<string, string>): WorkerProcess;
  /** Waits until the topic holds a candle opening at or after `openTime` (simulated ms). */
  waitForCandle(openTime: number, timeoutMs?: number): Promise<void>;
  /** Waits until the worker holds a stream connection. */
  waitForConnection(timeoutMs?: number): Promise<void>;
  waitForEvent(status: string, predicate?: (e: LiveEvent) => boolean, timeoutMs?: number): Promise<LiveEvent>;
  stop(): Promise<void>;
  candles(): Candle[];
  close(): Promise<void>;
}

/** Topics, simulators and env for one live run (or several on the same topic). */
export async function liveScenario(kafka: Kafka, producer: Producer, env: Record<string, string> = {}, market: BinanceMarketOptions = {}): Promise<LiveScenario> {
  const queueId = uniqueName('wf-live');
  const controlTopic = uniqueName('control');
  const eventsTopic = uniqueName('events');
  const dataTopic = uniqueName('candles');
  await ensureTopics(kafka, [{ topic: controlTopic }, { topic: eventsTopic }, { topic: dataTopic }]);
  // A minute of pong grace is only 0.5 s of real time at 120×: a loaded machine's event-loop stall would
  // cost a reconnect in tests that expect none, so the grace is 10 simulated minutes here.
  const sim = await startBinanceMarket({ clock: { start: START, speed: SPEED }, ws: { pongTimeoutMs: 600_000 }, ...market });
  const events = await new TopicRecorder(kafka, eventsTopic).start();
  const data = await new TopicRecorder(kafka, dataTopic, 0).start();
  const baseEnv = {
    KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(),
    QUEUE_ID: queueId,
    QUEUE_CONTROL_TOPIC: controlTopic,
    QUEUE_EVENTS_TOPIC: eventsTopic,
    KAFKA_TOPIC: dataTopic,
    SYMBOL: 'BTCUSDT',
    TYPE: 'ws_candles_1m',
    TIME_RANGE: `${new Date(LIVE_FROM).toISOString()}:`,
    BINANCE_BASE_URL: sim.rest.url,
    BINANCE_WS_BASE_URL: sim.ws.url,
    LIVE_SILENCE_TIMEOUT_MS: '3000',
    LIVE_RECONNECT_BASE_MS: '50',
    LOADER_PROGRESS_INTERVAL_S: '0.5',
    LOADER_RETRY_BASE_MS: '50',
    ...env,
  };
  const processes: WorkerProcess[] = [];
  const candles = () => data.values<Candle>().filter((c) => typeof c.open_time === 'number');
  return {
    queueId, dataTopic, market: sim, data,
    start(extraEnv = {}) {
      const worker = startWorkerProcess(bundlePath('apps', 'loader-ws-candles'), [], { ...baseEnv, ...extraEnv });
      processes.push(worker);
      return worker;
    },
    async waitForCandle(openTime, timeoutMs = 30_000) {
      await data.waitFor<Candle>((c) => c.open_time >= openTime, { timeoutMs });
    },
    async waitForConnection(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (sim.ws.openConnections() === 0) {
        if (Date.now() > deadline) throw new Error(`no stream connection from the worker within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async waitForEvent(status, predicate = () => true, timeoutMs = 20_000) {
      const [event] = await events.waitFor<LiveEvent>((e) => e.queue_id === queueId && e.status === status && predicate(e), { timeoutMs });
      return event as LiveEvent;
    },
    async stop() {
      await producer.send({ topic: controlTopic, messages: [{ key: queueId, value: JSON.stringify({ queue_id: queueId, command: 'stop', timestamp: Date.now() / 1000 }) }] });
    },
    candles,
    async close() {
      for (const p of processes) p.kill('SIGKILL');
      await events.close();
      await data.close();
      await sim.close();
    },
  };
}

type Row = [number, string, string, string, string, string, number, string, number, string, string, string];

/** The candles loader-api-candles would write for [from, to] (open times, inclusive), from the REST simulator. */
export async function restCandles(restUrl: string, from: number, to: number): Promise<Candle[]> {
  const out: Candle[] = [];
  for (let start = from; start <= to; ) {
    const { data } = await axios.get<Row[]>(`${restUrl}/api/v3/klines`, { params: { symbol: 'BTCUSDT', interval: '1m', startTime: start, endTime: to, limit: 1000 } });
    if (data.length === 0) break;
    for (const r of data) {
      out.push({
        _key: `BTCUSDT_1m_${r[0]}`, symbol: 'BTCUSDT', interval: '1m', open_time: r[0], close_time: r[6], open: Number(r[1]), high: Number(r[2]), low: Number(r[3]), close: Number(r[4]),
        volume: Number(r[5]), quote_asset_volume: Number(r[7]), number_of_trades: r[8], taker_buy_base_asset_volume: Number(r[9]), taker_buy_quote_asset_volume: Number(r[10]),
      });
    }
    start = (data[data.length - 1] as Row)[0] + MINUTE;
  }
  return out;
}

/** Every message of the recorder, once the topic's end offsets are all in. */
export async function allMessages(kafka: Kafka, recorder: TopicRecorder): Promise<RecordedMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(recorder.topic).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const deadline = Date.now() + 20_000;
  while (recorder.messages.length < total) {
    if (Date.now() > deadline) throw new Error(`read ${recorder.messages.length} of ${total} messages of ${recorder.topic}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return recorder.messages;
}
