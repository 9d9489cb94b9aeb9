/**
 * Keeps the topic's copy of one series complete and duplicate-free from stream candles: a closed
 * candle at or before the last published one is dropped, and before publishing anything newer,
 * every candle between the last published one and it is fetched through REST. Any kline event,
 * in progress or not, says all candles before it have closed, so a fresh connection backfills at
 * its first push instead of waiting for a candle to close — but only candles closed `closeGraceMs`
 * before the event (REST may not hold a candle's final values the instant it closes; the stream's
 * own closing event usually comes first). A closed stream candle is never published past a hole:
 * before it, everything up to it is fetched whatever the grace.
 */
import type { Producer } from 'kafkajs';
import { type BinanceKlinesClient, KLINES_MAX_LIMIT, type KlineInterval, closeTime, nextOpenTime, previousOpenTime } from '@streamforge/binance';
import type { Logger } from '@streamforge/logging';
import type { CandleMessage } from '@streamforge/loader';
import { candleSchema, describeIssues } from '@streamforge/schemas';
import type { CandleMessages } from './closed-kline-messages';
import { LiveLoaderError } from './errors';
import type { KlineStreamMessage } from './kline-stream-message';

export interface SeriesFollowerDeps {
  producer: Producer;
  klines: BinanceKlinesClient;
  messages: CandleMessages;
  logger: Logger;
  signal: AbortSignal;
  /** After each acknowledged send: how many candles, the newest open time, and whether they came from the stream. */
  onPublished(count: number, lastOpenTime: number, source: 'stream' | 'backfill', closeTime: number): void;
}

export interface SeriesFollower {
  /** Open time of the newest candle published (or found in the topic); undefined before the first. */
  readonly last: number | undefined;
  handle(message: Extract<KlineStreamMessage, { kind: 'kline' }>): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A follower for `symbol`/`interval` into `topic`, continuing after `last` (if known). */
export function createSeriesFollower(
  config: { symbol: string; interval: KlineInterval; topic: string; last?: number; closeGraceMs: number },
  deps: SeriesFollowerDeps,
): SeriesFollower {
  const { symbol, interval, topic } = config;
  let last = config.last;
  // Newest open time a backfill already asked REST for: an exchange gap is asked for once.
  let backfilledTo = Number.NEGATIVE_INFINITY;

  function check(message: CandleMessage): void {
    const value: unknown = JSON.parse(message.value.toString('utf8'));
    const result = candleSchema.safeParse(value);
    if (!result.success) throw new LiveLoaderError(`refusing to publish an invalid candle to ${topic}: ${describeIssues(result.error, value)}`, false);
  }

  async function send(messages: CandleMessage[]): Promise<void> {
    for (const message of messages) check(message);
    await deps.producer.send({ topic, acks: -1, messages });
  }

  /** Every closed candle with open time in [from, to], oldest first, page by page. */
  async function backfill(from: number, to: number): Promise<void> {
    deps.logger.info({ from: iso(from), to: iso(to) }, 'backfilling through REST the candles the stream did not deliver');
    let start = from;
    while (start <= to) {
      const page = await deps.klines.fetchKlines({ symbol, interval, startTime: start, endTime: to, limit: KLINES_MAX_LIMIT }, deps.signal);
      if (page.count === 0) break;
      const newest = page.openTimes[page.count - 1] as number;
      await send(deps.messages.fromPage(page));
      last = newest;
      deps.onPublished(page.count, newest, 'backfill', page.closeTimes[page.count - 1] as number);
      start = nextOpenTime(interval, newest);
    }
    if (last === undefined || last < to) deps.logger.warn({ from: iso(from), to: iso(to), last: last === undefined ? null : iso(last) }, 'REST has no candles for part of the range (an exchange gap)');
  }

  return {
    get last() {
      return last;
    },
    async handle(message) {
      if (last !== undefined) {
        let to = previousOpenTime(interval, message.openTime);
        if (!message.closed) {
          while (to > last && closeTime(interval, to) + config.closeGraceMs > message.eventTime) to = previousOpenTime(interval, to);
        }
        const from = nextOpenTime(interval, last);
        if (to >= from && (to > backfilledTo || message.closed)) {
          backfilledTo = Math.max(backfilledTo, to);
          await backfill(from, to);
        }
      }
      if (!message.closed) return;
      if (last !== undefined && message.openTime <= last) {
        deps.logger.debug({ openTime: message.openTime, last }, 'closed candle already published; dropped');
        return;
      }
      await send([deps.messages.fromRow(message.row)]);
      last = message.openTime;
      deps.onPublished(1, message.openTime, 'stream', message.closeTime);
    },
  };
}
