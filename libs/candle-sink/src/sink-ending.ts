import { CandleSinkError } from './errors';

/** Why a sink run ends: the load is complete, a stop was asked for, or something failed. */
export type Ending = { kind: 'complete' } | { kind: 'stop'; reason: string } | { kind: 'failure'; error: Error };

/**
 * The one ending of a sink run: the first one decided wins, later ones are ignored. `ended`
 * resolves with it; `stopped` resolves on a stop, to cut retry pauses and topic waits short.
 */
export class SinkEnding {
  private current: Ending | undefined;
  private signalEnded!: (ending: Ending) => void;
  private signalStopped!: () => void;
  readonly ended = new Promise<Ending>((resolve) => (this.signalEnded = resolve));
  readonly stopped = new Promise<void>((resolve) => (this.signalStopped = resolve));

  /** The ending decided so far, if any. */
  get kind(): Ending['kind'] | undefined {
    return this.current?.kind;
  }

  end(next: Ending): void {
    if (this.current) return;
    this.current = next;
    this.signalEnded(next);
  }

  fail(error: unknown): void {
    this.end({ kind: 'failure', error: error instanceof Error ? error : new CandleSinkError(String(error), false) });
  }

  stop(reason: string): void {
    this.end({ kind: 'stop', reason });
    this.signalStopped();
  }
}
