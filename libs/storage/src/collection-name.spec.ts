import { z } from 'zod';
import { collectionNameSetting, validateCollectionName } from './collection-name';

describe('validateCollectionName', () => {
  it.each(['candles', 'btcusdt_api_candles_1m_2024_08_01', 'A-b_9', 'x'.repeat(256)])('accepts %#', (name) => {
    expect(validateCollectionName(name)).toBeUndefined();
  });

  it.each([
    ['', 'a collection name must not be empty'],
    ['_system', 'starts with "_", which ArangoDB reserves for system collections'],
    ['1m_candles', 'must start with a letter'],
    ['-x', 'must start with a letter'],
    ['btc.usdt', 'contains "." at position 3; only letters, digits, "_" and "-" are allowed'],
    ['btc usdt', 'contains " " at position 3'],
    ['kerzen_ä', 'contains "ä" at position 7'],
    ['x'.repeat(257), 'is 257 bytes long; at most 256 allowed'],
  ])('refuses #%#: %s', (name, reason) => {
    expect(validateCollectionName(name)).toContain(reason);
  });

  it('makes config loading fail with the reason', () => {
    const result = z.object({ COLLECTION_NAME: collectionNameSetting }).safeParse({ COLLECTION_NAME: 'bad name' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe('collection name "bad name" contains " " at position 3; only letters, digits, "_" and "-" are allowed');
  });
});
