import type { QueueState, TelemetryEvent } from '@streamforge/schemas';

/** What a live run's status line shows beside the queue state: the newest lag and reconnect count seen in telemetry. */
export interface LiveFigures {
  /** arango-candles: a candle's close → its write to the store (ms). */
  storeLagMs?: number;
  /** loader-ws-candles: stream reconnections so far. */
  reconnects?: number;
}

/** Folds one telemetry event into the figures (events of other targets change nothing). */
export function noteLiveEvent(figures: LiveFigures, event: TelemetryEvent): LiveFigures {
  if (event.producer.startsWith('arango-candles') && event.live_lag_ms !== undefined) return { ...figures, storeLagMs: event.live_lag_ms };
  if (event.producer.startsWith('loader-ws-candles') && event.reconnects !== undefined) return { ...figures, reconnects: event.reconnects };
  return figures;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * One line: `live | 1,234 candles stored, newest 2026-11-30 21:05 UTC | history finished | lag 85 ms | reconnects 0 | loading`.
 * `candles stored` is the sink's count of the collection; the history part is the backfill's state.
 */
export function formatLiveStatus(state: QueueState, figures: LiveFigures): string {
  const sink = state.targets.find((t) => t.target === 'arango-candles');
  const backfill = state.targets.find((t) => t.target === 'loader-api-candles');
  const newest = sink?.last_loaded_timestamp ?? undefined;
  const stored = `${count(sink?.records_written ?? 0)} candles stored${newest === undefined ? '' : `, newest ${new Date(newest).toISOString().slice(0, 16).replace('T', ' ')} UTC`}`;
  const history = backfill === undefined ? 'no history' : backfill.status === 'finished' ? 'history loaded' : `history ${count(backfill.records_written)} loaded`;
  const lag = figures.storeLagMs === undefined ? 'lag ?' : `lag ${count(figures.storeLagMs)} ms`;
  const errors = state.targets.filter((t) => t.status === 'error').map((t) => `${t.target}: ${t.error_message ?? 'error'}`);
  return ['live', stored, history, lag, `reconnects ${figures.reconnects ?? 0}`, state.status, ...errors].join(' | ');
}
