/**
 * Fetches the windows of a plan concurrently (bounded) and publishes their candles strictly in
 * time order, so the topic never holds a candle after a hole: a window that failed, or that a
 * stop cut short, ends publishing right there.
 */
import type { KlinePage } from '@streamforge/binance';
import type { Gap } from '@streamforge/schemas';
import type { CandleEncoder, CandleMessage } from './candle-encoder';
import { LoadFailedError } from './errors';
import { GapTracker } from './gap-tracker';
import type { FetchWindow, LoadPlan } from './load-plan';

export interface PipelineConfig {
  /** Windows fetched at once. */
  concurrency: number;
  /** Messages per producer send, at most. */
  batchSize: number;
  /**
   * Bytes (keys + values) per producer send, at most: a partition's record batch must stay under
   * the broker's message.max.bytes (1 MiB by default) whatever the compression.
   */
  batchBytes: number;
  /** Windows fetched but not yet published, at most (bounds memory); default 2 × concurrency. */
  maxAhead?: number;
}

export interface PipelineDeps {
  plan: LoadPlan;
  fetchWindow(window: FetchWindow, signal: AbortSignal): Promise<KlinePage>;
  encode: CandleEncoder;
  /** Resolves once the broker acknowledged every message. */
  send(messages: CandleMessage[]): Promise<void>;
  /** After each acknowledged batch, with the running totals. */
  onPublished?(published: number, lastOpenTime: number): void;
  /** Called with the first message of every window: a cheap guard against encoder bugs. */
  check?(message: CandleMessage): void;
  /** Aborted by a stop command or SIGTERM. */
  stopSignal: AbortSignal;
}

export interface PipelineResult {
  status: 'finished' | 'interrupted';
  /** Candles acknowledged by the broker in this run. */
  published: number;
  lastOpenTime?: number;
  /** Missing spans (complete only when finished). */
  gaps: Gap[];
  missing: number;
}

class Notifier {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Runs the plan; resolves finished/interrupted, rejects with LoadFailedError carrying the published count. */
export async function runLoadPipeline(config: PipelineConfig, deps: PipelineDeps): Promise<PipelineResult> {
  const { plan } = deps;
  const windows = plan.windows;
  const maxAhead = config.maxAhead ?? config.concurrency * 2;
  const gaps = new GapTracker(plan.interval, plan.firstOpen, plan.endOpen);
  const fetched = new Map<number, KlinePage>();
  const fetchAbort = new AbortController();
  const publisherWake = new Notifier();
  const fetcherWake = new Notifier();
  let nextToFetch = 0;
  let nextToPublish = 0;
  let activeFetches = 0;
  let fetchFailure: Error | undefined;
  let published = 0;
  let lastOpenTime: number | undefined;

  const onStop = () => {
    fetchAbort.abort();
    publisherWake.notify();
    fetcherWake.notify();
  };
  if (deps.stopSignal.aborted) onStop();
  else deps.stopSignal.addEventListener('abort', onStop, { once: true });

  const fetcher = async (): Promise<void> => {
    while (!fetchAbort.signal.aborted && nextToFetch < windows.length) {
      if (nextToFetch >= nextToPublish + maxAhead) {
        await fetcherWake.wait();
        continue;
      }
      const window = windows.at(nextToFetch++);
      activeFetches++;
      try {
        fetched.set(window.index, await deps.fetchWindow(window, fetchAbort.signal));
      } catch (error) {
        // After an abort every fetch fails; only the first real failure counts.
        if (!fetchAbort.signal.aborted) {
          fetchFailure = error instanceof Error ? error : new Error(String(error));
          fetchAbort.abort();
          fetcherWake.notify();
        }
      } finally {
        activeFetches--;
        publisherWake.notify();
      }
    }
  };
  const fetchers = Array.from({ length: Math.max(1, Math.min(config.concurrency, windows.length)) }, fetcher);

  let batch: CandleMessage[] = [];
  let batchBytes = 0;
  let batchLastOpen = 0;
  let sending: Promise<void> = Promise.resolve();
  let sendFailure: Error | undefined;
  const flush = async (): Promise<void> => {
    // One send in flight at a time keeps the partition in time order; encoding the next batch
    // overlaps with waiting for this one's acknowledgement.
    await sending;
    if (batch.length === 0) return;
    const messages = batch;
    const last = batchLastOpen;
    batch = [];
    batchBytes = 0;
    sending = deps.send(messages).then(() => {
      published += messages.length;
      lastOpenTime = last;
      deps.onPublished?.(published, last);
    });
    sending.catch((error: unknown) => {
      sendFailure ??= error instanceof Error ? error : new Error(String(error));
      fetchAbort.abort();
      publisherWake.notify();
    });
  };

  try {
    while (nextToPublish < windows.length && sendFailure === undefined) {
      const page = fetched.get(nextToPublish);
      if (page === undefined) {
        // After a stop or failure, fetches still on the wire may yet deliver this window.
        if (fetchAbort.signal.aborted && activeFetches === 0) break;
        await publisherWake.wait();
        continue;
      }
      fetched.delete(nextToPublish);
      nextToPublish++;
      fetcherWake.notify();
      const messages = deps.encode(page);
      if (messages.length > 0) deps.check?.(messages[0] as CandleMessage);
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i] as CandleMessage;
        const openTime = page.openTimes[i] as number;
        gaps.observe(openTime);
        const bytes = message.key.length + message.value.length;
        if (batch.length >= config.batchSize || batchBytes + bytes > config.batchBytes) await flush();
        batch.push(message);
        batchBytes += bytes;
        batchLastOpen = openTime;
      }
    }
    if (sendFailure === undefined) {
      await flush();
      await sending;
    }
  } catch (error) {
    sendFailure ??= error instanceof Error ? error : new Error(String(error));
  } finally {
    deps.stopSignal.removeEventListener('abort', onStop);
    fetchAbort.abort();
    fetcherWake.notify();
    await Promise.allSettled(fetchers);
  }

  const complete = nextToPublish === windows.length && sendFailure === undefined;
  const failure = sendFailure ?? (complete ? undefined : fetchFailure);
  if (failure) throw new LoadFailedError(failure, published, lastOpenTime);
  if (!complete) return { status: 'interrupted', published, lastOpenTime, gaps: gaps.gaps, missing: gaps.missing };
  const found = gaps.finish();
  return { status: 'finished', published, lastOpenTime, gaps: found, missing: gaps.missing };
}
