/** Shared set-up of the loader's process tests: fresh topics, a simulator, the built bundle. */
import type { Kafka, Producer } from 'kafkajs';
import { type BinanceSimulator, type BinanceSimulatorOptions, startBinanceSimulator } from '@streamforge/binance/testing';
import { ensureTopics } from '@streamforge/kafka';
import { testBootstrapServers, TopicRecorder, uniqueName, type RecordedMessage } from '@streamforge/kafka/testing';
import { bundlePath, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';

export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const AUG_1 = Date.UTC(2024, 7, 1);

export type LoaderEvent = {
  queue_id: string;
  status: string;
  message: string;
  records_written: number;
  expected_records?: number;
  last_loaded_timestamp?: number;
  gaps?: Array<{ from: number; to: number }>;
  error_message?: string;
};

export interface Scenario {
  queueId: string;
  controlTopic: string;
  eventsTopic: string;
  dataTopic: string;
  sim: BinanceSimulator;
  events: TopicRecorder;
  env: Record<string, string>;
  start(extraEnv?: Record<string, string>): WorkerProcess;
  waitForEvent(status: string, predicate?: (e: LoaderEvent) => boolean, timeoutMs?: number): Promise<LoaderEvent>;
  sendControl(value: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Topics, simulator and env for one loader run (or several runs on the same data topic). */
export async function loaderScenario(kafka: Kafka, producer: Producer, env: Record<string, string>, simOptions: BinanceSimulatorOptions = {}): Promise<Scenario> {
  const queueId = uniqueName('wf-loader');
  const controlTopic = uniqueName('control');
  const eventsTopic = uniqueName('events');
  const dataTopic = uniqueName('candles');
  await ensureTopics(kafka, [{ topic: controlTopic }, { topic: eventsTopic }]);
  const sim = await startBinanceSimulator(simOptions);
  const events = await new TopicRecorder(kafka, eventsTopic).start();
  const baseEnv = {
    KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(),
    QUEUE_ID: queueId,
    QUEUE_CONTROL_TOPIC: controlTopic,
    QUEUE_EVENTS_TOPIC: eventsTopic,
    KAFKA_TOPIC: dataTopic,
    TELEMETRY_PRODUCER_ID: 'loader-producer__test01',
    SYMBOL: 'BTCUSDT',
    TYPE: 'api_candles_1m',
    TIME_RANGE: '2024-08-01:2024-08-01',
    BINANCE_BASE_URL: sim.url,
    LOADER_RETRY_BASE_MS: '50',
    ...env,
  };
  const processes: WorkerProcess[] = [];
  return {
    queueId, controlTopic, eventsTopic, dataTopic, sim, events, env: baseEnv,
    start(extraEnv = {}) {
      const worker = startWorkerProcess(bundlePath('apps', 'loader-api-candles'), [], { ...baseEnv, ...extraEnv });
      processes.push(worker);
      return worker;
    },
    async waitForEvent(status, predicate = () => true, timeoutMs = 20_000) {
      const [event] = await events.waitFor<LoaderEvent>((e) => e.queue_id === queueId && e.status === status && predicate(e), { timeoutMs });
      return event as LoaderEvent;
    },
    async sendControl(value) {
      await producer.send({ topic: controlTopic, messages: [{ key: queueId, value: JSON.stringify(value) }] });
    },
    async close() {
      for (const p of processes) p.kill('SIGKILL');
      await events.close();
      await sim.close();
    },
  };
}

/** Every message of a topic, from the beginning, once all of them arrived. */
export async function readTopic(kafka: Kafka, topic: string): Promise<RecordedMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const recorder = await new TopicRecorder(kafka, topic, 0).start();
  try {
    const deadline = Date.now() + 20_000;
    while (recorder.messages.length < total) {
      if (Date.now() > deadline) throw new Error(`read ${recorder.messages.length} of ${total} messages of ${topic}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [...recorder.messages].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  } finally {
    await recorder.close();
  }
}

export const isEos = (m: RecordedMessage) => m.key === '__eos__';
export const candleMessages = (messages: RecordedMessage[]) => messages.filter((m) => !isEos(m));
export const openTimes = (messages: RecordedMessage[]) => candleMessages(messages).map((m) => (m.json as { open_time: number }).open_time);
export const klinesRequests = (sim: BinanceSimulator) => sim.requests.filter((r) => r.path === '/api/v3/klines');

/** [from, to) on the 1m grid. */
export function minutes(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += MINUTE) out.push(t);
  return out;
}
