import { loadConfigOrExit } from '@streamforge/config';
import { WeightBudget, BINANCE_DEFAULT_LIMITS, createBinanceKlinesClient } from '@streamforge/binance';
import { describeKafkaError } from '@streamforge/kafka';
import { createCandleLoader } from '@streamforge/loader';
import { createMetricsRegistry } from '@streamforge/metrics';
import { onShutdownSignal, startWorkerRuntime, workerRuntimeConfig } from '@streamforge/worker';
import { loaderConfigSchema, loaderFlags } from './loader-config';
import { createLoaderMetrics } from './loader-metrics';

async function main(): Promise<void> {
  const config = loadConfigOrExit(loaderConfigSchema, { flags: loaderFlags });
  const registry = createMetricsRegistry();
  const metrics = createLoaderMetrics(registry);
  const runtime = await startWorkerRuntime(
    workerRuntimeConfig('loader-api-candles', config, 'producer'),
    { registry },
  );
  const { logger } = runtime;
  const binanceLogger = logger.child({ component: 'binance' });
  const budget = new WeightBudget({ ...BINANCE_DEFAULT_LIMITS, share: config.LOADER_WEIGHT_SHARE }, { logger: binanceLogger });
  const klines = createBinanceKlinesClient(
    {
      baseUrl: config.BINANCE_BASE_URL, apiKey: config.BINANCE_API_KEY, requestTimeoutMs: config.LOADER_REQUEST_TIMEOUT_MS, maxSockets: config.LOADER_CONCURRENCY,
      retry: { maxAttempts: config.LOADER_MAX_ATTEMPTS, baseDelayMs: config.LOADER_RETRY_BASE_MS, maxDelayMs: 30_000, maxRateLimitWaits: 10 },
    },
    { budget, logger: binanceLogger, observer: metrics.binance },
  );
  const loader = createCandleLoader(
    {
      symbol: config.SYMBOL, interval: config.interval, range: config.TIME_RANGE, split: config.LOAD_SPLIT, topic: config.KAFKA_TOPIC, partitions: config.LOADER_PARTITIONS,
      compression: config.LOADER_COMPRESSION, batchSize: config.LOADER_BATCH_SIZE, batchBytes: config.LOADER_BATCH_BYTES, concurrency: config.LOADER_CONCURRENCY,
      progressEvery: config.LOADER_PROGRESS_EVERY, progressIntervalMs: config.LOADER_PROGRESS_INTERVAL_S * 1000, closeGraceMs: config.LOADER_CLOSE_GRACE_MS,
    },
    { kafka: runtime.kafka, producer: runtime.producer, klines, telemetry: runtime.telemetry, logger, metrics: metrics.loader },
  );

  onShutdownSignal((signal) => loader.stop(`stopped by ${signal}`));
  await runtime.listen((command) => {
    if (command.command === 'stop') loader.stop('stopped by command');
  });
  const outcome = await loader.run();
  klines.close();
  await runtime.close();
  logger.info({ status: outcome.status, published: outcome.published, exitCode: outcome.exitCode }, 'loader-api-candles exiting');
  process.exit(outcome.exitCode);
}

main().catch((error) => {
  process.stderr.write(`loader-api-candles failed: ${describeKafkaError(error)}\n`);
  process.exit(1);
});
