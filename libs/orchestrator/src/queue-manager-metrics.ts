import { Counter, Gauge, type Registry } from '@streamforge/metrics';
import type { QueueState } from '@streamforge/schemas';
import { TERMINAL_QUEUE } from './queue-state-reducer';
import { LIVE_QUEUE_STATUSES, type QueueStateRepository } from './queue-state-repository';

/** Every metric queue-manager exports (names: streamforge_queue_manager_<thing>_<unit>). */
export function createQueueManagerMetrics(registry: Registry, deps: { liveQueues?: () => QueueState[] } = {}) {
  // Ended queues stay in the store (months of them); counting them at every scrape would read it all.
  const queues = new Gauge({
    name: 'streamforge_queue_manager_queues',
    help: 'queues not yet ended, by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      if (!deps.liveQueues) return;
      const counts = Object.fromEntries(LIVE_QUEUE_STATUSES.map((s) => [s, 0])) as Record<string, number>;
      for (const queue of deps.liveQueues()) counts[queue.status] += 1;
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  return {
    queues,
    eventsConsumed: new Counter({ name: 'streamforge_queue_manager_events_consumed_total', help: 'telemetry events consumed from queue-events, by status', labelNames: ['status'], registers: [registry] }),
    eventsInvalid: new Counter({ name: 'streamforge_queue_manager_events_invalid_total', help: 'messages on queue-events that failed the telemetry schema (skipped)', registers: [registry] }),
    commandsSent: new Counter({ name: 'streamforge_queue_manager_commands_sent_total', help: 'commands published on queue-control, by command', labelNames: ['command'], registers: [registry] }),
    launches: new Counter({ name: 'streamforge_queue_manager_launches_total', help: 'worker launches, by target and result', labelNames: ['target', 'result'], registers: [registry] }),
    queuesEnded: new Counter({ name: 'streamforge_queue_manager_queues_ended_total', help: 'queues that ended, by final status', labelNames: ['status'], registers: [registry] }),
    forcedStops: new Counter({ name: 'streamforge_queue_manager_forced_stops_total', help: 'workers ended by the launcher after the stop grace period', registers: [registry] }),
    stopSupervisionFailures: new Counter({ name: 'streamforge_queue_manager_stop_supervision_failures_total', help: 'stop supervision steps that failed and were tried again', registers: [registry] }),
    exitRecordFailures: new Counter({ name: 'streamforge_queue_manager_exit_record_failures_total', help: 'attempts to record a worker exit that failed (tried again)', registers: [registry] }),
    startsRefused: new Counter({ name: 'streamforge_queue_manager_starts_refused_total', help: 'starts refused by an admission limit, by limit', labelNames: ['limit'], registers: [registry] }),
    retentionQueuesRemoved: new Counter({ name: 'streamforge_queue_manager_retention_queues_removed_total', help: 'ended queues removed after the retention', registers: [registry] }),
    retentionTopicsDeleted: new Counter({ name: 'streamforge_queue_manager_retention_topics_deleted_total', help: 'data and dead-letter topics deleted with expired queues', registers: [registry] }),
    wsClients: new Gauge({ name: 'streamforge_queue_manager_ws_clients', help: 'connected WebSocket clients', registers: [registry] }),
    wsDropped: new Counter({ name: 'streamforge_queue_manager_ws_dropped_total', help: 'WebSocket clients dropped, by reason', labelNames: ['reason'], registers: [registry] }),
  };
}

export type QueueManagerMetrics = ReturnType<typeof createQueueManagerMetrics>;

/** Counts each queue's end once, when its status turns finished, error or interrupted. */
export function countQueueEnds(repository: QueueStateRepository, metrics: QueueManagerMetrics): void {
  repository.onChange((state, previous) => {
    if (TERMINAL_QUEUE.has(state.status) && (!previous || !TERMINAL_QUEUE.has(previous.status))) metrics.queuesEnded.inc({ status: state.status });
  });
}
