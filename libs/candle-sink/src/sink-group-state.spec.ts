import { decodePartitionState, encodePartitionState, expectedFromSplits } from './sink-group-state';

describe('sink group state (commit metadata)', () => {
  it('reads back what it wrote', () => {
    expect(decodePartitionState(encodePartitionState({ deadLettered: 3, expectedRecords: 1440 }))).toEqual({ deadLettered: 3, expectedRecords: 1440, endOfStream: false, finishes: 0 });
    expect(decodePartitionState(encodePartitionState({ deadLettered: 0, endOfStream: true, finishes: 2 }))).toEqual({ deadLettered: 0, expectedRecords: undefined, endOfStream: true, finishes: 2 });
    expect(decodePartitionState(encodePartitionState({ deadLettered: 0 }))).toEqual({ deadLettered: 0, expectedRecords: undefined, endOfStream: false, finishes: 0 });
  });

  it('ignores metadata it did not write', () => {
    for (const metadata of [
      '{"dead_lettered":0,"eos_splits":{"of":[17],"counts":{}}}',
      '{"dead_lettered":0,"eos_splits":{"of":[3],"counts":{"1":-5}}}',
      '{"dead_lettered":0,"eos_splits":{"of":[],"counts":{}}}',
      '{"dead_lettered":0,"eos_splits":{"of":[3],"counts":[1]}}',
    ]) {
      expect(decodePartitionState(metadata)).toBeUndefined();
    }
    for (const metadata of [null, '', 'not json', '{"dead_lettered":-1}', '{"dead_lettered":"3"}', '{"dead_lettered":1,"expected_records":1.5}', 'null']) {
      expect(decodePartitionState(metadata)).toBeUndefined();
    }
  });

  it('keeps the loader splits whose markers lie below the commit, and sums their largest counts over the partitions', () => {
    const splits = { of: [3], counts: { '1': 1000, '3': null } };
    expect(decodePartitionState(encodePartitionState({ deadLettered: 0, splits }))).toEqual({ deadLettered: 0, expectedRecords: undefined, endOfStream: false, finishes: 0, splits });
    // One instance read splits 1 and 3, another 2 and 3 (split 3 retried, its runs reporting 700 then 900).
    expect(expectedFromSplits([{ of: [3], counts: { '1': 1000, '3': 700 } }, { of: [3], counts: { '2': 800, '3': 900 } }])).toBe(2700);
    expect(expectedFromSplits([{ of: [3], counts: { '1': null } }])).toBeUndefined();
  });
});
