/** `loading` cadence: an event every `every` candles, or every `intervalMs` even when stalled (a heartbeat). */

export interface Progress {
  published: number;
  lastOpenTime?: number;
}

export interface ProgressReporterConfig {
  every: number;
  intervalMs: number;
}

export class ProgressReporter {
  private current: Progress = { published: 0 };
  private lastEmittedCount = 0;
  private lastEmittedAt: number;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ProgressReporterConfig,
    private readonly emit: (progress: Progress) => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastEmittedAt = now();
  }

  start(): void {
    const tick = Math.max(50, Math.min(1_000, this.config.intervalMs / 4));
    this.timer = setInterval(() => {
      if (this.now() - this.lastEmittedAt >= this.config.intervalMs) this.send();
    }, tick);
    this.timer.unref();
  }

  /** Records acknowledged progress; emits when `every` candles passed since the last event. */
  update(progress: Progress): void {
    this.current = progress;
    if (progress.published - this.lastEmittedCount >= this.config.every) this.send();
  }

  /** Stops the timer and waits for events already queued (they stay in order before the final one). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
  }

  private send(): void {
    const progress = { ...this.current };
    this.lastEmittedCount = progress.published;
    this.lastEmittedAt = this.now();
    this.chain = this.chain.then(() => this.emit(progress)).then(
      () => undefined,
      (error: unknown) => this.onError(error),
    );
  }
}
