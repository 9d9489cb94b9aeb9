import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testBootstrapServers, uniqueName } from '@streamforge/kafka/testing';
import { bundlePath, startWorkerProcess, type WorkerProcess } from '@streamforge/worker/testing';

export interface QueueManagerProcess {
  process: WorkerProcess;
  port: number;
  url: string;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  post<T = unknown>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | string>;
}

/** Topics, consumer group and SQLite file of one test's queue-manager (shared by its restarts). */
export function queueManagerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BOOTSTRAP_SERVERS: testBootstrapServers(),
    QUEUE_CONTROL_TOPIC: uniqueName('control'),
    QUEUE_EVENTS_TOPIC: uniqueName('events'),
    QM_CONSUMER_GROUP: uniqueName('queue-manager'),
    SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'qm-')), 'streamforge.db'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** Runs the built queue-manager bundle and waits until it listens. */
export async function startQueueManager(env: Record<string, string>): Promise<QueueManagerProcess> {
  const child = startWorkerProcess(bundlePath('apps', 'queue-manager'), [], env);
  const line = await child.waitForOutput(/"msg":"queue-manager listening"/, 30_000);
  const port = (JSON.parse(line) as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return {
    process: child, port, url,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    async stop() {
      child.kill('SIGTERM');
      return child.exited;
    },
  };
}

/** Polls until `read` returns a value `check` accepts; fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last).slice(0, 3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
