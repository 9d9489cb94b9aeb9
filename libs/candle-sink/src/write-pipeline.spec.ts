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

  it('does not commit a slice whose write gave up; a later slice decides for itself', async () => {
    const { log, pipeline, finish } = harness();
    pipeline.start('a', new Set(['k1']));
    pipeline.start('b', new Set(['k2']));
    await finish('a', false);
    await finish('b');
    await pipeline.drain();
    // b's commit is b's own decision (its write step returned true): the sink's steps refuse it once the sink is failing.
    expect(log).toEqual(['write a', 'write b', 'commit b']);
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
    expect(() => new WritePipeline(0, { write: async () => true, commit: async () => undefined })).toThrow('pipeline depth must be a positive integer (got 0)');
  });
});
