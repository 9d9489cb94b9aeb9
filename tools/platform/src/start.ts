// `npm start`: the local platform (Kafka, queue-manager with the local launcher, SQLite or ArangoDB)
// and its main job, default_candles_flow, with live progress and a summary.
import { spawnSync } from 'node:child_process';
import { loadConfigOrExit } from '@streamforge/config';
import type { QueueState } from '@streamforge/schemas';
import { createDocumentStore, storeSettingsSchema } from '@streamforge/storage';
import { onShutdownSignal } from '@streamforge/worker';
import { repoRoot, startLocalPlatform, type LocalPlatform } from './local-platform';
import { platformFlags, platformOptionsSchema } from './platform-options';
import { ProgressView } from './progress-view';
import { QueueManagerClient } from './queue-manager-client';
import { formatRunSummary } from './run-summary';

const TERMINAL = new Set(['finished', 'error', 'interrupted']);
const print = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const options = loadConfigOrExit(platformOptionsSchema, { flags: platformFlags });
  const storeConfig = loadConfigOrExit(storeSettingsSchema);

  print('building bundles (nx, cached after the first run)…');
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', 'queue-manager', 'loader-api-candles', 'arango-candles', '--output-style=static'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout}\n${build.stderr}\nbuild failed\n`);
    return 1;
  }

  print(options.KAFKA_BOOTSTRAP_SERVERS ? `using Kafka at ${options.KAFKA_BOOTSTRAP_SERVERS}` : 'starting a local Kafka broker…');
  let platform: LocalPlatform | undefined;
  onShutdownSignal(() => {
    print('\nstopping everything…');
    void (platform?.stop() ?? Promise.resolve()).then(() => process.exit(130));
  });
  platform = await startLocalPlatform({
    kafkaBootstrapServers: options.KAFKA_BOOTSTRAP_SERVERS,
    simulator: options.sim ? {} : undefined,
    port: options.port,
  });
  print(`Kafka:          ${platform.kafkaBootstrapServers}`);
  print(`Binance:        ${platform.simulator ? `simulator at ${platform.simulator.url}` : (process.env.BINANCE_BASE_URL ?? 'https://api.binance.com (real public API)')}`);
  print(`queue-manager:  ${platform.apiUrl}  (docs ${platform.apiUrl}/docs)`);
  print(`logs:           ${platform.logFile}`);

  const client = new QueueManagerClient(platform.apiUrl);
  const startedAt = Date.now();
  const started = await client.startFlow({ flow_name: 'default_candles_flow', symbol: options.symbol, time_range: options.range, extra_params: { interval: options.interval } });
  print(`started ${started.queue_id}: ${options.symbol} ${options.interval} ${options.range}\n`);

  const view = new ProgressView();
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

  const store = createDocumentStore(storeConfig);
  const collection = final.targets.find((t) => t.collection_name)?.collection_name;
  const storedCandles = collection && (await store.collectionExists(collection)) ? await store.count(collection) : 0;
  print();
  for (const line of formatRunSummary({ state: final, storedCandles, elapsedMs: Date.now() - startedAt, storeLocation: store.location, apiUrl: platform.apiUrl })) print(line);
  await store.close();

  const code = final.status === 'finished' ? 0 : 1;
  if (options.exit) {
    await platform.stop();
    return code;
  }
  print('\nthe platform keeps running: Ctrl-C stops every process it started');
  return new Promise<number>(() => undefined);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`npm start failed: ${error.message}\n`);
    process.exit(1);
  },
);
