import { Counter, Gauge, Histogram, type Registry } from '@streamforge/metrics';
import type { BinanceClientObserver } from '@streamforge/binance';
import type { LoaderMetrics } from '@streamforge/loader';

/** Prometheus metrics of loader-api-candles, wired into the Binance client and the loader. */
export function createLoaderMetrics(registry: Registry): { binance: BinanceClientObserver; loader: LoaderMetrics } {
  const registers = [registry];
  const requests = new Counter({ name: 'streamforge_loader_binance_requests_total', help: 'Binance requests by endpoint and outcome (HTTP status, timeout, network)', labelNames: ['endpoint', 'status'], registers });
  const requestSeconds = new Histogram({ name: 'streamforge_loader_binance_request_duration_seconds', help: 'Binance request latency', labelNames: ['endpoint'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const retries = new Counter({ name: 'streamforge_loader_binance_retries_total', help: 'requests sent again, by reason', labelNames: ['reason'], registers });
  const rateLimited = new Counter({ name: 'streamforge_loader_binance_rate_limited_total', help: 'HTTP 429 answers', registers });
  const usedWeight = new Gauge({ name: 'streamforge_loader_binance_used_weight', help: 'IP request weight used in the current window, as Binance last reported it', registers });
  const published = new Counter({ name: 'streamforge_loader_candles_published_total', help: 'candles acknowledged by Kafka', registers });
  const publishSeconds = new Histogram({ name: 'streamforge_loader_publish_duration_seconds', help: 'time for one producer batch to be acknowledged (acks=all)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers });
  return {
    binance: {
      request: (endpoint, status, seconds) => {
        requests.inc({ endpoint, status });
        requestSeconds.observe({ endpoint }, seconds);
      },
      retry: (reason) => retries.inc({ reason }),
      rateLimited: () => rateLimited.inc(),
      usedWeight: (weight) => usedWeight.set(weight),
    },
    loader: {
      published: (count) => published.inc(count),
      publishSeconds: (seconds) => publishSeconds.observe(seconds),
    },
  };
}
