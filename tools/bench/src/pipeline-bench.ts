/**
 * npm run bench [-- --range 2024-01-01:2024-12-30] [--sasl | --transport plaintext|sasl|both] [--runs N]
 *
 * A year of 1m candles (525,600) through the whole pipeline, started through the queue-manager API:
 * simulator (limits off) → loader → Kafka → sink → SQLite. Prints total wall time, end-to-end
 * candles/s, each stage's own rate, and the peak RSS of queue-manager and of each worker. Then it
 * checks the result: the queue and every target finished, each target counted every candle of the
 * range, and the store holds exactly that many documents; a MISMATCH makes it exit 1.
 * The broker: see bench-transport.ts; over SASL_SSL queue-manager and every worker use it.
 * `--transport both` runs the pipeline over plaintext then SASL_SSL (`--runs N`: N times,
 * alternating, each on a fresh queue-manager and store) and ends with both side by side.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { QueueState } from '@streamforge/schemas';
import { createLogger } from '@streamforge/logging';
import { QueueManagerClient, startLocalPlatform } from '@streamforge/platform';
import { createDocumentStore, storeSettingsSchema } from '@streamforge/storage';
import { expectedMinuteCandles, judge, type BenchCheck } from './bench-checks';
import { benchBroker, parseTransportRuns, TRANSPORT_OPTIONS, range, TRANSPORT_LABEL, type BenchKafkaEnv, type BenchBroker, type Transport } from './bench-transport';

const out = (line: string) => process.stdout.write(`${line}\n`);
const TERMINAL = new Set(['finished', 'error', 'interrupted']);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { range: { type: 'string', default: '2024-01-01:2024-12-30' }, ...TRANSPORT_OPTIONS },
  });
  // Read before anything starts: a bad range is a usage error, not a failed run.
  const expected = expectedMinuteCandles(values.range as string);
  const { transports, runs } = parseTransportRuns(values);
  const broker: BenchBroker = await benchBroker(transports);
  out(`range ${values.range} (1m), broker ${broker.description}`);
  const results: Array<{ transport: Transport; wallSeconds: number; ok: boolean }> = [];
  try {
    for (let run = 1; run <= runs; run++) {
      for (const transport of transports) {
        out(`over ${TRANSPORT_LABEL[transport]} (load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} before the run):`);
        results.push({ transport, ...(await runPipeline(values.range as string, expected, broker.env(transport))) });
      }
    }
  } finally {
    await broker.stop();
  }
  if (transports.length > 1 || runs > 1) {
    out('side by side (total wall time, API start → queue finished; ranges over the runs):');
    const medians: Partial<Record<Transport, number>> = {};
    for (const transport of transports) {
      const walls = results.filter((r) => r.transport === transport).map((r) => r.wallSeconds).sort((a, b) => a - b);
      medians[transport] = walls[Math.floor((walls.length - 1) / 2)];
      out(`  ${TRANSPORT_LABEL[transport].padEnd(10)} ${walls.length} run(s): ${range(walls, 2)} s = ${range(walls.map((w) => Math.round(expected / w)).sort((a, b) => a - b))} candles/s end to end`);
    }
    if (medians.plaintext && medians.sasl) out(`  SASL_SSL / plaintext (median end-to-end candles/s): ${Math.round((medians.plaintext / medians.sasl) * 100)} %`);
  }
  const ok = results.every((r) => r.ok);
  if (!ok) out('bench: a check failed (MISMATCH above): these figures are not valid');
  return ok ? 0 : 1;
}

/** One flow through a fresh queue-manager and store on the given broker; prints its figures and checks. */
async function runPipeline(timeRange: string, expected: number, kafkaEnv: BenchKafkaEnv): Promise<{ wallSeconds: number; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamforge-bench-'));
  out(`  store ${join(dir, 'bench.db')}`);
  const platform = await startLocalPlatform({
    kafkaBootstrapServers: kafkaEnv.KAFKA_BOOTSTRAP_SERVERS,
    simulator: { weightLimit: null },
    port: 0,
    logFile: join(dir, 'platform.log'),
    env: { ...kafkaEnv, STORE: 'sqlite', SQLITE_PATH: join(dir, 'bench.db'), ARANGO_URL: undefined, LOG_LEVEL: 'info' },
  });
  try {
    const client = new QueueManagerClient(platform.apiUrl);
    const startedAt = Date.now();
    const { queue_id: queueId } = await client.startFlow({ flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: timeRange, extra_params: { interval: '1m' } });
    let state: QueueState = await client.getQueue(queueId);
    while (!TERMINAL.has(state.status)) {
      await new Promise((r) => setTimeout(r, 100));
      state = await client.getQueue(queueId);
    }
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const qmRssMb = peakRssMb(platform.queueManager.pid);
    const written = state.targets.find((t) => t.target === 'arango-candles')?.records_written ?? 0;
    out(`queue ${queueId}: ${state.status}`);
    out(`total wall time: ${wallSeconds.toFixed(2)} s (API start → queue ${state.status})`);
    out(`end to end: ${Math.round(written / wallSeconds).toLocaleString('en-US')} candles/s (${written} candles)`);
    // Workers log their peak RSS as they exit, just after their last event: give them a moment.
    await new Promise((r) => setTimeout(r, 2_000));
    const logs = readFileSync(platform.logFile, 'utf8').split('\n');
    for (const target of state.targets) {
      const seconds = target.started_at !== null && target.finished_at !== null ? target.finished_at - target.started_at : NaN;
      out(`  ${target.target.padEnd(18)} ${target.records_written} candles in ${seconds.toFixed(2)} s = ${Math.round(target.records_written / seconds).toLocaleString('en-US')} candles/s (started → finished), peak RSS ${workerRssMb(logs, target.job_name)} MB`);
    }
    out(`  queue-manager      peak RSS ${qmRssMb} MB`);
    const sink = state.targets.find((t) => t.target === 'arango-candles');
    const checks: BenchCheck[] = [
      { what: `queue ${queueId} status`, expected: 'finished', actual: state.status },
      ...state.targets.flatMap((t) => [
        { what: `${t.target} status`, expected: 'finished', actual: t.status },
        { what: `${t.target} records_written`, expected, actual: t.records_written },
      ]),
      { what: `documents stored in ${sink?.collection_name ?? '(no arango-candles target)'}`, expected, actual: sink ? await storedCount(join(dir, 'bench.db'), sink.collection_name) : 'no sink' },
    ];
    const verdict = judge(checks);
    verdict.lines.forEach(out);
    return { wallSeconds, ok: verdict.ok };
  } finally {
    await platform.stop();
  }
}

/** Documents the sink stored, read through the storage port (0 when the collection was never created). */
async function storedCount(sqlitePath: string, collection: string): Promise<number> {
  const store = createDocumentStore(storeSettingsSchema.parse({ STORE: 'sqlite', SQLITE_PATH: sqlitePath }), { logger: createLogger({ service: 'bench', level: 'error' }) });
  try {
    return (await store.collectionExists(collection)) ? await store.count(collection) : 0;
  } finally {
    await store.close();
  }
}

/** VmHWM of a live process (Linux). */
function peakRssMb(pid: number | undefined): string {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return line ? String(Math.round(Number(line.replace(/\D+/g, '')) / 1024)) : '?';
  } catch {
    return '?';
  }
}

/** Workers log their peak RSS (maxRss) when they end; read it from their prefixed log lines. */
function workerRssMb(logs: string[], jobName: string): string {
  for (const line of logs.filter((l) => l.startsWith(`[${jobName}] `)).reverse()) {
    const match = /"max_?[rR]ss_?[mM]b":(\d+)/.exec(line);
    if (match) return match[1];
  }
  return '?';
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.message}\n`);
    process.exit(1);
  },
);
