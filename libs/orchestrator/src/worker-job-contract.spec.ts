import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildWorkerJob, type KubernetesJobConfig } from '@streamforge/launchers';
import { planStart } from './start-plan';
import { workerSpecFor } from './worker-spec';

// deploy/base/jobs/*.yaml are the examples of docs/worker-job-shape.md that deploy/ ships: the
// Kubernetes launcher, fed by the naming and planning of this lib, must build exactly those Jobs.
const repoRoot = join(__dirname, '..', '..', '..');
const config: KubernetesJobConfig = {
  namespace: 'stf', workerConfigMap: 'streamforge-worker-config', workerSecrets: { loader: 'streamforge-loader', sink: 'streamforge-sink', 'dummy-service': 'streamforge-dummy-service' }, kafkaCaSecret: 'k3-cluster-ca-cert',
  nodeSelector: { 'streamforge-worker': 'true' }, imageRegistry: 'registry.example.com', imageTag: 'v0.1.0', images: {}, backoffLimit: 2, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 604800,
};

describe.each([['loader-api-candles'], ['arango-candles'], ['dummy-service']])('the %s Job example in deploy/base/jobs', (target) => {
  it('is exactly what the launcher builds for the same request', () => {
    const example = parse(readFileSync(join(repoRoot, 'deploy', 'base', 'jobs', `${target}.yaml`), 'utf8')) as { spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } } };
    const env = Object.fromEntries(example.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    const plan = planStart(
      { symbol: env.SYMBOL, time_range: env.TIME_RANGE, targets: [{ target, type: env.TYPE }] },
      { suffix: env.QUEUE_ID.slice(-6) },
    );
    expect(buildWorkerJob(workerSpecFor(plan, plan.targets[0]), config)).toEqual(example);
  });
});

describe('a loader split’s Job', () => {
  it('is the seed’s Job shape with its own name, its own sub-range, LOAD_SPLIT and its own producer id', () => {
    type Job = { metadata: { name: string; labels: Record<string, string> }; spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } };
    const request = { symbol: 'BTCUSDT', time_range: '2024-08-01:2024-08-01', targets: [{ target: 'loader-api-candles', type: 'api_candles_1m', splits: 2 }] };
    const plan = planStart(request, { suffix: 'abc123' });
    const single = planStart({ ...request, targets: [{ target: 'loader-api-candles', type: 'api_candles_1m' }] }, { suffix: 'abc123' });
    const job = buildWorkerJob(workerSpecFor(plan, plan.targets[0], plan.targets[0].instances[1]), config) as Job;
    const seedShape = buildWorkerJob(workerSpecFor(single, single.targets[0]), config) as Job;
    const env = (j: Job) => Object.fromEntries(j.spec.template.spec.containers[0].env.map((e) => [e.name, e.value]));
    expect(job.metadata.name).toBe('job-loader-api-candles-btcusdt-abc123-2');
    expect(env(job)).toEqual({ ...env(seedShape), TIME_RANGE: '2024-08-01T12:00:00.000Z/2024-08-02T00:00:00.000Z', LOAD_SPLIT: '2/2', TELEMETRY_PRODUCER_ID: 'loader-api-candles__abc123-2' });
    const withoutEnvAndName = (j: Job) => JSON.stringify({ ...j, metadata: { ...j.metadata, name: '' }, spec: { ...j.spec, template: { ...j.spec.template, spec: { ...j.spec.template.spec, containers: j.spec.template.spec.containers.map((c) => ({ ...c, env: [] })) } } } });
    expect(withoutEnvAndName(job)).toBe(withoutEnvAndName(seedShape));
  });
});
