// `npm run bench:sink -- [--candles N] [--partitions N] [--batch-size N] [--linger-ms N] [--max-bytes-per-partition N] [--keep] [--cpu-prof DIR]
//   [--try "BATCH_SIZE=1000 LINGER_MS=50" --try ...]`
// Side by side with and without indicators: `npm run bench:sink -- --try "INDICATORS=none" --try ""`.
// Pre-fills a topic with N candles (default 1,000,000) and end-of-stream markers, then times the
// built arango-candles bundle draining it into SQLite: candles/s and the sink's peak RSS.
// Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts the local broker (and stops it afterwards).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTopics, kafkaConnectionSettings, createKafkaClient } from '@streamforge/kafka';
import { uniqueName } from '@streamforge/kafka/testing';
import { workerNodeArgs } from '@streamforge/launchers';
import { createLogger } from '@streamforge/logging';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { CandlePublisher, minuteCandles } from '@streamforge/candle-sink/testing';

const repoRoot = join(__dirname, '..', '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'apps', 'arango-candles', 'main.js');
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')} candles/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      candles: { type: 'string', default: '1000000' },
      partitions: { type: 'string', default: '1' },
      'batch-size': { type: 'string' },
      'linger-ms': { type: 'string' },
      'max-bytes-per-partition': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      try: { type: 'string', multiple: true },
    },
  });
  const total = Number(values.candles);
  const partitionCount = Number(values.partitions);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx nx build arango-candles\` first`);

  let brokers = process.env.KAFKA_BOOTSTRAP_SERVERS;
  let startedBroker = false;
  if (!brokers) {
    const started = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(repoRoot, 'tools/local-kafka/src/cli.ts'), 'start'], { encoding: 'utf8', cwd: repoRoot });
    const line = started.stdout.trim().split('\n').pop() ?? '';
    if (started.status !== 0 || !line.startsWith('KAFKA_BOOTSTRAP_SERVERS=')) throw new Error(`could not start the local broker: ${started.stderr}`);
    brokers = line.slice('KAFKA_BOOTSTRAP_SERVERS='.length);
    startedBroker = true;
  }
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: brokers }), { clientId: 'sink-bench', logger: createLogger({ service: 'sink-bench', level: 'error' }) });
  const topic = uniqueName('bench-candles');
  await ensureTopics(kafka, [{ topic, numPartitions: partitionCount }]);

  out(`arango-candles bench: ${total.toLocaleString('en-US')} candles, ${partitionCount} partition(s), broker ${brokers}`);
  const publisher = new CandlePublisher(kafka, topic);
  await publisher.connect();
  const fillStarted = Date.now();
  const chunk = 50_000;
  // One send after the other: the topic holds the candles in open_time order, as the loader publishes them
  // (concurrent sends would interleave them, and the sink would need its indicator pass).
  for (let from = 0; from < total; from += chunk) {
    const candles = minuteCandles({ startMs: Date.UTC(2020, 0, 1) + from * 60_000, count: Math.min(chunk, total - from) });
    await publisher.candles(candles, 2_000); // a record batch must stay under the broker's 1 MB message limit
  }
  await publisher.endOfStream(Array.from({ length: partitionCount }, (_, i) => i), total);
  await publisher.disconnect();
  const fillMs = Date.now() - fillStarted;
  out(`  pre-filled in ${(fillMs / 1000).toFixed(1)} s (${rate(total, fillMs)})`);

  const controlTopic = uniqueName('bench-control');
  const eventsTopic = uniqueName('bench-events');
  await ensureTopics(kafka, [{ topic: controlTopic }, { topic: eventsTopic }]);
  const base: Record<string, string> = {};
  if (values['batch-size']) base.BATCH_SIZE = values['batch-size'];
  if (values['linger-ms']) base.LINGER_MS = values['linger-ms'];
  if (values['max-bytes-per-partition']) base.FETCH_MAX_BYTES_PER_PARTITION = values['max-bytes-per-partition'];
  // Each --try drains the same topic again with a fresh consumer group and a fresh SQLite file.
  const tries = (values.try ?? ['']).map((text) => ({ ...base, ...Object.fromEntries(text.split(/\s+/).filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])) }));
  let allStored = true;
  for (const settings of tries) {
    const result = await drain({ brokers, topic, controlTopic, eventsTopic, total, settings, cpuProfileDir: values['cpu-prof'], keep: values.keep });
    allStored &&= result.stored === total;
  }

  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, `${topic}-dlq`, controlTopic, eventsTopic] }).catch(() => undefined);
  await admin.disconnect();
  if (startedBroker) spawnSync(process.execPath, [require.resolve('tsx/cli'), join(repoRoot, 'tools/local-kafka/src/cli.ts'), 'stop'], { cwd: repoRoot });
  if (!allStored) process.exitCode = 1;
}

interface DrainOptions {
  brokers: string;
  topic: string;
  controlTopic: string;
  eventsTopic: string;
  total: number;
  settings: Record<string, string>;
  cpuProfileDir?: string;
  keep: boolean;
}

/** Runs the sink bundle once over the topic and prints its figures. */
async function drain(options: DrainOptions): Promise<{ stored: number }> {
  const { total } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sink-bench-'));
  const sqlitePath = join(dir, 'bench.db');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_BOOTSTRAP_SERVERS: options.brokers, QUEUE_ID: uniqueName('wf-bench'), KAFKA_TOPIC: options.topic, COLLECTION_NAME: 'bench_candles',
    STORE: 'sqlite', SQLITE_PATH: sqlitePath, METRICS_PORT: '0', LOG_LEVEL: 'info',
    QUEUE_CONTROL_TOPIC: options.controlTopic, QUEUE_EVENTS_TOPIC: options.eventsTopic,
    ...options.settings,
  };
  delete env.ARANGO_URL;
  out(`  settings: ${['BATCH_SIZE', 'LINGER_MS', 'FETCH_MAX_BYTES_PER_PARTITION', 'INDICATORS'].map((k) => `${k}=${env[k] ?? 'default'}`).join(' ')}`);

  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const spawnedAt = Date.now();
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  // The node options the local launcher and the image use.
  const sink = spawn(process.execPath, [...profile, ...workerNodeArgs('arango-candles'), bundle], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let joinedAt: number | undefined;
  let completeAt: number | undefined;
  let passStartedAt: number | undefined;
  let peakKb = 0;
  let exitLine: { cpu_seconds?: number; max_rss_mb?: number } = {};
  let stderr = '';
  let pending = '';
  sink.stdout.on('data', (data: Buffer) => {
    pending += data.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (joinedAt === undefined && line.includes('joined the consumer group')) joinedAt = Date.now();
      if (passStartedAt === undefined && line.includes('computing indicators over the stored series')) passStartedAt = Date.now();
      if (completeAt === undefined && line.includes('"load complete"')) completeAt = Date.now();
      if (line.includes('arango-candles exiting')) exitLine = JSON.parse(line) as typeof exitLine;
    }
  });
  sink.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
  const sample = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${sink.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has just exited.
    }
  }, 50);
  const code = await new Promise<number | null>((resolve) => sink.on('exit', resolve));
  clearInterval(sample);
  const exitedAt = Date.now();
  if (code !== 0 || joinedAt === undefined || completeAt === undefined) throw new Error(`the sink exited ${code} without finishing: ${stderr.slice(-2000)}`);

  const store = createSqliteDocumentStore({ path: sqlitePath });
  const stored = await store.count('bench_candles');
  await store.close();
  const drainMs = completeAt - joinedAt;
  out(`  sink drained the topic in ${(drainMs / 1000).toFixed(2)} s: ${rate(total, drainMs)} (from joining the group to the load complete, indicator pass included)`);
  if (passStartedAt !== undefined) out(`  of which the indicator pass: ${((completeAt - passStartedAt) / 1000).toFixed(2)} s (${rate(total, completeAt - passStartedAt)})`);
  out(`  process wall time ${((exitedAt - spawnedAt) / 1000).toFixed(2)} s (${rate(total, exitedAt - spawnedAt)}, start-up and exit included)`);
  out(`  peak RSS of the sink: ${Math.round(peakKb / 1024)} MB (VmHWM; the sink reports maxRSS ${exitLine.max_rss_mb} MB)`);
  if (exitLine.cpu_seconds) out(`  CPU time of the sink: ${exitLine.cpu_seconds.toFixed(2)} s (${rate(total, exitLine.cpu_seconds * 1000)} per CPU-second; machine load ${loadBefore} before the run)`);
  out(`  documents in SQLite: ${stored.toLocaleString('en-US')} ${stored === total ? '(all of them)' : `(EXPECTED ${total})`}`);
  if (!options.keep) rmSync(dir, { recursive: true, force: true });
  return { stored };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sink failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
