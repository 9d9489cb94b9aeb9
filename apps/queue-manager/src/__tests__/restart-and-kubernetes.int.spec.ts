import type { Producer } from 'kafkajs';
import { createIdempotentProducer } from '@streamforge/kafka';
import { createTestKafka } from '@streamforge/kafka/testing';
import { KubeApiStandIn, validateKubernetesObject } from '@streamforge/launchers/testing';
import { telemetryEventSchema, type QueueState, type StartQueueResult, type TelemetryEvent } from '@streamforge/schemas';
import { killAllWorkerProcesses } from '@streamforge/worker/testing';
import { eventually, queueManagerEnv, startQueueManager } from './queue-manager-process';

type Envelope<T> = { status: string; message: string; data: T };
type Job = { metadata: { name: string; labels: Record<string, string> }; spec: { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value: string }> }>; nodeSelector?: Record<string, string> } } } };

const kafka = createTestKafka('queue-manager-restart-test');
let producer: Producer;
let api: KubeApiStandIn;

beforeAll(async () => {
  producer = createIdempotentProducer(kafka);
  await producer.connect();
  api = await new KubeApiStandIn().start();
});
afterAll(async () => {
  killAllWorkerProcesses();
  await producer.disconnect();
  await api.close();
});

describe('queue-manager with the Kubernetes launcher, across a restart', () => {
  it('creates valid Jobs, keeps every queue across a restart, applies events sent while it was down, and ignores late and duplicate ones', async () => {
    const env = queueManagerEnv({
      LAUNCHER: 'kubernetes', KUBECONFIG: api.kubeconfigPath, K8S_NODE_SELECTOR: 'streamforge-worker=true', K8S_KAFKA_CA_SECRET: 'k3-cluster-ca-cert', IMAGE_TAG: 'v0.1.5',
    });
    const publish = async (event: Omit<TelemetryEvent, 'event' | 'finished' | 'symbol' | 'type' | 'message'> & { message?: string }) => {
      const value = telemetryEventSchema.parse({ symbol: 'BTCUSDT', type: 'api_candles_1m', message: event.status, ...event, event: event.status, finished: event.status === 'finished' });
      await producer.send({ topic: env.QUEUE_EVENTS_TOPIC, acks: -1, messages: [{ key: value.queue_id, value: JSON.stringify(value) }] });
    };

    let qm = await startQueueManager(env);
    const start = await qm.post<Envelope<StartQueueResult>>('/queues/start', { symbol: 'BTCUSDT', type: 'api_candles_1m', time_range: '2024-08-01:2024-08-01' });
    expect(start.status).toBe(201);
    const { queue_id: queueId, targets } = start.body.data;
    const [loader, sink] = targets;
    expect([loader.target, sink.target]).toEqual(['loader-api-candles', 'arango-candles']);

    // The Jobs, as the API server received them.
    const jobs = api.createdJobs() as unknown as Job[];
    expect(jobs.map((j) => j.metadata.name)).toEqual([loader.job_name, sink.job_name]);
    for (const job of jobs) expect(validateKubernetesObject('job-batch-v1', job)).toEqual([]);
    const loaderContainer = jobs[0].spec.template.spec.containers[0];
    expect(loaderContainer.image).toBe('registry.dmz.home/streamforge/loader-api-candles:v0.1.5');
    expect(Object.fromEntries(loaderContainer.env.map((e) => [e.name, e.value]))).toEqual({
      QUEUE_ID: queueId, SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', KAFKA_TOPIC: `${queueId}-data`, COLLECTION_NAME: 'btcusdt_api_candles_1m_2024_08_01',
      TIME_RANGE: '2024-08-01:2024-08-01', INTERVAL: '1m', TELEMETRY_PRODUCER_ID: loader.telemetry_id,
    });
    expect(jobs[0].metadata.labels).toEqual({ app: 'streamforge', queue_id: queueId, target: 'loader-api-candles' });
    expect(jobs[0].spec.template.spec.nodeSelector).toEqual({ 'streamforge-worker': 'true' });
    // Least privilege: each worker gets its role's Secret (the defaults), no API token, a deadline.
    const raw = jobs as unknown as Array<{ spec: { activeDeadlineSeconds: number; template: { spec: { automountServiceAccountToken: boolean; containers: Array<{ envFrom: unknown }> } } } }>;
    expect(raw.map((j) => j.spec.template.spec.containers[0].envFrom)).toEqual(['streamforge-loader', 'streamforge-sink'].map((name) => [{ configMapRef: { name: 'streamforge-worker-config' } }, { secretRef: { name } }]));
    expect(raw.map((j) => [j.spec.activeDeadlineSeconds, j.spec.template.spec.automountServiceAccountToken])).toEqual([[604800, false], [604800, false]]);

    const get = async () => (await qm.get<Envelope<QueueState>>(`/queues/${queueId}`)).body.data;
    const t0 = Date.now() / 1000;
    await publish({ queue_id: queueId, producer: loader.telemetry_id, status: 'started', records_written: 0, timestamp: t0 });
    await publish({ queue_id: queueId, producer: loader.telemetry_id, status: 'loading', records_written: 100, expected_records: 1440, timestamp: t0 + 1 });
    const before = await eventually(get, (q) => q.targets[0].records_written === 100);
    expect(before.status).toBe('loading');

    expect(await qm.stop()).toBe(0);
    // Sent while queue-manager is down: its consumer group picks them up after the restart.
    await publish({ queue_id: queueId, producer: loader.telemetry_id, status: 'finished', records_written: 1440, gaps: [], last_loaded_timestamp: 1722556740000, timestamp: t0 + 3 });
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'started', records_written: 0, timestamp: t0 + 4 });
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'loading', records_written: 500, timestamp: t0 + 5 });

    qm = await startQueueManager(env);
    const after = await eventually(get, (q) => q.targets[1].records_written === 500);
    expect(after).toMatchObject({ queue_id: queueId, status: 'loading', created_at: before.created_at, request: before.request, started_at: t0 });
    expect(after.targets[0]).toMatchObject({ status: 'finished', records_written: 1440, expected_records: 1440, last_loaded_timestamp: 1722556740000, finished_at: t0 + 3 });
    expect((await qm.get<Envelope<QueueState[]>>('/queues')).body.data.map((q) => q.queue_id)).toEqual([queueId]);

    // Malformed messages are skipped (and counted), never fatal.
    await producer.send({ topic: env.QUEUE_EVENTS_TOPIC, acks: -1, messages: [{ key: queueId, value: '{not json' }, { key: queueId, value: JSON.stringify({ queue_id: queueId, status: 'bogus' }) }] });
    // Late and duplicated events through Kafka change nothing; the sink's finish then ends the queue.
    await publish({ queue_id: queueId, producer: loader.telemetry_id, status: 'loading', records_written: 999, timestamp: t0 + 2 });
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'loading', records_written: 500, timestamp: t0 + 5 });
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'loading', records_written: 300, timestamp: t0 + 4.5 });
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'finished', records_written: 1440, timestamp: t0 + 6 });
    const finished = await eventually(get, (q) => q.status === 'finished');
    expect(finished.targets.map((t) => [t.status, t.records_written])).toEqual([['finished', 1440], ['finished', 1440]]);
    expect(finished.finished_at).toBe(t0 + 6);
    await publish({ queue_id: queueId, producer: sink.telemetry_id, status: 'loading', records_written: 2000, timestamp: t0 + 7 });
    const metrics = await eventually(async () => (await fetch(`${qm.url}/metrics`)).text(), (text) => /events_consumed_total\{status="loading"\} [4-9]/.test(text));
    expect(metrics).toMatch(/^streamforge_queue_manager_queues_ended_total\{status="finished"\} 1$/m);
    expect(metrics).toMatch(/^streamforge_queue_manager_queues\{status="loading"\} 0$/m);
    expect(metrics).toMatch(/^streamforge_queue_manager_events_invalid_total 2$/m);
    await qm.process.waitForOutput(/"reason":"not JSON.*"msg":"skipping malformed telemetry event"/);
    expect((await get()).targets[1]).toMatchObject({ status: 'finished', records_written: 1440 });

    // A finished queue cannot be stopped; its Jobs stay as they are.
    expect((await qm.post('/queues/stop', { queue_id: queueId })).status).toBe(409);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(await qm.stop()).toBe(0);
  });

  it("records a worker whose Job failed without a final event as an error, with the Job's reason", async () => {
    const env = queueManagerEnv({ LAUNCHER: 'kubernetes', KUBECONFIG: api.kubeconfigPath, IMAGE_TAG: 'v0.1.5', K8S_JOB_POLL_MS: '200', EXIT_EVENT_GRACE_MS: '300' });
    const qm = await startQueueManager(env);
    const start = await qm.post<Envelope<StartQueueResult>>('/queues/start', { symbol: 'ETHUSDT', type: 'api_candles_1m', time_range: '2024-08-02:2024-08-02' });
    expect(start.status).toBe(201);
    const { queue_id: queueId, targets } = start.body.data;
    const sink = targets[1];
    // The sink's pod was OOM-killed on every try: no `error` event ever left it.
    const job = api.jobs.get(`stf/${sink.job_name}`) as unknown as { status: unknown };
    job.status = { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };

    const get = async () => (await qm.get<Envelope<QueueState>>(`/queues/${queueId}`)).body.data;
    const failed = await eventually(get, (q) => q.status === 'error');
    expect(failed.targets[1]).toMatchObject({ status: 'error', error_message: 'worker failed (Job has reached the specified backoff limit) after 2 restart(s) without reporting an error' });
    expect(failed.targets[0].status).not.toBe('error');
    expect(await qm.stop()).toBe(0);
  });
});
