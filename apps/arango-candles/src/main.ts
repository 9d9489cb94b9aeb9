import { loadConfigOrExit } from '@streamforge/config';
import { createCandleSink, createIndicatorRecompute, createSinkMetrics, type CandleSink } from '@streamforge/candle-sink';
import { describeKafkaError } from '@streamforge/kafka';
import { createMetricsRegistry } from '@streamforge/metrics';
import { createDocumentStore, type DocumentStore } from '@streamforge/storage';
import { listenForStop, onShutdownSignal, startWorkerRuntime, workerRuntimeConfig, type WorkerRuntime } from '@streamforge/worker';
import { arangoCandlesConfigSchema, arangoCandlesFlags, candleSinkConfig, type ArangoCandlesConfig } from './arango-candles-config';
import { tuneGarbageCollector } from './gc-tuning';

async function main(): Promise<void> {
  const config = loadConfigOrExit(arangoCandlesConfigSchema, { flags: arangoCandlesFlags });
  tuneGarbageCollector(config.MEMORY_MODE);
  const registry = createMetricsRegistry();
  // The metrics server answers /health/ready before the sink exists.
  const readiness: { sink?: CandleSink } = {};
  const runtime = await startWorkerRuntime(
    workerRuntimeConfig('arango-candles', config, 'consumer'),
    { registry, isReady: () => readiness.sink?.ready ?? false },
  );
  // SQLite upserts on their own thread: decoding the next fetch and writing this one use two cores.
  // The sink retries store calls itself until STORE_RETRY_TIMEOUT_S: one retry layer, not two nested ones.
  const store = createDocumentStore(config, { logger: runtime.logger.child({ component: 'store' }) }, { sqliteWriteThread: true, arangoRetry: { attempts: 1 } });
  if (config.recomputeIndicators || config.KAFKA_TOPIC === undefined) return recompute(config, runtime, store);
  const candleSink = createCandleSink(candleSinkConfig({ ...config, KAFKA_TOPIC: config.KAFKA_TOPIC }), {
    kafka: runtime.kafka, producer: runtime.producer, store, telemetry: runtime.telemetry, logger: runtime.logger, metrics: createSinkMetrics(registry),
  });
  readiness.sink = candleSink;

  onShutdownSignal((signal) => candleSink.stop(`stopped by ${signal}`));
  // Beside the run, never rejecting: SIGTERM (the launcher's kill after its grace) and the
  // end-of-stream markers still end the sink if the listener fails.
  const listening = listenForStop(runtime, (reason) => candleSink.stop(reason), 'stop commands will not reach this sink; SIGTERM and the end-of-stream markers still end it');
  const outcome = await candleSink.run();
  await listening;
  await store.close();
  await runtime.close();
  const usage = process.resourceUsage();
  runtime.logger.info(
    { status: outcome.status, records_written: outcome.recordsWritten, cpu_seconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, max_rss_mb: Math.round(usage.maxRSS / 1024) },
    'arango-candles exiting',
  );
  // The Job's retry picks up an error run: uncommitted candles are read again.
  process.exit(outcome.status === 'error' ? 1 : 0);
}

/** `--recompute-indicators`: the indicator pass over the stored collection, as a worker with its events. */
async function recompute(config: ArangoCandlesConfig, runtime: WorkerRuntime, store: DocumentStore): Promise<void> {
  const { storeRetry, progress, indicators, collection } = candleSinkConfig({ ...config, KAFKA_TOPIC: 'unused' });
  const job = createIndicatorRecompute({ collection, indicators, storeRetry, progress }, { store, telemetry: runtime.telemetry, logger: runtime.logger });
  onShutdownSignal((signal) => job.stop(`stopped by ${signal}`));
  const listening = listenForStop(runtime, (reason) => job.stop(reason), 'stop commands will not reach this run; SIGTERM still ends it');
  const outcome = await job.run();
  await listening;
  await store.close();
  await runtime.close();
  runtime.logger.info({ status: outcome.status, documents: outcome.recordsWritten }, 'arango-candles exiting');
  process.exit(outcome.status === 'error' ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`arango-candles failed: ${describeKafkaError(error)}\n`);
  process.exit(1);
});
