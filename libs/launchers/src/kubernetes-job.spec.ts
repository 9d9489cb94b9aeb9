import { buildWorkerJob, workerRole, type KubernetesJobConfig } from './kubernetes-job';
import type { WorkerSpec } from './worker-launcher';

const config: KubernetesJobConfig = {
  namespace: 'stf', workerConfigMap: 'cm', workerSecrets: { loader: 'sec-loader', sink: 'sec-sink', 'dummy-service': 'sec-dummy' },
  nodeSelector: {}, imageRegistry: 'registry.example.com', imageTag: 'v1', images: {}, backoffLimit: 2, ttlSecondsAfterFinished: 3600, activeDeadlineSeconds: 1234,
};
const spec = (target: string): WorkerSpec => ({ queueId: 'wf-x', target, jobName: `job-${target}-x-abc123`, labels: { app: 'streamforge' }, env: {}, args: [] });
const secretOf = (target: string) => buildWorkerJob(spec(target), config).spec?.template.spec?.containers[0].envFrom?.[1]?.secretRef?.name;

describe('worker Job credentials and limits', () => {
  it("gives each worker its role's Secret only", () => {
    expect(['loader-api-candles', 'loader-ws-candles', 'arango-candles', 'dummy-service'].map(secretOf)).toEqual(['sec-loader', 'sec-loader', 'sec-sink', 'sec-dummy']);
  });

  it('refuses a target without a role instead of handing it some credentials', () => {
    expect(() => buildWorkerJob(spec('mystery'), config)).toThrow(/no credentials role for target mystery: expected one of loader-api-candles/);
    expect(() => workerRole('queue-manager')).toThrow(/queue-manager/);
  });

  it('sets the configured deadline, no service account token and RuntimeDefault seccomp', () => {
    const job = buildWorkerJob(spec('dummy-service'), config);
    expect(job.spec?.activeDeadlineSeconds).toBe(1234);
    expect(job.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    expect(job.spec?.template.spec?.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });
});
