import type { InstanceState, TargetState, TargetStatus } from '@streamforge/schemas';
import { REPLICATED_TARGET } from './target-instances';

/** Statuses of a worker that may still be running. */
export const RUNNING_STATUSES: ReadonlySet<TargetStatus> = new Set(['pending', 'started', 'loading']);

/**
 * The target line of a target run as several instances. Sink replicas share one consumer group:
 * the load is done when one of them reports `finished` (the others leave quietly), and every one
 * counts the same collection (records = the highest count). Loader splits each load their own
 * sub-range: done when all are, records and expected records summed. Otherwise an error of any
 * instance is the target's; all ended with some interrupted is interrupted; loading while any loads.
 */
export function summarizeInstances(target: TargetState, instances: InstanceState[]): TargetState {
  const replicated = target.target === REPLICATED_TARGET;
  const statuses = instances.map((i) => i.status);
  const status = summaryStatus(statuses, replicated);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const expected = instances.map((i) => i.expected_records);
  const known = expected.filter((value): value is number => value !== null);
  const erring = instances.find((i) => i.status === 'error');
  const started = instances.map((i) => i.started_at).filter((t): t is number => t !== null);
  const finished = instances.map((i) => i.finished_at).filter((t): t is number => t !== null);
  const events = instances.map((i) => i.last_event_at).filter((t): t is number => t !== null);
  const loaded = instances.map((i) => i.last_loaded_timestamp).filter((t): t is number => t !== null);
  const newest = [...instances].filter((i) => i.last_event_at !== null).sort((a, b) => (b.last_event_at as number) - (a.last_event_at as number))[0];
  return {
    ...target,
    status,
    message: newest ? `${newest.instance}: ${newest.message ?? newest.status}` : target.message,
    records_written: replicated ? Math.max(...instances.map((i) => i.records_written)) : sum(instances.map((i) => i.records_written)),
    expected_records: replicated ? (known.length > 0 ? Math.max(...known) : null) : known.length === expected.length ? sum(known) : null,
    last_loaded_timestamp: loaded.length > 0 ? Math.max(...loaded) : null,
    error_message: status === 'error' && erring ? `${erring.instance}: ${erring.error_message ?? erring.message ?? 'error'}` : target.error_message,
    // A replica's error_count is the group's dead letters as it knows them (restored from the commits): the largest is the total.
    error_count: replicated ? Math.max(...instances.map((i) => i.error_count)) : sum(instances.map((i) => i.error_count)),
    started_at: started.length > 0 ? Math.min(...started) : null,
    finished_at: RUNNING_STATUSES.has(status) || finished.length === 0 ? null : Math.max(...finished),
    last_event_at: events.length > 0 ? Math.max(...events) : null,
    instances,
  };
}

function summaryStatus(statuses: TargetStatus[], replicated: boolean): TargetStatus {
  if (replicated && statuses.includes('finished')) return 'finished';
  if (statuses.includes('error')) return 'error';
  if (statuses.every((s) => s === 'finished')) return 'finished';
  if (statuses.every((s) => s === 'finished' || s === 'interrupted')) return 'interrupted';
  if (statuses.includes('loading')) return 'loading';
  if (statuses.some((s) => s !== 'pending')) return 'started';
  return 'pending';
}
