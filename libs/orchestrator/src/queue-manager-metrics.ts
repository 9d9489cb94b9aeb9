import { Counter, Gauge, type Registry } from '@streamforge/metrics';
import { QUEUE_STATUSES, type QueueState } from '@streamforge/schemas';

/** Every metric queue-manager exports (names: streamforge_queue_manager_<thing>_<unit>). */
export function createQueueManagerMetrics(registry: Registry, deps: { listQueues?: () => Promise<QueueState[]> } = {}) {
  const queues = new Gauge({
    name: 'streamforge_queue_manager_queues',
    help: 'queues in the store, by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!deps.listQueues) return;
      const counts = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as Record<string, number>;
      for (const queue of await deps.listQueues()) counts[queue.status] += 1;
      for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
    },
  });
  return {
    queues,
    eventsConsumed: new Counter({ name: 'streamforge_queue_manager_events_consumed_total', help: 'telemetry events consumed from queue-events, by status', labelNames: ['status'], registers: [registry] }),
    eventsInvalid: new Counter({ name: 'streamforge_queue_manager_events_invalid_total', help: 'messages on queue-events that failed the telemetry schema (skipped)', registers: [registry] }),
    commandsSent: new Counter({ name: 'streamforge_queue_manager_commands_sent_total', help: 'commands published on queue-control, by command', labelNames: ['command'], registers: [registry] }),
    launches: new Counter({ name: 'streamforge_queue_manager_launches_total', help: 'worker launches, by target and result', labelNames: ['target', 'result'], registers: [registry] }),
    forcedStops: new Counter({ name: 'streamforge_queue_manager_forced_stops_total', help: 'workers ended by the launcher after the stop grace period', registers: [registry] }),
    stopSupervisionFailures: new Counter({ name: 'streamforge_queue_manager_stop_supervision_failures_total', help: 'stop supervision steps that failed and were tried again', registers: [registry] }),
    exitRecordFailures: new Counter({ name: 'streamforge_queue_manager_exit_record_failures_total', help: 'attempts to record a worker exit that failed (tried again)', registers: [registry] }),
    startsRefused: new Counter({ name: 'streamforge_queue_manager_starts_refused_total', help: 'starts refused by an admission limit, by limit', labelNames: ['limit'], registers: [registry] }),
    wsClients: new Gauge({ name: 'streamforge_queue_manager_ws_clients', help: 'connected WebSocket clients', registers: [registry] }),
    wsDropped: new Counter({ name: 'streamforge_queue_manager_ws_dropped_total', help: 'WebSocket clients dropped, by reason', labelNames: ['reason'], registers: [registry] }),
  };
}

export type QueueManagerMetrics = ReturnType<typeof createQueueManagerMetrics>;
