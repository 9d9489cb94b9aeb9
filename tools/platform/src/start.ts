// `npm start`: the local platform (Kafka, queue-manager with the local launcher, SQLite or ArangoDB)
// and its main job, default_candles_flow, with live progress and a summary; `--live`: a live queue
// with a status line until Ctrl-C.
import { spawnSync } from 'node:child_process';
import { loadConfigOrExit } from '@streamforge/config';
import type { QueueState } from '@streamforge/schemas';
import { createDocumentStore, storeSettingsSchema, type DocumentStore } from '@streamforge/storage';
import { onShutdownSignal } from '@streamforge/worker';
import { join } from 'node:path';
import { runEnvironment, SIMULATOR_SOURCE } from './data-source';
import { formatLiveStatus, noteLiveEvent, type LiveFigures } from './live-status';
import { repoRoot, startLocalPlatform, type LocalPlatform } from './local-platform';
import { platformFlags, platformOptionsSchema, type PlatformOptions } from './platform-options';
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
  const apps = ['queue-manager', 'loader-api-candles', ...(options.live ? ['loader-ws-candles'] : []), 'arango-candles'];
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...apps, '--output-style=static'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout}\n${build.stderr}\nbuild failed\n`);
    return 1;
  }

  print(tag + (options.KAFKA_BOOTSTRAP_SERVERS ? `using Kafka at ${options.KAFKA_BOOTSTRAP_SERVERS}` : 'starting a local Kafka broker…'));
  let stopPlatform: () => Promise<void> = async () => undefined;
  // A live run replaces this: Ctrl-C first stops its queue cleanly.
  let onCtrlC = () => {
    print('\nstopping everything…');
    void stopPlatform().then(() => process.exit(130));
  };
  onShutdownSignal(() => onCtrlC());
  const platform = await startLocalPlatform({
    kafkaBootstrapServers: options.KAFKA_BOOTSTRAP_SERVERS,
    // The simulator's broker keeps its own data dir too: its topics never sit beside real ones.
    kafkaDataDir: options.sim ? join(repoRoot, '.cache', 'kafka', 'platform-data-sim') : undefined,
    // A live simulated run: both simulators on one clock at real speed, from now.
    simulator: options.sim && !options.live ? {} : undefined,
    market: options.sim && options.live ? { clock: { start: Date.now(), speed: 1 } } : undefined,
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
  if (options.live) {
    return followLive(options, { client, platform, store, tag, dataSource, setCtrlC: (handler) => (onCtrlC = handler) });
  }
  const startedAt = Date.now();
  const started = await client.startFlow({ flow_name: 'default_candles_flow', symbol: options.symbol, time_range: options.range, extra_params: { interval: options.interval, replicas: options.replicas, splits: options.splits } });
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

/**
 * `--live`: starts a live queue (history, then the kline stream, one collection), shows one status
 * line (candles stored, lag, reconnects) until Ctrl-C, then stops the queue — its loaders first, the
 * sink storing everything they published — prints the summary and stops the platform.
 */
async function followLive(
  options: PlatformOptions,
  deps: { client: QueueManagerClient; platform: LocalPlatform; store: DocumentStore; tag: string; dataSource: string | undefined; setCtrlC(handler: () => void): void },
): Promise<number> {
  const { client, platform, store, tag } = deps;
  const startedAt = Date.now();
  const started = await client.startQueue({ symbol: options.symbol, type: `api_candles_${options.interval}`, time_range: options.range });
  print(`${tag}started ${started.queue_id}: ${options.symbol} ${options.interval} ${options.range} live — Ctrl-C stops it (everything published is stored first)\n`);
  let state: QueueState | undefined;
  let figures: LiveFigures = {};
  let printedAt = 0;
  // In place on a terminal; elsewhere (a log, a test) a line per second at most.
  const show = () => {
    if (!state) return;
    const line = `${tag}${formatLiveStatus(state, figures)}`;
    if (process.stdout.isTTY) process.stdout.write(`\r\x1b[2K${line}`);
    else if (Date.now() - printedAt >= 1_000) {
      printedAt = Date.now();
      print(line);
    }
  };
  const stopWatching = client.watch(started.queue_id, {
    onState(next) {
      state = next;
      show();
    },
    onEvent(event) {
      figures = noteLiveEvent(figures, event);
      show();
    },
  });
  await new Promise<void>((resolve) => deps.setCtrlC(resolve));
  print(`\n${tag}stopping ${started.queue_id}: its loaders first, then the sink once it stored everything they published…`);
  await client.stopQueue(started.queue_id).catch((error: Error) => print(`${tag}stop failed: ${error.message}`));
  let final = await client.getQueue(started.queue_id);
  for (const deadline = Date.now() + 60_000; !TERMINAL.has(final.status) && Date.now() < deadline; final = await client.getQueue(started.queue_id)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  stopWatching();
  const collection = final.targets.find((t) => t.collection_name)?.collection_name;
  const storedCandles = collection && (await store.collectionExists(collection)) ? await store.count(collection) : 0;
  print();
  for (const line of formatRunSummary({ state: final, storedCandles, elapsedMs: Date.now() - startedAt, storeLocation: store.location, apiUrl: platform.apiUrl, dataSource: deps.dataSource })) print(line);
  await store.close();
  await platform.stop();
  return final.status === 'interrupted' ? 0 : 1;
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
