/**
 * One loader run: topic, resume point, Binance limits, the pipeline, EOS markers, and the
 * started → loading → finished | interrupted | error events around them.
 */
import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { BinanceAbortedError, type BinanceKlinesClient, type KlineInterval } from '@streamforge/binance';
import { ensureTopics, topicPartitions, type TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import { EOS_HEADER, EOS_KEY, EOS_SPLIT_HEADER, WHOLE_LOAD, candleSchema, describeIssues, formatLoadSplit, type LoadSplit } from '@streamforge/schemas';
import { type CandleMessage, candleEncoder } from './candle-encoder';
import { LoadFailedError, LoaderError } from './errors';
import { planLoad } from './load-plan';
import { runLoadPipeline } from './load-pipeline';
import { ProgressReporter } from './progress-reporter';
import { findResumePoint } from './resume-point';
import type { TimeRange } from './time-range';

export const COMPRESSIONS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP } as const;
export type CompressionName = keyof typeof COMPRESSIONS;

export interface CandleLoaderConfig {
  symbol: string;
  interval: KlineInterval;
  range: TimeRange;
  /**
   * Which of the queue's loader splits this run is (default 1/1): `range` is then its own sub-range,
   * its end-of-stream markers name the split, and a retry resumes within that sub-range only.
   */
  split?: LoadSplit;
  topic: string;
  /** Partitions of the topic when this run creates it. */
  partitions: number;
  compression: CompressionName;
  batchSize: number;
  batchBytes: number;
  concurrency: number;
  progressEvery: number;
  progressIntervalMs: number;
  /** Margin after a candle's close_time before it is final (clock skew to Binance). */
  closeGraceMs: number;
}

/** Hooks for the app's Prometheus metrics. */
export interface LoaderMetrics {
  published(count: number): void;
  publishSeconds(seconds: number): void;
}

export interface CandleLoaderDeps {
  kafka: Kafka;
  producer: Producer;
  klines: BinanceKlinesClient;
  telemetry: TelemetryPublisher;
  logger: Logger;
  metrics?: LoaderMetrics;
  now?: () => number;
}

export interface LoadOutcome {
  status: 'finished' | 'interrupted' | 'error';
  published: number;
  exitCode: 0 | 1;
}

export interface CandleLoader {
  run(): Promise<LoadOutcome>;
  /** Stops fetching; run() then publishes what was fetched and resolves `interrupted`. */
  stop(reason: string): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Builds a loader for one symbol, interval and range. */
export function createCandleLoader(config: CandleLoaderConfig, deps: CandleLoaderDeps): CandleLoader {
  const split = config.split ?? WHOLE_LOAD;
  const splitText = formatLoadSplit(split);
  const log = deps.logger.child({ component: 'candle-loader', split: splitText });
  // Named in the events of a split load only: an unsplit load's messages stay as they were.
  const ofSplit = split.of > 1 ? ` (split ${splitText})` : '';
  const now = deps.now ?? Date.now;
  const stopController = new AbortController();
  let stopReason = '';
  const { symbol, interval, topic } = config;
  const compression = COMPRESSIONS[config.compression];

  async function send(messages: CandleMessage[]): Promise<void> {
    const started = performance.now();
    await deps.producer.send({ topic, acks: -1, compression, messages });
    deps.metrics?.publishSeconds((performance.now() - started) / 1000);
    deps.metrics?.published(messages.length);
  }

  function check(message: CandleMessage): void {
    const value: unknown = JSON.parse(message.value.toString('utf8'));
    const result = candleSchema.safeParse(value);
    if (!result.success) throw new LoaderError(`refusing to publish an invalid candle to ${topic}: ${describeIssues(result.error, value)}`, false);
  }

  async function writeEndOfStream(partitions: number[], count: number): Promise<void> {
    const value = String(count);
    await deps.producer.send({
      topic,
      acks: -1,
      messages: partitions.map((partition) => ({ partition, key: EOS_KEY, value, headers: { [EOS_HEADER]: value, [EOS_SPLIT_HEADER]: splitText } })),
    });
    log.info({ partitions: partitions.length, count }, `end-of-stream markers of split ${splitText} written`);
  }

  async function run(): Promise<LoadOutcome> {
    const rangeText = `${iso(config.range.from)}..${iso(config.range.to)}`;
    await deps.telemetry.send('started', { message: `loading ${symbol} ${interval} ${rangeText} into ${topic}${ofSplit}` });
    let progress: ProgressReporter | undefined;
    let expected = 0;
    try {
      await ensureTopics(deps.kafka, [{ topic, numPartitions: config.partitions }]);
      const partitions = await topicPartitions(deps.kafka, topic);
      if (partitions.length !== config.partitions) {
        log.warn({ topic, existing: partitions.length, configured: config.partitions }, 'topic already exists with another partition count; using it as it is');
      }
      // Only candles of this range count: others came from another split or another load into the same topic.
      const resumeAfter = (await findResumePoint(deps.kafka, topic, { symbol, interval, range: config.range }, { logger: log }))?.openTime;
      if (!stopController.signal.aborted) await deps.klines.loadRateLimits(symbol, stopController.signal);
      const plan = planLoad(interval, config.range, { now: now(), closeGraceMs: config.closeGraceMs, resumeAfter });
      expected = plan.expected;
      log.info(
        { firstOpen: iso(plan.firstOpen), endOpen: iso(plan.endOpen), expected, windows: plan.windows.length, resumeAfter: resumeAfter === undefined ? null : iso(resumeAfter) },
        resumeAfter === undefined ? 'load planned' : `resuming after ${iso(resumeAfter)}, the newest candle already in the topic`,
      );
      const reporter = new ProgressReporter(
        { every: config.progressEvery, intervalMs: config.progressIntervalMs },
        (p) =>
          deps.telemetry.send('loading', {
            message: `loaded ${p.published} of ${expected} candles`,
            records_written: p.published,
            last_loaded_timestamp: p.lastOpenTime,
            expected_records: expected,
          }),
        (error) => log.warn({ err: error }, 'loading event not sent'),
      );
      progress = reporter;
      reporter.update({ published: 0, lastOpenTime: resumeAfter });
      reporter.start();

      const startedAt = performance.now();
      const cpuBefore = process.cpuUsage();
      const result = await runLoadPipeline(
        { concurrency: config.concurrency, batchSize: config.batchSize, batchBytes: config.batchBytes },
        {
          plan,
          fetchWindow: (w, signal) => deps.klines.fetchKlines({ symbol, interval, startTime: w.startTime, endTime: w.endTime, limit: w.size }, signal),
          encode: candleEncoder(symbol, interval, partitions.length),
          send,
          check,
          onPublished: (published, lastOpenTime) => reporter.update({ published, lastOpenTime }),
          stopSignal: stopController.signal,
        },
      );
      await reporter.close();
      const seconds = (performance.now() - startedAt) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const stats = {
        published: result.published,
        seconds: Number(seconds.toFixed(3)),
        candlesPerSecond: Math.round(result.published / Math.max(seconds, 1e-6)),
        cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)),
        maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      };
      const last = result.lastOpenTime ?? resumeAfter;
      if (result.status === 'interrupted') {
        log.info(stats, 'load interrupted');
        await deps.telemetry.send('interrupted', {
          message: `${stopReason}: published ${result.published} of ${expected} candles${last === undefined ? '' : `, up to ${iso(last)}`}`,
          records_written: result.published,
          last_loaded_timestamp: last,
          expected_records: expected,
        });
        return { status: 'interrupted', published: result.published, exitCode: 0 };
      }
      await writeEndOfStream(partitions, result.published);
      log.info({ ...stats, gaps: result.gaps.length, missing: result.missing }, 'load finished');
      const gapText = result.gaps.length === 0 ? 'no gaps' : `${result.gaps.length} exchange gap(s), ${result.missing} candles missing`;
      await deps.telemetry.send('finished', {
        message: `loaded ${result.published} of ${expected} candles${ofSplit} (${gapText})`,
        records_written: result.published,
        last_loaded_timestamp: last,
        expected_records: expected,
        gaps: result.gaps,
      });
      return { status: 'finished', published: result.published, exitCode: 0 };
    } catch (error) {
      await progress?.close();
      const published = error instanceof LoadFailedError ? error.published : 0;
      const cause = error instanceof LoadFailedError ? error.failure : error;
      if (stopController.signal.aborted && cause instanceof BinanceAbortedError) {
        await deps.telemetry.send('interrupted', { message: `${stopReason}: published ${published} candles`, records_written: published, expected_records: expected });
        return { status: 'interrupted', published, exitCode: 0 };
      }
      const message = cause instanceof Error ? cause.message : String(cause);
      log.error({ err: cause, published }, 'load failed');
      await deps.telemetry
        .send('error', { message: `load failed after ${published} candles`, error_message: message, records_written: published, expected_records: expected })
        .catch((sendError: unknown) => log.error({ err: sendError }, 'error event not sent'));
      return { status: 'error', published, exitCode: 1 };
    }
  }

  return {
    run,
    stop(reason) {
      if (stopController.signal.aborted) return;
      stopReason = reason;
      log.info({ reason }, 'stopping: no new requests, publishing what was fetched');
      stopController.abort();
    },
  };
}
