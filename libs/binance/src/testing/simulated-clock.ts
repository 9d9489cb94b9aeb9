/**
 * The exchange's clock for the simulators: starts at a chosen instant and runs `speed` times faster
 * than real time, so a test lives through many candles in seconds. The REST and WebSocket
 * simulators share one, so REST serves exactly the candles the stream has already closed.
 */
export interface SimulatedClockOptions {
  /** Simulated instant at creation (ms); default the real now. */
  start?: number;
  /** Simulated ms per real ms; default 1. */
  speed?: number;
  /** Real clock (ms); default Date.now. */
  realNow?: () => number;
}

export class SimulatedClock {
  private baseSim: number;
  private baseReal: number;
  private rate: number;
  private readonly realNow: () => number;
  private readonly jumpListeners = new Set<() => void>();

  constructor(options: SimulatedClockOptions = {}) {
    this.realNow = options.realNow ?? Date.now;
    this.baseReal = this.realNow();
    this.baseSim = options.start ?? this.baseReal;
    this.rate = options.speed ?? 1;
    if (!(this.rate > 0)) throw new RangeError(`speed must be > 0, got ${this.rate}`);
  }

  /** Current simulated time (ms). Bound, so it can be passed as `now`. */
  readonly now = (): number => Math.floor(this.baseSim + (this.realNow() - this.baseReal) * this.rate);

  get speed(): number {
    return this.rate;
  }

  /** Changes the speed from this instant on (the simulated time does not jump). */
  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.baseSim = this.now();
    this.baseReal = this.realNow();
    this.rate = speed;
    this.notify();
  }

  /** Jumps forward by `ms` of simulated time (timers scheduled on this clock fire at once if due). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance needs ms >= 0, got ${ms}`);
    this.baseSim += ms;
    this.notify();
  }

  /** Real ms until the simulated instant `at` (0 when it has passed). */
  realDelayUntil(at: number): number {
    return Math.max(0, Math.ceil((at - this.now()) / this.rate));
  }

  /** Called after every jump or speed change, so schedulers can re-arm their timers. */
  onJump(listener: () => void): () => void {
    this.jumpListeners.add(listener);
    return () => this.jumpListeners.delete(listener);
  }

  private notify(): void {
    for (const listener of [...this.jumpListeners]) listener();
  }
}
