import { readFileSync } from 'node:fs';
import { Kafka, KafkaJSSASLAuthenticationError, logLevel, Partitioners, type KafkaConfig } from 'kafkajs';
import { startKafkaBroker, type KafkaSaslEndpoint, type RunningKafkaBroker } from './kafka-broker';

// The first run on a machine downloads the Kafka jars with Maven (~30 s on a fast link).
const START_TIMEOUT_MS = 240_000;
const TEST_TIMEOUT_MS = 60_000;

interface BrokerEndpoints {
  bootstrapServers: string;
  sasl?: KafkaSaslEndpoint;
}

/** The broker exported by the jest global setup (or CI), if any. */
function brokerFromEnv(): BrokerEndpoints | undefined {
  const env = process.env;
  const bootstrapServers = env['KAFKA_BOOTSTRAP_SERVERS'];
  if (!bootstrapServers) return undefined;
  const [saslBootstrap, caPath, user, password] = [
    env['STREAMFORGE_TEST_SASL_BOOTSTRAP'],
    env['STREAMFORGE_TEST_SASL_CA_PATH'],
    env['STREAMFORGE_TEST_SASL_USER'],
    env['STREAMFORGE_TEST_SASL_PASSWORD'],
  ];
  if (!(saslBootstrap && caPath && user && password)) return { bootstrapServers };
  return { bootstrapServers, sasl: { bootstrapServers: saslBootstrap, caPath, user, password } };
}

function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
}

function saslConfig(sasl: KafkaSaslEndpoint, password = sasl.password): KafkaConfig {
  return {
    brokers: [sasl.bootstrapServers],
    ssl: { ca: [readFileSync(sasl.caPath, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: sasl.user, password },
  };
}

async function createTopic(config: KafkaConfig, topic: string): Promise<void> {
  const admin = new Kafka({ ...config, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function produce(config: KafkaConfig, topic: string, value: string): Promise<void> {
  const producer = new Kafka({ ...config, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
  } finally {
    await producer.disconnect();
  }
}

/** Joins a fresh consumer group and returns the first `count` values read from the start of `topic`. */
async function consume(config: KafkaConfig, topic: string, count: number): Promise<string[]> {
  const consumer = new Kafka({ ...config, logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueName('group') });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`consumed only ${values.length}/${count} from ${topic}`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString('utf8') ?? '');
            if (values.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    return values;
  } finally {
    await consumer.disconnect();
  }
}

const envBroker = brokerFromEnv();
// An external broker (CI service) may have no SASL listener; a broker we start always has one.
const itWithSasl = !envBroker || envBroker.sasl ? it : it.skip;

describe('local Kafka broker (shared)', () => {
  let owned: RunningKafkaBroker | undefined;
  let broker: BrokerEndpoints;

  beforeAll(async () => {
    if (envBroker) {
      broker = envBroker;
    } else {
      owned = await startKafkaBroker({ sasl: true });
      broker = owned;
    }
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await owned?.stop();
  }, TEST_TIMEOUT_MS);

  it(
    'accepts produce and consumer-group consume on a topic created by admin',
    async () => {
      const config: KafkaConfig = { brokers: [broker.bootstrapServers] };
      const topic = uniqueName('plain');
      await createTopic(config, topic);
      await produce(config, topic, 'hello plaintext');
      await expect(consume(config, topic, 1)).resolves.toEqual(['hello plaintext']);
    },
    TEST_TIMEOUT_MS,
  );

  itWithSasl(
    'serves SASL_SSL with SCRAM-SHA-512 for the right password',
    async () => {
      const config = saslConfig(broker.sasl as KafkaSaslEndpoint);
      const topic = uniqueName('sasl');
      await createTopic(config, topic);
      await produce(config, topic, 'hello sasl');
      await expect(consume(config, topic, 1)).resolves.toEqual(['hello sasl']);
    },
    TEST_TIMEOUT_MS,
  );

  itWithSasl(
    'rejects a wrong SCRAM password with an authentication error',
    async () => {
      const sasl = broker.sasl as KafkaSaslEndpoint;
      const admin = new Kafka({
        ...saslConfig(sasl, `${sasl.password}-wrong`),
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
      }).admin();
      try {
        const error: unknown = await admin.connect().then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError);
        expect((error as Error).message).toMatch(/authentication failed/i);
      } finally {
        await admin.disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

// restart() needs the handle from the process that started the broker; jest workers never have the
// global setup's handle, so this suite always owns its broker.
describe('local Kafka broker restart()', () => {
  let broker: RunningKafkaBroker | undefined;

  beforeAll(async () => {
    broker = await startKafkaBroker();
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await broker?.stop();
  }, TEST_TIMEOUT_MS);

  it(
    'keeps data and ports across a restart',
    async () => {
      if (!broker) throw new Error('the broker did not start (see beforeAll)');
      const config: KafkaConfig = { brokers: [broker.bootstrapServers] };
      const topic = uniqueName('restart');
      const { bootstrapServers, pid } = broker;
      await createTopic(config, topic);
      await produce(config, topic, 'before restart');

      await broker.restart();

      expect(broker.bootstrapServers).toBe(bootstrapServers);
      expect(broker.pid).not.toBe(pid);
      await produce(config, topic, 'after restart');
      await expect(consume(config, topic, 2)).resolves.toEqual(['before restart', 'after restart']);
    },
    2 * TEST_TIMEOUT_MS,
  );
});
