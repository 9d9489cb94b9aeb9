import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** The built bundle of an app or tool (tests run what ships: `npm test` builds first). */
export function bundlePath(kind: 'apps' | 'tools', name: string): string {
  return join(__dirname, '..', '..', '..', '..', 'dist', kind, name, 'main.js');
}

export interface WorkerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Waits until a line of stdout matches; returns the line. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a node bundle with the given env on top of the test's environment; output is captured. */
export function startWorkerProcess(script: string, args: string[], env: Record<string, string | undefined>): WorkerProcess {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  // 'close', not 'exit': 'exit' can come before the last output is read from the pipes, and a
  // test that reads stdout() once the process has ended must see all of it.
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  let closed = false;
  void exited.then(() => (closed = true));
  running.add(child);
  void exited.then(() => running.delete(child));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async waitForOutput(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = out.split('\n').find((l) => pattern.test(l));
        if (line) return line;
        if (closed || Date.now() > deadline) {
          const why = closed ? `the process ended (exit ${child.exitCode ?? child.signalCode})` : `none within ${timeoutMs} ms`;
          throw new Error(`no output matching ${pattern}: ${why}; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

const running = new Set<ChildProcess>();
/** Kills every worker a test started and did not reap (call in afterAll). */
export function killAllWorkerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** The port a worker's metrics server bound (it logs it at start). */
export async function metricsPortOf(worker: WorkerProcess): Promise<number> {
  const line = await worker.waitForOutput(/metrics server listening/);
  return (JSON.parse(line) as { port: number }).port;
}

/** The process's exit code; with `timeoutMs`, a process still running by then fails with its output. */
export async function expectExit(worker: WorkerProcess, code: number, timeoutMs?: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const exited: unknown =
    timeoutMs === undefined ? await worker.exited : await Promise.race([worker.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`nothing after ${timeoutMs} ms`), timeoutMs)))]);
  clearTimeout(timer);
  if (exited !== code) throw new Error(`exit ${exited}, expected ${code}; stderr: ${worker.stderr().slice(-1500)} stdout: ${worker.stdout().slice(-3000)}`);
}
