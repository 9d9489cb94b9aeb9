import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { assertSafeCredential, renderLog4j2Properties, renderServerProperties } from './broker-config';
import { launchProcess, readLogTail, terminatePid, type LaunchedProcess } from './broker-process';
import { isFormatted, loadDataDirState, saveDataDirState } from './data-dir-state';
import { getFreePorts } from './free-port';
import { ensureKafkaJars, kafkaLibsDir, kafkaVersion } from './kafka-jars';
import { formatStorage, upsertScramUser, type KafkaToolContext } from './kafka-tools';
import { baseJvmArgs, javaExecutable, planCds, type CdsPlan } from './jvm';
import { defaultCacheDir } from './repo-root';
import { errorMessage } from './run-command';
import { ensureTlsMaterial } from './tls-material';
import { waitForBroker, type ListenerProbe } from './wait-for-broker';

export { ensureKafkaJars } from './kafka-jars';

/** Options for {@link startKafkaBroker}; every field is optional. */
export interface KafkaBrokerOptions {
  /** Broker data directory; default a fresh mkdtemp dir (deleted by stop()); an already formatted dir is reused as is. */
  dataDir?: string;
  /** PLAINTEXT port on 127.0.0.1; default a free port. */
  port?: number;
  /** Also open a SASL_SSL listener (SCRAM-SHA-512, self-signed CA) on another free port. */
  sasl?: boolean;
  /** SCRAM user for the SASL_SSL listener; default 'streamforge'. */
  saslUser?: string;
  /** SCRAM password; default the one stored for this user in the data dir, else a random one. */
  saslPassword?: string;
  /** Jar cache; default `<repoRoot>/.cache/kafka` (git-ignored). */
  cacheDir?: string;
  /** File receiving the broker's stdout/stderr; default `<dataDir>/broker.log`. */
  logFile?: string;
  /** Spawn detached and unref'd so the broker outlives this process (used by the CLI). */
  detached?: boolean;
  /**
   * 'startup' (default): C1-only JIT, up fast, for tests. 'peak': C2 too, for benchmarks, where the
   * C1-only broker's TLS (no AES-GCM intrinsics) would be what SASL_SSL figures measure.
   */
  jit?: 'startup' | 'peak';
}

/** Credentials and endpoint of the SASL_SSL listener. */
export interface KafkaSaslEndpoint {
  /** "127.0.0.1:<saslPort>". */
  bootstrapServers: string;
  /** PEM file of the CA that signed the broker certificate (pass to kafkajs `ssl.ca`). */
  caPath: string;
  /** SCRAM-SHA-512 user name. */
  user: string;
  /** SCRAM-SHA-512 password. */
  password: string;
}

/** Handle on a broker started by {@link startKafkaBroker}. */
export interface RunningKafkaBroker {
  /** "127.0.0.1:<port>" of the PLAINTEXT listener. */
  bootstrapServers: string;
  /** Present when started with `sasl: true`. */
  sasl?: KafkaSaslEndpoint;
  /** Data directory in use. */
  dataDir: string;
  /** Pid of the current broker JVM (changes on restart()). */
  pid: number;
  /** SIGTERM, wait for exit (SIGKILL after 20 s); safe to call twice. */
  stop(): Promise<void>;
  /** Stop, then start again on the same ports and the same data dir. */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const DEFAULT_SASL_USER = 'streamforge';

/** Starts a single-node KRaft Kafka broker on loopback and resolves once it serves clients. */
export async function startKafkaBroker(opts: KafkaBrokerOptions = {}): Promise<RunningKafkaBroker> {
  const cacheDir = path.resolve(opts.cacheDir ?? defaultCacheDir());
  const classpath = await ensureKafkaJars(cacheDir);
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir
    ? path.resolve(opts.dataDir)
    : await mkdtemp(path.join(os.tmpdir(), 'streamforge-kafka-'));
  await mkdir(dataDir, { recursive: true });
  const logFile = path.resolve(opts.logFile ?? path.join(dataDir, 'broker.log'));
  await mkdir(path.dirname(logFile), { recursive: true });
  const logDirs = path.join(dataDir, 'kraft-logs');
  const configPath = path.join(dataDir, 'server.properties');
  const log4jPath = path.join(dataDir, 'log4j2.properties');
  const detached = opts.detached ?? false;

  const state = await loadDataDirState(dataDir);
  const [port, controllerPort, saslPort] = await pickPorts(opts.port);
  const scram = opts.sasl ? resolveScram(opts, state.scramUsers) : undefined;
  const tls = opts.sasl ? await ensureTlsMaterial(path.join(dataDir, 'tls')) : undefined;

  await writeFile(
    configPath,
    renderServerProperties({
      logDirs,
      port,
      controllerPort,
      ...(scram && tls ? { sasl: { port: saslPort, ...scram, tls } } : {}),
    }),
  );
  await writeFile(log4jPath, renderLog4j2Properties());
  const jvmArgs = baseJvmArgs(log4jPath);
  const toolCtx: KafkaToolContext = { classpath, jvmArgs, cwd: dataDir };

  let scramMissing = false;
  if (!isFormatted(logDirs)) {
    await formatStorage(toolCtx, configPath, state.clusterId, scram);
    if (scram) state.scramUsers[scram.user] = scram.password;
    await saveDataDirState(dataDir, state);
  } else if (scram && state.scramUsers[scram.user] !== scram.password) {
    // Formatted earlier without this user (e.g. `start` without --sasl first): add it once the broker is up.
    scramMissing = true;
  }

  const bootstrapServers = `127.0.0.1:${port}`;
  const sasl: KafkaSaslEndpoint | undefined =
    scram && tls ? { bootstrapServers: `127.0.0.1:${saslPort}`, caPath: tls.caPath, ...scram } : undefined;
  const plainProbe: ListenerProbe = { brokers: [bootstrapServers] };
  const saslProbe: ListenerProbe | undefined = sasl && {
    brokers: [sasl.bootstrapServers],
    ssl: { ca: [await readFile(sasl.caPath, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: sasl.user, password: sasl.password },
  };
  const describe = (pid: number): string =>
    `Kafka ${kafkaVersion()} broker (pid ${pid}, ${bootstrapServers}, data dir ${dataDir}, log ${logFile})`;

  let current: { proc: LaunchedProcess; cds: CdsPlan };

  const halt = async (): Promise<void> => {
    const { proc, cds } = current;
    const graceful = await terminatePid(proc.pid);
    await proc.exited;
    cds.afterExit(graceful);
  };

  const launch = async (): Promise<void> => {
    await appendFile(
      logFile,
      `\n===== local-kafka: starting Kafka ${kafkaVersion()} at ${new Date().toISOString()} =====\n`,
    );
    const cds = planCds(kafkaLibsDir(cacheDir), !detached);
    const proc = launchProcess(
      javaExecutable(),
      [...baseJvmArgs(log4jPath, { jit: opts.jit ?? 'startup' }), ...cds.args, '-cp', classpath, 'kafka.Kafka', configPath],
      { logFile, detached, cwd: dataDir },
    );
    current = { proc, cds };
    try {
      await waitForBroker([plainProbe], { timeoutMs: READY_TIMEOUT_MS, exited: proc.exited });
      if (scramMissing && scram) {
        await upsertScramUser(toolCtx, bootstrapServers, scram);
        state.scramUsers[scram.user] = scram.password;
        await saveDataDirState(dataDir, state);
        scramMissing = false;
      }
      if (saslProbe) await waitForBroker([saslProbe], { timeoutMs: READY_TIMEOUT_MS, exited: proc.exited });
    } catch (err) {
      const tail = readLogTail(logFile, 40);
      await halt().catch(() => undefined);
      throw new Error(
        `${describe(proc.pid)} failed to start: ${errorMessage(err)}\n--- last 40 lines of ${logFile} ---\n${tail}`,
        { cause: err },
      );
    }
  };

  await launch();

  let stopping: Promise<void> | undefined;
  return {
    bootstrapServers,
    ...(sasl ? { sasl } : {}),
    dataDir,
    get pid(): number {
      return current.proc.pid;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        await halt();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
    async restart(): Promise<void> {
      if (stopping) throw new Error(`${describe(current.proc.pid)} was stopped; restart() is only valid before stop()`);
      // halt() copes with an already-dead JVM and still settles its CDS bookkeeping.
      await halt();
      await launch();
    },
  };
}

async function pickPorts(fixedPort: number | undefined): Promise<[number, number, number]> {
  // One spare so that dropping a fixed port the OS also happened to offer still leaves enough.
  const free = (await getFreePorts(4)).filter((p) => p !== fixedPort);
  const [plain, controller, sasl] = fixedPort === undefined ? free : [fixedPort, ...free];
  if (plain === undefined || controller === undefined || sasl === undefined)
    throw new Error('Could not find free ports');
  return [plain, controller, sasl];
}

function resolveScram(opts: KafkaBrokerOptions, known: Record<string, string>): { user: string; password: string } {
  const user = opts.saslUser ?? DEFAULT_SASL_USER;
  // Reusing the stored password keeps a persistent data dir (CLI) working across runs without re-provisioning.
  const password = opts.saslPassword ?? known[user] ?? randomBytes(16).toString('hex');
  assertSafeCredential('saslUser', user);
  assertSafeCredential('saslPassword', password);
  return { user, password };
}
