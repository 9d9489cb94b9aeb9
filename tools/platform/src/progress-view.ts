import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { QueueState, TargetState } from '@streamforge/schemas';

/** One progress bar per target: candles written of the expected total, rate, ETA, status. */
export class ProgressView {
  private readonly multibar = new MultiBar(
    {
      format: ' {target} |{bar}| {value}/{total} candles | {rate}/s | ETA {eta_formatted} | {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 5_000,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, { bar: SingleBar; samples: Array<{ at: number; written: number }> }>();

  update(state: QueueState): void {
    for (const target of state.targets) {
      const total = Math.max(target.expected_records ?? 0, target.records_written, 1);
      let entry = this.bars.get(target.target);
      if (!entry) {
        entry = { bar: this.multibar.create(total, 0, this.payload(target, 0)), samples: [] };
        this.bars.set(target.target, entry);
      }
      entry.samples.push({ at: Date.now(), written: target.records_written });
      entry.samples = entry.samples.filter((s) => Date.now() - s.at < 5_000);
      entry.bar.setTotal(total);
      entry.bar.update(target.records_written, this.payload(target, rateOf(entry.samples)));
    }
  }

  stop(): void {
    this.multibar.stop();
  }

  private payload(target: TargetState, rate: number) {
    return { target: target.target.padEnd(18), rate: Math.round(rate).toLocaleString('en-US'), status: target.status };
  }
}

function rateOf(samples: Array<{ at: number; written: number }>): number {
  if (samples.length < 2) return 0;
  const first = samples[0];
  const last = samples[samples.length - 1];
  const seconds = (last.at - first.at) / 1000;
  return seconds > 0 ? (last.written - first.written) / seconds : 0;
}
