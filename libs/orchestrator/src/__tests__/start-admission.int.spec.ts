import { AdmissionError, DependencyUnavailableError, QueueConflictError } from '../errors';
import { closeTestKafka, createHarness, deadKafka, loadRequest, type Harness } from './lifecycle-harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => closeTestKafka());

/** Settles `promise` and says how long it took. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const began = Date.now();
  const [result] = await Promise.allSettled([promise]);
  return { ms: Date.now() - began, result };
}
const reasonOf = (result: PromiseSettledResult<unknown>) => (result.status === 'rejected' ? (result.reason as Error) : new Error('the start succeeded'));

describe('start admission', () => {
  it('refuses a start beyond MAX_RUNNING_QUEUES with a 429 AdmissionError naming the limit, and admits it once a queue ended', async () => {
    const h = (harness = await createHarness({ config: { maxRunningQueues: 1 } }));
    const first = await h.service.start(loadRequest('BTCUSDT'));
    const refused = await timed(h.service.start(loadRequest('ETHUSDT')));
    const error = reasonOf(refused.result);
    expect(error).toBeInstanceOf(AdmissionError);
    expect(error).toMatchObject({ httpStatus: 429, limit: 'MAX_RUNNING_QUEUES', retriable: true });
    expect(error.message).toBe('1 queue(s) running or starting, the most MAX_RUNNING_QUEUES=1 allows; stop one or wait until one ends');

    await h.service.stop(first.queue_id);
    await expect(h.service.start(loadRequest('ETHUSDT'))).rejects.toBeInstanceOf(AdmissionError);
    // The stop ends the stand-in workers after the grace; then the queue is no longer running.
    const admitted = await retryWhileRefused(() => h.service.start(loadRequest('ETHUSDT')), 20_000);
    expect(admitted.queue_id).toMatch(/^wf-ethusdt-/);
  });

  it('counts every instance against MAX_RUNNING_WORKERS: a scaled-out start beyond it gets a 429 naming the limit, a smaller one is admitted', async () => {
    const h = (harness = await createHarness({ config: { maxRunningWorkers: 4 } }));
    await h.service.start(loadRequest('BTCUSDT'));
    const refused = await timed(h.service.start({ ...loadRequest('ETHUSDT'), targets: [{ target: 'loader-api-candles' }, { target: 'arango-candles', replicas: 3 }] }));
    const error = reasonOf(refused.result);
    expect(error).toMatchObject({ httpStatus: 429, limit: 'MAX_RUNNING_WORKERS', retriable: true });
    expect(error.message).toBe('2 worker(s) running or starting and this start adds 4, more than MAX_RUNNING_WORKERS=4 allows; ask for fewer replicas/splits, or wait until a queue ends');
    const admitted = await h.service.start(loadRequest('ETHUSDT'));
    expect(admitted.queue_id).toMatch(/^wf-ethusdt-/);
  });

  it('with Kafka down: a start fails within 5 s with a 503, does not hold up other starts, and beyond MAX_CONCURRENT_STARTS answers 429 at once', async () => {
    const h = (harness = await createHarness({ kafka: await deadKafka(), config: { maxConcurrentStarts: 2, startKafkaTimeoutMs: 5_000 } }));
    const began = Date.now();
    const first = timed(h.service.start(loadRequest('BTCUSDT')));
    const second = timed(h.service.start(loadRequest('ETHUSDT')));
    const third = await timed(h.service.start(loadRequest('SOLUSDT')));
    expect(reasonOf(third.result)).toMatchObject({ name: 'AdmissionError', httpStatus: 429, limit: 'MAX_CONCURRENT_STARTS' });
    expect(reasonOf(third.result).message).toBe('2 start(s) already in progress, the most MAX_CONCURRENT_STARTS=2 allows; try again in a moment');
    expect(third.ms).toBeLessThan(3_000);

    // Both starts wait on Kafka side by side: neither holds the other up.
    const [a, b] = await Promise.all([first, second]);
    for (const outcome of [a, b]) {
      const error = reasonOf(outcome.result);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error.message).toMatch(/^Kafka did not answer: creating topic wf-[a-z]+-api_candles_1m-20240801-[a-z0-9]+-data did not complete within 5000 ms; nothing was started$/);
      expect(outcome.ms).toBeGreaterThanOrEqual(4_900);
      // 5 s plus event-loop lag on a loaded machine; a start serialised behind the other would take 10 s.
      expect(outcome.ms).toBeLessThan(7_500);
    }
    expect(Date.now() - began).toBeLessThan(9_000);
    // Nothing was recorded for the failed starts, and the slots are free again.
    expect((await h.repository.page({ limit: 10 })).queues).toEqual([]);
    const fourth = await timed(h.service.start(loadRequest('SOLUSDT')));
    expect(reasonOf(fourth.result)).toBeInstanceOf(DependencyUnavailableError);
  });

  it('refuses a second identical start while the first is still in progress', async () => {
    const h = (harness = await createHarness({ kafka: await deadKafka(), config: { startKafkaTimeoutMs: 2_000 } }));
    const first = timed(h.service.start(loadRequest('BTCUSDT')));
    const twin = await timed(h.service.start(loadRequest('BTCUSDT')));
    expect(reasonOf(twin.result)).toBeInstanceOf(QueueConflictError);
    expect(reasonOf(twin.result).message).toBe('the same load (BTCUSDT api_candles_1m 2024-08-01:2024-08-01) is being started by another request; stop it or wait for it to end');
    expect(reasonOf((await first).result)).toBeInstanceOf(DependencyUnavailableError);
  });
});

/** Calls `start` until it is no longer refused by an admission limit (the queue before it has to end first). */
async function retryWhileRefused<T>(start: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof AdmissionError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
