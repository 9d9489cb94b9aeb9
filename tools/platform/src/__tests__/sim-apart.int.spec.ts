import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePorts } from '@streamforge/local-kafka';
import { createSqliteDocumentStore } from '@streamforge/storage';
import { repoRoot } from '../local-platform';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'streamforge-sim-apart-'));
const DAY = '2024-08-01';
const COLLECTION = 'btcusdt_api_candles_1m_2024_08_01';

/** `npm start -- <args> --exit` on the test broker, one data dir; resolves with its output whatever its exit code. */
async function npmStart(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', SQLITE_PATH: join(dir, 'streamforge.db'), STORE: 'sqlite', LOADER_MAX_ATTEMPTS: '2', LOADER_RETRY_BASE_MS: '50', ...env };
  delete fullEnv.ARANGO_URL;
  try {
    const { stdout, stderr } = await run(process.execPath, [tsx, 'tools/platform/src/start.ts', ...args, '--exit', '--port', '0', '--range', `${DAY}:${DAY}`], { cwd: repoRoot, env: fullEnv, timeout: 150_000 });
    return { code: 0, output: `${stdout}\n${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string; killed?: boolean; message: string };
    if (failed.killed) throw new Error(`npm start ${args.join(' ')} did not exit within 150 s:\n${failed.stdout?.slice(-3000)}\n${failed.stderr?.slice(-2000)}`);
    return { code: Number(failed.code), output: `${failed.stdout}\n${failed.stderr}` };
  }
}

async function countIn(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  const store = createSqliteDocumentStore({ path });
  try {
    return (await store.collectionExists(COLLECTION)) ? await store.count(COLLECTION) : 0;
  } finally {
    await store.close();
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start: simulated candles never mix with market data', () => {
  it('a --sim run, then a real-API run on the same data dir: the real collection holds no simulated candle', async () => {
    const sim = await npmStart(['--sim'], {});
    expect({ code: sim.code, tail: sim.output.slice(-1500) }).toEqual({ code: 0, tail: expect.any(String) });
    expect(sim.output).toMatch(/^queue \S+: finished \(simulator: simulated candles, not market data\)$/m);
    expect(sim.output).toMatch(/^\[simulator\] store: +\S*streamforge-sim\.db$/m);
    expect(await countIn(join(dir, 'streamforge-sim.db'))).toBe(1440);
    expect(await countIn(join(dir, 'streamforge.db'))).toBe(0);
    // Every JSON line queue-manager and the workers logged says simulator.
    const logFile = /logs: +(\S+)/.exec(sim.output)?.[1] ?? '';
    const jsonLines = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(0);
    expect(jsonLines.filter((line) => !line.includes('"data_source":"simulator"')).slice(0, 3)).toEqual([]);

    // The "real" API refuses connections: the run ends in error, and the real file gains no candle.
    const [refusingPort] = await getFreePorts(1);
    const real = await npmStart([], { BINANCE_BASE_URL: `http://127.0.0.1:${refusingPort}` });
    expect(real.code).toBe(1);
    expect(real.output).not.toMatch(/simulat/i);
    expect(real.output).toMatch(/^candles stored: +0 in /m);
    // Its progress says why the loader failed, and never shows a made-up figure.
    expect(real.output).toMatch(/^ loader-api-candles +\|.*\| 0\/\S+ candles loaded \|.*\| error: \S/m);
    expect(real.output).not.toMatch(/NaN|NFs|Infinity/);
    expect(await countIn(join(dir, 'streamforge.db'))).toBe(0);
    expect(await countIn(join(dir, 'streamforge-sim.db'))).toBe(1440);
  }, 330_000);
});
