import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { parseTimeRange } from '@streamforge/schemas';

/** The end-of-stream marker's key (libs/loader): not a candle. */
const EOS_KEY = '__eos__';
const MINUTE_MS = 60_000;

/** 1m candles a TIME_RANGE holds (the simulator has no gaps unless asked for). */
export function expectedMinuteCandles(timeRange: string): number {
  const parsed = parseTimeRange(timeRange);
  if (!parsed.ok) throw new Error(`time range ${JSON.stringify(timeRange)}: ${parsed.reason}`);
  return Math.ceil((parsed.value.untilMs - parsed.value.fromMs) / MINUTE_MS);
}

/** One figure a benchmark must get right for its timing to mean anything; `{ atLeast }` for a count that may be larger. */
export interface BenchCheck {
  what: string;
  expected: number | string | { atLeast: number };
  actual: number | string;
}

const holds = (c: BenchCheck): boolean => (typeof c.expected === 'object' ? typeof c.actual === 'number' && c.actual >= c.expected.atLeast : c.actual === c.expected);

/** `ok`/`MISMATCH` lines for the output, and whether every check held. */
export function judge(checks: BenchCheck[]): { lines: string[]; ok: boolean } {
  const lines = checks.map((c) => {
    const expected = typeof c.expected === 'object' ? `at least ${c.expected.atLeast}` : c.expected;
    return `  check ${holds(c) ? 'ok      ' : 'MISMATCH'} ${c.what}: expected ${expected}, got ${c.actual}`;
  });
  return { lines, ok: checks.every(holds) };
}

/** What a live bench run must show: the worker stopped cleanly, candles arrived, none twice, no hole between them. */
export function liveChecks(run: { exitCode: number | string; candles: number; duplicates: number; holes: number }): BenchCheck[] {
  return [
    { what: 'worker exit code after SIGTERM', expected: 0, actual: run.exitCode },
    { what: 'closed candles read from the data topic', expected: { atLeast: 1 }, actual: run.candles },
    { what: 'candles read twice (same open_time)', expected: 0, actual: run.duplicates },
    { what: 'holes between consecutive candles', expected: 0, actual: run.holes },
  ];
}

export interface TopicReadBack {
  /** Messages that are not end-of-stream markers. */
  candles: number;
  /** Distinct candle keys (symbol_interval_openTime): fewer than `candles` means duplicates. */
  distinctKeys: number;
  markers: number;
}

/**
 * Reads a topic from the beginning to its end offsets (taken first) with a throw-away group and counts
 * what it holds; a topic that does not exist (the loader failed before creating it) holds nothing.
 */
export async function readBackCandles(kafka: Kafka, topic: string, timeoutMs = 300_000): Promise<TopicReadBack> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await (async () => ((await admin.listTopics()).includes(topic) ? admin.fetchTopicOffsets(topic) : []))().finally(() => admin.disconnect());
  const remaining = new Map(ends.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  const result: TopicReadBack = { candles: 0, distinctKeys: 0, markers: 0 };
  if (remaining.size === 0) return result;
  const keys = new Set<string>();
  // A consumer kafkajs restarts (a new broker's coordinator loading) may deliver a batch again.
  const next = new Map<number, bigint>();
  const groupId = `bench-read-back-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxBytes: 64 * 1024 * 1024 });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`read ${result.candles} candles and ${result.markers} markers of ${topic} in ${timeoutMs / 1000} s; partitions not read to the end: ${[...remaining.keys()].join(', ')}`)), timeoutMs);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (end === undefined || offset >= end || offset < (next.get(batch.partition) ?? 0n)) continue;
              next.set(batch.partition, offset + 1n);
              const key = message.key?.toString('latin1') ?? '';
              if (key === EOS_KEY) result.markers += 1;
              else {
                result.candles += 1;
                keys.add(key);
              }
              if (offset + 1n >= end) remaining.delete(batch.partition);
            }
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    const cleanup = kafka.admin();
    await cleanup.connect().then(() => cleanup.deleteGroups([groupId])).catch(() => undefined).finally(() => cleanup.disconnect());
  }
  result.distinctKeys = keys.size;
  return result;
}
