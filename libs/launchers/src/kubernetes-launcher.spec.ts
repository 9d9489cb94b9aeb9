import { createLogger } from '@streamforge/logging';
import { KubeApiStandIn, validateKubernetesObject } from './testing';
import { LaunchError } from './errors';
import type { KubernetesLauncherConfig } from './kubernetes-launcher';
import { createKubernetesLauncher } from './kubernetes-launcher';
import type { WorkerInfo, WorkerSpec } from './worker-launcher';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await pause(20);
  }
}

const queueId = 'wf-btcusdt-api_candles_1m-20240801-abc123';
const spec: WorkerSpec = {
  queueId,
  target: 'arango-candles',
  jobName: 'job-arango-candles-btcusdt-abc123',
  labels: { app: 'streamforge', queue_id: queueId, target: 'arango-candles' },
  env: {
    QUEUE_ID: queueId, SYMBOL: 'BTCUSDT', TYPE: 'api_candles_1m', KAFKA_TOPIC: `${queueId}-data`, COLLECTION_NAME: 'btcusdt_api_candles_1m_2024_08_01',
    TIME_RANGE: '2024-08-01:2024-08-01', INTERVAL: '1m', TELEMETRY_PRODUCER_ID: 'arango-candles__abc123',
  },
  args: [],
};

const config = (kubeconfigPath: string): KubernetesLauncherConfig => ({
  kubeconfigPath, namespace: 'stf', workerConfigMap: 'streamforge-worker-config', workerSecrets: { loader: 'streamforge-loader', sink: 'streamforge-sink', 'dummy-service': 'streamforge-dummy-service' },
  kafkaCaSecret: 'k3-cluster-ca-cert', nodeSelector: { 'streamforge-worker': 'true' }, imageRegistry: 'registry.dmz.home',
  imageTag: 'v0.1.5', images: {}, backoffLimit: 2, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 604800,
});

describe('Kubernetes launcher against a stand-in API server', () => {
  let api: KubeApiStandIn;
  const logger = createLogger({ service: 'test', level: 'error' });
  beforeEach(async () => {
    api = await new KubeApiStandIn().start();
  });
  afterEach(() => api.close());

  it('creates exactly the documented Job, valid against the batch/v1 Job schema', async () => {
    const launcher = createKubernetesLauncher(config(api.kubeconfigPath), { logger });
    await launcher.launch(spec);
    const post = api.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe('/apis/batch/v1/namespaces/stf/jobs');
    const [job] = api.createdJobs();
    expect(job).toEqual({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'job-arango-candles-btcusdt-abc123', namespace: 'stf', labels: { app: 'streamforge', queue_id: queueId, target: 'arango-candles' } },
      spec: {
        backoffLimit: 2,
        ttlSecondsAfterFinished: 3600,
        activeDeadlineSeconds: 604800,
        template: {
          metadata: { labels: { app: 'streamforge', queue_id: queueId, target: 'arango-candles' } },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'arango-candles',
                image: 'registry.dmz.home/streamforge/arango-candles:v0.1.5',
                command: ['node', '--max-semi-space-size=32', 'main.js'],
                env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
                envFrom: [{ configMapRef: { name: 'streamforge-worker-config' } }, { secretRef: { name: 'streamforge-sink' } }],
                ports: [{ name: 'metrics', containerPort: 8000 }],
                volumeMounts: [{ name: 'kafka-ca', mountPath: '/etc/streamforge/kafka-ca', readOnly: true }],
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
                securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
            volumes: [{ name: 'kafka-ca', secret: { secretName: 'k3-cluster-ca-cert' } }],
            nodeSelector: { 'streamforge-worker': 'true' },
          },
        },
      },
    });
    expect(validateKubernetesObject('job-batch-v1', job)).toEqual([]);
    // No credential ever travels inline: only per-run values are in env.
    expect(JSON.stringify(job)).not.toMatch(/PASSWORD|KAFKA_USER|ARANGO_USER/);
  });

  it('the schema check is real: a malformed Job fails it', () => {
    const broken = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { backoffLimit: 'two', template: { spec: { containers: [{ name: 'x', imagePullPolicy: 1 }], restartPolicyy: 'Never' } } } };
    const errors = validateKubernetesObject('job-batch-v1', broken);
    expect(errors.join('\n')).toMatch(/backoffLimit/);
    expect(errors.join('\n')).toMatch(/restartPolicyy/);
  });

  it('uses a per-target image override over the registry default, and passes flags as args after the command', async () => {
    const launcher = createKubernetesLauncher({ ...config(api.kubeconfigPath), images: { 'arango-candles': 'example.org/sink:v9' }, nodeSelector: {}, kafkaCaSecret: '' }, { logger });
    await launcher.launch(spec);
    await launcher.launch({ ...spec, jobName: 'job-arango-candles-btcusdt-zzz999', args: ['--debug'] });
    const [first, second] = api.createdJobs() as unknown as Array<{ spec: { template: { spec: { containers: Array<{ image: string; command: string[]; args?: string[] }>; nodeSelector?: unknown; volumes?: unknown } } } }>;
    expect(first.spec.template.spec.containers[0].image).toBe('example.org/sink:v9');
    expect(first.spec.template.spec.nodeSelector).toBeUndefined();
    expect(first.spec.template.spec.volumes).toBeUndefined();
    expect(first.spec.template.spec.containers[0].args).toBeUndefined();
    expect(second.spec.template.spec.containers[0]).toMatchObject({ image: 'example.org/sink:v9', command: ['node', '--max-semi-space-size=32', 'main.js'], args: ['--debug'] });
    for (const job of api.createdJobs()) expect(validateKubernetesObject('job-batch-v1', job)).toEqual([]);
  });

  it('lists the Jobs of a queue by label and deletes one with background propagation', async () => {
    const launcher = createKubernetesLauncher(config(api.kubeconfigPath), { logger });
    await launcher.launch(spec);
    expect(await launcher.list(queueId)).toEqual([{ jobName: spec.jobName, queueId, target: 'arango-candles', phase: 'running', restarts: 0, detail: undefined }]);
    expect(await launcher.list('wf-other')).toEqual([]);
    await launcher.stop(spec.jobName);
    const del = api.requests.find((r) => r.method === 'DELETE');
    expect(del?.path).toBe(`/apis/batch/v1/namespaces/stf/jobs/${spec.jobName}`);
    expect(del?.query.propagationPolicy ?? (del?.body as { propagationPolicy?: string } | undefined)?.propagationPolicy).toBe('Background');
    expect(await launcher.list(queueId)).toEqual([]);
    await expect(launcher.stop(spec.jobName)).resolves.toBeUndefined();
  });

  it('tells its listener once about each Job that failed or succeeded, with the failure reason', async () => {
    const exits: WorkerInfo[] = [];
    const launcher = createKubernetesLauncher({ ...config(api.kubeconfigPath), jobPollMs: 50 }, { logger, onExit: (info) => exits.push(info) });
    const loader = { ...spec, target: 'loader-api-candles', jobName: 'job-loader-api-candles-btcusdt-abc123', labels: { ...spec.labels, target: 'loader-api-candles' } };
    await launcher.launch(spec);
    await launcher.launch(loader);
    // A few polls of running Jobs (counted, not timed): nobody is told anything yet.
    const gets = () => api.requests.filter((r) => r.method === 'GET').length;
    await until(() => gets() >= 3);
    expect(exits).toEqual([]);

    // What the Job controller writes once the pods failed backoffLimit + 1 times, or one succeeded.
    const job = (name: string) => api.jobs.get(`stf/${name}`) as unknown as { status: unknown };
    job(spec.jobName).status = { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] };
    job(loader.jobName).status = { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    await until(() => exits.length === 2);
    // More polls see the same finished Jobs: the listener must not hear of them again.
    const polled = gets();
    await until(() => gets() >= polled + 3);
    await launcher.close();
    expect(exits.sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { jobName: spec.jobName, queueId, target: 'arango-candles', phase: 'failed', restarts: 2, detail: 'Job has reached the specified backoff limit' },
      { jobName: loader.jobName, queueId, target: 'loader-api-candles', phase: 'succeeded', restarts: 0, detail: undefined },
    ]);
    const lists = gets();
    await pause(200); // an absence: four poll periods in which a poll would have shown up
    expect(gets()).toBe(lists);
  });

  it('reports a refused create as a LaunchError naming the job and the reason', async () => {
    const launcher = createKubernetesLauncher(config(api.kubeconfigPath), { logger });
    api.failNextCreate = { status: 403, message: 'jobs.batch is forbidden: User "system:serviceaccount:stf:queue-manager" cannot create resource "jobs"' };
    const error = await launcher.launch(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as LaunchError).message).toMatch(/^cannot launch job-arango-candles-btcusdt-abc123: the API server refused the Job: HTTP 403: jobs.batch is forbidden/);
    expect((error as LaunchError).retriable).toBe(false);
  });

  it('refuses an invalid job name before calling the API server', async () => {
    const launcher = createKubernetesLauncher(config(api.kubeconfigPath), { logger });
    await expect(launcher.launch({ ...spec, jobName: 'Job_Bad' })).rejects.toThrow(/not a DNS-1123 label/);
    expect(api.requests).toHaveLength(0);
  });
});
