import path from 'node:path';
import { terminatePid } from './broker-process';
import {
  isRecordedBrokerAlive,
  readLocalBrokerState,
  removeLocalBrokerState,
  writeLocalBrokerState,
  type LocalBrokerState,
} from './cli-state';
import { startKafkaBroker } from './kafka-broker';
import { ensureKafkaJars, kafkaLibsDir, kafkaVersion } from './kafka-jars';
import { ensureQueueTopics, queueTopicNames } from './queue-topics';
import { defaultCacheDir } from './repo-root';
import { errorMessage } from './run-command';

const USAGE =
  'usage: tsx tools/local-kafka/src/cli.ts start|stop|status|provision [--sasl] [--data-dir DIR] [--port N]';

interface CliArgs {
  command: 'start' | 'stop' | 'status' | 'provision';
  sasl: boolean;
  dataDir?: string;
  port?: number;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command !== 'start' && command !== 'stop' && command !== 'status' && command !== 'provision') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command '${command}'`);
  }
  const args: CliArgs = { command, sasl: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--sasl') {
      args.sasl = true;
    } else if (arg === '--data-dir' || arg === '--port') {
      const value = rest[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      if (arg === '--data-dir') {
        args.dataDir = path.resolve(value);
      } else {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 1 || port > 65535)
          throw new UsageError(`--port must be 1-65535, got '${value}'`);
        args.port = port;
      }
    } else {
      throw new UsageError(`unknown argument '${String(arg)}'`);
    }
  }
  if (command !== 'start' && (args.sasl || args.dataDir !== undefined || args.port !== undefined)) {
    throw new UsageError(`'${command}' takes no options`);
  }
  return args;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** `KEY=value` that survives `eval "$(cli start)"` even when a path contains spaces. */
function shellAssignment(key: string, value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? `${key}=${value}` : `${key}='${value.replace(/'/g, `'\\''`)}'`;
}

/** Prints the broker's coordinates; info lines start with '# ' so the whole output can be eval'ed; the bootstrap line comes last. */
function printBroker(state: LocalBrokerState): void {
  out(`# log: ${state.logFile}`);
  if (state.sasl) {
    out(shellAssignment('STREAMFORGE_TEST_SASL_BOOTSTRAP', state.sasl.bootstrapServers));
    out(shellAssignment('STREAMFORGE_TEST_SASL_CA_PATH', state.sasl.caPath));
    out(shellAssignment('STREAMFORGE_TEST_SASL_USER', state.sasl.user));
    out(shellAssignment('STREAMFORGE_TEST_SASL_PASSWORD', state.sasl.password));
  }
  out(`KAFKA_BOOTSTRAP_SERVERS=${state.bootstrapServers}`);
}

async function start(args: CliArgs, stateFile: string, cacheDir: string): Promise<void> {
  const existing = await readLocalBrokerState(stateFile);
  if (existing && isRecordedBrokerAlive(existing)) {
    out(`# Kafka ${existing.kafkaVersion} is already running (pid ${existing.pid}, data dir ${existing.dataDir})`);
    if (args.sasl && !existing.sasl) out('# note: it has no SASL listener; run `stop` then `start --sasl` to get one');
    await createQueueTopics(existing.bootstrapServers);
    printBroker(existing);
    return;
  }
  if (existing) await removeLocalBrokerState(stateFile);

  const startedAt = Date.now();
  const dataDir = args.dataDir ?? path.join(cacheDir, 'local-data');
  const broker = await startKafkaBroker({
    dataDir,
    sasl: args.sasl,
    cacheDir,
    detached: true,
    ...(args.port === undefined ? {} : { port: args.port }),
  });
  const state: LocalBrokerState = {
    pid: broker.pid,
    bootstrapServers: broker.bootstrapServers,
    dataDir: broker.dataDir,
    logFile: path.join(broker.dataDir, 'broker.log'),
    kafkaVersion: kafkaVersion(),
    startedAt: new Date().toISOString(),
    ...(broker.sasl ? { sasl: broker.sasl } : {}),
  };
  await writeLocalBrokerState(stateFile, state);
  out(
    `# Kafka ${state.kafkaVersion} started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (pid ${state.pid}, data dir ${state.dataDir})`,
  );
  await createQueueTopics(state.bootstrapServers);
  out(`# stop it with: tsx tools/local-kafka/src/cli.ts stop`);
  printBroker(state);
}

/** A worker started right after `start` finds its queue topics (a new data dir has none). */
async function createQueueTopics(bootstrapServers: string): Promise<void> {
  const topics = queueTopicNames();
  await ensureQueueTopics(bootstrapServers, topics);
  out(`# topics ready: ${topics.join(', ')}`);
}

async function stop(stateFile: string): Promise<void> {
  const state = await readLocalBrokerState(stateFile);
  if (!state || !isRecordedBrokerAlive(state)) {
    await removeLocalBrokerState(stateFile);
    out('No local Kafka broker is running; nothing to stop.');
    return;
  }
  const graceful = await terminatePid(state.pid);
  await removeLocalBrokerState(stateFile);
  out(`Stopped local Kafka broker (pid ${state.pid})${graceful ? '' : ' with SIGKILL after the 20 s grace period'}.`);
}

async function status(stateFile: string): Promise<number> {
  const state = await readLocalBrokerState(stateFile);
  if (!state || !isRecordedBrokerAlive(state)) {
    out('Local Kafka broker: not running');
    return 3;
  }
  out(
    `Local Kafka broker: running (Kafka ${state.kafkaVersion}, pid ${state.pid}, since ${state.startedAt}, data dir ${state.dataDir})`,
  );
  printBroker(state);
  return 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`local-kafka: ${err.message}. ${USAGE}\n`);
    return 2;
  }
  const cacheDir = defaultCacheDir();
  // LOCAL_KAFKA_STATE_FILE: a second, independent broker (tests) without touching the usual one's record.
  const stateFile = process.env['LOCAL_KAFKA_STATE_FILE'] ?? path.join(cacheDir, 'local-broker.json');
  switch (args.command) {
    case 'start':
      await start(args, stateFile, cacheDir);
      return 0;
    case 'stop':
      await stop(stateFile);
      return 0;
    case 'status':
      return status(stateFile);
    case 'provision': {
      const startedAt = Date.now();
      const classpath = await ensureKafkaJars(cacheDir);
      out(
        `Kafka ${kafkaVersion()} jars ready in ${kafkaLibsDir(cacheDir)} (${classpath.split(path.delimiter).length} jars, ${Date.now() - startedAt} ms)`,
      );
      return 0;
    }
  }
}

// `cli start | head -1` must not turn a successful start into an EPIPE crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`local-kafka: ${errorMessage(err)}\n`);
    process.exitCode = 1;
  },
);
