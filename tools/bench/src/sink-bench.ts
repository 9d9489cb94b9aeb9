// `npm run bench:sink -- [--candles N] [--partitions N] [--replicas N] [--batch-size N] [--linger-ms N] [--max-bytes-per-partition N] [--store sqlite|arango] [--keep] [--cpu-prof DIR]
//   [--try "BATCH_SIZE=1000 LINGER_MS=50" --try ...] [--sasl | --transport plaintext|sasl|both] [--runs N]`
// Side by side with and without indicators: `npm run bench:sink -- --try "INDICATORS=none" --try ""`.
// --store arango drains into the ArangoDB stand-in (libs/storage testing: the production adapter's HTTP
// path, the stand-in's speed) instead of SQLite: the sink's memory as it runs in production.
// NODE_ARGS in a --try replaces the sink's node options (comma-separated, e.g.
// `--try "NODE_ARGS=--max-semi-space-size=16"`; empty: none), to measure what a V8 setting trades.
// --replicas N runs N sink instances of one queue (one consumer group, one SQLite file) over a topic
// of at least N partitions; the figures are from the first join to the load complete.
// Pre-fills a topic with N candles (default 1,000,000) and end-of-stream markers, then times the
// built arango-candles bundle draining it into SQLite: candles/s and the sink's peak RSS.
// The broker: see bench-transport.ts (KAFKA_BOOTSTRAP_SERVERS and, for SASL_SSL, what
// `npm run kafka -- start --sasl` prints; else a broker of its own with both listeners, stopped after).
// `--transport both` drains over plaintext then SASL_SSL (`--runs N`: N times, alternating) and ends
// with both side by side. Each drain ends with a check line (the documents in SQLite read back); a
// MISMATCH, or a sink exiting non-zero, makes the bench exit 1.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTopics, kafkaConnectionSettings, createKafkaClient } from '@streamforge/kafka';
import { uniqueName } from '@streamforge/kafka/testing';
import { workerNodeArgs } from '@streamforge/launchers';
import { createLogger } from '@streamforge/logging';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { startArangoStandIn, type ArangoStandIn } from '@streamforge/storage/testing';
import { CandlePublisher, minuteCandles } from '@streamforge/candle-sink/testing';
import { benchBroker, parseTransportRuns, TRANSPORT_OPTIONS, range, TRANSPORT_LABEL, type BenchKafkaEnv, type Transport } from './bench-transport';

const repoRoot = join(__dirname, '..', '..', '..');
const bundle = join(repoRoot, 'dist', 'apps', 'arango-candles', 'main.js');
const out = (line: string) => process.stdout.write(`${line}\n`);
const rate = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en-US')} candles/s`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      candles: { type: 'string', default: '1000000' },
      partitions: { type: 'string' },
      replicas: { type: 'string', default: '1' },
      'batch-size': { type: 'string' },
      'linger-ms': { type: 'string' },
      'max-bytes-per-partition': { type: 'string' },
      store: { type: 'string', default: 'sqlite' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      try: { type: 'string', multiple: true },
      ...TRANSPORT_OPTIONS,
    },
  });
  const { transports, runs } = parseTransportRuns(values);
  const total = Number(values.candles);
  if (!Number.isInteger(total) || total < 1) throw new Error(`--candles must be a whole number ≥ 1, got "${values.candles}"`);
  const replicas = Number(values.replicas);
  if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`--replicas must be a whole number ≥ 1, got "${values.replicas}"`);
  // At least one partition per instance, else the extra instances have nothing to read.
  const partitionCount = Number(values.partitions ?? replicas);
  if (partitionCount < replicas) throw new Error(`--partitions ${partitionCount} is fewer than --replicas ${replicas}: the extra instances would idle`);
  const store = values.store;
  if (store !== 'sqlite' && store !== 'arango') throw new Error(`--store must be sqlite or arango, got "${store}"`);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npx nx build arango-candles\` first`);

  const broker = await benchBroker(transports);
  const standIn = store === 'arango' ? await startArangoStandIn() : undefined;
  let allStored = true;
  try {
    const kafka = createKafkaClient(kafkaConnectionSettings(broker.env(transports[0] as Transport)), { clientId: 'sink-bench', logger: createLogger({ service: 'sink-bench', level: 'error' }) });
    const topic = uniqueName('bench-candles');
    await ensureTopics(kafka, [{ topic, numPartitions: partitionCount }]);

    out(`arango-candles bench: ${total.toLocaleString('en-US')} candles, ${partitionCount} partition(s), ${replicas} sink instance(s), broker ${broker.description}`);
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
    const drains: Array<{ transport: Transport; settings: string; figures: DrainFigures }> = [];
    for (let run = 1; run <= runs; run++) {
      for (const transport of transports) {
        for (const settings of tries) {
          out(`  over ${TRANSPORT_LABEL[transport]}:`);
          const figures = await drain({ kafkaEnv: broker.env(transport), standIn, topic, controlTopic, eventsTopic, total, replicas, settings, cpuProfileDir: values['cpu-prof'], keep: values.keep });
          allStored &&= figures.stored === total;
          drains.push({ transport, settings: JSON.stringify(settings), figures });
        }
      }
    }
    if (transports.length > 1 || runs > 1) printSideBySide(drains, total);

    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}-dlq`, controlTopic, eventsTopic] }).catch(() => undefined);
    await admin.disconnect();
  } finally {
    await standIn?.close();
    await broker.stop();
  }
  if (!allStored) {
    out('bench:sink: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

/** Per transport (and --try): ranges over the runs, and SASL_SSL's median as a share of plaintext's. */
function printSideBySide(drains: Array<{ transport: Transport; settings: string; figures: DrainFigures }>, total: number): void {
  out('side by side (ranges over the runs):');
  out('  transport  runs  candles/s (join → complete)   process wall s   sink CPU s   peak RSS MB   settings');
  for (const settings of [...new Set(drains.map((d) => d.settings))]) {
    const medians: Partial<Record<Transport, number>> = {};
    for (const transport of ['plaintext', 'sasl'] as const) {
      const rows = drains.filter((d) => d.transport === transport && d.settings === settings).map((d) => d.figures);
      if (rows.length === 0) continue;
      const rates = rows.map((f) => Math.round((total / f.drainMs) * 1000)).sort((a, b) => a - b);
      medians[transport] = rates[Math.floor((rates.length - 1) / 2)];
      out(`  ${TRANSPORT_LABEL[transport].padEnd(10)} ${String(rows.length).padEnd(5)} ${range(rates).padEnd(29)} ${range(rows.map((f) => f.wallMs / 1000), 2).padEnd(16)} ${range(rows.map((f) => f.cpuSeconds), 2).padEnd(12)} ${range(rows.map((f) => f.peakRssMb)).padEnd(13)} ${settings}`);
    }
    if (medians.plaintext && medians.sasl) out(`  SASL_SSL / plaintext (median candles/s): ${Math.round((medians.sasl / medians.plaintext) * 100)} %`);
  }
}

interface DrainFigures {
  stored: number;
  drainMs: number;
  wallMs: number;
  cpuSeconds: number;
  peakRssMb: number;
}

interface DrainOptions {
  kafkaEnv: BenchKafkaEnv;
  /** Drain into this ArangoDB stand-in (a fresh database per drain) instead of a fresh SQLite file. */
  standIn: ArangoStandIn | undefined;
  topic: string;
  controlTopic: string;
  eventsTopic: string;
  total: number;
  replicas: number;
  settings: Record<string, string>;
  cpuProfileDir?: string;
  keep: boolean;
}

/** Runs the sink bundle once over the topic and prints its figures. */
async function drain(options: DrainOptions): Promise<DrainFigures> {
  const { total } = options;
  const dir = mkdtempSync(join(tmpdir(), 'sink-bench-'));
  const sqlitePath = join(dir, 'bench.db');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...options.kafkaEnv, QUEUE_ID: uniqueName('wf-bench'), KAFKA_TOPIC: options.topic, COLLECTION_NAME: 'bench_candles',
    ...storeEnv(options.standIn, sqlitePath), METRICS_PORT: '0', LOG_LEVEL: 'info',
    QUEUE_CONTROL_TOPIC: options.controlTopic, QUEUE_EVENTS_TOPIC: options.eventsTopic,
    ...options.settings,
  };
  if (!options.standIn) delete env.ARANGO_URL;
  const nodeArgs = env.NODE_ARGS === undefined ? workerNodeArgs('arango-candles') : env.NODE_ARGS.split(',').filter(Boolean);
  delete env.NODE_ARGS;
  out(`  settings: ${['BATCH_SIZE', 'LINGER_MS', 'FETCH_MAX_BYTES_PER_PARTITION', 'INDICATORS'].map((k) => `${k}=${env[k] ?? 'default'}`).join(' ')} node options: ${nodeArgs.join(' ') || 'none'}`);

  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const spawnedAt = Date.now();
  const runs = Array.from({ length: options.replicas }, (_, index) => runSink(env, nodeArgs, options.cpuProfileDir, index));
  const results = await Promise.all(runs);
  const exitedAt = Date.now();
  const failed = results.find((run) => run.code !== 0);
  if (failed) throw new Error(`a sink exited ${failed.code}: ${failed.stderr.slice(-2000)}`);
  const joins = results.map((run) => run.joinedAt).filter((at): at is number => at !== undefined);
  const finisher = results.find((run) => run.completeAt !== undefined);
  if (joins.length === 0 || !finisher?.completeAt) throw new Error('no sink reported the load complete (the one that reports finished logs "load complete")');
  const joinedAt = Math.min(...joins);
  const { completeAt, passStartedAt } = finisher;
  const peakKb = Math.max(...results.map((run) => run.peakKb));
  const cpuSeconds = results.reduce((sum, run) => sum + (run.exitLine.cpu_seconds ?? 0), 0);

  const stored = await countStored(options.standIn, env.ARANGO_DB, sqlitePath);
  const drainMs = completeAt - joinedAt;
  out(`  sink drained the topic in ${(drainMs / 1000).toFixed(2)} s: ${rate(total, drainMs)} (from joining the group to the load complete, indicator pass included)`);
  if (passStartedAt !== undefined) out(`  of which the indicator pass: ${((completeAt - passStartedAt) / 1000).toFixed(2)} s (${rate(total, completeAt - passStartedAt)})`);
  out(`  process wall time ${((exitedAt - spawnedAt) / 1000).toFixed(2)} s (${rate(total, exitedAt - spawnedAt)}, start-up and exit included)`);
  out(`  peak RSS of ${options.replicas === 1 ? 'the sink' : 'the largest sink instance'}: ${Math.round(peakKb / 1024)} MB (VmHWM; maxRSS reported: ${results.map((run) => `${run.exitLine.max_rss_mb} MB`).join(', ')})`);
  if (cpuSeconds) out(`  CPU time of the sink${options.replicas === 1 ? '' : 's, summed'}: ${cpuSeconds.toFixed(2)} s (${rate(total, cpuSeconds * 1000)} per CPU-second; machine load ${loadBefore} before the run)`);
  out(`  check ${stored === total ? 'ok      ' : 'MISMATCH'} documents read back from ${options.standIn ? 'the ArangoDB stand-in' : 'SQLite'}: expected ${total}, got ${stored}`);
  if (!options.keep) rmSync(dir, { recursive: true, force: true });
  return { stored, drainMs, wallMs: exitedAt - spawnedAt, cpuSeconds, peakRssMb: Math.round(peakKb / 1024) };
}

/** The sink's store settings: a fresh database of the stand-in, else the SQLite file. */
function storeEnv(standIn: ArangoStandIn | undefined, sqlitePath: string): Record<string, string> {
  if (!standIn) return { STORE: 'sqlite', SQLITE_PATH: sqlitePath };
  return { STORE: 'arango', ARANGO_URL: standIn.url, ARANGO_USER: standIn.username, ARANGO_PASSWORD: standIn.password, ARANGO_DB: uniqueName('bench').replace(/[^A-Za-z0-9_-]/g, '_') };
}

async function countStored(standIn: ArangoStandIn | undefined, database: string | undefined, sqlitePath: string): Promise<number> {
  if (standIn) {
    await standIn.settled();
    standIn.assertNoViolations();
    return standIn.documents(database ?? '', 'bench_candles')?.length ?? 0;
  }
  const store = createSqliteDocumentStore({ path: sqlitePath });
  try {
    return await store.count('bench_candles');
  } finally {
    await store.close();
  }
}

interface SinkRun {
  code: number | null;
  joinedAt?: number;
  completeAt?: number;
  passStartedAt?: number;
  peakKb: number;
  exitLine: { cpu_seconds?: number; max_rss_mb?: number };
  stderr: string;
}

/** One sink instance from spawn to exit, with the times of its log lines the figures need. */
async function runSink(env: Record<string, string>, nodeArgs: readonly string[], cpuProfileDir: string | undefined, index: number): Promise<SinkRun> {
  const profile = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
  // The node options the local launcher and the image use (unless a --try sets NODE_ARGS); each instance its own metrics port (0: any free one).
  const sink = spawn(process.execPath, [...profile, ...nodeArgs, bundle], { env: { ...env, TELEMETRY_PRODUCER_ID: `arango-candles__bench${index}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: SinkRun = { code: null, peakKb: 0, exitLine: {}, stderr: '' };
  let pending = '';
  sink.stdout.on('data', (data: Buffer) => {
    pending += data.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (run.joinedAt === undefined && line.includes('joined the consumer group')) run.joinedAt = Date.now();
      if (run.passStartedAt === undefined && line.includes('computing indicators over the stored series')) run.passStartedAt = Date.now();
      if (run.completeAt === undefined && line.includes('"load complete"')) run.completeAt = Date.now();
      if (line.includes('arango-candles exiting')) run.exitLine = JSON.parse(line) as SinkRun['exitLine'];
    }
  });
  sink.stderr.on('data', (data: Buffer) => (run.stderr += data.toString('utf8')));
  const sample = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${sink.pid}/status`, 'utf8'));
      if (match) run.peakKb = Math.max(run.peakKb, Number(match[1]));
    } catch {
      // The process has just exited.
    }
  }, 50);
  run.code = await new Promise<number | null>((resolve) => sink.on('exit', resolve));
  clearInterval(sample);
  return run;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sink failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
