import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueState } from '@streamforge/schemas';
import { createDocumentStore, storeSettingsSchema } from '@streamforge/storage';
import { createLogger } from '@streamforge/logging';
import type { BinanceSimulator, BinanceSimulatorOptions } from '@streamforge/binance/testing';
import { QueueManagerClient, startLocalPlatform, type LocalPlatform } from '@streamforge/platform';
import { uniqueName } from '@streamforge/kafka/testing';

export const ONE_DAY = '2024-08-01:2024-08-01';
export const CANDLES_IN_ONE_DAY = 1440;

export interface E2eRun {
  platform: LocalPlatform;
  client: QueueManagerClient;
  sqlitePath: string;
  stop(): Promise<void>;
}

/** queue-manager (local launcher, its own SQLite file) + the simulator, on the given broker. */
export async function startE2ePlatform(options: { kafkaBootstrapServers: string; simulator?: BinanceSimulatorOptions; env?: Record<string, string> }): Promise<E2eRun> {
  const dir = mkdtempSync(join(tmpdir(), 'streamforge-e2e-'));
  const sqlitePath = join(dir, 'streamforge.db');
  const platform = await startLocalPlatform({
    kafkaBootstrapServers: options.kafkaBootstrapServers,
    simulator: { ...options.simulator },
    port: 0,
    logFile: join(dir, 'platform.log'),
    env: {
      // Queue topics and queue-manager's group of this run alone: two runs on the shared broker in one group would
      // split queue-events between them, and each would miss the other's half of its queue's events.
      QUEUE_CONTROL_TOPIC: uniqueName('control'), QUEUE_EVENTS_TOPIC: uniqueName('events'), QM_CONSUMER_GROUP: uniqueName('queue-manager'),
      STORE: 'sqlite', SQLITE_PATH: sqlitePath, ARANGO_URL: undefined as unknown as string,
      // Frequent progress so the tests can act "mid-load"; short grace periods keep stops quick.
      PROGRESS_EVERY_RECORDS: '200', LOADER_PROGRESS_EVERY: '200', STOP_GRACE_MS: '5000', STOP_REPEAT_MS: '1000',
      // Small batches on both sides, so a page shows up in the store while the next one is fetched.
      LOADER_BATCH_SIZE: '200', BATCH_SIZE: '100', LINGER_MS: '50',
      // A page the test holds back (simulator.holdKlines) is waited for, not timed out and retried.
      LOADER_REQUEST_TIMEOUT_MS: '300000',
      ...options.env,
    },
  });
  return { platform, client: new QueueManagerClient(platform.apiUrl), sqlitePath, stop: () => platform.stop() };
}

/** Starts default_candles_flow for one day of BTCUSDT 1m candles. */
export async function startCandlesFlow(run: E2eRun, range = ONE_DAY): Promise<string> {
  const started = await run.client.startFlow({ flow_name: 'default_candles_flow', symbol: 'BTCUSDT', time_range: range, extra_params: { interval: '1m' } });
  return started.queue_id;
}

/** Polls the queue until `predicate` holds; fails with the last state and the log tail. */
export async function waitForQueue(run: E2eRun, queueId: string, predicate: (state: QueueState) => boolean, timeoutMs = 60_000): Promise<QueueState> {
  const deadline = Date.now() + timeoutMs;
  let last: QueueState | undefined;
  while (Date.now() < deadline) {
    last = await run.client.getQueue(queueId);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  const logTail = readFileSync(run.platform.logFile, 'utf8').split('\n').slice(-40).join('\n');
  throw new Error(`queue ${queueId} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last)}\nlog tail:\n${logTail}`);
}

/** The simulator the platform started (every e2e run has one). */
export function simulatorOf(run: E2eRun): BinanceSimulator {
  const simulator = run.platform.simulator;
  if (!simulator) throw new Error('this e2e run has no Binance simulator');
  return simulator;
}

/** Polls until `check` holds; fails naming what it waited for. */
export async function waitUntil(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !check(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

export const isTerminal = (state: QueueState) => ['finished', 'error', 'interrupted'].includes(state.status);
export const target = (state: QueueState, name: string) => {
  const found = state.targets.find((t) => t.target === name);
  if (!found) throw new Error(`queue ${state.queue_id} has no target ${name}`);
  return found;
};

/** Documents in the queue's collection, read through the storage port. */
export async function storedCount(run: E2eRun, state: QueueState): Promise<number> {
  const store = createDocumentStore(storeSettingsSchema.parse({ STORE: 'sqlite', SQLITE_PATH: run.sqlitePath }), { logger: createLogger({ service: 'e2e', level: 'error' }) });
  try {
    const collection = target(state, 'arango-candles').collection_name;
    return (await store.collectionExists(collection)) ? await store.count(collection) : 0;
  } finally {
    await store.close();
  }
}

/** Pids of a target's worker processes, from the local launcher's "worker started" log lines. */
export function workerPids(run: E2eRun, jobName: string): number[] {
  return readFileSync(run.platform.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"worker started"') && line.includes(`"job":"${jobName}"`))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
