import { isKlineInterval, splitRange } from '@streamforge/binance';
import { formatLoadSplit, formatTimeRange, type FieldError } from '@streamforge/schemas';
import { jobNameFor, telemetryIdFor } from './queue-naming';

/** The target that may run as several sink instances of one consumer group (`replicas`). */
export const REPLICATED_TARGET = 'arango-candles';
/** The target that may split its range over several loader instances (`splits`). */
export const SPLIT_TARGET = 'loader-api-candles';

/**
 * Most worker instances of one queue (targets × their replicas/splits): two targets at the
 * per-target maximum, so one request cannot take a shared cluster's Job slots wholesale.
 */
export const MAX_QUEUE_INSTANCES = 16;

/** One worker process/Job of a target: the only one, or instance `index` of `count`. */
export interface InstancePlan {
  /** 1-based. */
  index: number;
  count: number;
  telemetryId: string;
  jobName: string;
  /** This instance's TIME_RANGE: a loader split's own sub-range, else the target's. */
  timeRange: string;
  /** LOAD_SPLIT (`<k>/<n>`) of a loader split; null otherwise. */
  loadSplit: string | null;
}

/** `replicas`/`splits` as asked for, checked against the target and the kind of range. */
export function checkInstanceCounts(
  entry: { target: string; replicas?: number; splits?: number; path: string },
  target: string | undefined,
  live: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const check = (field: 'replicas' | 'splits', allowed: string, what: string) => {
    const value = entry[field];
    if (value === undefined) return;
    if (target !== allowed) {
      errors.push({ path: `${entry.path}.${field}`, message: `only ${allowed} runs as ${what} (got target "${entry.target}" with ${field} ${value})` });
    } else if (live && value > 1) {
      // A live queue hands the range over between one backfill loader and the stream at a planned instant, and its sink never completes: neither is split.
      errors.push({ path: `${entry.path}.${field}`, message: `a live (open-ended) queue runs one ${what.replace(/s$/, '')}: give the range an end to use ${field} (got ${value})` });
    }
  };
  check('replicas', REPLICATED_TARGET, 'sink replicas');
  check('splits', SPLIT_TARGET, 'loader splits');
  return errors;
}

/**
 * The instances of one target. One instance keeps today's names; instance k of n > 1 gets
 * `<job name>-<k>` (the DNS label cut from the head, never the tail) and `<telemetry id>-<k>`.
 * A loader's range is cut on candle boundaries (splitRange); a range holding fewer candles than
 * splits gets fewer instances, none empty.
 */
export function planInstances(
  target: { target: string; interval: string | null; replicas: number; splits: number },
  names: { symbol: string; suffix: string; timeRange: string; span: { fromMs: number; untilMs: number } },
): InstancePlan[] {
  const single = (): InstancePlan[] => [{ index: 1, count: 1, telemetryId: telemetryIdFor(target.target, names.suffix), jobName: jobNameFor(target.target, names.symbol, names.suffix), timeRange: names.timeRange, loadSplit: null }];
  const instance = (index: number, count: number, timeRange: string, loadSplit: string | null): InstancePlan => ({
    index, count, timeRange, loadSplit,
    telemetryId: telemetryIdFor(target.target, `${names.suffix}-${index}`),
    jobName: jobNameFor(target.target, names.symbol, `${names.suffix}-${index}`),
  });
  if (target.target === SPLIT_TARGET && target.splits > 1 && isKlineInterval(target.interval)) {
    const parts = splitRange(target.interval, { from: names.span.fromMs, to: names.span.untilMs }, target.splits);
    if (parts.length === 1) return single();
    return parts.map((part, i) => instance(i + 1, parts.length, formatTimeRange({ fromMs: part.from, untilMs: part.to, form: 'instants' }), formatLoadSplit({ index: i + 1, of: parts.length })));
  }
  if (target.target === REPLICATED_TARGET && target.replicas > 1) {
    return Array.from({ length: target.replicas }, (_, i) => instance(i + 1, target.replicas, names.timeRange, null));
  }
  return single();
}
