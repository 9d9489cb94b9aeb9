/**
 * Finds the newest candle of a series (within a range) already in the data topic, so a retried Job
 * continues after it instead of downloading the range again.
 *
 * Each partition is read backwards in growing chunks from its end until a candle of the series in
 * the range shows up (EOS markers, other series and candles outside the range are skipped: loader
 * splits of one queue interleave their sub-ranges on the same partitions, and a restarted split must
 * find its own newest candle, not its neighbour's). With several partitions the answer is the
 * OLDEST of the per-partition newest candles: a send that failed half-way can leave one partition
 * behind the others, and resuming from the newest would leave a hole there. Re-sending a few
 * candles is harmless (the sink upserts by _key); a hole is not.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '@streamforge/logging';
import { ResumePointError } from './errors';
import type { TimeRange } from './time-range';

export interface ResumePoint {
  openTime: number;
  /** Newest candle per partition that holds one. */
  partitions: Array<{ partition: number; openTime: number; offset: string }>;
}

interface Range {
  partition: number;
  low: number;
  start: number;
  end: number;
}

const FIRST_CHUNK = 64;

/** Reads offset ranges of several partitions with one throw-away consumer group. */
async function readRanges(
  kafka: Kafka,
  topic: string,
  ranges: Range[],
  onMessage: (partition: number, key: string | null, offset: string) => void,
  timeoutMs: number,
): Promise<void> {
  const groupId = `loader-resume-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const pending = new Map(ranges.map((r) => [r.partition, r]));
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < range.start || offset >= range.end) continue;
          onMessage(batch.partition, message.key?.toString('utf8') ?? null, message.offset);
        }
        if (batch.messages.length > 0 && Number(batch.lastOffset()) >= range.end - 1) {
          pending.delete(batch.partition);
          if (pending.size === 0) finish();
        }
      },
    });
    for (const r of ranges) consumer.seek({ topic, partition: r.partition, offset: String(r.start) });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ResumePointError(topic, `partitions ${[...pending.keys()].join(',')} not read within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    const admin = kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => admin.disconnect());
  }
}

/**
 * Newest candle whose key is `<SYMBOL>_<interval>_<open_time>` with open_time in `series.range`
 * (any open_time without one), or undefined when the topic has none.
 */
export async function findResumePoint(
  kafka: Kafka,
  topic: string,
  series: { symbol: string; interval: string; range?: TimeRange },
  deps: { logger: Logger; timeoutMs?: number },
): Promise<ResumePoint | undefined> {
  const prefix = `${series.symbol}_${series.interval}_`;
  const { range } = series;
  const admin = kafka.admin();
  let offsets: Array<{ partition: number; low: string; high: string }>;
  await admin.connect();
  try {
    offsets = await admin.fetchTopicOffsets(topic);
  } catch (error) {
    throw new ResumePointError(topic, 'cannot fetch partition offsets', error);
  } finally {
    await admin.disconnect();
  }
  const found = new Map<number, { openTime: number; offset: string }>();
  let todo: Range[] = offsets
    .map((o) => ({ partition: o.partition, low: Number(o.low), start: Number(o.high), end: Number(o.high) }))
    .filter((r) => r.end > r.low);
  let chunk = FIRST_CHUNK;
  while (todo.length > 0) {
    const ranges = todo.map((r) => ({ ...r, end: r.start, start: Math.max(r.low, r.start - chunk) }));
    await readRanges(
      kafka,
      topic,
      ranges,
      (partition, key, offset) => {
        if (!key?.startsWith(prefix)) return;
        const openTime = Number(key.slice(prefix.length));
        if (!Number.isSafeInteger(openTime) || (range && (openTime < range.from || openTime >= range.to))) return;
        const best = found.get(partition);
        if (!best || openTime > best.openTime) found.set(partition, { openTime, offset });
      },
      deps.timeoutMs ?? 30_000,
    );
    todo = ranges.filter((r) => !found.has(r.partition) && r.start > r.low);
    chunk *= 8;
  }
  if (found.size === 0) return undefined;
  const partitions = [...found].map(([partition, f]) => ({ partition, ...f })).sort((a, b) => a.partition - b.partition);
  const openTime = Math.min(...partitions.map((p) => p.openTime));
  deps.logger.info({ topic, openTime, partitions }, range ? 'newest candle of the range already in the topic' : 'newest candle already in the topic');
  return { openTime, partitions };
}
