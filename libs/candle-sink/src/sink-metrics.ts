import { Counter, Gauge, Histogram, type Registry } from '@streamforge/metrics';

/** The sink's Prometheus metrics (prefix `streamforge_arango_candles_`). */
export function createSinkMetrics(registry: Registry) {
  const prefix = 'streamforge_arango_candles';
  const registers = [registry];
  return {
    recordsWritten: new Counter({ name: `${prefix}_records_written_total`, help: 'candles written to the store (a redelivered candle counts again; the store keeps one)', registers }),
    batches: new Counter({ name: `${prefix}_batches_total`, help: 'batches written to the store', registers }),
    batchSize: new Histogram({
      name: `${prefix}_batch_size_candles`, help: 'candles per store write', registers,
      buckets: [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000],
    }),
    writeDuration: new Histogram({
      name: `${prefix}_write_duration_seconds`, help: 'time to write one batch, retries included', registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    storeRetries: new Counter({ name: `${prefix}_store_retries_total`, help: 'failed store writes that were retried', registers }),
    deadLettered: new Counter({ name: `${prefix}_dead_lettered_total`, help: 'messages sent to the dead-letter topic, by kind', labelNames: ['kind'], registers }),
    endOfStreamMarkers: new Counter({ name: `${prefix}_eos_markers_total`, help: 'end-of-stream markers read', registers }),
    consumerLag: new Gauge({ name: `${prefix}_consumer_lag_messages`, help: 'messages in the partition after the last one processed', labelNames: ['partition'], registers }),
    liveLag: new Histogram({
      name: `${prefix}_live_lag_seconds`, help: 'live loads: from a candle\'s close to its write, for each newer candle stored', registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    }),
    committedOffset: new Gauge({ name: `${prefix}_committed_offset`, help: 'last offset committed, by partition', labelNames: ['partition'], registers }),
  };
}

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;
