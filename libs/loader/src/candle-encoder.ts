/**
 * Klines page → Kafka messages of the candle schema, written by copying the page's bytes: the
 * scanner already checked every field and located it as JSON number text, so no number is parsed
 * or printed here. One output buffer per page; keys and values are views into it.
 */
import { KLINE_FIELDS, type KlinePage } from '@streamforge/binance';
import { murmur2Bytes } from './key-partition';

export interface CandleMessage {
  key: Buffer;
  value: Buffer;
  /** Where Kafka's default partitioner would put the key, computed here (see key-partition.ts). */
  partition: number;
}

export type CandleEncoder = (page: KlinePage) => CandleMessage[];

/** Candle fields after open_time, in wire order, with the API field each comes from. */
const VALUE_FIELDS: ReadonlyArray<[name: string, field: number]> = [
  ['close_time', 6],
  ['open', 1],
  ['high', 2],
  ['low', 3],
  ['close', 4],
  ['volume', 5],
  ['quote_asset_volume', 7],
  ['number_of_trades', 8],
  ['taker_buy_base_asset_volume', 9],
  ['taker_buy_quote_asset_volume', 10],
];

/**
 * An encoder for one symbol and interval (symbols match ^[A-Z0-9-_.]{1,20}$, checked by the
 * config, so nothing needs JSON escaping).
 */
export function candleEncoder(symbol: string, interval: string, partitions = 1): CandleEncoder {
  const keyPrefix = Buffer.from(`${symbol}_${interval}_`, 'latin1');
  const valueStart = Buffer.from('{"_key":"', 'latin1');
  const identity = Buffer.from(`","symbol":"${symbol}","interval":"${interval}","open_time":`, 'latin1');
  const names = VALUE_FIELDS.map(([name]) => Buffer.from(`,"${name}":`, 'latin1'));
  const fields = VALUE_FIELDS.map(([, field]) => field);
  const fixedPerRow = keyPrefix.length * 2 + valueStart.length + identity.length + names.reduce((n, b) => n + b.length, 0) + 1;

  return (page) => {
    const { body, spans, count } = page;
    // The open time appears three times (key, _key, open_time); every other field once.
    const out = Buffer.allocUnsafe(count * fixedPerRow + 3 * body.length);
    let pos = 0;
    const put = (src: Uint8Array, start: number, end: number) => {
      for (let i = start; i < end; i++) out[pos++] = src[i] as number;
    };
    const messages: CandleMessage[] = new Array(count);
    for (let r = 0; r < count; r++) {
      const base = r * KLINE_FIELDS * 2;
      const openStart = spans[base] as number;
      const openEnd = spans[base + 1] as number;
      const keyStart = pos;
      put(keyPrefix, 0, keyPrefix.length);
      put(body, openStart, openEnd);
      const keyEnd = pos;
      put(valueStart, 0, valueStart.length);
      out.copy(out, pos, keyStart, keyEnd);
      pos += keyEnd - keyStart;
      put(identity, 0, identity.length);
      put(body, openStart, openEnd);
      for (let f = 0; f < fields.length; f++) {
        const name = names[f] as Buffer;
        put(name, 0, name.length);
        const at = base + (fields[f] as number) * 2;
        put(body, spans[at] as number, spans[at + 1] as number);
      }
      out[pos++] = 0x7d;
      messages[r] = {
        key: out.subarray(keyStart, keyEnd),
        value: out.subarray(keyEnd, pos),
        partition: partitions === 1 ? 0 : (murmur2Bytes(out, keyStart, keyEnd) & 0x7fffffff) % partitions,
      };
    }
    return messages;
  };
}
