import { startKafkaBroker } from '@streamforge/local-kafka';

/** How a bench reaches Kafka: the plaintext listener, or SASL_SSL + SCRAM-SHA-512 as on the cluster. */
export type Transport = 'plaintext' | 'sasl';

export const TRANSPORT_LABEL: Record<Transport, string> = { plaintext: 'plaintext', sasl: 'SASL_SSL' };

/** The parseArgs options every Kafka bench takes: `--transport`, `--sasl`, `--runs`. */
export const TRANSPORT_OPTIONS = {
  transport: { type: 'string' },
  sasl: { type: 'boolean', default: false },
  runs: { type: 'string', default: '1' },
} as const;

/** `--transport …` / `--sasl` (see parseTransports) and `--runs N` (N ≥ 1): what to run, how often. */
export function parseTransportRuns(values: { transport?: string; sasl?: boolean; runs?: string }): { transports: Transport[]; runs: number } {
  const transports = parseTransports(values);
  const runs = Number(values.runs ?? '1');
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got "${values.runs}"`);
  return { transports, runs };
}

/** `--transport plaintext|sasl|both` (default plaintext); `--sasl` is `--transport sasl`. */
export function parseTransports(values: { transport?: string; sasl?: boolean }): Transport[] {
  const chosen = values.transport ?? (values.sasl ? 'sasl' : 'plaintext');
  const transports: Transport[] | undefined = chosen === 'both' ? ['plaintext', 'sasl'] : chosen === 'plaintext' || chosen === 'sasl' ? [chosen] : undefined;
  if (!transports) throw new Error(`--transport must be plaintext, sasl or both, got "${chosen}"`);
  if (values.sasl && !transports.includes('sasl')) throw new Error(`--sasl contradicts --transport ${chosen}`);
  return transports;
}

/** The broker a bench uses, and the environment that points a worker (or the bench's own client) at it per transport. */
export type BenchKafkaEnv = Record<string, string> & { KAFKA_BOOTSTRAP_SERVERS: string };

export interface BenchBroker {
  env(transport: Transport): BenchKafkaEnv;
  /** One line for the output: where each transport goes. */
  description: string;
  /** Pid of the broker JVM when the bench started it (its CPU is part of the figures). */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * KAFKA_BOOTSTRAP_SERVERS for plaintext and, for SASL_SSL, the STREAMFORGE_TEST_SASL_* variables that
 * `npm run kafka -- start --sasl` prints (the jest setup exports the same); when a transport asked for
 * has none, a broker of the bench's own with both listeners and the peak JIT (stopped by stop()).
 */
export async function benchBroker(transports: Transport[], env: NodeJS.ProcessEnv = process.env): Promise<BenchBroker> {
  const plaintext = env.KAFKA_BOOTSTRAP_SERVERS;
  const sasl = env.STREAMFORGE_TEST_SASL_BOOTSTRAP && env.STREAMFORGE_TEST_SASL_USER
    ? { bootstrapServers: env.STREAMFORGE_TEST_SASL_BOOTSTRAP, user: env.STREAMFORGE_TEST_SASL_USER, password: env.STREAMFORGE_TEST_SASL_PASSWORD ?? '', caPath: env.STREAMFORGE_TEST_SASL_CA_PATH ?? '' }
    : undefined;
  const given = (!transports.includes('plaintext') || plaintext) && (!transports.includes('sasl') || sasl);
  if (given) return endpoints(plaintext, sasl, undefined, async () => undefined);
  // Peak JIT: a C1-only broker (the tests' fast start) decrypts TLS without AES-GCM intrinsics, and SASL_SSL
  // figures would measure that instead of the transport (README "Performance").
  const broker = await startKafkaBroker({ sasl: transports.includes('sasl'), jit: 'peak' });
  return endpoints(broker.bootstrapServers, broker.sasl, broker.pid, () => broker.stop(), ' (started by the bench)');
}

function endpoints(plaintext: string | undefined, sasl: { bootstrapServers: string; user: string; password: string; caPath: string } | undefined, pid: number | undefined, stop: () => Promise<void>, note = ''): BenchBroker {
  return {
    pid,
    stop,
    description: [plaintext && `plaintext ${plaintext}`, sasl && `SASL_SSL ${sasl.bootstrapServers} (SCRAM-SHA-512 user ${sasl.user})`].filter(Boolean).join(', ') + note,
    env(transport): BenchKafkaEnv {
      if (transport === 'plaintext') {
        if (!plaintext) throw new Error('no plaintext listener: set KAFKA_BOOTSTRAP_SERVERS');
        return { KAFKA_BOOTSTRAP_SERVERS: plaintext };
      }
      if (!sasl) throw new Error('no SASL_SSL listener: set the STREAMFORGE_TEST_SASL_* variables `npm run kafka -- start --sasl` prints');
      return { KAFKA_BOOTSTRAP_SERVERS: sasl.bootstrapServers, KAFKA_USER: sasl.user, KAFKA_PASSWORD: sasl.password, CA_PATH: sasl.caPath };
    },
  };
}

/** `a – b` of a few runs' figures (one figure alone as itself). */
export function range(values: number[], digits = 0): string {
  if (values.length === 0) return '?';
  const [min, max] = [Math.min(...values), Math.max(...values)];
  const fmt = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return min === max ? fmt(min) : `${fmt(min)} – ${fmt(max)}`;
}
