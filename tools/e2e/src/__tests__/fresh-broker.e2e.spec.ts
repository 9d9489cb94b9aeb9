import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startBinanceSimulator, type BinanceSimulator } from '@streamforge/binance/testing';
import { createKafkaClient, kafkaConnectionSettings } from '@streamforge/kafka';
import { uniqueName } from '@streamforge/kafka/testing';
import { createLogger } from '@streamforge/logging';
import { getFreePorts } from '@streamforge/local-kafka';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';
import { CANDLES_IN_ONE_DAY, ONE_DAY } from '../e2e-harness';
import { readmeLocalNpmCommands, tsxEntryOf } from '../readme-commands';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..', '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'streamforge-fresh-broker-'));
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');
/** `npm run kafka -- …` on a broker of its own: the CLI records it apart from the developer's own broker. */
const kafkaCliOf = (stateFile: string) => (...args: string[]) =>
  run(process.execPath, [tsxCli, 'tools/local-kafka/src/cli.ts', ...args], { cwd: repoRoot, env: { ...process.env, LOCAL_KAFKA_STATE_FILE: stateFile }, timeout: 120_000 });
const kafkaCli = kafkaCliOf(join(dir, 'local-broker.json'));

/** Starts a broker on a new data dir with `npm run kafka -- start` and returns its bootstrap servers. */
async function startFreshBroker(cli: typeof kafkaCli, dataDir: string): Promise<string> {
  const { stdout } = await cli('start', '--data-dir', dataDir);
  const bootstrapServers = /^KAFKA_BOOTSTRAP_SERVERS=(\S+)$/m.exec(stdout)?.[1];
  if (!bootstrapServers) throw new Error(`npm run kafka -- start printed no KAFKA_BOOTSTRAP_SERVERS line:\n${stdout}`);
  return bootstrapServers;
}

/** Log lines a worker wrote at error level (kafkajs retry noise included): a first run must have none. */
const errorLines = (worker: WorkerProcess) => worker.stdout().split('\n').filter((line) => /"level":(50|60)\b/.test(line));
const waitLines = (worker: WorkerProcess) => worker.stdout().split('\n').filter((line) => line.includes('waiting for the Kafka group coordinator'));

async function exitCode(worker: WorkerProcess, what: string, timeoutMs = 90_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not exit within ${timeoutMs / 1000} s; stdout: ${worker.stdout().slice(-2000)} stderr: ${worker.stderr().slice(-2000)}`)), timeoutMs);
  });
  try {
    return await Promise.race([worker.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectCleanFirstRun(worker: WorkerProcess, code: number | string): void {
  expect({ code, stderr: worker.stderr().slice(-1000), errors: errorLines(worker) }).toEqual({ code: 0, stderr: expect.any(String), errors: [] });
  expect(waitLines(worker).length).toBeLessThanOrEqual(1);
}

// queue-manager is the first client of its own new broker (no offsets topic, no producer ids, no queue
// topics): its producer, topic creation and telemetry group join must wait quietly, as the workers do.
describe('queue-manager as the first client of a fresh broker', () => {
  const qmDir = join(dir, 'queue-manager-first');
  const cli = kafkaCliOf(join(qmDir, 'local-broker.json'));
  let bootstrapServers = '';

  beforeAll(async () => {
    bootstrapServers = await startFreshBroker(cli, join(qmDir, 'data'));
  }, 150_000);
  afterAll(async () => {
    killAllWorkerProcesses();
    await cli('stop');
  }, 60_000);

  it('queue-manager (node dist/apps/queue-manager/main.js) becomes ready, serves its API, runs a first queue, logs no error line and stops cleanly on SIGTERM', async () => {
    // The broker must really be new: no client has created the offsets topic or the queue topics yet.
    const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrapServers }), { clientId: 'fresh-broker-test', logger: createLogger({ service: 'test', level: 'error' }) });
    const admin = kafka.admin();
    await admin.connect();
    const controlTopic = uniqueName('control');
    const eventsTopic = uniqueName('events');
    try {
      expect((await admin.listTopics()).filter((t) => ['__consumer_offsets', controlTopic, eventsTopic].includes(t))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    const [port] = await getFreePorts(1);
    const manager = startWorkerProcess(bundlePath('apps', 'queue-manager'), [], {
      KAFKA_BOOTSTRAP_SERVERS: bootstrapServers, PORT: String(port), STORE: 'sqlite', SQLITE_PATH: join(qmDir, 'queue-manager.db'), ARANGO_URL: undefined, LAUNCHER: 'local',
      QUEUE_CONTROL_TOPIC: controlTopic, QUEUE_EVENTS_TOPIC: eventsTopic,
    });
    const deadline = Date.now() + 90_000;
    let health = 0;
    while (Date.now() < deadline && manager.child.exitCode === null) {
      health = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.status, () => 0);
      if (health === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect({ health, stderr: manager.stderr().slice(-1000) }).toEqual({ health: 200, stderr: expect.any(String) });
    expect((await fetch(`http://127.0.0.1:${port}/queues`)).status).toBe(200);
    // A first queue: its data topic, the first start command and the first telemetry the follower reads.
    const started = await fetch(`http://127.0.0.1:${port}/queues/start-test-flow`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flow_name: 'dummy_flow', symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', extra_params: { args: ['--loading-interval', '1', '--exit-after', '2'] } }),
    });
    expect(started.status).toBe(201);
    const queueId = ((await started.json()) as { data: { queue_id: string } }).data.queue_id;
    const queueStatus = () => fetch(`http://127.0.0.1:${port}/queues/${queueId}`).then(async (r) => ((await r.json()) as { data: { status: string } }).data.status);
    let status = await queueStatus();
    for (const deadline = Date.now() + 90_000; !['finished', 'error', 'interrupted'].includes(status) && Date.now() < deadline; status = await queueStatus()) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect({ queueId, status }).toEqual({ queueId, status: 'finished' });
    manager.kill('SIGTERM');
    // Worker lines are in queue-manager's output too (prefixed with the job name): none at error level either.
    expectCleanFirstRun(manager, await exitCode(manager, 'queue-manager'));
  }, 150_000);
});

/**
 * Every `npm run bench*` line of the README, run as its npm script runs it (the bundles are built once,
 * before the suite) with the README's arguments plus small sizes: what each must print for its figure.
 */
const readmeBenches: Record<string, { sizes: string[]; figure: RegExp }> = {
  'bench:storage': { sizes: ['--docs', '5000'], figure: /^ {2}insert: [\d.]+ s wall, [\d,]+ docs\/s/m },
  'bench:indicators': { sizes: ['--candles', '5000', '--rounds', '1'], figure: /^ {2}document literal \+ push onto it: \d+ ns CPU per candle/m },
  'bench:indicator-pass': { sizes: ['--candles', '5000'], figure: /^ {2}first pass \(writes every document\): 5,000 updated; wall [\d.]+ s/m },
  'bench:loader': { sizes: ['--raw-range', '2023-01-01:2023-01-01', '--polite-days', '2'], figure: /^raw +plaintext compression=none +1440 candles in [\d.]+ s = \d+ candles\/s[\s\S]*^polite plaintext 2880 candles in [\d.]+ s = \d+ candles\/s/m },
  bench: { sizes: [], figure: /^end to end: [\d,]+ candles\/s \(4320 candles\)/m },
  'bench:live': { sizes: ['--minutes', '0.25'], figure: /^close → visible in the topic: p50 \d+ ms, p90 \d+ ms, p99 \d+ ms/m },
  'bench:sink': { sizes: ['--candles', '5000'], figure: /^ {2}sink drained the topic in [\d.]+ s: [\d,]+ candles\/s/m },
};
const readmeBenchCommands = readmeLocalNpmCommands(readFileSync(join(repoRoot, 'README.md'), 'utf8')).filter((c) => /^bench(:|$)/.test(c.script));
const npmScripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

// One broker for the whole file, started by `npm run kafka -- start` on a new data dir: the first
// worker meets a broker with no offsets topic and no producer ids, and every worker has queue topics
// of its own that do not exist yet, as on a new cluster.
describe('workers on a fresh broker (new data dir, no topics)', () => {
  let bootstrapServers = '';
  let sim: BinanceSimulator | undefined;
  const loaderTopic = uniqueName('candles');
  const freshEnv = (service: string) => ({
    KAFKA_BOOTSTRAP_SERVERS: bootstrapServers, QUEUE_ID: uniqueName(`wf-${service}`),
    QUEUE_CONTROL_TOPIC: uniqueName('control'), QUEUE_EVENTS_TOPIC: uniqueName('events'),
    SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', TELEMETRY_PRODUCER_ID: `${service}__fresh01`,
  });

  beforeAll(async () => {
    bootstrapServers = await startFreshBroker(kafkaCli, join(dir, 'data'));
  }, 150_000);
  afterAll(async () => {
    killAllWorkerProcesses();
    await sim?.close();
    await kafkaCli('stop');
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('`npm run kafka -- start` creates queue-control and queue-events', async () => {
    const kafka = createKafkaClient(kafkaConnectionSettings({ KAFKA_BOOTSTRAP_SERVERS: bootstrapServers }), { clientId: 'fresh-broker-test', logger: createLogger({ service: 'test', level: 'error' }) });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toEqual(expect.arrayContaining(['queue-control', 'queue-events']));
    } finally {
      await admin.disconnect();
    }
  });

  it('dummy-service answers a debug-producer ping and exits 0, neither logging an error', async () => {
    const env = freshEnv('dummy-service');
    const dummy = startWorkerProcess(bundlePath('apps', 'dummy-service'), ['--exit-on-ping'], env);
    const ping = startWorkerProcess(bundlePath('tools', 'debug-producer'), ['--queue-id', env.QUEUE_ID, '--command', 'ping', '--expect-pong', '--timeout', '60'], env);
    expectCleanFirstRun(ping, await exitCode(ping, 'debug-producer'));
    expect(ping.stdout()).toMatch(/pong #1 from /);
    expectCleanFirstRun(dummy, await exitCode(dummy, 'dummy-service'));
  }, 150_000);

  it('`npx nx serve dummy-service --args="…"` runs the app with those flags, without opening a debugger', async () => {
    // The README's form; several flags are comma-separated. METRICS_PORT=0: another serve (or queue-manager) may hold :8000.
    const args = '--args=--simulate-loading,--loading-interval=1,--exit-after=3';
    const nx = join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
    const served = await run(process.execPath, [nx, 'serve', 'dummy-service', args, '--output-style=stream'], {
      cwd: repoRoot, timeout: 120_000, env: { ...process.env, ...freshEnv('dummy-service'), NX_DAEMON: 'false', METRICS_PORT: '0' },
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`nx serve failed: ${error.message}\nstdout: ${error.stdout?.slice(-2000)}\nstderr: ${error.stderr?.slice(-2000)}`);
    });
    const output = `${served.stdout}\n${served.stderr}`;
    expect(output).not.toMatch(/Debugger listening/);
    expect(output).toMatch(/"status":"loading"/);
    expect(output).toMatch(/"status":"finished"/);
  }, 150_000);

  it('`npm run binance-sim` prints BINANCE_BASE_URL last and answers klines there', async () => {
    const cli = startWorkerProcess(join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), [join(repoRoot, 'libs/binance/src/testing/binance-simulator-cli.ts'), '--port', '0'], {});
    try {
      const line = await cli.waitForOutput(/^BINANCE_BASE_URL=\S+$/m, 60_000);
      const url = line.trim().split('=')[1];
      const klines = await fetch(`${url}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1722470400000&limit=3`);
      expect(klines.status).toBe(200);
      expect(((await klines.json()) as unknown[]).length).toBe(3);
    } finally {
      cli.kill('SIGTERM');
      await exitCode(cli, 'binance-sim');
    }
  }, 90_000);

  it('loader-api-candles loads one day into a new topic and exits 0 without an error line', async () => {
    sim = await startBinanceSimulator();
    const loader = startWorkerProcess(bundlePath('apps', 'loader-api-candles'), [], {
      ...freshEnv('loader-api-candles'), KAFKA_TOPIC: loaderTopic, TIME_RANGE: ONE_DAY, BINANCE_BASE_URL: sim.url, LOADER_RETRY_BASE_MS: '50',
    });
    expectCleanFirstRun(loader, await exitCode(loader, 'loader-api-candles'));
    expect(loader.stdout()).toContain('"status":"finished"');
  }, 150_000);

  it("the README's bench lines are the ones tested below", () => {
    expect(readmeBenchCommands.map((c) => c.script).sort()).toEqual(Object.keys(readmeBenches).sort());
  });

  // Kafka benches use this broker (KAFKA_BOOTSTRAP_SERVERS, as the README says); each must exit 0 and print
  // its figure and only passing checks of its own read-back (a failed check exits 1: tools/bench specs).
  it.each(readmeBenchCommands.map((c) => [c.line, c] as const))('`%s` (small sizes) prints its figure and its checks, all ok, and exits 0', async (_line, command) => {
    const bench = readmeBenches[command.script];
    if (!bench) throw new Error(`no sizes for README line ${command.line}`);
    const args = [tsxCli, tsxEntryOf(npmScripts, command.script), ...command.args, ...bench.sizes];
    const ran = await run(process.execPath, args, { cwd: repoRoot, timeout: 120_000, env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: bootstrapServers } }).catch(
      (error: { code?: number; stdout?: string; stderr?: string; message: string }) => ({ stdout: `exit ${error.code}: ${error.message}\n${error.stdout ?? ''}`, stderr: error.stderr ?? '' }),
    );
    const checks = ran.stdout.split('\n').filter((line) => /^\s*check /.test(line));
    const verdict = { figure: bench.figure.test(ran.stdout), checks: checks.length > 0, failed: checks.filter((line) => !/^\s*check ok /.test(line)), exitedNonZero: /^exit \d+:/.test(ran.stdout) };
    const expected = { figure: true, checks: true, failed: [], exitedNonZero: false };
    // The output only when something is off: what the bench printed is the diagnosis.
    expect(JSON.stringify(verdict) === JSON.stringify(expected) ? verdict : { ...verdict, stdout: ran.stdout.slice(-3000), stderr: ran.stderr.slice(-3000) }).toEqual(expected);
  }, 150_000);

  it('arango-candles stores every candle of that topic and exits 0 without an error line', async () => {
    const sqlitePath = join(dir, 'store.db');
    const collection = 'btcusdt_api_candles_1m_2024_08_01';
    const sink = startWorkerProcess(bundlePath('apps', 'arango-candles'), [], {
      ...freshEnv('arango-candles'), KAFKA_TOPIC: loaderTopic, COLLECTION_NAME: collection, STORE: 'sqlite', SQLITE_PATH: sqlitePath, ARANGO_URL: undefined,
    });
    expectCleanFirstRun(sink, await exitCode(sink, 'arango-candles'));
    const store = createSqliteDocumentStore({ path: sqlitePath });
    try {
      expect(await store.count(collection)).toBe(CANDLES_IN_ONE_DAY);
    } finally {
      await store.close();
    }
  }, 150_000);

  it('`npm run kafka -- stop` stops the broker `start` recorded: its port refuses connections and `status` says not running', async () => {
    const port = Number(bootstrapServers.split(':')[1]);
    const { stdout } = await kafkaCli('stop');
    expect(stdout).toMatch(/^Stopped local Kafka broker \(pid \d+\)\.$/m);
    const refused = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(refused).toBe('ECONNREFUSED');
    const status = await kafkaCli('status').then(() => ({ code: 0, stdout: '' }), (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }));
    expect(status).toEqual({ code: 3, stdout: 'Local Kafka broker: not running\n' });
  }, 90_000);
});
