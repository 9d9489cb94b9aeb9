/**
 * Kline → Kafka message of the candle schema, written as one template string: it runs once per
 * candle on the hot path, and every field is a number or a symbol/interval that needs no escaping
 * (symbols match ^[A-Z0-9-_.]{1,20}$, checked by the config).
 */
import type { Kline } from '@streamforge/binance';

export interface CandleMessage {
  key: string;
  value: string;
}

export type CandleEncoder = (kline: Kline) => CandleMessage;

/** An encoder for one symbol and interval; numbers print exactly as JSON.stringify would. */
export function candleEncoder(symbol: string, interval: string): CandleEncoder {
  const keyPrefix = `${symbol}_${interval}_`;
  const identity = `","symbol":"${symbol}","interval":"${interval}","open_time":`;
  return (k) => {
    const key = keyPrefix + k.openTime;
    const value =
      `{"_key":"${key}${identity}${k.openTime},"close_time":${k.closeTime},"open":${k.open},"high":${k.high},"low":${k.low},` +
      `"close":${k.close},"volume":${k.volume},"quote_asset_volume":${k.quoteAssetVolume},"number_of_trades":${k.numberOfTrades},` +
      `"taker_buy_base_asset_volume":${k.takerBuyBaseAssetVolume},"taker_buy_quote_asset_volume":${k.takerBuyQuoteAssetVolume}}`;
    return { key, value };
  };
}
