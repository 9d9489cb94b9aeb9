import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@streamforge/logging';
import { LaunchError } from './errors';
import { createLocalLauncher } from './local-launcher';
import { workerNodeArgs } from './worker-node-args';
import type { WorkerInfo, WorkerSpec } from './worker-launcher';

// Tiny stand-in bundles: what the launcher does with a process does not depend on what it runs.
const bundles: Record<string, string> = {
  // The SIGTERM handler comes first: the test stops the worker as soon as it sees the env line.
  echo: `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
console.log('env ' + JSON.stringify({ QUEUE_ID: process.env.QUEUE_ID, METRICS_PORT: process.env.METRICS_PORT, SHARED: process.env.SHARED, args: process.argv.slice(2) }));
setInterval(() => undefined, 1000);`,
  crasher: `console.error('crashing'); process.exit(3);`,
  stubborn: `process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('up'); setInterval(() => undefined, 1000);`,
  done: `console.log('done'); process.exit(0);`,
  // Named after the worker that has node options (workerNodeArgs).
  'arango-candles': `console.log('execArgv ' + JSON.stringify(process.execArgv)); process.exit(0);`,
};

function bundleRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'local-launcher-'));
  for (const [name, code] of Object.entries(bundles)) {
    mkdirSync(join(root, 'apps', name), { recursive: true });
    writeFileSync(join(root, 'apps', name, 'main.js'), code);
  }
  return root;
}

const spec = (target: string, jobName = `job-${target}-btcusdt-abc123`): WorkerSpec => ({
  queueId: 'wf-q1', target, jobName, labels: {}, env: { QUEUE_ID: 'wf-q1' }, args: ['--flag', 'x'],
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('local launcher', () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const root = bundleRoot();
  let lines: string[];
  let exits: WorkerInfo[];
  const launcher = (overrides: { stopGraceMs?: number } = {}) =>
    createLocalLauncher(
      { bundleRoot: root, backoffLimit: 2, stopGraceMs: overrides.stopGraceMs ?? 5_000, restartDelayMs: 10, baseEnv: { ...process.env, SHARED: 'from-parent', METRICS_PORT: '9999' } },
      { logger, output: (line) => lines.push(line), onExit: (info) => exits.push(info) },
    );
  beforeEach(() => {
    lines = [];
    exits = [];
  });

  it('runs the bundle with the per-run env over the parent env, METRICS_PORT=0, args, and prefixed output', async () => {
    const local = launcher();
    await local.launch(spec('echo'));
    await until(() => lines.some((l) => l.includes('env ')));
    const line = lines.find((l) => l.includes('env ')) as string;
    expect(line.startsWith('[job-echo-btcusdt-abc123] env ')).toBe(true);
    expect(JSON.parse(line.slice(line.indexOf('{')))).toEqual({ QUEUE_ID: 'wf-q1', METRICS_PORT: '0', SHARED: 'from-parent', args: ['--flag', 'x'] });
    expect(await local.list('wf-q1')).toEqual([{ jobName: 'job-echo-btcusdt-abc123', queueId: 'wf-q1', target: 'echo', phase: 'running', restarts: 0, detail: undefined }]);
    await local.stop('job-echo-btcusdt-abc123');
    expect(lines).toContain('[job-echo-btcusdt-abc123] bye');
    expect((await local.list())[0].phase).toBe('stopped');
    expect(exits).toEqual([]);
  });

  it("starts node with the worker's node options", async () => {
    const local = launcher();
    await local.launch(spec('arango-candles'));
    await until(() => exits.length === 1);
    const line = lines.find((l) => l.includes('execArgv ')) as string;
    expect(JSON.parse(line.slice(line.indexOf('[', 1)))).toEqual(['--max-semi-space-size=32']);
    expect(workerNodeArgs('arango-candles')).toEqual(['--max-semi-space-size=32']);
  });

  it('restarts a crashed worker up to the backoff limit, then reports it failed', async () => {
    const local = launcher();
    await local.launch(spec('crasher'));
    await until(() => exits.length === 1);
    expect(lines.filter((l) => l === '[job-crasher-btcusdt-abc123] crashing')).toHaveLength(3);
    expect(exits[0]).toMatchObject({ phase: 'failed', restarts: 2, detail: 'exit code 3' });
  });

  it('does not restart a worker that exits 0, and reports it succeeded', async () => {
    const local = launcher();
    await local.launch(spec('done'));
    await until(() => exits.length === 1);
    expect(exits[0]).toMatchObject({ phase: 'succeeded', restarts: 0 });
    expect(lines.filter((l) => l.endsWith('done'))).toHaveLength(1);
  });

  it('kills a worker that ignores SIGTERM after the grace period', async () => {
    // Long enough for the worker to run its SIGTERM handler before the SIGKILL on a busy machine.
    const local = launcher({ stopGraceMs: 2_000 });
    await local.launch(spec('stubborn'));
    await until(() => lines.some((l) => l.endsWith('up')));
    const startedAt = Date.now();
    await local.stop('job-stubborn-btcusdt-abc123');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_980);
    expect(lines.some((l) => l.endsWith('ignoring SIGTERM'))).toBe(true);
    expect((await local.list())[0]).toMatchObject({ phase: 'stopped', detail: 'signal SIGKILL' });
  });

  it('close() ends every worker it started', async () => {
    const local = launcher();
    await local.launch(spec('echo', 'job-a'));
    await local.launch(spec('echo', 'job-b'));
    await until(() => lines.filter((l) => l.includes('env ')).length === 2);
    await local.close();
    expect((await local.list()).map((w) => w.phase)).toEqual(['stopped', 'stopped']);
  });

  it('reports a missing bundle clearly, naming the build command', async () => {
    const local = launcher();
    const error = await local.launch(spec('loader-api-candles')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as Error).message).toMatch(/^cannot launch job-loader-api-candles-btcusdt-abc123: the loader-api-candles bundle .*apps\/loader-api-candles\/main\.js does not exist; build it with: npx nx build loader-api-candles$/);
  });
});
