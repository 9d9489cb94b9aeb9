import { listenForStop } from './listen-for-stop';
import type { WorkerRuntime } from './worker-runtime';

type Runtime = Pick<WorkerRuntime, 'listen' | 'logger'>;

function recordingLogger() {
  const errors: Array<{ fields: Record<string, unknown>; msg: string }> = [];
  return { errors, logger: { error: (fields: Record<string, unknown>, msg: string) => errors.push({ fields, msg }) } as unknown as Runtime['logger'] };
}

describe('listenForStop', () => {
  it('resolves and logs at error level when the listener fails, so no rejection is left to kill the worker', async () => {
    const { errors, logger } = recordingLogger();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const runtime = { logger, listen: () => Promise.reject(new Error('group join refused')) } as unknown as Runtime;
      await expect(listenForStop(runtime, () => undefined, 'stop commands will not reach this sink')).resolves.toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(errors).toEqual([{ fields: { err: 'Error: group join refused' }, msg: 'control listener failed: stop commands will not reach this sink' }]);
  });

  it('calls onStop for a stop command only', async () => {
    const { errors, logger } = recordingLogger();
    const stops: string[] = [];
    const runtime = {
      logger,
      listen: async (handler: (command: { command: string }) => void) => {
        handler({ command: 'loading' });
        handler({ command: 'stop' });
      },
    } as unknown as Runtime;
    await listenForStop(runtime, (reason) => stops.push(reason), 'unused');
    expect(stops).toEqual(['stopped by command']);
    expect(errors).toEqual([]);
  });
});
