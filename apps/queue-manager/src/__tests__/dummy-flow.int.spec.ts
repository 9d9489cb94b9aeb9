import { WebSocket } from 'ws';
import type { QueueState, StartQueueResult, TelemetryEvent, WsMessage } from '@streamforge/schemas';
import { bundlePath, killAllWorkerProcesses, startWorkerProcess } from '@streamforge/worker/testing';
import { eventually, queueManagerEnv, startQueueManager, type QueueManagerProcess } from './queue-manager-process';

type Envelope<T> = { status: string; message: string; data: T };

// One queue-manager (local launcher, SQLite) for the dummy-service flows of this file.
const env = queueManagerEnv({ LAUNCHER: 'local', STOP_REPEAT_MS: '500', STOP_GRACE_MS: '8000', EXIT_EVENT_GRACE_MS: '1000', WORKER_STOP_GRACE_MS: '3000' });
let qm: QueueManagerProcess;

beforeAll(async () => {
  qm = await startQueueManager(env);
});
afterAll(async () => {
  await qm?.stop();
  killAllWorkerProcesses();
});

const queue = async (queueId: string) => (await qm.get<Envelope<QueueState>>(`/queues/${queueId}`)).body.data;
const startDummy = async (symbol: string, args: string[] = []) => {
  const res = await qm.post<Envelope<StartQueueResult>>('/queues/start-test-flow', { flow_name: 'dummy_flow', symbol, time_range: '2024-08-01:2024-08-01', extra_params: { args } });
  expect(res.status).toBe(201);
  return res.body.data;
};
const metric = async (pattern: RegExp) => {
  const text = await (await fetch(`${qm.url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
};

describe('queue-manager with the local launcher and dummy-service', () => {
  it('runs a dummy flow: start → started → ping/pong → stop → interrupted, and a WebSocket client sees it in order', async () => {
    const messages: WsMessage[] = [];
    const ws = new WebSocket(`ws://127.0.0.1:${qm.port}/ws/topic`);
    ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WsMessage));
    await new Promise((resolve) => ws.once('open', resolve));

    const started = await startDummy('DUMMYA', ['--loading-interval', '1']);
    expect(started.queue_id).toMatch(/^wf-dummya-dummy-20240801-[a-z0-9]{6}$/);
    expect(started.targets).toEqual([
      {
        target: 'dummy-service', type: 'dummy', kafka_topic: `${started.queue_id}-data`, collection_name: 'dummya_dummy_2024_08_01',
        telemetry_id: `dummy-service__${started.queue_id.slice(-6)}`, job_name: `job-dummy-service-dummya-${started.queue_id.slice(-6)}`,
      },
    ]);
    const loading = await eventually(() => queue(started.queue_id), (q) => q.status === 'loading');
    expect(loading.targets[0]).toMatchObject({ status: 'loading', message: 'simulated loading' });

    const debugProducer = startWorkerProcess(bundlePath('tools', 'debug-producer'), ['--queue-id', started.queue_id, '--command', 'ping', '--expect-pong', '--timeout', '15'], {
      KAFKA_BOOTSTRAP_SERVERS: env.KAFKA_BOOTSTRAP_SERVERS, QUEUE_CONTROL_TOPIC: env.QUEUE_CONTROL_TOPIC, QUEUE_EVENTS_TOPIC: env.QUEUE_EVENTS_TOPIC,
    });
    expect(await debugProducer.exited).toBe(0);
    expect(debugProducer.stdout()).toMatch(new RegExp(`pong #1 from dummy-service__${started.queue_id.slice(-6)}: rtt \\d+\\.\\d ms`));

    const stop = await qm.post<Envelope<QueueState>>('/queues/stop', { queue_id: started.queue_id });
    expect(stop.status).toBe(200);
    expect(stop.body.data.status).toBe('stopping');
    const stopped = await eventually(() => queue(started.queue_id), (q) => q.status === 'interrupted');
    expect(stopped.targets[0]).toMatchObject({ status: 'interrupted', message: 'stopped by command' });
    expect(stopped.finished_at).toBeGreaterThanOrEqual(stopped.started_at as number);
    await qm.process.waitForOutput(new RegExp(`"job":"${started.targets[0].job_name}".*"msg":"worker finished"`));
    expect((await qm.post(`/queues/stop`, { queue_id: started.queue_id })).status).toBe(409);

    // The WebSocket saw this flow's events in the order the worker sent them, and the queue's states.
    await eventually(async () => messages, (m) => m.some((x) => x.type === 'queue' && x.data.queue_id === started.queue_id && x.data.status === 'interrupted'));
    ws.close();
    const events = messages.filter((m): m is { type: 'event'; data: TelemetryEvent } => m.type === 'event' && m.data.queue_id === started.queue_id).map((m) => m.data);
    const statuses = events.map((e) => e.status);
    expect(statuses[0]).toBe('started');
    expect(statuses).toContain('pong');
    expect(statuses.at(-1)).toBe('interrupted');
    expect(statuses.filter((s) => s === 'loading').length).toBeGreaterThanOrEqual(1);
    const times = events.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const queueStatuses = messages.filter((m): m is { type: 'queue'; data: QueueState } => m.type === 'queue' && m.data.queue_id === started.queue_id).map((m) => m.data.status);
    expect(queueStatuses[0]).toBe('pending');
    expect([...new Set(queueStatuses)]).toEqual(['pending', 'started', 'loading', 'stopping', 'interrupted']);
  });

  it('repeats a stop the worker missed (it joined the control topic after the stop was sent)', async () => {
    const stopsBefore = await metric(/streamforge_queue_manager_commands_sent_total\{command="stop"\} (\d+)/);
    // The worker joins 3 s late, so the stop sent right away is one it never reads (without the
    // delay a fast worker sometimes read the first stop, and the repeat had nothing to prove).
    const started = await startDummy('DUMMYB', ['--start-delay', '3']);
    expect((await qm.post(`/queues/stop`, { queue_id: started.queue_id })).status).toBe(200);
    const stopped = await eventually(() => queue(started.queue_id), (q) => q.status === 'interrupted');
    expect(stopped.targets[0]).toMatchObject({ status: 'interrupted', message: 'stopped by command' });
    expect(await metric(/streamforge_queue_manager_commands_sent_total\{command="stop"\} (\d+)/)).toBeGreaterThanOrEqual(stopsBefore + 2);
  });

  it('has the launcher end a worker that never answers stop, after the grace period, and marks it interrupted', async () => {
    const forcedBefore = await metric(/streamforge_queue_manager_forced_stops_total (\d+)/);
    // --noop: the worker sends started but never listens for commands.
    const started = await startDummy('DUMMYC', ['--noop', '--exit-after', '120']);
    await eventually(() => queue(started.queue_id), (q) => q.targets[0].status === 'started');
    const stopAt = Date.now();
    await qm.post('/queues/stop', { queue_id: started.queue_id });
    const stopped = await eventually(() => queue(started.queue_id), (q) => q.status === 'interrupted', 20_000);
    expect(Date.now() - stopAt).toBeGreaterThanOrEqual(7_500);
    // The launcher's SIGTERM makes dummy-service report `interrupted` itself; either record is final.
    expect(['stopped by SIGTERM', 'no interrupted event within 8000 ms of the stop; the launcher ended the worker']).toContain(stopped.targets[0].message);
    await qm.process.waitForOutput(new RegExp(`"queueId":"${started.queue_id}","job":"${started.targets[0].job_name}","msg":"worker ended by the launcher after the stop grace period"`));
    expect(await metric(/streamforge_queue_manager_forced_stops_total (\d+)/)).toBe(forcedBefore + 1);
    await qm.process.waitForOutput(new RegExp(`"job":"${started.targets[0].job_name}".*"msg":"worker stopped"`));
  });
});
