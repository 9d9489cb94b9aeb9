/**
 * One live run: topic and resume point, then connection after connection to the kline stream
 * (reconnecting with backoff within the connection-rate limit after every end), each closed
 * candle published once, with REST backfill of whatever a connection missed. Events: started →
 * loading (heartbeat with lag and reconnects) → interrupted on stop | error.
 */
import type { Kafka, Producer } from 'kafkajs';
import { BinanceAbortedError, type BinanceKlinesClient, type KlineInterval, alignOpenTime, nextOpenTime, previousOpenTime } from '@streamforge/binance';
import { ensureTopics, topicPartitions, type TelemetryPublisher } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import { ProgressReporter, findResumePoint } from '@streamforge/loader';
import { candleMessages } from './closed-kline-messages';
import { MalformedStreamMessageError } from './errors';
import { type KlineStreamConnection, type StreamEnd, klineStreamUrl, openKlineStream } from './kline-stream-connection';
import { klineStreamReader } from './kline-stream-message';
import { ReconnectPolicy, type ReconnectPolicyConfig } from './reconnect-policy';
import { createSeriesFollower } from './series-follower';

export interface LiveCandleLoaderConfig {
  symbol: string;
  interval: KlineInterval;
  topic: string;
  partitions: number;
  /** e.g. wss://stream.binance.com:9443 */
  wsBaseUrl: string;
  /** First candle wanted when the topic holds none of the series; undefined = from the first one the stream closes. */
  startFrom?: number;
  silenceTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** A candle is final on REST this long after its close (a backfill triggered by an in-progress push waits for it). */
  closeGraceMs: number;
  reconnect: ReconnectPolicyConfig;
  progressEvery: number;
  progressIntervalMs: number;
}

/** Hooks for the app's Prometheus metrics. */
export interface LiveLoaderMetrics {
  published(count: number, source: 'stream' | 'backfill'): void;
  /** Seconds from a stream candle's close to Kafka's acknowledgement. */
  lagSeconds(seconds: number): void;
  lastOpenTime(openTime: number): void;
  reconnect(reason: StreamEnd['kind']): void;
  malformed(): void;
  ping(): void;
  connected(up: boolean): void;
}

export interface LiveCandleLoaderDeps {
  kafka: Kafka;
  producer: Producer;
  klines: BinanceKlinesClient;
  telemetry: TelemetryPublisher;
  logger: Logger;
  metrics?: LiveLoaderMetrics;
  now?: () => number;
}

export interface LiveOutcome {
  status: 'interrupted' | 'error';
  published: number;
  exitCode: 0 | 1;
}

export interface LiveCandleLoader {
  run(): Promise<LiveOutcome>;
  /** Closes the stream; run() finishes the candle in hand and resolves `interrupted`. */
  stop(reason: string): void;
}

const iso = (ms: number) => new Date(ms).toISOString();

function describeEnd(end: StreamEnd): string {
  switch (end.kind) {
    case 'closed':
      return `closed by the server (${end.code} ${end.detail})`;
    case 'silent':
      return `silent for ${end.silentMs} ms`;
    default:
      return end.detail;
  }
}

/** Builds the live loader of one symbol and interval. */
export function createLiveCandleLoader(config: LiveCandleLoaderConfig, deps: LiveCandleLoaderDeps): LiveCandleLoader {
  const log = deps.logger.child({ component: 'live-loader' });
  const now = deps.now ?? Date.now;
  const stopController = new AbortController();
  const signal = stopController.signal;
  let stopReason = '';
  let connection: KlineStreamConnection | undefined;
  const { symbol, interval, topic } = config;
  const url = klineStreamUrl(config.wsBaseUrl, symbol, interval);
  const stats = { published: 0, reconnects: 0, malformed: 0, lagMs: undefined as number | undefined, lastOpenTime: undefined as number | undefined };

  function loadingEvent(): Promise<unknown> {
    const lag = stats.lagMs === undefined ? '' : `, lag ${stats.lagMs} ms`;
    return deps.telemetry.send('loading', {
      message: `live: ${stats.published} candles published${lag}, ${stats.reconnects} reconnects`,
      records_written: stats.published,
      last_loaded_timestamp: stats.lastOpenTime,
      error_count: stats.malformed,
      live_lag_ms: stats.lagMs,
      reconnects: stats.reconnects,
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async function run(): Promise<LiveOutcome> {
    await deps.telemetry.send('started', { message: `following ${symbol} ${interval} from ${url} into ${topic}` });
    const reporter = new ProgressReporter({ every: config.progressEvery, intervalMs: config.progressIntervalMs }, loadingEvent, (error) => log.warn({ err: error }, 'loading event not sent'));
    try {
      await ensureTopics(deps.kafka, [{ topic, numPartitions: config.partitions }]);
      const partitions = await topicPartitions(deps.kafka, topic);
      const resume = await findResumePoint(deps.kafka, topic, { symbol, interval }, { logger: log });
      const firstWanted = config.startFrom === undefined ? undefined : alignOpenTime(interval, config.startFrom) < config.startFrom ? nextOpenTime(interval, config.startFrom) : config.startFrom;
      const beforeFirst = firstWanted === undefined ? undefined : previousOpenTime(interval, firstWanted);
      const last = resume === undefined ? beforeFirst : beforeFirst === undefined ? resume.openTime : Math.max(resume.openTime, beforeFirst);
      stats.lastOpenTime = resume?.openTime;
      log.info({ url, last: last === undefined ? null : iso(last) }, last === undefined ? 'starting from the first candle the stream closes' : `continuing after ${iso(last)}`);
      if (!signal.aborted) await deps.klines.loadRateLimits(symbol, signal);
      const follower = createSeriesFollower(
        { symbol, interval, topic, last, closeGraceMs: config.closeGraceMs },
        {
          producer: deps.producer,
          klines: deps.klines,
          messages: candleMessages(symbol, interval, partitions.length),
          logger: log,
          signal,
          onPublished(count, openTime, source, closeTime) {
            stats.published += count;
            stats.lastOpenTime = openTime;
            deps.metrics?.published(count, source);
            deps.metrics?.lastOpenTime(openTime);
            if (source === 'stream') {
              stats.lagMs = Math.max(0, now() - (closeTime + 1));
              deps.metrics?.lagSeconds(stats.lagMs / 1000);
            }
            reporter.update({ published: stats.published, lastOpenTime: openTime });
          },
        },
      );
      reporter.start();
      const policy = new ReconnectPolicy(config.reconnect);
      const read = klineStreamReader(symbol, interval);
      let first = true;
      while (!signal.aborted) {
        const delay = policy.nextDelay();
        if (!first) log.info({ delayMs: delay, reconnects: stats.reconnects }, 'reconnecting');
        first = false;
        await sleep(delay);
        if (signal.aborted) break;
        // Messages are handled strictly in arrival order; a failure ends the run (the Job restarts and resumes).
        let chain: Promise<void> = Promise.resolve();
        let failure: unknown;
        const current = openKlineStream(
          { url, silenceTimeoutMs: config.silenceTimeoutMs, handshakeTimeoutMs: config.handshakeTimeoutMs },
          {
            onOpen: () => {
              deps.metrics?.connected(true);
              log.info({ url }, 'stream connected');
            },
            onPing: () => deps.metrics?.ping(),
            onMessage: (data, isBinary) => {
              let message;
              try {
                message = read(data, isBinary);
              } catch (error) {
                if (!(error instanceof MalformedStreamMessageError)) throw error;
                stats.malformed++;
                deps.metrics?.malformed();
                log.warn({ err: error.message, sample: error.sample }, 'malformed stream message skipped');
                return;
              }
              if (message.kind === 'shutdown') {
                log.info({ eventTime: message.eventTime }, 'serverShutdown announced: reconnecting now');
                current.close('serverShutdown announced');
                return;
              }
              policy.succeeded();
              const kline = message;
              chain = chain.then(() => (failure === undefined ? follower.handle(kline) : undefined)).catch((error: unknown) => {
                failure ??= error;
                current.close('publishing failed');
              });
            },
          },
        );
        connection = current;
        const end = await current.ended;
        deps.metrics?.connected(false);
        await chain;
        if (failure !== undefined) throw failure;
        if (signal.aborted) break;
        stats.reconnects++;
        deps.metrics?.reconnect(end.kind);
        log.warn({ reason: end.kind, detail: describeEnd(end), last: follower.last === undefined ? null : iso(follower.last) }, 'stream connection ended');
      }
      await reporter.close();
      const upTo = stats.lastOpenTime === undefined ? '' : `, up to ${iso(stats.lastOpenTime)}`;
      await deps.telemetry.send('interrupted', {
        message: `${stopReason}: published ${stats.published} candles${upTo}, ${stats.reconnects} reconnects`,
        records_written: stats.published,
        last_loaded_timestamp: stats.lastOpenTime,
        error_count: stats.malformed,
        reconnects: stats.reconnects,
      });
      return { status: 'interrupted', published: stats.published, exitCode: 0 };
    } catch (error) {
      await reporter.close();
      if (signal.aborted && error instanceof BinanceAbortedError) {
        await deps.telemetry.send('interrupted', { message: `${stopReason}: published ${stats.published} candles`, records_written: stats.published, last_loaded_timestamp: stats.lastOpenTime });
        return { status: 'interrupted', published: stats.published, exitCode: 0 };
      }
      const message = error instanceof Error ? error.message : String(error);
      log.error({ err: error, published: stats.published }, 'live load failed');
      await deps.telemetry
        .send('error', { message: `live load failed after ${stats.published} candles`, error_message: message, records_written: stats.published, last_loaded_timestamp: stats.lastOpenTime })
        .catch((sendError: unknown) => log.error({ err: sendError }, 'error event not sent'));
      return { status: 'error', published: stats.published, exitCode: 1 };
    }
  }

  return {
    run,
    stop(reason) {
      if (signal.aborted) return;
      stopReason = reason;
      log.info({ reason }, 'stopping: closing the stream after the candle in hand');
      stopController.abort();
      connection?.close(reason);
    },
  };
}
