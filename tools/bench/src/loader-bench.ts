/**
 * npm run bench:loader [-- --profiles raw,polite --compression none,gzip --concurrency 4 --polite-days 120 --raw-range 2023-01-01:2023-12-31 --raw-latency-ms 0
 *                         --splits N --partitions P --sasl | --transport plaintext|sasl|both --runs N]
 *
 * Runs the built loader-api-candles bundle against the Binance simulator (in this process) and a
 * real broker (see bench-transport.ts: KAFKA_BOOTSTRAP_SERVERS and, for SASL_SSL, what
 * `npm run kafka -- start --sasl` prints, or a broker started here with both listeners), and prints
 * candles/s and peak RSS per profile; `--transport both` runs each profile over plaintext then
 * SASL_SSL, `--runs N` N times alternating, and ends with the raw figures of both side by side:
 *   raw    — a year of 1m candles (525,600), no latency, no weight limit;
 *   polite — 50 ms latency and a 200 weight / 10 s limit, so pacing decides the speed; prints the
 *            weight rate achieved as a share of the loader's budget (share × limit) and the 429s.
 * `--splits N` runs the raw profile as N loader processes at once (LOAD_SPLIT k/N), each on its
 * contiguous sub-range of the range (splitRange, as queue-manager cuts it), into one topic of
 * `--partitions` partitions (default 1, as an unsplit loader creates it): the wall time from the
 * first start to the last exit, and the candles of all splits per second of it.
 * Each run is then checked: the loader exited 0 and reported every candle of the range, and the data
 * topic, read back, holds exactly those candles once plus one end marker per partition (and split). A failed check
 * prints MISMATCH and the bench exits 1, so a fast but wrong loader never shows as a good figure.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { splitRange } from '@streamforge/binance';
import { type BinanceSimulator, type BinanceSimulatorOptions, startBinanceSimulator } from '@streamforge/binance/testing';
import { createKafkaClient, ensureTopics, kafkaConnectionSettings, topicPartitions } from '@streamforge/kafka';
import { createLogger } from '@streamforge/logging';
import { parseTimeRange } from '@streamforge/schemas';
import { expectedMinuteCandles, judge, readBackCandles } from './bench-checks';
import { benchBroker, parseTransportRuns, TRANSPORT_OPTIONS, range, TRANSPORT_LABEL, type Transport } from './bench-transport';

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
      // The simulator answers at once; a real exchange is tens of ms away, which is what concurrency is for.
      'raw-latency-ms': { type: 'string', default: '0' },
      'batch-size': { type: 'string' },
      splits: { type: 'string', default: '1' },
      partitions: { type: 'string', default: '1' },
      ...TRANSPORT_OPTIONS,
    },
  });
  const { transports, runs } = parseTransportRuns(values);
  const splits = Number(values.splits);
  if (!Number.isInteger(splits) || splits < 1 || splits > 16) throw new Error(`--splits must be a whole number from 1 to 16, got "${values.splits}"`);
  const partitions = Number(values.partitions);
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`--partitions must be a whole number ≥ 1, got "${values.partitions}"`);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build it first (npx nx build loader-api-candles)`);
  const broker = await benchBroker(transports);
  const brokerPid = broker.pid;
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
  // The bench's own client (topics, read-back) always goes over the first transport asked for.
  const kafka = createKafkaClient(kafkaConnectionSettings(broker.env(transports[0] as Transport)), { clientId: 'loader-bench', logger: createLogger({ service: 'bench', level: 'error' }) });
  const admin = kafka.admin();
  await admin.connect();
  out(`broker ${broker.description}, node ${process.version}, ${os.cpus().length} cores, load average ${loadAverage()}`);

  let allChecksHeld = true;
  let transport: Transport = transports[0] as Transport;
  async function profile(
    name: string,
    simOptions: BinanceSimulatorOptions,
    env: Record<string, string> & { TIME_RANGE: string },
    splitCount = 1,
  ): Promise<{ sim: BinanceSimulator; result: RunResult; perSplit: RunResult[] }> {
    out(`${name} over ${TRANSPORT_LABEL[transport]} (load average ${loadAverage()} before the run)`);
    const sim = await startBinanceSimulator(simOptions);
    const id = `bench-${name}-${Date.now().toString(36)}`;
    const topics = { data: `${id}-data`, events: `${id}-events`, control: `${id}-control` };
    await ensureTopics(kafka, [{ topic: topics.events }, { topic: topics.control }]);
    try {
      const cpuBefore = process.cpuUsage();
      const brokerBefore = brokerCpu();
      // The topic exists before the splits start, so none of them races another to create it.
      await ensureTopics(kafka, [{ topic: topics.data, numPartitions: partitions }]);
      const started = Date.now();
      const perSplit = await Promise.all(
        subRanges(env.TIME_RANGE, splitCount).map((timeRange, index) =>
          runLoader({
            ...broker.env(transport), QUEUE_ID: id, SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', KAFKA_TOPIC: topics.data, LOADER_PARTITIONS: String(partitions),
            QUEUE_EVENTS_TOPIC: topics.events, QUEUE_CONTROL_TOPIC: topics.control, BINANCE_BASE_URL: sim.url, LOADER_CONCURRENCY: values.concurrency as string,
            ...(values['batch-size'] ? { LOADER_BATCH_SIZE: values['batch-size'] } : {}),
            ...env,
            ...(splitCount > 1 ? { TIME_RANGE: timeRange, LOAD_SPLIT: `${index + 1}/${splitCount}`, TELEMETRY_PRODUCER_ID: `loader-producer__split${index + 1}` } : {}),
          }),
        ),
      );
      const result = combine(perSplit, (Date.now() - started) / 1000);
      const cpu = process.cpuUsage(cpuBefore);
      // The simulator runs in this process: its CPU is part of what 2 cores must carry.
      const brokerAfter = brokerCpu();
      const brokerText = brokerBefore === undefined || brokerAfter === undefined ? '' : `, broker JVM CPU ${(brokerAfter - brokerBefore).toFixed(2)} s`;
      out(`  (${name}: simulator and bench process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s${brokerText})`);
      const expected = expectedMinuteCandles(env.TIME_RANGE);
      const readBack = await readBackCandles(kafka, topics.data);
      const topicPartitionCount = readBack.candles + readBack.markers > 0 ? (await topicPartitions(kafka, topics.data)).length : 0;
      const verdict = judge([
        { what: splitCount > 1 ? `loader exit codes (${splitCount} splits)` : 'loader exit code', expected: perSplit.map(() => 0).join(','), actual: perSplit.map((r) => r.exitCode ?? 'signal').join(',') },
        { what: "candles the loaders reported published ('load finished')", expected, actual: perSplit.every((r) => r.finished) ? (result.finished?.published ?? 0) : 'no load finished line' },
        { what: `candles read back from ${topics.data}`, expected, actual: readBack.candles },
        { what: 'distinct candle keys read back (no duplicates)', expected, actual: readBack.distinctKeys },
        { what: 'end-of-stream markers read back (one per partition and split)', expected: topicPartitionCount * splitCount, actual: readBack.markers },
      ]);
      verdict.lines.forEach(out);
      allChecksHeld &&= verdict.ok;
      return { sim, result, perSplit };
    } finally {
      await sim.close();
      await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    }
  }

  const profiles = (values.profiles as string).split(',');
  const rawLatencyMs = Number(values['raw-latency-ms']);
  if (!Number.isInteger(rawLatencyMs) || rawLatencyMs < 0) throw new Error(`--raw-latency-ms must be a whole number ≥ 0, got "${values['raw-latency-ms']}"`);
  const raw: Array<{ transport: Transport; compression: string; f: NonNullable<RunResult['finished']>; wallSeconds: number }> = [];
  for (let run = 1; run <= runs; run++) {
    for (transport of transports) {
      if (profiles.includes('raw')) {
        for (const compression of (values.compression as string).split(',')) {
          const { result, perSplit } = await profile('raw', { weightLimit: null, latencyMs: rawLatencyMs }, { TIME_RANGE: values['raw-range'] as string, LOADER_COMPRESSION: compression }, splits);
          const f = result.finished;
          if (splits > 1) {
            out(
              f
                ? `raw    ${TRANSPORT_LABEL[transport]} compression=${compression.padEnd(4)} splits=${splits} partitions=${partitions}: ${f.published} candles in ${result.wallSeconds.toFixed(2)} s wall ` +
                    `(first start to last exit) = ${Math.round(f.published / result.wallSeconds)} candles/s summed; per split ` +
                    `${perSplit.map((r, i) => `${i + 1}/${splits} ${r.finished ? `${r.finished.candlesPerSecond} candles/s over ${r.finished.seconds.toFixed(2)} s` : `exit ${r.exitCode}`}`).join(', ')}; ` +
                    `loader CPU ${f.cpuSeconds.toFixed(2)} s in all, peak RSS ${f.maxRssMb} MB per process at most`
                : `raw    compression=${compression} splits=${splits}: a split exited without finishing (${perSplit.map((r) => r.exitCode).join(', ')})`,
            );
            continue;
          }
          if (f) raw.push({ transport, compression, f, wallSeconds: result.wallSeconds });
          out(
            f
              ? `raw    ${TRANSPORT_LABEL[transport]} compression=${compression.padEnd(4)} ${f.published} candles in ${f.seconds.toFixed(2)} s = ${f.candlesPerSecond} candles/s ` +
                  `(process wall ${result.wallSeconds.toFixed(2)} s incl. start-up = ${Math.round(f.published / result.wallSeconds)} candles/s), ` +
                  `loader CPU ${f.cpuSeconds.toFixed(2)} s = ${Math.round(f.published / f.cpuSeconds)} candles per CPU-second, peak RSS ${f.maxRssMb} MB`
              : `raw    compression=${compression}: loader exited ${result.exitCode} without finishing`,
          );
        }
      }
      // Pacing decides the polite profile's speed, not the transport: once per transport, in the first run.
      if (profiles.includes('polite') && run === 1) {
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
          `polite ${TRANSPORT_LABEL[transport]} ${f ? `${f.published} candles in ${f.seconds.toFixed(2)} s = ${f.candlesPerSecond} candles/s, peak RSS ${f.maxRssMb} MB` : `loader exited ${result.exitCode} without finishing`}; ` +
            `budget ${budget} weight / ${POLITE_WINDOW_MS / 1000} s (share ${share} of ${POLITE_LIMIT}); ` +
            `steady-state ${steady.toFixed(1)} weight per window over ${full.length} full windows = ${((steady / budget) * 100).toFixed(1)}% of the budget; ` +
            `overall ${((total / span / (budget / (POLITE_WINDOW_MS / 1000))) * 100).toFixed(1)}% over ${span.toFixed(1)} s; ` +
            `429s: ${requests.filter((r) => r.status === 429).length}, 418s: ${requests.filter((r) => r.status === 418).length}`,
        );
      }
    }
  }
  if ((transports.length > 1 || runs > 1) && raw.length > 0) printSideBySide(raw);
  await admin.disconnect();
  await broker.stop();
  if (!allChecksHeld) {
    out('loader-bench: a check failed (MISMATCH above): these figures are not valid');
    process.exitCode = 1;
  }
}

/** TIME_RANGE cut into `count` contiguous sub-ranges on candle boundaries, as ISO instants (the whole text when 1). */
function subRanges(timeRange: string, count: number): string[] {
  if (count === 1) return [timeRange];
  const parsed = parseTimeRange(timeRange);
  if (!parsed.ok) throw new Error(`time range ${JSON.stringify(timeRange)}: ${parsed.reason}`);
  const iso = (ms: number) => new Date(ms).toISOString();
  return splitRange('1m', { from: parsed.value.fromMs, to: parsed.value.untilMs }, count).map((part) => `${iso(part.from)}/${iso(part.to)}`);
}

/** The splits' runs as one: published and CPU summed, peak RSS the largest, the wall time of them all. */
function combine(runs: RunResult[], wallSeconds: number): RunResult {
  if (runs.length === 1) return runs[0] as RunResult;
  const exitCode = runs.find((r) => r.exitCode !== 0)?.exitCode ?? 0;
  const done = runs.map((r) => r.finished).filter((f): f is NonNullable<RunResult['finished']> => f !== undefined);
  const published = done.reduce((sum, f) => sum + f.published, 0);
  return {
    exitCode,
    wallSeconds,
    finished: done.length === 0 ? undefined : {
      published,
      seconds: Math.max(...done.map((f) => f.seconds)),
      candlesPerSecond: Math.round(published / wallSeconds),
      cpuSeconds: done.reduce((sum, f) => sum + f.cpuSeconds, 0),
      maxRssMb: Math.max(...done.map((f) => f.maxRssMb)),
    },
  };
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** The raw runs per transport and compression: ranges over the runs, and SASL_SSL as a share of plaintext. */
function printSideBySide(raw: Array<{ transport: Transport; compression: string; f: NonNullable<RunResult['finished']>; wallSeconds: number }>): void {
  out('side by side (raw profile; ranges over the runs):');
  out('  transport  compression  runs  candles/s (its log)   process wall s   loader CPU s   peak RSS MB');
  const medians = new Map<string, number>();
  for (const compression of [...new Set(raw.map((r) => r.compression))]) {
    for (const transport of ['plaintext', 'sasl'] as const) {
      const rows = raw.filter((r) => r.transport === transport && r.compression === compression);
      if (rows.length === 0) continue;
      const rates = rows.map((r) => r.f.candlesPerSecond).sort((a, b) => a - b);
      medians.set(`${transport}/${compression}`, rates[Math.floor((rates.length - 1) / 2)] as number);
      out(`  ${TRANSPORT_LABEL[transport].padEnd(10)} ${compression.padEnd(12)} ${String(rows.length).padEnd(5)} ${range(rates).padEnd(21)} ${range(rows.map((r) => r.wallSeconds), 2).padEnd(16)} ${range(rows.map((r) => r.f.cpuSeconds), 2).padEnd(14)} ${range(rows.map((r) => r.f.maxRssMb))}`);
    }
    const plain = medians.get(`plaintext/${compression}`);
    const sasl = medians.get(`sasl/${compression}`);
    if (plain && sasl) out(`  SASL_SSL / plaintext (median candles/s), compression ${compression}: ${Math.round((sasl / plain) * 100)} %`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`loader-bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
