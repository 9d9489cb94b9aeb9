/**
 * npm run bench:live [-- --minutes 5 --interval 1s]
 *
 * Runs the built loader-ws-candles bundle against the Binance REST and WebSocket simulators (in this
 * process, clock at real time and speed 1, so the lag is real) and a real broker
 * (KAFKA_BOOTSTRAP_SERVERS, or a local one started here). A consumer here reads the data topic and
 * takes, for every candle, the time from its close (close_time + 1 ms) to its arrival — close to
 * publication as a downstream reader sees it. The arango-candles bundle stores the topic as in a
 * live queue (open-ended TIME_RANGE, SQLite in a temporary file), and the bench polls the store
 * every 10 ms: close → document in the store. Prints p50/p90/p99/max of both, completeness, and
 * the workers' CPU and RSS (from /proc). --minutes takes fractions (0.25: 15 s). Then it checks the
 * run (both workers exit 0 after SIGTERM, candles arrived, none twice, no hole, every one stored); a
 * MISMATCH exits 1.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isKlineInterval } from '@streamforge/binance';
import { startBinanceMarket } from '@streamforge/binance/testing';
import { createKafkaClient, ensureTopics, kafkaConnectionSettings } from '@streamforge/kafka';
import { awaitKafkaReady } from '@streamforge/worker';
import { startKafkaBroker } from '@streamforge/local-kafka';
import { createLogger } from '@streamforge/logging';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { judge, liveChecks } from './bench-checks';

const bundle = join(__dirname, '..', '..', '..', 'dist', 'apps', 'loader-ws-candles', 'main.js');
const sinkBundle = join(__dirname, '..', '..', '..', 'dist', 'apps', 'arango-candles', 'main.js');
const out = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** CPU seconds (user + system) and current/peak RSS in MB of a Linux process. */
function processUsage(pid: number): { cpuSeconds: number; rssMb: number; peakRssMb: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, interval: { type: 'string', default: '1s' } } });
  const minutes = Number(values.minutes);
  const interval = values.interval as string;
  if (!(minutes > 0) || !isKlineInterval(interval)) throw new Error(`--minutes must be > 0 and --interval a Binance interval, got ${values.minutes} and ${interval}`);
  for (const path of [bundle, sinkBundle]) if (!existsSync(path)) throw new Error(`${path} is missing: build it first (npx nx run-many -t build -p loader-ws-candles arango-candles)`);
  let bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;
  let stopBroker: (() => Promise<void>) | undefined;
  if (!bootstrap) {
    out('starting a local Kafka broker (set KAFKA_BOOTSTRAP_SERVERS to use a running one)');
    const broker = await startKafkaBroker();
    bootstrap = broker.bootstrapServers;
    stopBroker = () => broker.stop();
  }
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrap }), { clientId: 'live-bench', logger: createLogger({ service: 'bench', level: 'error' }) });
  out(`broker ${bootstrap}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const market = await startBinanceMarket({ clock: { speed: 1 } });
  const id = `bench-live-${Date.now().toString(36)}`;
  const topics = { data: `${id}-data`, events: `${id}-events`, control: `${id}-control` };
  // A fresh broker answers the reader's first group request "coordinator not available" until its offsets topic exists: wait quietly, as the workers do.
  await awaitKafkaReady(
    { kafka: kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrap }), topics: [topics.events, topics.control, topics.data], groupId: `${id}-reader`, clientId: 'live-bench' },
    { logger: createLogger({ service: 'bench', level: 'warn' }) },
  );
  await ensureTopics(kafka, [{ topic: topics.events }, { topic: topics.control }, { topic: topics.data }]);

  const lags: number[] = [];
  const opens = new Set<number>();
  let duplicates = 0;
  const consumer = kafka.consumer({ groupId: `${id}-reader`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.data, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const arrived = Date.now();
      const candle = JSON.parse(message.value?.toString('utf8') ?? '{}') as { open_time: number; close_time: number };
      if (opens.has(candle.open_time)) duplicates++;
      opens.add(candle.open_time);
      lags.push(arrived - (candle.close_time + 1));
    },
  });

  // Loader and sink start at the same instant, as in a live queue: the series arrives in order, so the indicators are computed while consuming (no repair pass in the figures).
  const liveFrom = `${new Date().toISOString()}/`;
  const child = spawn(process.execPath, [bundle], {
    env: {
      ...process.env, TIME_RANGE: liveFrom, METRICS_PORT: '0', LOG_LEVEL: 'warn', KAFKA_BOOTSTRAP_SERVERS: bootstrap, QUEUE_ID: id, SYMBOL: 'BTCUSDT', TYPE: `live_candles_${interval}`,
      KAFKA_TOPIC: topics.data, QUEUE_EVENTS_TOPIC: topics.events, QUEUE_CONTROL_TOPIC: topics.control, BINANCE_BASE_URL: market.rest.url, BINANCE_WS_BASE_URL: market.ws.url,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const pid = child.pid as number;

  // The sink of a live queue on the same topic, into a throwaway SQLite file the bench polls.
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-live-'));
  const sqlitePath = join(dir, 'live.db');
  const collection = 'btcusdt_live_bench';
  const sinkEnv: NodeJS.ProcessEnv = {
    ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'warn', KAFKA_BOOTSTRAP_SERVERS: bootstrap, QUEUE_ID: id, SYMBOL: 'BTCUSDT', TYPE: `live_candles_${interval}`,
      KAFKA_TOPIC: topics.data, QUEUE_EVENTS_TOPIC: topics.events, QUEUE_CONTROL_TOPIC: topics.control, COLLECTION_NAME: collection,
      STORE: 'sqlite', SQLITE_PATH: sqlitePath, TIME_RANGE: liveFrom,
  };
  delete sinkEnv.ARANGO_URL;
  const sink = spawn(process.execPath, [sinkBundle], { env: sinkEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const sinkExited = new Promise<number | null>((resolve) => sink.on('exit', (code) => resolve(code)));
  const storeLags: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (!existsSync(sqlitePath) && polling) await new Promise((resolve) => setTimeout(resolve, 50));
    const store = createSqliteDocumentStore({ path: sqlitePath });
    let newest = -1;
    try {
      while (polling) {
        const seenAt = Date.now();
        const fresh = (await store.collectionExists(collection)) ? await store.findRange<{ _key: string; open_time: number; close_time: number }>(collection, { field: 'open_time', from: newest + 1 }) : [];
        for (const candle of fresh) storeLags.push(seenAt - (candle.close_time + 1));
        if (fresh.length > 0) newest = fresh[fresh.length - 1].open_time;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await store.close();
    }
  })();

  const before = processUsage(pid);
  const sinkBefore = processUsage(sink.pid as number);
  out(`following BTCUSDT ${interval} for ${minutes} min (loader pid ${pid}, sink pid ${sink.pid})`);
  await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));
  const after = processUsage(pid);
  const sinkAfter = processUsage(sink.pid as number);
  child.kill('SIGTERM');
  const code = await exited;
  sink.kill('SIGTERM');
  const sinkCode = await sinkExited;
  polling = false;
  await poller;
  // What the sink stored once it ended, read after its last commit (the poller may have slept through it).
  const finalStore = createSqliteDocumentStore({ path: sqlitePath });
  const storedAtEnd = (await finalStore.collectionExists(collection)) ? await finalStore.count(collection) : 0;
  await finalStore.close();
  rmSync(dir, { recursive: true, force: true });
  await consumer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  await market.close();
  await stopBroker?.();

  const sorted = [...lags].sort((a, b) => a - b);
  const sortedOpens = [...opens].sort((a, b) => a - b);
  const step = sortedOpens.length > 1 ? (sortedOpens[1] as number) - (sortedOpens[0] as number) : 0;
  const holes = sortedOpens.slice(1).filter((t, i) => t - (sortedOpens[i] as number) !== step).length;
  out(`worker exit ${code}; ${lags.length} candles, ${duplicates} duplicates, ${holes} holes`);
  out(`close → visible in the topic: p50 ${percentile(sorted, 50)} ms, p90 ${percentile(sorted, 90)} ms, p99 ${percentile(sorted, 99)} ms, max ${sorted[sorted.length - 1]} ms`);
  const stored = [...storeLags].sort((a, b) => a - b);
  out(`sink exit ${sinkCode}; ${stored.length} candles stored`);
  out(`close → document in the store (10 ms polls): p50 ${percentile(stored, 50)} ms, p90 ${percentile(stored, 90)} ms, p99 ${percentile(stored, 99)} ms, max ${stored[stored.length - 1]} ms`);
  const usage = (name: string, start: typeof before, end: typeof after) => {
    if (!start || !end) return;
    const cpu = end.cpuSeconds - start.cpuSeconds;
    out(`${name} CPU ${cpu.toFixed(2)} s over ${minutes * 60} s = ${((cpu / (minutes * 60)) * 100).toFixed(2)}% of a core; RSS ${end.rssMb.toFixed(0)} MB, peak ${end.peakRssMb.toFixed(0)} MB`);
  };
  usage('loader-ws-candles', before, after);
  usage('arango-candles', sinkBefore, sinkAfter);
  const verdict = judge([
    ...liveChecks({ exitCode: code ?? 'signal', candles: lags.length, duplicates, holes }),
    { what: 'sink exit code after SIGTERM', expected: 0, actual: sinkCode ?? 'signal' },
    { what: 'candles stored when the sink ended (every one read from the topic)', expected: { atLeast: lags.length }, actual: storedAtEnd },
  ]);
  verdict.lines.forEach(out);
  if (!verdict.ok) {
    out('live-bench: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`live-bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
