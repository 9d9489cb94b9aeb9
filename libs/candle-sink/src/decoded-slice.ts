import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Candle } from '@streamforge/schemas';
import { decodeCandle, type CandleEnricher } from './candle-decoder';
import { withKafkaVersion } from './candle-version';
import type { DeadLetter } from './dead-letter-queue';
import { readEndOfStream, type EndOfStreamHeaders } from './end-of-stream-tracker';

/** The calls of the batch a slice came from that it needs once eachBatch may have returned. */
export interface GroupHandles {
  heartbeat: () => Promise<void>;
  commit: EachBatchPayload['commitOffsetsIfNecessary'];
}

/** One slice of a fetched batch, parsed. */
export interface DecodedSlice {
  partition: number;
  /** Offsets of its first and last message. */
  first: string;
  last: string;
  /** The partition's high watermark when the slice was fetched. */
  highWatermark: bigint;
  messages: number;
  candles: Candle[];
  letters: DeadLetter[];
  /** Newest open_time among its candles, -1 when none. */
  newest: number;
  /** The partition's rewind count when it was read. */
  epoch: number;
  /** The consumer-group calls of the batch it came from. */
  group: GroupHandles;
}

/** Where a slice came from. */
export interface SliceSource {
  partition: number;
  highWatermark: bigint;
  epoch: number;
  group: GroupHandles;
}

/**
 * Parses one slice of a fetched batch: candles to write (each through `enrich`, in offset order),
 * bad messages for the dead-letter topic; end-of-stream markers go to `onMarker`.
 */
export function decodeSlice(source: SliceSource, messages: KafkaMessage[], onMarker: (offset: string, marker: EndOfStreamHeaders) => void, enrich?: CandleEnricher): DecodedSlice {
  const candles: Candle[] = [];
  const letters: DeadLetter[] = [];
  let newest = -1;
  for (const message of messages) {
    const marker = readEndOfStream(message.headers);
    if (marker) {
      onMarker(message.offset, marker);
      continue;
    }
    const decoded = decodeCandle(message.value, enrich);
    if (decoded.ok) {
      candles.push(withKafkaVersion(decoded.candle, message.timestamp));
      if (decoded.candle.open_time > newest) newest = decoded.candle.open_time;
    } else {
      letters.push({ partition: source.partition, message, kind: decoded.kind, reason: decoded.reason });
    }
  }
  return { ...source, first: messages[0].offset, last: messages[messages.length - 1].offset, messages: messages.length, candles, letters, newest };
}
