import { EOS_HEADER } from '@streamforge/schemas';
import { EndOfStreamTracker, readEndOfStream } from './end-of-stream-tracker';

describe('readEndOfStream', () => {
  it('reads the count from the header (kafkajs hands headers over as Buffers)', () => {
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('1440') })).toEqual({ count: 1440 });
  });

  it('treats a marker with an unreadable count as a marker of unknown count', () => {
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('many') })).toEqual({ count: undefined });
  });

  it('ignores messages without the header', () => {
    expect(readEndOfStream({})).toBeUndefined();
    expect(readEndOfStream(undefined)).toBeUndefined();
  });
});

describe('EndOfStreamTracker', () => {
  const committed = (entries: Array<[number, bigint]>) => new Map(entries);

  it('is complete only when every partition has a marker and the commit reached it', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 500n, count: 1440 });
    tracker.observe(0, 501n, 501n);
    tracker.observe(1, 400n, 942n);
    expect(tracker.isComplete([0, 1], committed([[0, 500n], [1, 400n]]))).toBe(false);
    expect(tracker.pending([0, 1])).toEqual([1]);
    tracker.record({ partition: 1, offset: 941n, count: 1440 });
    tracker.observe(1, 942n, 942n);
    expect(tracker.isComplete([0, 1], committed([[0, 500n], [1, 900n]]))).toBe(false);
    expect(tracker.isComplete([0, 1], committed([[0, 500n], [1, 941n]]))).toBe(true);
  });

  it('never commits past the last marker, so a restarted sink reads it again', () => {
    const tracker = new EndOfStreamTracker();
    expect(tracker.commitOffset(0, 101n)).toBe(101n);
    tracker.record({ partition: 0, offset: 100n, count: 10 });
    expect(tracker.commitOffset(0, 101n)).toBe(100n);
    expect(tracker.commitOffset(0, 250n)).toBe(100n);
    expect(tracker.commitOffset(1, 250n)).toBe(250n);
  });

  it('waits for the messages after a marker, and the newest marker, when a retried loader wrote several', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 100n, count: 800 });
    tracker.observe(0, 101n, 743n);
    expect(tracker.isComplete([0], committed([[0, 100n]]))).toBe(false);
    tracker.observe(0, 500n, 743n);
    expect(tracker.commitOffset(0, 500n)).toBe(100n);
    expect(tracker.isComplete([0], committed([[0, 100n]]))).toBe(false);
    tracker.record({ partition: 0, offset: 742n, count: 640 });
    tracker.observe(0, 743n, 743n);
    expect(tracker.commitOffset(0, 743n)).toBe(742n);
    expect(tracker.isComplete([0], committed([[0, 100n]]))).toBe(false);
    expect(tracker.isComplete([0], committed([[0, 742n]]))).toBe(true);
    expect(tracker.all().map((m) => m.count)).toEqual([800, 640]);
  });

  it('is not complete while the partition holds messages after its marker', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 100n, count: 100 });
    tracker.observe(0, 101n, 150n);
    expect(tracker.isComplete([0], committed([[0, 100n]]))).toBe(false);
  });

  it('counts a marker delivered twice (after a rebalance) once', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 100n, count: 10 });
    tracker.record({ partition: 0, offset: 100n, count: 10 });
    expect(tracker.all()).toHaveLength(1);
  });

  it('is never complete for a topic without partitions', () => {
    expect(new EndOfStreamTracker().isComplete([], new Map())).toBe(false);
  });

  it('expects at least the largest count one run reported, not the sum of the runs', () => {
    const tracker = new EndOfStreamTracker();
    expect(tracker.publishedAtLeast()).toBeUndefined();
    tracker.record({ partition: 0, offset: 10n, count: undefined });
    expect(tracker.publishedAtLeast()).toBeUndefined();
    tracker.record({ partition: 0, offset: 20n, count: 1440 });
    tracker.record({ partition: 1, offset: 20n, count: 1440 });
    tracker.record({ partition: 0, offset: 30n, count: 0 });
    expect(tracker.publishedAtLeast()).toBe(1440);
  });
});
