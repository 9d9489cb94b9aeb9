import { murmur2, partitionForKey } from './key-partition';

// kafkajs's own implementation, the reference the broker-side layout must match.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;

describe('murmur2 / partitionForKey', () => {
  it('matches kafkajs (and so the Java client) on candle keys of every length', () => {
    const keys = ['', 'a', 'ab', 'abc', 'abcd', '21', 'BTCUSDT_1m_1722470400000', '1000SATSUSDT_1M_1722470400000'];
    for (let i = 0; i < 2000; i++) keys.push(`ETHUSDT_${['1s', '15m', '1d'][i % 3]}_${1_500_000_000_000 + i * 60_000}`);
    for (const key of keys) expect([key, murmur2(key)]).toEqual([key, kafkajsMurmur2(key)]);
  });

  it('spreads keys over partitions like the default partitioner', () => {
    for (let i = 0; i < 500; i++) {
      const key = `BTCUSDT_1m_${1_722_470_400_000 + i * 60_000}`;
      expect(partitionForKey(key, 7)).toBe((kafkajsMurmur2(key) & 0x7fffffff) % 7);
    }
    expect(partitionForKey('anything', 1)).toBe(0);
  });
});
