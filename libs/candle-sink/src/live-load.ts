import type { Kafka } from 'kafkajs';
import { describeKafkaError } from '@streamforge/kafka';
import type { Logger } from '@streamforge/logging';
import type { DecodedSlice } from './decoded-slice';
import { drainToEnd } from './live-drain';
import type { LoadProgress } from './load-progress';
import type { SinkEnding } from './sink-ending';
import type { SinkMetrics } from './sink-metrics';

/** A live load's settings (CandleSinkConfig.live). */
export interface LiveLoadConfig {
  /** A fetch waits at most this long for a batch to fill (caps lingerMs). */
  maxWaitMs: number;
  /** On stop, how long to wait for the topic to be stored up to its end. */
  stopDrainMs: number;
}

/**
 * What a live load (open-ended TIME_RANGE) changes in the sink: the live lag of every newer candle
 * stored, and a stop that first stores the topic
 * up to its end (queue-manager stops a live queue's loaders before its sink).
 */
export function createLiveLoad(
  config: LiveLoadConfig & { groupId: string; topic: string },
  deps: { kafka: Kafka; ending: SinkEnding; progress: LoadProgress; metrics: SinkMetrics; log: Logger },
) {
  let newestClose = -1;
  let stopping: Promise<void> | undefined;
  return {
    lingerMs: (lingerMs: number) => Math.min(lingerMs, config.maxWaitMs),

    /** The slice writer, recording close → stored of each newer candle: how far the collection is behind the market. */
    measuring(write: (slice: DecodedSlice) => Promise<boolean>): (slice: DecodedSlice) => Promise<boolean> {
      return async (slice) => {
        const stored = await write(slice);
        let newest = -1;
        for (const candle of slice.candles) if (candle.close_time > newest) newest = candle.close_time;
        if (stored && newest > newestClose) {
          newestClose = newest;
          const lagMs = Math.max(0, Date.now() - (newest + 1));
          deps.metrics.liveLag.observe(lagMs / 1000);
          deps.progress.liveLag(lagMs);
        }
        return stored;
      };
    },

    /** Stores the topic up to its end (when consuming at all), then ends the run as a stop. */
    stop(reason: string, consuming: boolean): void {
      stopping ??= (async () => {
        if (consuming && !deps.ending.kind) {
          deps.log.info({ reason }, 'stopping a live load: storing the topic up to its end first');
          await drainToEnd(deps.kafka, { groupId: config.groupId, topic: config.topic, timeoutMs: config.stopDrainMs }, { ending: deps.ending, log: deps.log }).catch((error: unknown) =>
            deps.log.warn({ err: describeKafkaError(error) }, 'live stop: could not compare the commits with the topic end'),
          );
        }
        deps.ending.stop(reason);
      })();
    },
  };
}
