import { documentVersion } from '@streamforge/storage';
import { withKafkaVersion } from './candle-version';

describe('withKafkaVersion', () => {
  const candle = () => ({ _key: 'BTCUSDT_1m_60000', symbol: 'BTCUSDT', open_time: 60_000 }) as never;

  it('versions a candle with its message timestamp in ms, leaving its fields alone', () => {
    const versioned = withKafkaVersion(candle(), '1722470400123');
    expect(documentVersion(versioned)).toBe(1722470400123);
    expect(versioned).toEqual(candle());
  });

  it('leaves a candle unversioned (always written) when the timestamp is missing or not a usable integer', () => {
    for (const timestamp of ['-1', '', 'x', '1.5']) expect(documentVersion(withKafkaVersion(candle(), timestamp))).toBeUndefined();
  });
});
