import { WritePipeline } from './write-pipeline';

/** A promise with its resolve function, to finish writes in the order a test chooses. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A pipeline whose writes finish when the test says so; it records what happened, in order. */
function harness(depth = 2) {
  const log: string[] = [];
  const writes = new Map<string, ReturnType<typeof deferred<boolean>>>();
  const pipeline = new WritePipeline<string>(depth, {
    write: (slice) => {
      log.push(`write ${slice}`);
      const write = deferred<boolean>();
      writes.set(slice, write);
      return write.promise;
    },
    commit: async (slice) => {
      log.push(`commit ${slice}`);
    },
    // Slices named `<lane>:<name>` use that lane; plain names share lane 0.
    lane: (slice) => (slice.includes(':') ? Number(slice.split(':')[0]) : 0),
  });
  const finish = async (slice: string, stored = true) => {
    writes.get(slice)?.resolve(stored);
    await settle();
  };
  return { log, pipeline, finish };
}

describe('WritePipeline', () => {
  it('writes the next slice while one is in flight, but commits in slice order, each after its own write', async () => {
    const { log, pipeline, finish } = harness();
    pipeline.start('a', new Set(['k1']));
    pipeline.start('b', new Set(['k2']));
    expect(log).toEqual(['write a', 'write b']);
    await finish('b');
    expect(log).toEqual(['write a', 'write b']); // b is stored, but a is not committed yet
    await finish('a');
    expect(log).toEqual(['write a', 'write b', 'commit a', 'commit b']);
    await pipeline.drain();
    expect(pipeline.size).toBe(0);
  });

  it('holds a slice sharing a key with one in flight until that write is done', async () => {
    const { log, pipeline, finish } = harness();
    pipeline.start('a', new Set(['k1', 'k2']));
    pipeline.start('b', new Set(['k2', 'k3']));
    await settle();
    expect(log).toEqual(['write a']);
    await finish('a');
    expect(log).toEqual(['write a', 'commit a', 'write b']);
    await finish('b');
    expect(log).toEqual(['write a', 'commit a', 'write b', 'commit b']);
  });

  it('after a slice that was not stored, commits no later slice of its lane, even one that was stored', async () => {
    const { log, pipeline, finish } = harness(3);
    pipeline.start('0:a', new Set(['k1']));
    pipeline.start('0:b', new Set(['k2']));
    pipeline.start('1:c', new Set(['k3']));
    // b is stored while a still waits (a store retry), then a is given up (a stop).
    await finish('0:b');
    await finish('1:c');
    await finish('0:a', false);
    await pipeline.drain();
    // Committing b would move the partition's offset past a's candles: they would never be read again.
    expect(log).toEqual(['write 0:a', 'write 0:b', 'write 1:c', 'commit 1:c']);
    pipeline.start('0:d', new Set(['k4']));
    await finish('0:d');
    await pipeline.drain();
    expect(log).not.toContain('commit 0:d');
  });

  it('makes room only when the oldest slice is done', async () => {
    const { pipeline, finish } = harness(2);
    pipeline.start('a', new Set(['k1']));
    pipeline.start('b', new Set(['k2']));
    let roomy = false;
    const room = pipeline.room().then(() => (roomy = true));
    await finish('b');
    expect(roomy).toBe(false);
    await finish('a');
    await room;
    expect(roomy).toBe(true);
    expect(pipeline.size).toBe(0);
  });

  it('refuses a depth below 1', () => {
    expect(() => new WritePipeline(0, { write: async () => true, commit: async () => undefined, lane: () => 0 })).toThrow('pipeline depth must be a positive integer (got 0)');
  });
});
