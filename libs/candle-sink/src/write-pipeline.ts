/** What the pipeline does with a slice: write it, then (in slice order) commit it. */
export interface PipelineSteps<S> {
  /** Stores the slice; resolves true when it is stored, false when it must not be committed. Never rejects. */
  write(slice: S): Promise<boolean>;
  /** Commits the slice's offsets; runs only after its write succeeded and every earlier commit ran. Never rejects. */
  commit(slice: S): Promise<void>;
  /** The slice's lane (the sink: its partition): once a slice of a lane is not stored, no later slice of that lane commits. */
  lane(slice: S): number;
}

interface InFlight {
  keys: ReadonlySet<string>;
  written: Promise<boolean>;
  done: Promise<void>;
}

/**
 * Keeps up to `depth` slices in flight so the store always has the next write queued while the
 * caller decodes (or fetches) the one after: a store on another thread or server never waits for us.
 *
 * What stays ordered: commits run in slice order, each after its own write, and a slice that was
 * not stored (the sink is stopping or failing) closes its lane: no later slice of it commits, so a
 * committed offset never covers a slice that is not stored. (A lane stays closed: the next run
 * reads it again from its committed offset.) Writes of slices that share a `_key` run in slice order
 * too (the later one waits for the earlier one's write), so a candle published twice with different
 * values ends up with the later value even when the earlier write is retried; writes of disjoint
 * slices may overlap, which upserts by `_key` make safe.
 */
export class WritePipeline<S> {
  private readonly inFlight: InFlight[] = [];
  private lastCommit: Promise<void> = Promise.resolve();
  /** Lanes with a slice that was not stored: committing a later slice would skip over it. */
  private readonly closedLanes = new Set<number>();

  constructor(
    private readonly depth: number,
    private readonly steps: PipelineSteps<S>,
  ) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`pipeline depth must be a positive integer (got ${depth})`);
  }

  /** Slices written or committing right now. */
  get size(): number {
    return this.inFlight.length;
  }

  /** Resolves once a slice can be started without exceeding the depth. */
  async room(): Promise<void> {
    while (this.inFlight.length >= this.depth) await this.inFlight[0].done;
  }

  /** Starts the slice's write (after any in-flight slice sharing one of `keys`); its commit follows in order. */
  start(slice: S, keys: ReadonlySet<string>): void {
    const before = this.inFlight.filter((other) => sharesKey(other.keys, keys)).map((other) => other.written);
    const written = before.length === 0 ? this.steps.write(slice) : Promise.all(before).then(() => this.steps.write(slice));
    const previousCommit = this.lastCommit;
    const entry: InFlight = { keys, written, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        const stored = await written;
        await previousCommit;
        const lane = this.steps.lane(slice);
        if (!stored) this.closedLanes.add(lane);
        else if (!this.closedLanes.has(lane)) await this.steps.commit(slice);
      } finally {
        this.inFlight.splice(this.inFlight.indexOf(entry), 1);
      }
    })();
    this.lastCommit = entry.done;
    this.inFlight.push(entry);
  }

  /** Resolves when every slice started so far is written and committed (or given up). */
  drain(): Promise<void> {
    return this.lastCommit;
  }
}

function sharesKey(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const key of small) if (large.has(key)) return true;
  return false;
}
