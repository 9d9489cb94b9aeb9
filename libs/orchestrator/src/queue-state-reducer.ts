import type { QueueState, QueueStatus, TargetState, TargetStatus, TelemetryEvent } from '@streamforge/schemas';
import type { QueuePlan } from './start-plan';

/** Targets in these states never change again. */
const FINAL_TARGET: ReadonlySet<TargetStatus> = new Set(['finished', 'interrupted']);
export const TERMINAL_QUEUE: ReadonlySet<QueueStatus> = new Set(['finished', 'error', 'interrupted']);

// Two events of one worker can carry the same timestamp (ms resolution): the later stage wins.
const STAGE: Record<TargetStatus, number> = { pending: 0, started: 1, loading: 2, error: 3, finished: 4, interrupted: 4 };

export function isFinalTarget(target: TargetState): boolean {
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
  const index = state.targets.findIndex((t) => t.telemetry_id === event.producer);
  if (index < 0) return applyExtraInstanceEvent(state, event);
  const current = state.targets[index];
  if (isFinalTarget(current)) return undefined;
  const status = event.status as TargetStatus;
  if (current.last_event_at !== null) {
    if (event.timestamp < current.last_event_at) return undefined;
    if (event.timestamp === current.last_event_at && STAGE[status] <= STAGE[current.status] && status !== current.status) return undefined;
  }
  const ended = status === 'finished' || status === 'interrupted' || status === 'error';
  const next: TargetState = {
    ...current,
    status,
    message: event.message,
    records_written: event.records_written,
    expected_records: event.expected_records ?? current.expected_records,
    last_loaded_timestamp: event.last_loaded_timestamp ?? current.last_loaded_timestamp,
    error_message: status === 'error' ? (event.error_message ?? event.message) : current.error_message,
    error_count: event.error_count ?? current.error_count,
    gaps: event.gaps ?? current.gaps,
    ...liveFigures(current, event),
    started_at: current.started_at ?? event.timestamp,
    finished_at: ended ? event.timestamp : null,
    last_event_at: event.timestamp,
  };
  if (sameTarget(current, next)) return undefined;
  return replaceTarget(state, index, next);
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

/** Marks a target that could not be launched or whose worker died without a final event. */
export function failTarget(state: QueueState, jobName: string, errorMessage: string, now: number): QueueState | undefined {
  const index = state.targets.findIndex((t) => t.job_name === jobName);
  if (index < 0 || isFinalTarget(state.targets[index]) || state.targets[index].status === 'error') return undefined;
  const current = state.targets[index];
  return replaceTarget(state, index, { ...current, status: 'error', message: errorMessage, error_message: errorMessage, finished_at: now });
}

/** Marks a target the launcher ended because it did not report `interrupted` in time. */
export function forceInterrupted(state: QueueState, jobName: string, message: string, now: number): QueueState | undefined {
  const index = state.targets.findIndex((t) => t.job_name === jobName);
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
