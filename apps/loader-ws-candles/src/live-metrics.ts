import { Counter, Gauge, Histogram, type Registry } from '@streamforge/metrics';
import type { BinanceClientObserver } from '@streamforge/binance';
import type { LiveLoaderMetrics } from '@streamforge/live-loader';

/** Prometheus metrics of loader-ws-candles, wired into the Binance client and the live loader. */
export function createLiveMetrics(registry: Registry): { binance: BinanceClientObserver; live: LiveLoaderMetrics; isConnected: () => boolean } {
  const registers = [registry];
  const prefix = 'streamforge_loader_ws_candles';
  const requests = new Counter({ name: `${prefix}_binance_requests_total`, help: 'Binance REST requests (backfills) by endpoint and outcome', labelNames: ['endpoint', 'status'], registers });
  const retries = new Counter({ name: `${prefix}_binance_retries_total`, help: 'REST requests sent again, by reason', labelNames: ['reason'], registers });
  const usedWeight = new Gauge({ name: `${prefix}_binance_used_weight`, help: 'IP request weight used in the current window, as Binance last reported it', registers });
  const published = new Counter({ name: `${prefix}_candles_published_total`, help: 'candles acknowledged by Kafka, by source (stream or REST backfill)', labelNames: ['source'], registers });
  const lag = new Histogram({ name: `${prefix}_publish_lag_seconds`, help: 'from a streamed candle close to its acknowledgement by Kafka', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const lastOpen = new Gauge({ name: `${prefix}_last_open_time_seconds`, help: 'open time (unix seconds) of the newest candle published', registers });
  const reconnects = new Counter({ name: `${prefix}_reconnects_total`, help: 'stream connections that ended and were replaced, by reason', labelNames: ['reason'], registers });
  const malformed = new Counter({ name: `${prefix}_malformed_messages_total`, help: 'stream messages rejected by validation (never published)', registers });
  const pings = new Counter({ name: `${prefix}_pings_total`, help: 'server pings answered with a pong', registers });
  const connected = new Gauge({ name: `${prefix}_connected`, help: '1 while a stream connection is open', registers });
  let up = false;
  return {
    binance: {
      request: (endpoint, status) => requests.inc({ endpoint, status }),
      retry: (reason) => retries.inc({ reason }),
      usedWeight: (weight) => usedWeight.set(weight),
    },
    live: {
      published: (count, source) => published.inc({ source }, count),
      lagSeconds: (seconds) => lag.observe(seconds),
      lastOpenTime: (openTime) => lastOpen.set(openTime / 1000),
      reconnect: (reason) => reconnects.inc({ reason }),
      malformed: () => malformed.inc(),
      ping: () => pings.inc(),
      connected: (state) => {
        up = state;
        connected.set(state ? 1 : 0);
      },
    },
    isConnected: () => up,
  };
}
