import { collectDefaultMetrics, Registry } from 'prom-client';

/** A fresh registry holding the default process metrics (one per service, never the global one). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
