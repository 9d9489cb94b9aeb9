import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * The worker script. From the sources it sits beside this file; in an app bundle every module
 * shares the bundle's `__dirname`, so the app copies the script next to main.js as a build asset.
 */
export const WRITE_THREAD_SCRIPT = 'sqlite-write-thread.worker.js';

/** A write the thread rolled back: SQLite's error code and message, for the store to classify. */
export class WriteThreadFailure extends Error {
  override name = 'WriteThreadFailure';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: () => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; error?: { code: string; message: string } };

/**
 * A worker thread that runs SQLite write transactions on its own connection, so the JSON work of
 * the caller (Kafka decoding, validation, serialising) and SQLite's b-tree work use two cores.
 * Writes run in the order they were sent; `write` resolves once the transaction committed. The
 * thread keeps the process alive only while writes are pending.
 */
export class SqliteWriteThread {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited?: Promise<void>;

  constructor(private readonly options: { path: string; synchronous: 'NORMAL' | 'FULL'; busyTimeoutMs: number; scriptDir?: string }) {}

  /** Writes each `[keys[i], documents[i], versions[i]]` with `sql` in one transaction. */
  write(sql: string, keys: readonly string[], documents: readonly string[], versions: readonly (number | null)[]): Promise<void> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql, keys: keys.join('\n'), documents: documents.join('\n'), versions });
    });
  }

  /** Lets the writes already sent finish, then ends the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    worker.postMessage({ close: true });
    await this.exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const script = join(this.options.scriptDir ?? __dirname, WRITE_THREAD_SCRIPT);
    if (!existsSync(script)) {
      throw new Error(`the SQLite write thread's script is missing: ${script} (an app bundle must copy libs/storage/src/${WRITE_THREAD_SCRIPT} next to main.js as a build asset)`);
    }
    const { path, synchronous, busyTimeoutMs } = this.options;
    const worker = new Worker(script, { workerData: { path, synchronous, busyTimeoutMs } });
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    // An uncaught error inside the thread (it cannot open the file, a crash) fails what is pending;
    // the next write starts a new thread.
    worker.on('error', (error) => this.failAll(error));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        this.failAll(new Error(`the SQLite write thread exited (code ${code}) with writes pending`));
        resolve();
      }),
    );
    this.worker = worker;
    return worker;
  }

  private settle({ id, error }: Reply): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    if (error) pending.reject(new WriteThreadFailure(error.code, error.message));
    else pending.resolve();
  }

  private failAll(error: Error): void {
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const pending of failed) pending.reject(error);
  }
}
