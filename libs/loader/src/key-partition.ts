/**
 * Kafka's default key → partition mapping (Java client murmur2, as kafkajs's DefaultPartitioner),
 * in 32-bit integer maths over the key's bytes. kafkajs computes it with a 64-bit Long emulation that cost ~10% of the
 * loader's CPU; messages that carry their partition skip it, and land where kafkajs would put them.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of an ASCII key (candle keys are ASCII), as Kafka's Utils.murmur2. */
export function murmur2(key: string): number {
  return murmur2Bytes(Buffer.from(key, 'latin1'), 0, key.length);
}

/** murmur2 of bytes [start, end) of `data`, as Kafka's Utils.murmur2. */
export function murmur2Bytes(data: Uint8Array, start: number, end: number): number {
  const length = end - start;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = start + i * 4;
    let k = (data[i4] as number) | ((data[i4 + 1] as number) << 8) | ((data[i4 + 2] as number) << 16) | ((data[i4 + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = start + (length & ~3);
  const rest = length & 3;
  if (rest === 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner picks for `key` among `partitions`. */
export function partitionForKey(key: string, partitions: number): number {
  return partitions === 1 ? 0 : (murmur2(key) & 0x7fffffff) % partitions;
}
