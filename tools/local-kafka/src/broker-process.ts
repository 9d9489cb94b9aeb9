import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { tailLines } from './run-command';

/** A launched JVM plus a promise that settles when it exits. */
export interface LaunchedProcess {
  child: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const attachedChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAttachedChildren(): void {
  for (const child of attachedChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous, so there is no waiting for a graceful shutdown here: SIGKILL is
  // the only way to be sure a crashed or process.exit()ing test run leaves no broker behind.
  process.on('exit', killAttachedChildren);
  // A fatal signal skips 'exit' handlers. Kill the brokers, then, if nobody else handles the signal,
  // re-raise it so the process still dies the way it would have without this listener.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killAttachedChildren();
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

/** Spawns `command` with stdout+stderr appended to `logFile`; non-detached children are killed when this process exits. */
export function launchProcess(
  command: string,
  args: string[],
  options: { logFile: string; detached: boolean; cwd: string },
): LaunchedProcess {
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: options.cwd, detached: options.detached, stdio: ['ignore', logFd, logFd] });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(logFd);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      attachedChildren.delete(child);
      resolve({ code, signal });
    });
    // A spawn failure (e.g. java missing) also counts as "exited" so waiters never hang.
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  if (child.pid === undefined) {
    throw new Error(`Failed to spawn ${command} (is it installed and on PATH?); see ${options.logFile}`);
  }
  if (options.detached) {
    child.unref();
  } else {
    installExitHook();
    attachedChildren.add(child);
  }
  return { child, pid: child.pid, exited };
}

/** True while `pid` is a live (non-zombie) process. */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  try {
    // An exited child whose parent has not reaped it yet still answers kill(0); /proc tells the truth.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Command line of `pid` (Linux only; undefined elsewhere or when gone), used to avoid signalling a recycled pid. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves `true` if the process went down without SIGKILL. */
export async function terminatePid(pid: number, graceMs = 20_000): Promise<boolean> {
  if (!signal(pid, 'SIGTERM')) return true;
  if (await waitForPidExit(pid, graceMs)) return true;
  signal(pid, 'SIGKILL');
  if (!(await waitForPidExit(pid, 10_000))) {
    throw new Error(`Kafka broker pid ${pid} survived SIGTERM and SIGKILL`);
  }
  return false;
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isPidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Last `count` lines of the broker log (or a note why it cannot be read). */
export function readLogTail(logFile: string, count = 40): string {
  try {
    return tailLines(readFileSync(logFile, 'utf8'), count);
  } catch (err) {
    return `<cannot read ${logFile}: ${(err as Error).message}>`;
  }
}
