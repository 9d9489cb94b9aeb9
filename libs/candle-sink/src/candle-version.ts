import type { Candle } from '@streamforge/schemas';
import { withDocumentVersion } from '@streamforge/storage';

/**
 * A candle's store version is its Kafka message timestamp (ms): a re-read or late-landing write of
 * the same message carries the same version (skipped), a corrected candle produced later a higher
 * one, also across loads into the same collection (offsets restart with each topic; clocks do not).
 * Two versions of one candle produced within the same millisecond would keep the first one.
 */
export function withKafkaVersion(candle: Candle, timestamp: string): Candle {
  const version = Number(timestamp);
  return Number.isSafeInteger(version) && version > 0 ? withDocumentVersion(candle, version) : candle;
}
