import { loadConfigOrExit } from '@streamforge/config';
import { createIdempotentProducer, createKafkaClient, describeKafkaError, kafkaConnectionSettings } from '@streamforge/kafka';
import { createLogger } from '@streamforge/logging';
import { awaitKafkaReady } from '@streamforge/worker';
import { runDebugProducer } from './debug-producer';
import { debugProducerConfigSchema, debugProducerFlags } from './debug-producer-config';

async function main(): Promise<number> {
  const config = loadConfigOrExit(debugProducerConfigSchema, { flags: debugProducerFlags });
  const logger = createLogger({ service: 'debug-producer', level: config.LOG_LEVEL });
  const settings = kafkaConnectionSettings(config, 'producer');
  const kafka = createKafkaClient(settings, { clientId: 'debug-producer', logger });
  // It may be the first client of a new broker: the queue topics and the group coordinator first.
  await awaitKafkaReady(
    { kafka: settings, topics: [config.QUEUE_CONTROL_TOPIC, config.QUEUE_EVENTS_TOPIC], groupId: `debug-producer-${config.queueId}`, clientId: 'debug-producer' },
    // At info even under the default LOG_LEVEL=warn: a wait on a new broker must say why.
    { logger: logger.child({}, { level: 'info' }) },
  );
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    const result = await runDebugProducer(config, { kafka, producer, logger, print: (line) => process.stdout.write(`${line}\n`) });
    if (config.expectPong && config.command === 'ping') {
      const rtts = result.pongs.map((p) => p.rttMs);
      if (rtts.length > 0) process.stdout.write(`${rtts.length}/${config.repeat} pongs, rtt min ${Math.min(...rtts).toFixed(1)} ms, max ${Math.max(...rtts).toFixed(1)} ms\n`);
    }
    return result.timedOut ? 1 : 0;
  } finally {
    await producer.disconnect();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`debug-producer failed: ${describeKafkaError(error)}\n`);
    process.exit(1);
  },
);
