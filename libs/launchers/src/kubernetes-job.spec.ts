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

  it("mounts ArangoDB's CA into the sink only, where ARANGO_CA_PATH points at it, beside the Kafka CA", () => {
    const withCas = { ...config, kafkaCaSecret: 'k3-cluster-ca-cert', arangoCaSecret: 'arango-ca' };
    const sink = buildWorkerJob(spec('arango-candles'), withCas).spec?.template.spec;
    expect(sink?.volumes).toEqual([{ name: 'kafka-ca', secret: { secretName: 'k3-cluster-ca-cert' } }, { name: 'arango-ca', secret: { secretName: 'arango-ca' } }]);
    expect(sink?.containers[0].volumeMounts).toEqual([
      { name: 'kafka-ca', mountPath: '/etc/streamforge/kafka-ca', readOnly: true },
      { name: 'arango-ca', mountPath: '/etc/streamforge/arango-ca', readOnly: true },
    ]);
    expect(sink?.containers[0].env).toContainEqual({ name: 'ARANGO_CA_PATH', value: '/etc/streamforge/arango-ca/ca.crt' });
    for (const target of ['loader-api-candles', 'loader-ws-candles', 'dummy-service']) {
      const pod = buildWorkerJob(spec(target), withCas).spec?.template.spec;
      expect(pod?.volumes?.map((v) => v.name)).toEqual(['kafka-ca']);
      expect(pod?.containers[0].env?.map((e) => e.name)).not.toContain('ARANGO_CA_PATH');
    }
    const without = buildWorkerJob(spec('arango-candles'), config).spec?.template.spec;
    expect(without?.volumes).toBeUndefined();
    expect(without?.containers[0].env?.map((e) => e.name)).not.toContain('ARANGO_CA_PATH');
  });
});
