import { loadConfigOrExit } from '@streamforge/config';
import { WeightBudget, BINANCE_DEFAULT_LIMITS, createBinanceKlinesClient } from '@streamforge/binance';
import { describeKafkaError } from '@streamforge/kafka';
import { createLiveCandleLoader } from '@streamforge/live-loader';
import { createMetricsRegistry } from '@streamforge/metrics';
import { onShutdownSignal, startWorkerRuntime, workerRuntimeConfig } from '@streamforge/worker';
import { liveConfigSchema, liveFlags } from './live-config';
import { createLiveMetrics } from './live-metrics';

async function main(): Promise<void> {
  const config = loadConfigOrExit(liveConfigSchema, { flags: liveFlags });
  const registry = createMetricsRegistry();
  const metrics = createLiveMetrics(registry);
  // Ready while a stream connection is open: a long outage shows on the readiness probe.
  const runtime = await startWorkerRuntime(workerRuntimeConfig('loader-ws-candles', config, 'producer'), { registry, isReady: metrics.isConnected });
  const { logger } = runtime;
  const binanceLogger = logger.child({ component: 'binance' });
  // A gap fill that waits for the weight budget says so once per pause (as loader-api-candles does).
  const budget = new WeightBudget({ ...BINANCE_DEFAULT_LIMITS, share: config.LOADER_WEIGHT_SHARE }, { logger: binanceLogger });
  const klines = createBinanceKlinesClient(
    {
      baseUrl: config.BINANCE_BASE_URL, apiKey: config.BINANCE_API_KEY, requestTimeoutMs: config.LOADER_REQUEST_TIMEOUT_MS, maxSockets: 2,
      retry: { maxAttempts: config.LOADER_MAX_ATTEMPTS, baseDelayMs: config.LOADER_RETRY_BASE_MS, maxDelayMs: 30_000, maxRateLimitWaits: 10 },
    },
    { budget, logger: binanceLogger, observer: metrics.binance },
  );
  const loader = createLiveCandleLoader(
    {
      symbol: config.SYMBOL, interval: config.interval, topic: config.KAFKA_TOPIC, partitions: config.LOADER_PARTITIONS, wsBaseUrl: config.BINANCE_WS_BASE_URL,
      startFrom: config.TIME_RANGE, silenceTimeoutMs: config.LIVE_SILENCE_TIMEOUT_MS, handshakeTimeoutMs: config.LIVE_HANDSHAKE_TIMEOUT_MS, closeGraceMs: config.LOADER_CLOSE_GRACE_MS,
      reconnect: { baseDelayMs: config.LIVE_RECONNECT_BASE_MS, maxDelayMs: config.LIVE_RECONNECT_MAX_MS, maxAttempts: config.LIVE_MAX_CONNECTS_PER_5MIN, windowMs: 300_000 },
      progressEvery: config.LOADER_PROGRESS_EVERY, progressIntervalMs: config.LOADER_PROGRESS_INTERVAL_S * 1000,
    },
    { kafka: runtime.kafka, producer: runtime.producer, klines, telemetry: runtime.telemetry, logger, metrics: metrics.live },
  );

  onShutdownSignal((signal) => loader.stop(`stopped by ${signal}`));
  await runtime.listen((command) => {
    if (command.command === 'stop') loader.stop('stopped by command');
  });
  const outcome = await loader.run();
  klines.close();
  await runtime.close();
  logger.info({ status: outcome.status, published: outcome.published, exitCode: outcome.exitCode }, 'loader-ws-candles exiting');
  process.exit(outcome.exitCode);
}

main().catch((error) => {
  process.stderr.write(`loader-ws-candles failed: ${describeKafkaError(error)}\n`);
  process.exit(1);
});
