import { EOS_HEADER, EOS_SPLIT_HEADER } from '@streamforge/schemas';
import { EndOfStreamTracker, readEndOfStream } from './end-of-stream-tracker';

describe('readEndOfStream', () => {
  it('reads the count from the header (kafkajs hands headers over as Buffers)', () => {
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('1440') })).toEqual({ count: 1440, split: { index: 1, of: 1 } });
  });

  it('reads the split that wrote it (absent: the whole range), null when unreadable', () => {
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('500'), [EOS_SPLIT_HEADER]: Buffer.from('2/3') })).toEqual({ count: 500, split: { index: 2, of: 3 } });
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('500'), [EOS_SPLIT_HEADER]: Buffer.from('4/3') })).toEqual({ count: 500, split: null });
  });

  it('treats a marker with an unreadable count as a marker of unknown count', () => {
    expect(readEndOfStream({ [EOS_HEADER]: Buffer.from('many') })).toEqual({ count: undefined, split: { index: 1, of: 1 } });
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

describe('EndOfStreamTracker with loader splits', () => {
  const committed = (entries: Array<[number, bigint]>) => new Map(entries);
  const of3 = (index: number) => ({ index, of: 3 });

  it('is not complete with markers of 2 of 3 splits, and commits past them; the third marker completes the set and caps the commits', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 100n, count: 1000, split: of3(1) });
    tracker.record({ partition: 0, offset: 200n, count: 1000, split: of3(3) });
    tracker.observe(0, 201n, 201n);
    expect(tracker.isLastMarker(0, 200n)).toBe(false);
    expect(tracker.commitOffset(0, 201n)).toBe(201n);
    expect(tracker.isComplete([0], committed([[0, 201n]]))).toBe(false);
    expect(tracker.pending([0])).toEqual([0]);
    tracker.record({ partition: 0, offset: 300n, count: 999, split: of3(2) });
    tracker.observe(0, 301n, 301n);
    expect(tracker.commitOffset(0, 301n)).toBe(300n);
    expect(tracker.isLastMarker(0, 300n)).toBe(true);
    expect(tracker.isComplete([0], committed([[0, 300n]]))).toBe(true);
    expect(tracker.publishedAtLeast()).toBe(2999);
    expect(tracker.countsBySplit()).toEqual([1000, 999, 1000]);
  });

  it('needs every split on every partition', () => {
    const tracker = new EndOfStreamTracker();
    for (const [index, offset] of [[1, 10n], [2, 20n], [3, 30n]] as const) tracker.record({ partition: 0, offset, count: 10, split: of3(index) });
    tracker.record({ partition: 1, offset: 10n, count: 10, split: of3(1) });
    tracker.record({ partition: 1, offset: 20n, count: 10, split: of3(2) });
    tracker.observe(0, 31n, 31n);
    tracker.observe(1, 21n, 21n);
    expect(tracker.isComplete([0, 1], committed([[0, 30n], [1, 21n]]))).toBe(false);
    expect(tracker.pending([0, 1])).toEqual([1]);
    expect(tracker.missingSplits(1)).toEqual([3]);
    expect(tracker.missingSplits(0)).toEqual([]);
    expect(tracker.missingSplits(2)).toBeUndefined();
  });

  it('takes a retried split\'s repeated marker as the same split: the newest marker is the last, and its count is the larger of its runs, not their sum', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 10n, count: 500, split: { index: 1, of: 2 } });
    tracker.record({ partition: 0, offset: 20n, count: 400, split: { index: 2, of: 2 } });
    tracker.observe(0, 21n, 80n);
    expect(tracker.commitOffset(0, 21n)).toBe(20n);
    expect(tracker.isComplete([0], committed([[0, 20n]]))).toBe(false);
    // Split 2 was retried after a kill: it re-sends part of its range, then marks again.
    tracker.record({ partition: 0, offset: 79n, count: 60, split: { index: 2, of: 2 } });
    tracker.observe(0, 80n, 80n);
    expect(tracker.isLastMarker(0, 20n)).toBe(false);
    expect(tracker.commitOffset(0, 80n)).toBe(79n);
    expect(tracker.isComplete([0], committed([[0, 79n]]))).toBe(true);
    expect(tracker.publishedAtLeast()).toBe(900);
  });

  it('never completes when markers disagree on the number of splits, and says which ones', () => {
    const problems: string[] = [];
    const tracker = new EndOfStreamTracker((problem) => problems.push(problem));
    tracker.record({ partition: 0, offset: 10n, count: 5, split: { index: 1, of: 2 } });
    tracker.record({ partition: 0, offset: 20n, count: 5, split: { index: 2, of: 3 } });
    tracker.record({ partition: 0, offset: 30n, count: 5, split: { index: 2, of: 2 } });
    tracker.observe(0, 31n, 31n);
    expect(tracker.isComplete([0], committed([[0, 30n]]))).toBe(false);
    expect(problems).toEqual([
      'the marker of split 2/3 at partition 0 offset 20 says the range is split in 3, but the marker of split 1/2 at partition 0 offset 10 said 2: the load cannot complete while the loaders of this topic disagree on their splits',
    ]);
    // The disagreement travels in the commits, so a restarted sink does not forget it.
    const restarted = new EndOfStreamTracker((problem) => problems.push(problem));
    restarted.restore(0, tracker.splitsBelow(0, 30n) ?? { of: [], counts: {} });
    restarted.record({ partition: 0, offset: 30n, count: 5, split: { index: 2, of: 2 } });
    restarted.observe(0, 31n, 31n);
    expect(restarted.isComplete([0], committed([[0, 30n]]))).toBe(false);
    expect(problems).toHaveLength(2);
  });

  it('never completes on a marker whose split header is unreadable', () => {
    const problems: string[] = [];
    const tracker = new EndOfStreamTracker((problem) => problems.push(problem));
    tracker.record({ partition: 0, offset: 10n, count: 5, split: null });
    tracker.observe(0, 11n, 11n);
    expect(tracker.isComplete([0], committed([[0, 10n]]))).toBe(false);
    expect(problems[0]).toMatch(/partition 0 offset 10 has an unreadable streamforge-eos-split header/);
  });

  it('hands the splits below a commit over to a restarted sink, which completes on re-reading the last marker', () => {
    const tracker = new EndOfStreamTracker();
    tracker.record({ partition: 0, offset: 10n, count: 7, split: of3(2) });
    tracker.record({ partition: 0, offset: 20n, count: 8, split: of3(1) });
    expect(tracker.splitsBelow(0, 10n)).toBeUndefined();
    expect(tracker.splitsBelow(0, 15n)).toEqual({ of: [3], counts: { '2': 7 } });
    tracker.record({ partition: 0, offset: 30n, count: 9, split: of3(3) });
    tracker.observe(0, 31n, 31n);
    expect(tracker.commitOffset(0, 31n)).toBe(30n);
    const below = tracker.splitsBelow(0, 30n);
    expect(below).toEqual({ of: [3], counts: { '1': 8, '2': 7 } });

    // The sink died after that commit: the next run reads from offset 30.
    const restarted = new EndOfStreamTracker();
    restarted.restore(0, below ?? { of: [], counts: {} });
    restarted.observe(0, 30n, 31n);
    expect(restarted.isComplete([0], committed([[0, 30n]]))).toBe(false);
    restarted.record({ partition: 0, offset: 30n, count: 9, split: of3(3) });
    restarted.observe(0, 31n, 31n);
    expect(restarted.isComplete([0], committed([[0, 30n]]))).toBe(true);
    expect(restarted.publishedAtLeast()).toBe(24);
  });
});
