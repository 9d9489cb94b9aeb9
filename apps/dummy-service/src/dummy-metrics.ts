import { Counter, Gauge, type Registry } from '@streamforge/metrics';
import { TELEMETRY_STATUSES, type TelemetryStatus } from '@streamforge/schemas';

/** The metric names the testing appendix documents for dummy-service. */
export function createDummyMetrics(registry: Registry) {
  const events = new Counter({ name: 'dummy_events_total', help: 'telemetry events sent, by event', labelNames: ['event'], registers: [registry] });
  const pings = new Counter({ name: 'dummy_pings_total', help: 'ping commands received', registers: [registry] });
  const pongs = new Counter({ name: 'dummy_pongs_total', help: 'pong events sent', registers: [registry] });
  const statusLast = new Gauge({ name: 'dummy_status_last', help: '1 for the last status sent, 0 for the others', labelNames: ['status'], registers: [registry] });
  return {
    pings,
    pongs,
    recordEvent(status: TelemetryStatus) {
      events.inc({ event: status });
      for (const s of TELEMETRY_STATUSES) statusLast.set({ status: s }, s === status ? 1 : 0);
    },
  };
}
