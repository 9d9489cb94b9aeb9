import { MultiBar } from 'cli-progress';
import type { QueueState } from '@streamforge/schemas';
import { formatProgressLine, type ProgressKind } from './progress-line';

export interface ProgressViewOptions {
  /** Targets whose `records_written` is the collection's document count (the sink), not this run's work. */
  storeTargets?: string[];
  /** Documents each collection held when this run started. */
  storedBefore?: Map<string, number>;
}

/** One progress line per target (see formatProgressLine), redrawn as queue states arrive. */
export class ProgressView {
  private readonly multibar = new MultiBar({
    format: (_options, _params, payload: { line: string }) => payload.line,
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
  });
  private readonly bars = new Map<string, { update(value: number, payload: object): void; samples: Array<{ at: number; written: number }> }>();
  private readonly storeTargets: Set<string>;

  constructor(private readonly options: ProgressViewOptions = {}) {
    this.storeTargets = new Set(options.storeTargets ?? ['arango-candles']);
  }

  update(state: QueueState): void {
    for (const target of state.targets) {
      let entry = this.bars.get(target.target);
      if (!entry) {
        const bar = this.multibar.create(1, 0, { line: '' });
        entry = { update: (value, payload) => bar.update(value, payload), samples: [] };
        this.bars.set(target.target, entry);
      }
      const now = Date.now();
      entry.samples.push({ at: now, written: target.records_written });
      entry.samples = entry.samples.filter((s) => now - s.at < 5_000);
      const kind: ProgressKind = this.storeTargets.has(target.target) ? 'stored' : 'loaded';
      const line = formatProgressLine({ target, kind, rate: rateOf(entry.samples), storedBefore: this.options.storedBefore?.get(target.collection_name) });
      entry.update(0, { line });
    }
  }

  stop(): void {
    this.multibar.stop();
  }
}

/** Candles per second between the oldest and newest sample of the window; undefined until measurable. */
export function rateOf(samples: Array<{ at: number; written: number }>): number | undefined {
  if (samples.length < 2) return undefined;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? (last.written - first.written) / seconds : undefined;
}
