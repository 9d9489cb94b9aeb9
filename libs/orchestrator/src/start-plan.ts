import { alignOpenTime, intervalMs, isKlineInterval, nextOpenTime } from '@streamforge/binance';
import { formatTimeRange, isOpenEnded, parseTimeRange, type FieldError, type StartQueueRequest, type TimeRange } from '@streamforge/schemas';
import { RequestError } from './errors';
import { collectionNameFor, dataTopicFor, jobNameFor, queueIdFor, randomSuffix, telemetryIdFor, workerLabels } from './queue-naming';
import { checkInstanceCounts, MAX_QUEUE_INSTANCES, planInstances, type InstancePlan } from './target-instances';
import { checkWorkerArgs } from './worker-args';
import { DEFAULT_CANDLE_TARGETS, DEFAULT_LIVE_TARGETS, intervalOfType, INTERVAL_LIST, isCandleTarget, isCandleType, knownTargetNames, LIVE_TARGET, resolveTarget } from './targets';

/** One worker of a planned queue, with every name it will use. */
export interface TargetPlan {
  target: string;
  type: string;
  interval: string | null;
  /** Flags from the target's allow-list, normalized (`--flag value`). */
  args: string[];
  /** arango-candles' INDICATORS, when the request set it (else the worker's default). */
  indicators: string | null;
  /** This worker's TIME_RANGE: the queue's, except in a live queue (see liveTimeRanges). */
  timeRange: string;
  kafkaTopic: string;
  collectionName: string;
  /** The worker's telemetry id; with several instances, the prefix of theirs. */
  telemetryId: string;
  /** The worker's Job; with several instances, the prefix of theirs. */
  jobName: string;
  labels: Record<string, string>;
  /** Its workers: one (named as the target), or one per sink replica / loader split. */
  instances: InstancePlan[];
}

export interface QueuePlan {
  queueId: string;
  symbol: string;
  type: string;
  timeRange: string;
  flowName: string | null;
  request: Record<string, unknown>;
  targets: TargetPlan[];
}

/** How much one queue may load. */
export interface RangeLimits {
  /** Most candles one candle target may load (the range divided by its interval). */
  maxCandles: number;
  /** The end of a range is clamped to this (ms); a range starting after it is refused. */
  now: number;
}

/** Generous for real loads (1m: 9.5 years; 1s: 58 days) yet far from a century of 1s candles. */
export const DEFAULT_RANGE_LIMITS = { maxCandles: 5_000_000 } as const;

/**
 * Turns a schema-valid start request into a plan: resolves target names (and the old aliases),
 * checks candle intervals, and names the queue, topics, collections, telemetry ids and jobs.
 */
export function planStart(
  request: StartQueueRequest,
  options: { flowName?: string; original?: Record<string, unknown>; suffix?: string; limits?: RangeLimits } = {},
): QueuePlan {
  const errors: FieldError[] = [];
  let unknownTarget = false;
  const field = request.targets ? 'targets' : 'requests';
  const requested = request.targets ?? request.requests;
  const range = parseTimeRange(request.time_range, { openEnd: true });
  const live = range.ok && isOpenEnded(range.value);
  const defaults = live ? DEFAULT_LIVE_TARGETS : DEFAULT_CANDLE_TARGETS;
  const entries = requested
    ? requested.map((t, index) => ({ ...t, path: `${field}.${index}` }))
    : defaults.map((target) => ({ target, type: undefined, interval: undefined, args: undefined, indicators: undefined, replicas: undefined, splits: undefined, path: 'type' }));

  if (!requested && request.type && !isCandleType(request.type)) {
    errors.push({
      path: 'type',
      message: `the simple shape starts ${defaults.join(' + ')} and needs a candle type api_candles_<interval> with interval one of ${INTERVAL_LIST}; list targets for other workers (got "${request.type}")`,
    });
  }

  const resolved = entries.map((entry) => {
    const target = resolveTarget(entry.target);
    if (!target) {
      unknownTarget = true;
      errors.push({ path: `${entry.path}.target`, message: `unknown target (got "${entry.target}"); known targets: ${knownTargetNames().join(', ')}` });
    }
    const type = (entry.type ?? request.type) as string;
    const typeInterval = intervalOfType(type);
    const interval = entry.interval ?? typeInterval ?? null;
    if (target && isCandleTarget(target) && requested) {
      if (interval === null) {
        errors.push({ path: `${entry.path}.type`, message: `${target} needs a candle type api_candles_<interval> or an interval (got type "${type}")` });
      } else if (!isKlineInterval(interval)) {
        const path = entry.interval !== undefined ? `${entry.path}.interval` : `${entry.path}.type`;
        errors.push({ path, message: `unknown kline interval "${interval}"; expected one of ${INTERVAL_LIST}` });
      } else if (entry.interval !== undefined && typeInterval !== undefined && entry.interval !== typeInterval) {
        errors.push({ path: `${entry.path}.interval`, message: `interval "${entry.interval}" contradicts type "${type}"` });
      }
    }
    if (target === LIVE_TARGET && range.ok && !live) {
      errors.push({ path: `${entry.path}.target`, message: `${LIVE_TARGET} follows the market: time_range must be open-ended, e.g. ${range.value.startDay}: (got "${request.time_range}")` });
    }
    if (entry.indicators !== undefined && target !== 'arango-candles') {
      errors.push({ path: `${entry.path}.indicators`, message: `only arango-candles stores indicators (got target "${entry.target}")` });
    }
    errors.push(...checkInstanceCounts(entry, target, live));
    const checked = target ? checkWorkerArgs(target, entry.args ?? [], `${entry.path}.args`) : { args: [], errors: [] };
    errors.push(...checked.errors);
    return { target: target ?? entry.target, type, interval, args: checked.args, indicators: entry.indicators ?? null, replicas: entry.replicas ?? 1, splits: entry.splits ?? 1 };
  });

  const instanceCount = resolved.reduce((sum, entry) => sum + Math.max(entry.replicas, entry.splits), 0);
  if (instanceCount > MAX_QUEUE_INSTANCES) {
    errors.push({ path: field, message: `${instanceCount} worker instances (targets × replicas/splits); at most ${MAX_QUEUE_INSTANCES} per queue` });
  }

  const seen = new Set<string>();
  resolved.forEach((entry, index) => {
    const key = `${entry.target} ${entry.type}`;
    if (seen.has(key)) errors.push({ path: `${field}.${index}.target`, message: `${entry.target} with type ${entry.type} is listed twice` });
    seen.add(key);
  });

  if (live && !unknownTarget && !resolved.some((entry) => entry.target === LIVE_TARGET)) {
    errors.push({
      path: 'time_range',
      message: `an open-ended range follows the market and needs a ${LIVE_TARGET} target (got targets ${resolved.map((entry) => entry.target).join(', ')}); give an end for a bounded load (got "${request.time_range}")`,
    });
  }

  if (errors.length > 0) throw new RequestError(errors, unknownTarget ? [...knownTargetNamesPlain()] : undefined);

  if (!range.ok) throw new RequestError([{ path: 'time_range', message: `${range.reason} (got "${request.time_range}")` }]);
  const limits = options.limits ?? { ...DEFAULT_RANGE_LIMITS, now: Date.now() };
  if (range.value.fromMs >= limits.now) throw new RequestError([{ path: 'time_range', message: `starts in the future (got "${request.time_range}")` }]);
  const clamped = { ...range.value, untilMs: Math.min(range.value.untilMs, limits.now) };
  // The one spelling of the range, end clamped to now (a live range stays open): what is stored, sent and compared for duplicates.
  const timeRange = formatTimeRange(live ? range.value : clamped);
  for (const entry of resolved) {
    if (!isCandleTarget(entry.target) || entry.interval === null || !isKlineInterval(entry.interval)) continue;
    const candles = Math.ceil((clamped.untilMs - clamped.fromMs) / intervalMs(entry.interval, clamped.fromMs));
    if (candles > limits.maxCandles) {
      throw new RequestError([{
        path: 'time_range',
        message: `${candles.toLocaleString('en-US')} ${entry.interval} candles for ${entry.target}; at most ${limits.maxCandles.toLocaleString('en-US')} per queue: split the range (got "${request.time_range}")`,
      }]);
    }
  }
  const queueType = request.type ?? resolved[0].type;
  // A live queue whose start lies in the current open candle has no history: no backfill worker.
  const planned = live ? resolved.filter((entry) => !(entry.target === 'loader-api-candles' && liveTimeRanges(range.value, entry.interval, limits.now)?.backfill === undefined)) : resolved;
  const suffix = options.suffix ?? randomSuffix();
  const queueId = queueIdFor(request.symbol, queueType, range.value.startDay, suffix);
  const usedSuffixes = new Map<string, number>();
  const targets = planned.map((entry): TargetPlan => {
    // A target listed twice (another type) gets its own suffix, so job names and telemetry ids stay unique.
    const occurrence = usedSuffixes.get(entry.target) ?? 0;
    usedSuffixes.set(entry.target, occurrence + 1);
    const targetSuffix = occurrence === 0 ? suffix : randomSuffix();
    const targetRange = live ? targetTimeRange(entry.target, timeRange, liveTimeRanges(range.value, entry.interval, limits.now)) : timeRange;
    return {
      target: entry.target,
      type: entry.type,
      interval: entry.interval,
      args: entry.args,
      indicators: entry.indicators,
      timeRange: targetRange,
      // Loader and sink of one type share the queue's data topic; another type gets its own.
      kafkaTopic: entry.type === queueType ? dataTopicFor(queueId) : dataTopicFor(`${queueId}-${entry.type}`),
      collectionName: collectionNameFor(request.symbol, entry.type, range.value.startDay),
      telemetryId: telemetryIdFor(entry.target, targetSuffix),
      jobName: jobNameFor(entry.target, request.symbol, targetSuffix),
      labels: workerLabels(queueId, entry.target),
      instances: planInstances(entry, { symbol: request.symbol, suffix: targetSuffix, timeRange: targetRange, span: clamped }),
    };
  });
  return {
    queueId,
    symbol: request.symbol,
    type: queueType,
    timeRange,
    flowName: options.flowName ?? null,
    request: options.original ?? (request as Record<string, unknown>),
    targets,
  };
}

/**
 * How far before the plan the handoff lies: the backfill's last candle must be closed for longer
 * than loader-api-candles' LOADER_CLOSE_GRACE_MS (2 s) plus any clock skew between queue-manager
 * and the loader when it plans, or it would leave that candle out and the live worker would not
 * fetch it (a hole). 10 s costs the live worker's REST gap fill a few more candles at most.
 */
export const HANDOFF_MARGIN_MS = 10_000;

/**
 * The handoff of a live queue, fixed once at plan time so that it holds whichever worker starts
 * first (or restarts): the backfill loads every candle opening before the candle open at
 * `now - HANDOFF_MARGIN_MS` (all closed by then), the live worker starts at that candle and fetches
 * through REST whatever closed before its stream's first push. Disjoint and adjacent: no hole, no overlap.
 */
export function liveTimeRanges(range: TimeRange, interval: string | null, now: number): { backfill: string | undefined; live: string } | undefined {
  if (!isKlineInterval(interval)) return undefined;
  const handoff = alignOpenTime(interval, now - HANDOFF_MARGIN_MS);
  const aligned = alignOpenTime(interval, range.fromMs);
  const firstWanted = aligned < range.fromMs ? nextOpenTime(interval, aligned) : range.fromMs;
  return {
    backfill: firstWanted < handoff ? formatTimeRange({ fromMs: range.fromMs, untilMs: handoff, form: 'instants' }) : undefined,
    live: formatTimeRange({ fromMs: Math.max(handoff, firstWanted), untilMs: Number.POSITIVE_INFINITY, form: 'instants' }),
  };
}

function targetTimeRange(target: string, queueRange: string, ranges: ReturnType<typeof liveTimeRanges>): string {
  if (target === 'loader-api-candles' && ranges?.backfill) return ranges.backfill;
  if (target === LIVE_TARGET && ranges) return ranges.live;
  return queueRange;
}

function knownTargetNamesPlain(): string[] {
  return knownTargetNames().map((name) => name.split(' ')[0]);
}
