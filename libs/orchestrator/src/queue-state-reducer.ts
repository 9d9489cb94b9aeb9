import type { InstanceState, QueueState, QueueStatus, TargetState, TargetStatus, TelemetryEvent } from '@streamforge/schemas';
import { summarizeInstances } from './instance-summary';
import type { QueuePlan } from './start-plan';

/** Targets in these states never change again. */
const FINAL_TARGET: ReadonlySet<TargetStatus> = new Set(['finished', 'interrupted']);
export const TERMINAL_QUEUE: ReadonlySet<QueueStatus> = new Set(['finished', 'error', 'interrupted']);

// Two events of one worker can carry the same timestamp (ms resolution): the later stage wins.
const STAGE: Record<TargetStatus, number> = { pending: 0, started: 1, loading: 2, error: 3, finished: 4, interrupted: 4 };

export function isFinalTarget(target: Pick<TargetState, 'status'>): boolean {
  return FINAL_TARGET.has(target.status);
}

/** A queue as persisted right after its start was accepted. */
export function newQueueState(plan: QueuePlan, now: number): QueueState {
  const targets = plan.targets.map(
    (t): TargetState => ({
      target: t.target, type: t.type, interval: t.interval, args: t.args,
      kafka_topic: t.kafkaTopic, collection_name: t.collectionName, telemetry_id: t.telemetryId, job_name: t.jobName,
      status: 'pending', message: null, records_written: 0, expected_records: null, last_loaded_timestamp: null,
      error_message: null, error_count: 0, gaps: [], started_at: null, finished_at: null, last_event_at: null,
      ...(t.instances.length > 1
        ? {
            instances: t.instances.map((i): InstanceState => ({
              instance: `${i.index}/${i.count}`, telemetry_id: i.telemetryId, job_name: i.jobName, time_range: i.timeRange,
              status: 'pending', message: null, records_written: 0, expected_records: null, last_loaded_timestamp: null,
              error_message: null, error_count: 0, started_at: null, finished_at: null, last_event_at: null,
            })),
          }
        : {}),
    }),
  );
  return withDerivedStatus({
    queue_id: plan.queueId, status: 'pending', symbol: plan.symbol, type: plan.type, time_range: plan.timeRange, flow_name: plan.flowName,
    request: plan.request, created_at: now, updated_at: now, started_at: null, finished_at: null, stop_requested_at: null, targets,
  });
}

/**
 * Applies one telemetry event. Idempotent and ordered by event timestamp per target: an event
 * older than the last one applied, a duplicate, or anything after `finished`/`interrupted` is a
 * no-op (returns undefined). A newer `started`/`loading` after `error` revives the target: the
 * Job's retry is running.
 */
export function applyEvent(state: QueueState, event: TelemetryEvent): QueueState | undefined {
  if (event.status === 'pong' || event.queue_id !== state.queue_id) return undefined;
  const instanceAt = findInstance(state, (i) => i.telemetry_id === event.producer);
  if (instanceAt) return applyInstanceEvent(state, instanceAt, event);
  const index = state.targets.findIndex((t) => t.telemetry_id === event.producer && t.instances === undefined);
  if (index < 0) return applyExtraInstanceEvent(state, event);
  const current = state.targets[index];
  if (isFinalTarget(current)) return undefined;
  const progress = nextProgress(current, event);
  if (!progress) return undefined;
  const next: TargetState = {
    ...current,
    ...progress,
    gaps: event.gaps ?? current.gaps,
    ...liveFigures(current, event),
  };
  if (sameTarget(current, next)) return undefined;
  return replaceTarget(state, index, next);
}

type Progress = Pick<TargetState, 'status' | 'message' | 'records_written' | 'expected_records' | 'last_loaded_timestamp' | 'error_message' | 'error_count' | 'started_at' | 'finished_at' | 'last_event_at'>;

/** A worker's line after one of its events, or undefined when the event is older than what the line shows. */
function nextProgress(current: Progress, event: TelemetryEvent): Progress | undefined {
  const status = event.status as TargetStatus;
  if (current.last_event_at !== null) {
    if (event.timestamp < current.last_event_at) return undefined;
    if (event.timestamp === current.last_event_at && STAGE[status] <= STAGE[current.status] && status !== current.status) return undefined;
  }
  const ended = status === 'finished' || status === 'interrupted' || status === 'error';
  return {
    status,
    message: event.message,
    records_written: event.records_written,
    expected_records: event.expected_records ?? current.expected_records,
    last_loaded_timestamp: event.last_loaded_timestamp ?? current.last_loaded_timestamp,
    error_message: status === 'error' ? (event.error_message ?? event.message) : current.error_message,
    error_count: event.error_count ?? current.error_count,
    started_at: current.started_at ?? event.timestamp,
    finished_at: ended ? event.timestamp : null,
    last_event_at: event.timestamp,
  };
}

interface InstanceAt {
  targetIndex: number;
  instanceIndex: number;
}

function findInstance(state: QueueState, match: (instance: InstanceState) => boolean): InstanceAt | undefined {
  for (const [targetIndex, target] of state.targets.entries()) {
    const instanceIndex = target.instances?.findIndex(match) ?? -1;
    if (instanceIndex >= 0) return { targetIndex, instanceIndex };
  }
  return undefined;
}

/** An event of one instance of a target run as several: its own line, and the target line summing them up. */
function applyInstanceEvent(state: QueueState, at: InstanceAt, event: TelemetryEvent): QueueState | undefined {
  const current = instanceOf(state, at);
  if (isFinalTarget(current)) return undefined;
  const progress = nextProgress(current, event);
  if (!progress) return undefined;
  const target = state.targets[at.targetIndex];
  const gaps = event.gaps ? uniqueGaps([...target.gaps, ...event.gaps]) : target.gaps;
  return replaceInstance(state, at, { ...current, ...progress }, { gaps, ...liveFigures(target, event) });
}

function instanceOf(state: QueueState, at: InstanceAt): InstanceState {
  return (state.targets[at.targetIndex].instances as InstanceState[])[at.instanceIndex];
}

/**
 * Replaces one instance line. The target line is summed up again while it has not ended; once it
 * has (a sink replica reported `finished`), the other instances' lines still follow their workers.
 */
function replaceInstance(state: QueueState, at: InstanceAt, instance: InstanceState, targetFields: Partial<TargetState> = {}): QueueState | undefined {
  const target = state.targets[at.targetIndex];
  const instances = (target.instances as InstanceState[]).slice();
  instances[at.instanceIndex] = instance;
  const next = isFinalTarget(target) ? { ...target, instances } : summarizeInstances({ ...target, ...targetFields }, instances);
  if (sameTarget(target, next)) return undefined;
  return replaceTarget(state, at.targetIndex, next);
}

function uniqueGaps(gaps: TargetState['gaps']): TargetState['gaps'] {
  return [...new Map(gaps.map((gap) => [`${gap.from}-${gap.to}`, gap])).values()].sort((a, b) => a.from - b.from);
}

/**
 * An instance of a target that queue-manager did not launch (a KEDA ScaledJob's extra sink, whose
 * producer id is `<target>__<pod name>`): only its outcome counts. Its `finished` is the load's (one
 * instance of a scaled-out sink reports it, the others exit 0 without an event, the launched one
 * included); its `error` is the queue's. Its progress events are ignored: the line shows the launched
 * instance's.
 */
function applyExtraInstanceEvent(state: QueueState, event: TelemetryEvent): QueueState | undefined {
  if (event.status !== 'finished' && event.status !== 'error') return undefined;
  const index = state.targets.findIndex((t) => event.producer.startsWith(`${t.target}__`));
  if (index < 0 || isFinalTarget(state.targets[index])) return undefined;
  const current = state.targets[index];
  const message = `${event.message} (reported by ${event.producer})`;
  return replaceTarget(state, index, {
    ...current,
    status: event.status,
    message,
    ...(event.status === 'finished' ? { records_written: event.records_written, expected_records: event.expected_records ?? current.expected_records } : { error_message: event.error_message ?? message }),
    error_count: event.error_count ?? current.error_count,
    started_at: current.started_at ?? event.timestamp,
    finished_at: event.timestamp,
    last_event_at: Math.max(current.last_event_at ?? event.timestamp, event.timestamp),
  });
}

/**
 * Marks a target (or one instance of it) that could not be launched or whose worker died without
 * a final event. An instance that exited cleanly after its target ended (a sink replica leaving
 * quietly once another reported `finished`) takes the target's outcome instead: it is no error.
 */
export function failTarget(state: QueueState, jobName: string, errorMessage: string, now: number, exit: { clean?: boolean } = {}): QueueState | undefined {
  const at = findInstance(state, (i) => i.job_name === jobName);
  if (at) {
    const current = instanceOf(state, at);
    if (isFinalTarget(current) || current.status === 'error') return undefined;
    const target = state.targets[at.targetIndex];
    if (isFinalTarget(target) && exit.clean) {
      // Only a finished sink ends while instances still run (an interrupted target needs all of them ended).
      return replaceInstance(state, at, { ...current, status: target.status, message: 'left quietly: another instance reported finished', finished_at: now });
    }
    return replaceInstance(state, at, { ...current, status: 'error', message: errorMessage, error_message: errorMessage, finished_at: now });
  }
  const index = state.targets.findIndex((t) => t.job_name === jobName && t.instances === undefined);
  if (index < 0 || isFinalTarget(state.targets[index]) || state.targets[index].status === 'error') return undefined;
  const current = state.targets[index];
  return replaceTarget(state, index, { ...current, status: 'error', message: errorMessage, error_message: errorMessage, finished_at: now });
}

/** Marks a target (or one instance of it) the launcher ended because it did not report `interrupted` in time. */
export function forceInterrupted(state: QueueState, jobName: string, message: string, now: number): QueueState | undefined {
  const at = findInstance(state, (i) => i.job_name === jobName);
  if (at) {
    const current = instanceOf(state, at);
    if (isFinalTarget(current)) return undefined;
    return replaceInstance(state, at, { ...current, status: 'interrupted', message, finished_at: now });
  }
  const index = state.targets.findIndex((t) => t.job_name === jobName && t.instances === undefined);
  if (index < 0 || isFinalTarget(state.targets[index])) return undefined;
  return replaceTarget(state, index, { ...state.targets[index], status: 'interrupted', message, finished_at: now });
}

export function requestStop(state: QueueState, now: number): QueueState {
  return withDerivedStatus({ ...state, stop_requested_at: state.stop_requested_at ?? now });
}

/**
 * Queue status from its targets: error if any errored; finished when all finished; interrupted
 * when all ended and some were interrupted; stopping after a stop; loading while any loads.
 */
export function deriveQueueStatus(state: Pick<QueueState, 'targets' | 'stop_requested_at'>): QueueStatus {
  const statuses = state.targets.map((t) => t.status);
  if (statuses.includes('error')) return 'error';
  if (statuses.every((s) => s === 'finished')) return 'finished';
  if (statuses.every((s) => s === 'finished' || s === 'interrupted')) return 'interrupted';
  if (state.stop_requested_at !== null) return 'stopping';
  if (statuses.includes('loading')) return 'loading';
  if (statuses.some((s) => s !== 'pending')) return 'started';
  return 'pending';
}

function withDerivedStatus(state: QueueState): QueueState {
  const status = deriveQueueStatus(state);
  const startedTimes = state.targets.map((t) => t.started_at).filter((t): t is number => t !== null);
  const finishedTimes = state.targets.map((t) => t.finished_at).filter((t): t is number => t !== null);
  return {
    ...state,
    status,
    started_at: startedTimes.length > 0 ? Math.min(...startedTimes) : null,
    finished_at: TERMINAL_QUEUE.has(status) && finishedTimes.length > 0 ? Math.max(...finishedTimes) : null,
  };
}

function replaceTarget(state: QueueState, index: number, target: TargetState): QueueState {
  const targets = state.targets.slice();
  targets[index] = target;
  return withDerivedStatus({ ...state, targets });
}

/** A live worker's newest lag and reconnect count (absent until one reports them). */
function liveFigures(current: TargetState, event: TelemetryEvent): Pick<TargetState, 'live_lag_ms' | 'reconnects'> {
  const lag = event.live_lag_ms ?? current.live_lag_ms;
  const reconnects = event.reconnects ?? current.reconnects;
  return { ...(lag === undefined ? {} : { live_lag_ms: lag }), ...(reconnects === undefined ? {} : { reconnects }) };
}

function sameTarget(a: TargetState, b: TargetState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
