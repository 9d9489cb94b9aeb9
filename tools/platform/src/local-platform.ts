import { mkdirSync, createWriteStream, type WriteStream } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { findRepoRoot, getFreePorts, startKafkaBroker, type RunningKafkaBroker } from '@streamforge/local-kafka';
import { startBinanceMarket, startBinanceSimulator, type BinanceMarket, type BinanceMarketOptions, type BinanceSimulator, type BinanceSimulatorOptions } from '@streamforge/binance/testing';

const repoRoot = findRepoRoot(__dirname);

export interface LocalPlatformOptions {
  /** An existing broker; otherwise one is started (and stopped with the platform). */
  kafkaBootstrapServers?: string;
  /** Kafka data directory kept between runs (default .cache/kafka/platform-data). */
  kafkaDataDir?: string;
  /** Start the bundled Binance simulator with these options (omit to use BINANCE_BASE_URL or the real API). */
  simulator?: BinanceSimulatorOptions;
  /** Start both simulators (REST and kline WebSocket) on one clock instead, for live queues. */
  market?: BinanceMarketOptions;
  binanceBaseUrl?: string;
  /** queue-manager port (0 = any free port). */
  port: number;
  /** Extra environment for queue-manager (and, through the local launcher, its workers). */
  env?: Record<string, string | undefined>;
  /** Where queue-manager's and the workers' JSON logs go (default data/logs/platform-<time>.log). */
  logFile?: string;
}

export interface LocalPlatform {
  apiUrl: string;
  kafkaBootstrapServers: string;
  broker?: RunningKafkaBroker;
  simulator?: BinanceSimulator;
  /** The kline WebSocket simulator's URL, when `market` was asked for. */
  wsSimulatorUrl?: string;
  logFile: string;
  queueManager: ChildProcess;
  /**
   * Restarts queue-manager on the same port and store (its state must survive). SIGKILL stands for
   * a crashed pod: local workers are left running, as Jobs in a cluster would be.
   */
  restartQueueManager(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Stops queue-manager (which stops its workers), the simulator and the broker it started; safe twice. */
  stop(): Promise<void>;
}

/** Brings up Kafka (unless given), the simulator (if asked) and queue-manager with the local launcher. */
export async function startLocalPlatform(options: LocalPlatformOptions): Promise<LocalPlatform> {
  const logFile = options.logFile ?? join(repoRoot, 'data', 'logs', `platform-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });

  const broker = options.kafkaBootstrapServers
    ? undefined
    : await startKafkaBroker({ dataDir: options.kafkaDataDir ?? join(repoRoot, '.cache', 'kafka', 'platform-data') });
  const kafkaBootstrapServers = options.kafkaBootstrapServers ?? (broker as RunningKafkaBroker).bootstrapServers;
  const market: BinanceMarket | undefined = options.market ? await startBinanceMarket(options.market) : undefined;
  const simulator = market?.rest ?? (options.simulator ? await startBinanceSimulator(options.simulator) : undefined);
  const port = options.port === 0 ? (await getFreePorts(1))[0] : options.port;

  const env: Record<string, string | undefined> = {
    ...process.env,
    ...options.env,
    KAFKA_BOOTSTRAP_SERVERS: kafkaBootstrapServers,
    PORT: String(port),
    LAUNCHER: 'local',
    BINANCE_BASE_URL: simulator?.url ?? options.binanceBaseUrl ?? process.env.BINANCE_BASE_URL,
    ...(market ? { BINANCE_WS_BASE_URL: market.ws.url } : {}),
  };
  let queueManager = spawnQueueManager(env, log);
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(apiUrl, queueManager, logFile);

  let stopping: Promise<void> | undefined;
  const platform: LocalPlatform = {
    apiUrl, kafkaBootstrapServers, broker, simulator, wsSimulatorUrl: market?.ws.url, logFile, queueManager,
    async restartQueueManager(signal = 'SIGTERM') {
      await terminate(queueManager, signal);
      queueManager = spawnQueueManager(env, log);
      platform.queueManager = queueManager;
      await waitUntilReady(apiUrl, queueManager, logFile);
    },
    stop() {
      stopping ??= (async () => {
        await terminate(queueManager);
        await (market ?? simulator)?.close();
        await broker?.stop();
        await new Promise<void>((done) => log.end(done));
      })();
      return stopping;
    },
  };
  return platform;
}

function spawnQueueManager(env: Record<string, string | undefined>, log: WriteStream): ChildProcess {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'apps', 'queue-manager', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

async function waitUntilReady(apiUrl: string, child: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`queue-manager exited with code ${child.exitCode} before it was ready; see ${logFile}`);
    const ready = await fetch(`${apiUrl}/health/ready`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`queue-manager not ready at ${apiUrl} after ${timeoutMs} ms; see ${logFile}`);
}

/** SIGTERM (queue-manager then stops its workers), SIGKILL after 20 s. */
async function terminate(child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export { repoRoot };
