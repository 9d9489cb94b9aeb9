import type { Gap, QueueState, QueueStatus, TargetState } from '@streamforge/schemas';

export interface TargetProgress {
  written: number;
  expected: number | null;
  /** 0-100, null while no one has said how many records to expect. */
  percent: number | null;
  /** The target whose expected_records this bar borrowed, when the target reports none itself. */
  expectedFrom: string | null;
}

/**
 * written / expected, capped at 100 (a re-delivered batch may count twice in a worker's tally).
 * A target that reports no expected_records (the sink learns the count only from the loader's
 * end-of-stream markers) is measured against a sibling of the same type that does (the loader),
 * since the sink should end up storing what the range holds.
 */
export function targetProgress(target: TargetState, siblings: readonly TargetState[] = []): TargetProgress {
  let expected = target.expected_records;
  let expectedFrom: string | null = null;
  if (expected === null) {
    const source = siblings.find((other) => other !== target && other.type === target.type && other.expected_records !== null);
    if (source) {
      expected = source.expected_records;
      expectedFrom = source.target;
    }
  }
  const written = target.records_written;
  if (expected === null) return { written, expected, percent: null, expectedFrom };
  if (expected === 0) return { written, expected, percent: target.status === 'finished' ? 100 : 0, expectedFrom };
  return { written, expected, percent: Math.min(100, Math.floor((written / expected) * 1000) / 10), expectedFrom };
}

/** One line of a queue's targets: a target, or one instance of it (`k/n`) shown under it. */
export interface TargetLine {
  line: TargetState;
  /** `k/n` for an instance line; null for the target's own line. */
  instance: string | null;
}

/**
 * A target's line, then one line per instance (sink replica, loader split) when it runs as several.
 * An instance line is read like a target of its own: its status, counts, telemetry id and Job.
 */
export function targetLines(target: TargetState): TargetLine[] {
  const instances = (target.instances ?? []).map((instance): TargetLine => {
    const { telemetry_id, job_name, status, message, records_written, expected_records, last_loaded_timestamp, error_message, error_count, started_at, finished_at, last_event_at } = instance;
    const own = { telemetry_id, job_name, status, message, records_written, expected_records, last_loaded_timestamp, error_message, error_count, started_at, finished_at, last_event_at };
    return { line: { ...target, ...own, gaps: [], instances: undefined, live_lag_ms: undefined, reconnects: undefined }, instance: instance.instance };
  });
  return [{ line: target, instance: null }, ...instances];
}

/** Average records per second since the target started, up to its newest event. */
export function targetRate(target: TargetState): number | null {
  if (target.started_at === null || target.last_event_at === null) return null;
  const seconds = target.last_event_at - target.started_at;
  if (seconds <= 0 || target.records_written === 0) return null;
  return target.records_written / seconds;
}

const ACTIVE: ReadonlySet<QueueStatus> = new Set(['pending', 'started', 'loading', 'stopping']);

/** A queue that still has workers to stop. */
export function isActive(status: QueueStatus): boolean {
  return ACTIVE.has(status);
}

export function queueErrorCount(queue: QueueState): number {
  return queue.targets.reduce((sum, target) => sum + target.error_count, 0);
}

/** The gaps every target reported, each span once, by open time. */
export function queueGaps(queue: QueueState): Gap[] {
  const seen = new Map<string, Gap>();
  for (const target of queue.targets) for (const gap of target.gaps) seen.set(`${gap.from}-${gap.to}`, gap);
  return [...seen.values()].sort((a, b) => a.from - b.from);
}

/** The collections of a queue's candle targets (what its chart can show). */
export function candleCollections(queue: QueueState): string[] {
  return [...new Set(queue.targets.filter((target) => target.type.includes('candles')).map((target) => target.collection_name))];
}

/** A live worker's figures for its progress line: `lag 85 ms · 2 reconnects`; empty for a batch worker. */
export function formatLiveFigures(target: TargetState): string {
  const parts: string[] = [];
  if (target.live_lag_ms !== undefined) parts.push(`lag ${formatCount(target.live_lag_ms)} ms`);
  if (target.reconnects !== undefined) parts.push(`${formatCount(target.reconnects)} reconnect${target.reconnects === 1 ? '' : 's'}`);
  return parts.join(' \u00b7 ');
}

/**
 * What changes when the sink writing `collection` stored more candles: the chart of that
 * collection reloads its newest candles when this changes (undefined: no queue writes it).
 */
export function collectionFreshness(queues: readonly QueueState[], collection: string): string | undefined {
  for (const queue of queues) {
    const sink = queue.targets.find((target) => target.target === 'arango-candles' && target.collection_name === collection);
    if (sink) return `${queue.queue_id} ${sink.records_written} ${sink.last_loaded_timestamp ?? ''}`;
  }
  return undefined;
}

const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return COUNT.format(value);
}

export function formatRate(perSecond: number | null): string {
  if (perSecond === null) return '–';
  if (perSecond >= 1_000_000) return `${(perSecond / 1_000_000).toFixed(1)}M/s`;
  if (perSecond >= 1_000) return `${(perSecond / 1_000).toFixed(1)}k/s`;
  return `${perSecond.toFixed(perSecond < 10 ? 1 : 0)}/s`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC from unix seconds; `–` when unknown. */
export function formatUtc(unixSeconds: number | null, withMillis = false): string {
  if (unixSeconds === null) return '–';
  const iso = new Date(unixSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withMillis ? 23 : 19)}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An open-time span in ms as UTC text, e.g. for a gap. */
export function formatSpan(gap: Gap): string {
  return `${formatUtc(gap.from / 1000)} → ${formatUtc(gap.to / 1000)}`;
}
