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
