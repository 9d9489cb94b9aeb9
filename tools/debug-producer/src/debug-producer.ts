import type { Kafka, Producer } from 'kafkajs';
import { controlCommandSchema, telemetryEventSchema, type TelemetryEvent } from '@streamforge/schemas';
import type { Logger } from '@streamforge/logging';
import { createTopicTail, parseMessage } from '@streamforge/kafka';
import type { DebugProducerConfig } from './debug-producer-config';

export interface DebugProducerResult {
  sent: number;
  pongs: Array<{ sentAt: number; rttMs: number }>;
  timedOut: boolean;
}

/** Sends ping/stop commands to a queue and, with expectPong, waits for each matching pong. */
export async function runDebugProducer(
  config: DebugProducerConfig,
  deps: { kafka: Kafka; producer: Producer; logger: Logger; print: (line: string) => void },
): Promise<DebugProducerResult> {
  const waiting = new Map<number, (event: TelemetryEvent) => void>();
  const tail = config.expectPong
    ? createTopicTail({ topic: config.QUEUE_EVENTS_TOPIC, groupPrefix: `debug-producer-${config.queueId}` }, deps)
    : undefined;
  await tail?.start((message) => {
    const parsed = parseMessage(telemetryEventSchema, message.value);
    if (!parsed.ok || parsed.value.queue_id !== config.queueId || parsed.value.event !== 'pong') return;
    waiting.get(parsed.value.ping_ts ?? -1)?.(parsed.value);
  });
  const result: DebugProducerResult = { sent: 0, pongs: [], timedOut: false };
  try {
    for (let i = 0; i < config.repeat; i += 1) {
      if (i > 0) await sleep(config.interval * 1000);
      const sentAt = Date.now() / 1000;
      const command = controlCommandSchema.parse(
        config.command === 'ping'
          ? { command: 'ping', queue_id: config.queueId, sent_at: sentAt, timestamp: sentAt }
          : { command: 'stop', queue_id: config.queueId, timestamp: sentAt },
      );
      const pong = config.expectPong && config.command === 'ping' ? waitFor(waiting, sentAt, config.timeout * 1000) : undefined;
      await deps.producer.send({ topic: config.QUEUE_CONTROL_TOPIC, acks: -1, messages: [{ key: config.queueId, value: JSON.stringify(command) }] });
      result.sent += 1;
      deps.print(`sent ${config.command} #${i + 1} to ${config.queueId}`);
      if (!pong) continue;
      const event = await pong;
      if (!event) {
        result.timedOut = true;
        deps.print(`no pong from ${config.queueId} within ${config.timeout} s`);
        break;
      }
      const rttMs = (Date.now() / 1000 - sentAt) * 1000;
      result.pongs.push({ sentAt, rttMs });
      deps.print(`pong #${i + 1} from ${event.producer}: rtt ${rttMs.toFixed(1)} ms`);
    }
  } finally {
    await tail?.close();
  }
  return result;
}

function waitFor(waiting: Map<number, (event: TelemetryEvent) => void>, sentAt: number, timeoutMs: number): Promise<TelemetryEvent | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    function finish(event: TelemetryEvent | undefined) {
      clearTimeout(timer);
      waiting.delete(sentAt);
      resolve(event);
    }
    waiting.set(sentAt, finish);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
