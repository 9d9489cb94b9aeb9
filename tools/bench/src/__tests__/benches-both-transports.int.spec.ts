import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createKafkaClient, kafkaConnectionSettings } from '@streamforge/kafka';
import { createLogger } from '@streamforge/logging';
import { benchBroker } from '../bench-transport';

// The suite's broker has both listeners (jest global setup exports KAFKA_BOOTSTRAP_SERVERS and the
// STREAMFORGE_TEST_SASL_* variables), so the benches start none. Tiny sizes: this checks the wiring
// and the output, not the figures. Needs the bundles built (npm test builds first).
const repoRoot = join(__dirname, '..', '..', '..', '..');
const run = promisify(execFile);

async function bench(script: string, args: string[]): Promise<string> {
  const ran = await run(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), join(repoRoot, 'tools/bench/src', script), ...args], { cwd: repoRoot, timeout: 150_000 }).catch(
    (error: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`${script} ${args.join(' ')} exited ${error.code}\nstdout: ${error.stdout?.slice(-3000)}\nstderr: ${error.stderr?.slice(-2000)}`);
    },
  );
  return ran.stdout;
}

const failedChecks = (stdout: string) => stdout.split('\n').filter((line) => /^\s*check /.test(line) && !/^\s*check ok /.test(line));

describe('benchBroker without listeners in the environment', () => {
  it('starts a broker with both listeners and the peak JIT (C2: TLS at production cost), reachable over each', async () => {
    const broker = await benchBroker(['plaintext', 'sasl'], {});
    try {
      const commandLine = readFileSync(`/proc/${broker.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.filter((arg) => arg.startsWith('-XX:TieredStopAtLevel'))).toEqual([]);
      for (const transport of ['plaintext', 'sasl'] as const) {
        const admin = createKafkaClient(kafkaConnectionSettings(broker.env(transport)), { clientId: 'bench-broker-test', logger: createLogger({ service: 'test', level: 'error' }) }).admin();
        await admin.connect();
        try {
          expect({ transport, brokers: (await admin.describeCluster()).brokers.length }).toEqual({ transport, brokers: 1 });
        } finally {
          await admin.disconnect();
        }
      }
    } finally {
      await broker.stop();
    }
  }, 150_000);
});

describe('bench:loader --splits', () => {
  it('runs 2 loader splits at once into one topic, checks every candle once and a marker per partition and split, and prints the summed rate', async () => {
    const stdout = await bench('loader-bench.ts', ['--profiles', 'raw', '--raw-range', '2023-01-01:2023-01-01', '--splits', '2', '--partitions', '2']);
    expect(stdout).toMatch(/^raw +plaintext compression=none splits=2 partitions=2: 1440 candles in [\d.]+ s wall \(first start to last exit\) = \d+ candles\/s summed; per split 1\/2 \d+ candles\/s over [\d.]+ s, 2\/2 \d+ candles\/s/m);
    expect(stdout).toMatch(/check ok +end-of-stream markers read back \(one per partition and split\): expected 4, got 4/);
    expect({ checks: (stdout.match(/^\s*check ok /gm) ?? []).length, failed: failedChecks(stdout) }).toEqual({ checks: 5, failed: [] });
  }, 160_000);
});

describe('benches over both transports (--transport both, --sasl)', () => {
  it('`npm run bench:loader -- --transport both` loads over plaintext and SASL_SSL, checks each, and prints both side by side', async () => {
    const stdout = await bench('loader-bench.ts', ['--transport', 'both', '--profiles', 'raw', '--raw-range', '2023-01-01:2023-01-01']);
    expect(stdout).toMatch(/^raw +plaintext compression=none 1440 candles in/m);
    expect(stdout).toMatch(/^raw +SASL_SSL compression=none 1440 candles in/m);
    expect(stdout).toMatch(/^ {2}plaintext +none +1 +[\d,]+ /m);
    expect(stdout).toMatch(/^ {2}SASL_SSL +none +1 +[\d,]+ /m);
    expect(stdout).toMatch(/^ {2}SASL_SSL \/ plaintext \(median candles\/s\), compression none: \d+ %$/m);
    expect({ checks: (stdout.match(/^\s*check ok /gm) ?? []).length, failed: failedChecks(stdout) }).toEqual({ checks: 10, failed: [] });
  }, 160_000);

  it('`npm run bench:sink -- --transport both` drains over plaintext and SASL_SSL, checks each, and prints both side by side', async () => {
    const stdout = await bench('sink-bench.ts', ['--transport', 'both', '--candles', '3000']);
    expect(stdout).toMatch(/over plaintext:\n[\s\S]*sink drained the topic[\s\S]*over SASL_SSL:\n[\s\S]*sink drained the topic/);
    expect(stdout).toMatch(/^ {2}SASL_SSL \/ plaintext \(median candles\/s\): \d+ %$/m);
    expect({ checks: (stdout.match(/^\s*check ok /gm) ?? []).length, failed: failedChecks(stdout) }).toEqual({ checks: 2, failed: [] });
  }, 160_000);

  it('`npm run bench -- --sasl` runs queue-manager and its workers over SASL_SSL and checks the stored count', async () => {
    const stdout = await bench('pipeline-bench.ts', ['--sasl', '--range', '2024-08-01:2024-08-01']);
    expect(stdout).toMatch(/^over SASL_SSL /m);
    expect(stdout).not.toMatch(/^over plaintext/m);
    expect(stdout).toMatch(/^end to end: [\d,]+ candles\/s \(1440 candles\)$/m);
    expect({ checks: (stdout.match(/^\s*check ok /gm) ?? []).length, failed: failedChecks(stdout) }).toEqual({ checks: 6, failed: [] });
  }, 160_000);
});
