import type { QueueState } from '@streamforge/schemas';
import type { ChartState, DrawnIndicator } from './candle-chart';
import type { LiveStatus } from './live-connection';

/**
 * `window.__streamforge`: what a browser test (or a curious engineer in the console) can read
 * without scraping pixels: the bars the chart holds, the connection, the queues as the page has them.
 */
export interface DashboardHook {
  chart(): { collection: string | undefined; state: ChartState; candlesDrawn: number; indicators: Record<string, DrawnIndicator> };
  connection(): LiveStatus;
  queues(): QueueState[];
  /** Resync requests sent after (re)connects so far. */
  resyncs(): number;
  /** Drop the WebSocket and stay offline until resumeLive() (simulates an outage). */
  pauseLive(): void;
  resumeLive(): void;
}

declare global {
  interface Window {
    __streamforge?: DashboardHook;
  }
}

export function installHook(hook: DashboardHook): void {
  window.__streamforge = hook;
}
