import { createKubernetesLauncher } from '@streamforge/launchers/kubernetes';
import type { WorkerExitListener } from '@streamforge/launchers';
import { KubeApiStandIn } from '@streamforge/launchers/testing';
import type { QueueState } from '@streamforge/schemas';
import { QueueConflictError } from '../errors';
import { closeTestKafka, createHarness, eventOf, eventually, loadRequest, logger, type Harness } from './lifecycle-harness';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});
afterAll(() => closeTestKafka());

const stateOf = (h: Harness, queueId: string) => async () => (await h.repository.get(queueId)) as QueueState;
const phasesOf = (h: Harness, queueId: string) => async () => (await h.launcher.list(queueId)).map((w) => `${w.target}:${w.phase}`).sort();
/** The Kubernetes launcher against the API stand-in, polling Jobs every 100 ms. */
const kubernetesLauncherOn = (api: KubeApiStandIn) => (onExit: WorkerExitListener) =>
  createKubernetesLauncher(
    {
      kubeconfigPath: api.kubeconfigPath, namespace: 'stf', workerConfigMap: 'cm', workerSecrets: { loader: 'loader', sink: 'sink', 'dummy-service': 'dummy' }, nodeSelector: {}, imageRegistry: 'registry.test',
      imageTag: 'v0', images: {}, backoffLimit: 0, ttlSecondsAfterFinished: 60, activeDeadlineSeconds: 3600, jobPollMs: 100,
    },
    { logger, onExit },
  );

describe('a queue whose target errors', () => {
  it('publishes stop to its other targets, then has the launcher end them after the grace period', async () => {
    const h = (harness = await createHarness());
    const { queue_id: queueId } = await h.service.start(loadRequest());
    const started = await stateOf(h, queueId)();
    expect(await phasesOf(h, queueId)()).toEqual(['arango-candles:running', 'loader-api-candles:running']);

    await h.service.handleEvent(eventOf(started, 0, 'started'));
    await h.service.handleEvent(eventOf(started, 1, 'started'));
    await h.service.handleEvent(eventOf(started, 0, 'error', { error_message: 'Binance answered 418' }));

    await h.control.waitFor((c: { command?: string; queue_id?: string }) => c.command === 'stop' && c.queue_id === queueId, { timeoutMs: 15_000 });
    // The sink never answers the stop (a stand-in worker): the launcher ends it.
    const ended = await eventually('the sink to be interrupted by the launcher', stateOf(h, queueId), (s) => s.targets[1].status === 'interrupted');
    expect(ended.status).toBe('error');
    expect(ended.targets[1].message).toMatch(/the launcher ended the worker/);
    expect((await h.launcher.list(queueId)).find((w) => w.target === 'arango-candles')?.phase).toBe('stopped');
  });

  it('also when its worker died without an event (the launcher saw it exit)', async () => {
    const h = (harness = await createHarness({ workerEnv: {} }));
    const { queue_id: queueId, targets } = await h.service.start(loadRequest());
    await h.launcher.stop(targets[0].job_name);
    h.service.handleWorkerExit({ jobName: targets[0].job_name, queueId, target: targets[0].target, phase: 'failed', restarts: 0, detail: 'exit code 1' });
    await h.control.waitFor((c: { command?: string; queue_id?: string }) => c.command === 'stop' && c.queue_id === queueId, { timeoutMs: 15_000 });
    await eventually('the sink to be ended', phasesOf(h, queueId), (p) => p.includes('arango-candles:stopped'));
  });
});

describe('a queue whose targets run as several instances', () => {
  it('launches one Job per instance; one failed split marks only its line, and every other instance is stopped and ended', async () => {
    const h = (harness = await createHarness());
    const { queue_id: queueId, targets } = await h.service.start({ ...loadRequest(), targets: [{ target: 'loader-api-candles', splits: 2 }, { target: 'arango-candles', replicas: 2 }] });
    const jobs = targets.flatMap((t) => t.instances?.map((i) => i.job_name) ?? []);
    expect((await h.launcher.list(queueId)).map((w) => `${w.jobName}:${w.phase}`).sort()).toEqual(jobs.map((job) => `${job}:running`).sort());
    const [, failedSplit] = targets[0].instances ?? [];
    await h.launcher.stop(failedSplit.job_name);
    h.service.handleWorkerExit({ jobName: failedSplit.job_name, queueId, target: 'loader-api-candles', phase: 'failed', restarts: 0, detail: 'exit code 1' });
    await h.control.waitFor((c: { command?: string; queue_id?: string }) => c.command === 'stop' && c.queue_id === queueId, { timeoutMs: 15_000 });
    // The stand-in workers never answer the stop: after the grace, the launcher ends each remaining instance's Job.
    const ended = await eventually('every other instance interrupted by the launcher', stateOf(h, queueId), (s) => s.targets.every((t) => t.instances?.every((i) => i.status === 'interrupted' || i.status === 'error')));
    expect(ended.status).toBe('error');
    expect(ended.targets.map((t) => [t.status, t.instances?.map((i) => i.status)])).toEqual([['error', ['interrupted', 'error']], ['interrupted', ['interrupted', 'interrupted']]]);
    expect(ended.targets[0].error_message).toBe('2/2: worker failed (exit code 1) after 0 restart(s) without reporting an error');
    expect(await phasesOf(h, queueId)()).toEqual(['arango-candles:stopped', 'arango-candles:stopped', 'loader-api-candles:stopped', 'loader-api-candles:stopped']);
  });
});

describe('a sink with replicas on Kubernetes', () => {
  it('creates one Job per replica, and a failed Job (seen by the Job poll) marks only its instance', async () => {
    const api = await new KubeApiStandIn().start();
    try {
      const h = (harness = await createHarness({ launcher: kubernetesLauncherOn(api) }));
      const { queue_id: queueId, targets } = await h.service.start({ ...loadRequest(), targets: [{ target: 'loader-api-candles' }, { target: 'arango-candles', replicas: 3 }] });
      const replicas = targets[1].instances ?? [];
      const producers = replicas.map((r) => {
        const job = api.jobs.get(`stf/${r.job_name}`) as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } } | undefined;
        return job?.spec.template.spec.containers[0].env.find((e) => e.name === 'TELEMETRY_PRODUCER_ID')?.value;
      });
      expect(producers).toEqual(replicas.map((r) => r.telemetry_id));
      const failed = api.jobs.get(`stf/${replicas[1].job_name}`);
      if (!failed) throw new Error(`the stand-in holds no Job ${replicas[1].job_name}`);
      failed.status = { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
      const state = await eventually('the failed replica recorded', stateOf(h, queueId), (s) => s.targets[1].status === 'error');
      expect(state.targets[1].instances?.map((i) => i.status)).toEqual(['pending', 'error', 'pending']);
      expect(state.targets[1].error_message).toBe('2/3: worker failed (Job has reached the specified backoff limit) after 0 restart(s) without reporting an error');
    } finally {
      await harness?.close();
      harness = undefined;
      await api.close();
    }
  });
});

describe('the duplicate-load check', () => {
  it('refuses a load whose earlier queue ended in error while its workers still run, and admits it once they ended', async () => {
    const h = (harness = await createHarness());
    const { queue_id: first } = await h.service.start(loadRequest());
    const state = await stateOf(h, first)();
    // Both targets said `error`, so the queue status is terminal, but both processes still run.
    await h.service.handleEvent(eventOf(state, 0, 'error'));
    await h.service.handleEvent(eventOf(state, 1, 'error'));
    expect((await stateOf(h, first)()).status).toBe('error');
    expect(await phasesOf(h, first)()).toEqual(['arango-candles:running', 'loader-api-candles:running']);

    const refused = h.service.start(loadRequest());
    await expect(refused).rejects.toBeInstanceOf(QueueConflictError);
    await expect(refused).rejects.toThrow(`already running in queue ${first} (its workers still run)`);

    for (const target of state.targets) await h.launcher.stop(target.job_name);
    await expect(h.service.start(loadRequest())).resolves.toMatchObject({ queue_id: expect.not.stringMatching(first) });
  });
});

describe('stop supervision', () => {
  it('survives failing steps (Kafka send, store update): retries, still ends the workers after the grace, and a later stop is accepted', async () => {
    const h = (harness = await createHarness());
    const { queue_id: queueId } = await h.service.start(loadRequest());
    h.commands.failNextSends(2);
    const stopping = await h.service.stop(queueId);
    expect(stopping.status).toBe('stopping');
    await h.control.waitFor((c: { command?: string; queue_id?: string }) => c.command === 'stop' && c.queue_id === queueId, { timeoutMs: 15_000 });
    // A second stop while supervision runs (or after it failed) is accepted and supervises again.
    expect((await h.service.stop(queueId)).stop_requested_at).toBe(stopping.stop_requested_at);

    // Past the grace, the first attempt to record the forced end fails too: the next tick retries.
    await eventually('the grace period to pass', async () => Date.now(), (t) => t >= (stopping.stop_requested_at ?? 0) * 1000 + 1_400);
    h.store.failNextWrites(1);
    const ended = await eventually('both targets interrupted', stateOf(h, queueId), (s) => s.targets.every((t) => t.status === 'interrupted'));
    expect(h.store.failedWrites).toBe(1);
    expect(ended.status).toBe('interrupted');
    expect(await phasesOf(h, queueId)()).toEqual(['arango-candles:stopped', 'loader-api-candles:stopped']);
  });
});

describe('a worker’s exit is recorded even when the store fails once', () => {
  it('with the local launcher', async () => {
    // A long grace: the retried record must win over the stop supervisor's forced end.
    const h = (harness = await createHarness({ workerEnv: { FAKE_EXIT_CODE: '3' }, config: { stopGraceMs: 30_000 } }));
    const { queue_id: queueId } = await h.service.start(loadRequest());
    h.store.failNextWrites(1);
    const state = await eventually('both exits recorded', stateOf(h, queueId), (s) => s.targets.every((t) => t.status === 'error'));
    expect(h.store.failedWrites).toBe(1);
    for (const target of state.targets) expect(target.error_message).toMatch(/^worker failed \(exit code 3\) after 0 restart\(s\) without reporting an error$/);
  });

  it('with the Kubernetes launcher', async () => {
    const api = await new KubeApiStandIn().start();
    try {
      const h = (harness = await createHarness({ launcher: kubernetesLauncherOn(api) }));
      const { queue_id: queueId, targets } = await h.service.start(loadRequest());
      h.store.failNextWrites(1);
      const job = api.jobs.get(`stf/${targets[0].job_name}`);
      if (!job) throw new Error(`the stand-in holds no Job ${targets[0].job_name}`);
      job.status = { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
      const state = await eventually('the failed Job recorded', stateOf(h, queueId), (s) => s.targets[0].status === 'error');
      expect(h.store.failedWrites).toBe(1);
      expect(state.targets[0].error_message).toBe('worker failed (Job has reached the specified backoff limit) after 0 restart(s) without reporting an error');
    } finally {
      await harness?.close();
      harness = undefined;
      await api.close();
    }
  });
});
