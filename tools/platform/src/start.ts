// `npm start`: the local platform (Kafka, queue-manager with the local launcher, SQLite or ArangoDB)
// and its main job, default_candles_flow, with live progress and a summary.
import { spawnSync } from 'node:child_process';
import { loadConfigOrExit } from '@streamforge/config';
import type { QueueState } from '@streamforge/schemas';
import { createDocumentStore, storeSettingsSchema, type DocumentStore } from '@streamforge/storage';
import { onShutdownSignal } from '@streamforge/worker';
import { join } from 'node:path';
import { runEnvironment, SIMULATOR_SOURCE } from './data-source';
import { repoRoot, startLocalPlatform } from './local-platform';
import { platformFlags, platformOptionsSchema } from './platform-options';
import { ProgressView } from './progress-view';
import { QueueManagerClient } from './queue-manager-client';
import { formatRunSummary } from './run-summary';

const TERMINAL = new Set(['finished', 'error', 'interrupted']);
const print = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = loadConfigOrExit(platformOptionsSchema, { flags: platformFlags });
  const runEnv = runEnvironment(options.sim, process.env);
  const storeConfig = loadConfigOrExit(storeSettingsSchema, { env: { ...process.env, ...runEnv } });
  const dataSource = runEnv.DATA_SOURCE;
  const tag = dataSource === SIMULATOR_SOURCE ? '[simulator] ' : '';

  print(`${tag}building bundles (nx, cached after the first run)…`);
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'queue-manager', 'loader-api-candles', 'arango-candles', '--output-style=static'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout}\n${build.stderr}\nbuild failed\n`);
    return 1;
  }

  print(tag + (options.KAFKA_BOOTSTRAP_SERVERS ? `using Kafka at ${options.KAFKA_BOOTSTRAP_SERVERS}` : 'starting a local Kafka broker…'));
  let stopPlatform: () => Promise<void> = async () => undefined;
  onShutdownSignal(() => {
    print('\nstopping everything…');
    void stopPlatform().then(() => process.exit(130));
  });
  const platform = await startLocalPlatform({
    kafkaBootstrapServers: options.KAFKA_BOOTSTRAP_SERVERS,
    // The simulator's broker keeps its own data dir too: its topics never sit beside real ones.
    kafkaDataDir: options.sim ? join(repoRoot, '.cache', 'kafka', 'platform-data-sim') : undefined,
    simulator: options.sim ? {} : undefined,
    port: options.port,
    env: runEnv,
  });
  stopPlatform = () => platform.stop();
  if (tag) print(`${tag}SIMULATED RUN: candles come from the bundled simulator, not the market; stored apart from real data`);
  print(`${tag}Kafka:          ${platform.kafkaBootstrapServers}`);
  print(`${tag}Binance:        ${platform.simulator ? `simulator at ${platform.simulator.url}` : (process.env.BINANCE_BASE_URL ?? 'https://api.binance.com (real public API)')}`);
  print(`${tag}queue-manager:  ${platform.apiUrl}  (docs ${platform.apiUrl}/docs)`);
  const store = createDocumentStore(storeConfig);
  print(`${tag}store:          ${store.location}`);
  print(`${tag}logs:           ${platform.logFile}`);

  const client = new QueueManagerClient(platform.apiUrl);
  const startedAt = Date.now();
  const started = await client.startFlow({ flow_name: 'default_candles_flow', symbol: options.symbol, time_range: options.range, extra_params: { interval: options.interval } });
  const storedBefore = await storedCounts(client, started.queue_id, store);
  print(`${tag}started ${started.queue_id}: ${options.symbol} ${options.interval} ${options.range}\n`);

  const view = new ProgressView({ storedBefore });
  const final = await new Promise<QueueState>((resolve) => {
    const stopWatching = client.watch(started.queue_id, {
      onState(state) {
        view.update(state);
        if (TERMINAL.has(state.status)) {
          stopWatching();
          resolve(state);
        }
      },
    });
  });
  view.stop();

  const collection = final.targets.find((t) => t.collection_name)?.collection_name;
  const storedCandles = collection && (await store.collectionExists(collection)) ? await store.count(collection) : 0;
  print();
  for (const line of formatRunSummary({ state: final, storedCandles, elapsedMs: Date.now() - startedAt, storeLocation: store.location, apiUrl: platform.apiUrl, dataSource })) print(line);
  await store.close();

  const code = final.status === 'finished' ? 0 : 1;
  if (options.exit) {
    await platform.stop();
    return code;
  }
  print('\nthe platform keeps running: Ctrl-C stops every process it started');
  return new Promise<number>(() => undefined);
}

/** Documents each of the queue's collections held as the flow started (the sink bar's "already stored"). */
async function storedCounts(client: QueueManagerClient, queueId: string, store: DocumentStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const name of new Set((await client.getQueue(queueId)).targets.map((t) => t.collection_name).filter(Boolean))) {
    counts.set(name, (await store.collectionExists(name)) ? await store.count(name) : 0);
  }
  return counts;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`npm start failed: ${error.message}\n`);
    process.exit(1);
  },
);
