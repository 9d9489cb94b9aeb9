import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../local-platform';

const dir = mkdtempSync(join(tmpdir(), 'streamforge-live-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start -- --live --sim', () => {
  it('shows a live status line that grows, and Ctrl-C stops the queue cleanly with everything stored, then the platform', async () => {
    // 1s candles from a minute ago: a short history, then one live candle a second on the simulators' real-time clock.
    const from = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000).toISOString();
    const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: 'false', SQLITE_PATH: join(dir, 'streamforge.db'), STORE: 'sqlite', PROGRESS_INTERVAL_S: '0.5', LOADER_PROGRESS_INTERVAL_S: '0.5' };
    delete env.ARANGO_URL;
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tools/platform/src/start.ts', '--live', '--sim', '--interval', '1s', '--range', `${from}/`, '--port', '0'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const statusLines = () => output.split('\n').filter((line) => line.startsWith('[simulator] live | '));
      const stored = (line: string) => Number(/live \| ([\d,]+) candles stored/.exec(line)?.[1]?.replace(/,/g, '') ?? -1);
      const deadline = Date.now() + 150_000;
      // History loaded, a measured store lag, and the stored count still growing afterwards: candles arrive live.
      let firstLive: number | undefined;
      for (;;) {
        const last = statusLines().at(-1);
        if (last && /history loaded \| lag \d[\d,]* ms \| reconnects 0 \| loading/.test(last)) {
          firstLive ??= stored(last);
          if (stored(last) >= firstLive + 3) break;
        }
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no growing live status line; output so far:\n${output.slice(-4000)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('no exit within 90 s'), 90_000)))]);
      clearTimeout(timer); // else it holds jest open for up to 90 s after the run
      expect({ code, tail: output.slice(-1500) }).toEqual({ code: 0, tail: expect.any(String) });
      expect(output).toMatch(/^\[simulator\] stopping wf-\S+: its loaders first, then the sink once it stored everything they published…$/m);
      expect(output).toMatch(/^queue \S+: interrupted \(simulator: simulated candles, not market data\)$/m);
      const summaryStored = Number(/^candles stored: +(\d+) in /m.exec(output)?.[1]);
      expect(summaryStored).toBeGreaterThanOrEqual((firstLive as number) + 3);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 300_000);
});
