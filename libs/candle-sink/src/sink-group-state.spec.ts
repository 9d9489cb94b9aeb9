import { decodePartitionState, encodePartitionState } from './sink-group-state';

describe('sink group state (commit metadata)', () => {
  it('reads back what it wrote', () => {
    expect(decodePartitionState(encodePartitionState({ deadLettered: 3, expectedRecords: 1440 }))).toEqual({ deadLettered: 3, expectedRecords: 1440 });
    expect(decodePartitionState(encodePartitionState({ deadLettered: 0 }))).toEqual({ deadLettered: 0, expectedRecords: undefined });
  });

  it('ignores metadata it did not write', () => {
    for (const metadata of [null, '', 'not json', '{"dead_lettered":-1}', '{"dead_lettered":"3"}', '{"dead_lettered":1,"expected_records":1.5}', 'null']) {
      expect(decodePartitionState(metadata)).toBeUndefined();
    }
  });
});
