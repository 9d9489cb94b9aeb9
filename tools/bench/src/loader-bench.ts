/**
 * npm run bench:loader [-- --profiles raw,polite --compression none,gzip --concurrency 4 --polite-days 120 --raw-range 2023-01-01:2023-12-31]
 *
 * Runs the built loader-api-candles bundle against the Binance simulator (in this process) and a
 * real broker (KAFKA_BOOTSTRAP_SERVERS, or a local one started here), and prints candles/s and
 * peak RSS per profile:
 *   raw    — a year of 1m candles (525,600), no latency, no weight limit;
 *   polite — 50 ms latency and a 200 weight / 10 s limit, so pacing decides the speed; prints the
 *            weight rate achieved as a share of the loader's budget (share × limit) and the 429s.
 * Each run is then checked: the loader exited 0 and reported every candle of the range, and the data
 * topic, read back, holds exactly those candles once plus one end marker per partition. A failed check
 * prints MISMATCH and the bench exits 1, so a fast but wrong loader never shows as a good figure.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BinanceSimulator, type BinanceSimulatorOptions, startBinanceSimulator } from '@streamforge/binance/testing';
import { createKafkaClient, ensureTopics, kafkaConnectionSettings, topicPartitions } from '@streamforge/kafka';
import { startKafkaBroker } from '@streamforge/local-kafka';
import { createLogger } from '@streamforge/logging';
import { expectedMinuteCandles, judge, readBackCandles } from './bench-checks';

const bundle = join(__dirname, '..', '..', '..', 'dist', 'apps', 'loader-api-candles', 'main.js');
const POLITE_LIMIT = 200;
const POLITE_WINDOW_MS = 10_000;

interface RunResult {
  exitCode: number | null;
  wallSeconds: number;
  finished?: { published: number; seconds: number; candlesPerSecond: number; cpuSeconds: number; maxRssMb: number };
}

const out = (line: string) => process.stdout.write(`${line}\n`);

function runLoader(env: Record<string, string>): Promise<RunResult> {
  const started = Date.now();
  // LOADER_NODE_ARGS, e.g. --cpu-prof, goes to the loader's node (profiling a run).
  const nodeArgs = (process.env.LOADER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, bundle], { env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let finished: RunResult['finished'];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"msg":"load finished"')) finished = JSON.parse(line);
      else if (line.includes('"level":50')) out(`  loader error: ${line.slice(0, 400)}`);
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ exitCode: code, wallSeconds: (Date.now() - started) / 1000, finished })));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      profiles: { type: 'string', default: 'raw,polite' },
      compression: { type: 'string', default: 'none' },
      concurrency: { type: 'string', default: '4' },
      'polite-days': { type: 'string', default: '120' },
      'raw-range': { type: 'string', default: '2023-01-01:2023-12-31' },
      'batch-size': { type: 'string' },
    },
  });
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build it first (npx nx build loader-api-candles)`);
  let bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS;
  let stopBroker: (() => Promise<void>) | undefined;
  let brokerPid: number | undefined;
  if (!bootstrap) {
    out('starting a local Kafka broker (set KAFKA_BOOTSTRAP_SERVERS to use a running one)');
    const broker = await startKafkaBroker();
    bootstrap = broker.bootstrapServers;
    brokerPid = broker.pid;
    stopBroker = () => broker.stop();
  }
  /** CPU seconds the broker JVM used so far (Linux), when this bench started it. */
  const brokerCpu = (): number | undefined => {
    if (brokerPid === undefined) return undefined;
    try {
      const fields = readFileSync(`/proc/${brokerPid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return undefined;
    }
  };
  const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrap }), { clientId: 'loader-bench', logger: createLogger({ service: 'bench', level: 'error' }) });
  const admin = kafka.admin();
  await admin.connect();
  out(`broker ${bootstrap}, node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);

  let allChecksHeld = true;
  async function profile(name: string, simOptions: BinanceSimulatorOptions, env: Record<string, string> & { TIME_RANGE: string }): Promise<{ sim: BinanceSimulator; result: RunResult }> {
    const sim = await startBinanceSimulator(simOptions);
    const id = `bench-${name}-${Date.now().toString(36)}`;
    const topics = { data: `${id}-data`, events: `${id}-events`, control: `${id}-control` };
    await ensureTopics(kafka, [{ topic: topics.events }, { topic: topics.control }]);
    try {
      const cpuBefore = process.cpuUsage();
      const brokerBefore = brokerCpu();
      const result = await runLoader({
        KAFKA_BOOTSTRAP_SERVERS: bootstrap as string, QUEUE_ID: id, SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', KAFKA_TOPIC: topics.data,
        QUEUE_EVENTS_TOPIC: topics.events, QUEUE_CONTROL_TOPIC: topics.control, BINANCE_BASE_URL: sim.url, LOADER_CONCURRENCY: values.concurrency as string,
        ...(values['batch-size'] ? { LOADER_BATCH_SIZE: values['batch-size'] } : {}),
        ...env,
      });
      const cpu = process.cpuUsage(cpuBefore);
      // The simulator runs in this process: its CPU is part of what 2 cores must carry.
      const brokerAfter = brokerCpu();
      const brokerText = brokerBefore === undefined || brokerAfter === undefined ? '' : `, broker JVM CPU ${(brokerAfter - brokerBefore).toFixed(2)} s`;
      out(`  (${name}: simulator and bench process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s${brokerText})`);
      const expected = expectedMinuteCandles(env.TIME_RANGE);
      const readBack = await readBackCandles(kafka, topics.data);
      const partitions = readBack.candles + readBack.markers > 0 ? (await topicPartitions(kafka, topics.data)).length : 0;
      const verdict = judge([
        { what: 'loader exit code', expected: 0, actual: result.exitCode ?? 'signal' },
        { what: "candles the loader reported published ('load finished')", expected, actual: result.finished?.published ?? 'no load finished line' },
        { what: `candles read back from ${topics.data}`, expected, actual: readBack.candles },
        { what: 'distinct candle keys read back (no duplicates)', expected, actual: readBack.distinctKeys },
        { what: 'end-of-stream markers read back (one per partition)', expected: partitions, actual: readBack.markers },
      ]);
      verdict.lines.forEach(out);
      allChecksHeld &&= verdict.ok;
      return { sim, result };
    } finally {
      await sim.close();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    }
  }

  const profiles = (values.profiles as string).split(',');
  if (profiles.includes('raw')) {
    for (const compression of (values.compression as string).split(',')) {
      const { result } = await profile('raw', { weightLimit: null }, { TIME_RANGE: values['raw-range'] as string, LOADER_COMPRESSION: compression });
      const f = result.finished;
      out(
        f
          ? `raw    compression=${compression.padEnd(4)} ${f.published} candles in ${f.seconds.toFixed(2)} s = ${f.candlesPerSecond} candles/s ` +
              `(process wall ${result.wallSeconds.toFixed(2)} s incl. start-up = ${Math.round(f.published / result.wallSeconds)} candles/s), ` +
              `loader CPU ${f.cpuSeconds.toFixed(2)} s = ${Math.round(f.published / f.cpuSeconds)} candles per CPU-second, peak RSS ${f.maxRssMb} MB`
          : `raw    compression=${compression}: loader exited ${result.exitCode} without finishing`,
      );
    }
  }
  if (profiles.includes('polite')) {
    const days = Number(values['polite-days']);
    const end = new Date(Date.UTC(2023, 0, days)).toISOString().slice(0, 10);
    const share = 0.5;
    const { sim, result } = await profile(
      'polite',
      { latencyMs: 50, weightLimit: POLITE_LIMIT, weightWindowMs: POLITE_WINDOW_MS },
      { TIME_RANGE: `2023-01-01:${end}`, LOADER_WEIGHT_SHARE: String(share) },
    );
    const requests = sim.requests;
    const budget = POLITE_LIMIT * share;
    const windowOf = (at: number) => Math.floor(at / POLITE_WINDOW_MS);
    const first = windowOf(requests[0]?.at ?? 0);
    const last = windowOf(requests[requests.length - 1]?.at ?? 0);
    const perWindow = new Map<number, number>();
    for (const r of requests) perWindow.set(windowOf(r.at), (perWindow.get(windowOf(r.at)) ?? 0) + r.weight);
    // Only windows the run covered from start to end say what pacing achieves in steady state.
    const full = [...perWindow].filter(([w]) => w > first && w < last).map(([, weight]) => weight);
    const steady = full.length ? full.reduce((a, b) => a + b, 0) / full.length : Number.NaN;
    const total = requests.reduce((sum, r) => sum + r.weight, 0);
    const span = ((requests[requests.length - 1]?.at ?? 0) - (requests[0]?.at ?? 0)) / 1000;
    const f = result.finished;
    out(
      `polite ${f ? `${f.published} candles in ${f.seconds.toFixed(2)} s = ${f.candlesPerSecond} candles/s, peak RSS ${f.maxRssMb} MB` : `loader exited ${result.exitCode} without finishing`}; ` +
        `budget ${budget} weight / ${POLITE_WINDOW_MS / 1000} s (share ${share} of ${POLITE_LIMIT}); ` +
        `steady-state ${steady.toFixed(1)} weight per window over ${full.length} full windows = ${((steady / budget) * 100).toFixed(1)}% of the budget; ` +
        `overall ${((total / span / (budget / (POLITE_WINDOW_MS / 1000))) * 100).toFixed(1)}% over ${span.toFixed(1)} s; ` +
        `429s: ${requests.filter((r) => r.status === 429).length}, 418s: ${requests.filter((r) => r.status === 418).length}`,
    );
  }
  await admin.disconnect();
  await stopBroker?.();
  if (!allChecksHeld) {
    out('loader-bench: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`loader-bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
