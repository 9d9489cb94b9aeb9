import { findObject, loadManifestFiles, type DataObject, type EnvVar, type PodSpec } from './deploy-manifests';
import { restrictedViolations } from './pod-security';
import { listRepoFiles, readRepoFile } from './repo';

// The KEDA example (deploy/keda) must start sink instances that behave exactly like the one
// queue-manager launches, on the lag of the group that sink really joins, with a Kafka user that
// can only look. Schema validation itself is in manifests.spec.ts (every file under deploy/).
const files = loadManifestFiles();
type Template = { metadata: { labels: Record<string, string> }; spec: PodSpec };
type ScaledJob = {
  metadata: { labels: Record<string, string> };
  spec: { maxReplicaCount: number; minReplicaCount: number; jobTargetRef: { backoffLimit: number; ttlSecondsAfterFinished: number; activeDeadlineSeconds: number; template: Template }; triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef: { name: string } }> };
};
type SinkJob = { spec: { backoffLimit: number; ttlSecondsAfterFinished: number; activeDeadlineSeconds: number; template: Template } };
type Acl = { resource: { type: string; name: string; patternType: string }; operations: string[] };

const scaledJob = findObject<ScaledJob>(files, 'ScaledJob', 'arango-candles-btcusdt-abc123');
const sinkJob = findObject<SinkJob>(files, 'Job', 'job-arango-candles-btcusdt-abc123');
const configMap = findObject<DataObject>(files, 'ConfigMap', 'streamforge-worker-config');
const [trigger] = scaledJob.spec.triggers;
const envOf = (template: Template): EnvVar[] => template.spec.containers[0].env ?? [];
const valueOf = (template: Template, name: string) => envOf(template).find((e) => e.name === name)?.value;
/** What makes an instance itself: its producer id (and the Pod name it is made from). */
const PER_INSTANCE = ['POD_NAME', 'TELEMETRY_PRODUCER_ID'];
/** The template without the per-instance variables, ports with the protocol the API server defaults (TCP). */
const comparable = (template: Template) => ({
  ...template,
  spec: {
    ...template.spec,
    containers: template.spec.containers.map((c) => ({
      ...c,
      env: (c.env ?? []).filter((e) => !PER_INSTANCE.includes(e.name)),
      ports: (c.ports ?? []).map((p) => ({ protocol: 'TCP', ...p })),
    })),
  },
});

describe('KEDA ScaledJob for the sink (deploy/keda)', () => {
  it('runs the very Pod queue-manager launches for the queue (deploy/base/jobs/arango-candles.yaml), with the same Job limits', () => {
    expect(comparable(scaledJob.spec.jobTargetRef.template)).toEqual(comparable(sinkJob.spec.template));
    const { backoffLimit, ttlSecondsAfterFinished, activeDeadlineSeconds } = scaledJob.spec.jobTargetRef;
    expect({ backoffLimit, ttlSecondsAfterFinished, activeDeadlineSeconds }).toEqual({
      backoffLimit: sinkJob.spec.backoffLimit, ttlSecondsAfterFinished: sinkJob.spec.ttlSecondsAfterFinished, activeDeadlineSeconds: sinkJob.spec.activeDeadlineSeconds,
    });
    expect(restrictedViolations(scaledJob.spec.jobTargetRef.template.spec)).toEqual([]);
  });

  it('gives every instance its own telemetry producer id, from its Pod name', () => {
    const env = envOf(scaledJob.spec.jobTargetRef.template);
    expect(env.find((e) => e.name === 'POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    // $(VAR) expands only variables defined earlier in the list.
    expect(env.findIndex((e) => e.name === 'POD_NAME')).toBeLessThan(env.findIndex((e) => e.name === 'TELEMETRY_PRODUCER_ID'));
    expect(valueOf(scaledJob.spec.jobTargetRef.template, 'TELEMETRY_PRODUCER_ID')).toBe('arango-candles__$(POD_NAME)');
  });

  it('scales on the lag of the group and topic the sink really uses, from the earliest offset', () => {
    const template = scaledJob.spec.jobTargetRef.template;
    // apps/arango-candles/src/arango-candles-config.ts: groupId `arango-candles-${QUEUE_ID}`.
    expect(readRepoFile('apps/arango-candles/src/arango-candles-config.ts')).toContain('groupId: `arango-candles-${config.QUEUE_ID}`');
    expect(trigger).toMatchObject({
      type: 'kafka',
      metadata: {
        bootstrapServers: configMap.data?.['KAFKA_BOOTSTRAP_SERVERS'],
        consumerGroup: `arango-candles-${valueOf(template, 'QUEUE_ID')}`,
        topic: valueOf(template, 'KAFKA_TOPIC'),
        offsetResetPolicy: 'earliest',
        sasl: 'scram_sha512',
        tls: 'enable',
      },
      authenticationRef: { name: 'streamforge-keda' },
    });
    expect(scaledJob.metadata.labels['queue_id']).toBe(valueOf(template, 'QUEUE_ID'));
  });

  it("keeps KEDA's Jobs out of queue-manager's Job poll (KEDA copies the ScaledJob's labels onto them)", () => {
    expect(readRepoFile('libs/launchers/src/kubernetes-launcher.ts')).toContain("`app=streamforge,queue_id=${labelValue(queueId)}` : 'app=streamforge'");
    expect(scaledJob.metadata.labels).not.toHaveProperty('app');
    // The Pods keep it: the NetworkPolicies and the PodMonitor select on it.
    expect(scaledJob.spec.jobTargetRef.template.metadata.labels['app']).toBe('streamforge');
  });

  it("never starts an instance for a finished load's residual lag (one uncommitted marker per partition)", () => {
    const activation = Number(trigger.metadata['activationLagThreshold']);
    const lagThreshold = Number(trigger.metadata['lagThreshold']);
    // Far above the partitions a data topic may have, below one instance's worth of work.
    expect(activation).toBeGreaterThanOrEqual(1000);
    expect(lagThreshold).toBeGreaterThan(activation);
    expect(scaledJob.spec.minReplicaCount).toBe(0);
    expect(scaledJob.spec.maxReplicaCount).toBeGreaterThanOrEqual(1);
  });

  it('logs KEDA in with a Secret holding what the Kafka scaler reads, and a user that may only Describe', () => {
    const auth = findObject<{ spec: { secretTargetRef: Array<{ parameter: string; name: string; key: string }> } }>(files, 'TriggerAuthentication', 'streamforge-keda');
    expect(auth.spec.secretTargetRef.map((r) => r.parameter).sort()).toEqual(['ca', 'password', 'username']);
    const secret = findObject<DataObject>(files, 'Secret', 'streamforge-keda');
    for (const ref of auth.spec.secretTargetRef) {
      expect(ref.name).toBe('streamforge-keda');
      expect(Object.keys(secret.stringData ?? {})).toContain(ref.key);
    }
    expect(secret.stringData?.['username']).toBe('streamforge-keda');
    const user = findObject<{ spec: { authentication: { type: string }; authorization: { acls: Acl[] } } }>(files, 'KafkaUser', 'streamforge-keda');
    expect(user.spec.authentication.type).toBe('scram-sha-512');
    expect(user.spec.authorization.acls).toEqual([
      { resource: { type: 'topic', name: 'wf-', patternType: 'prefix' }, operations: ['Describe'] },
      { resource: { type: 'group', name: 'arango-candles-wf-', patternType: 'prefix' }, operations: ['Describe'] },
    ]);
    expect(trigger.metadata['consumerGroup']?.startsWith('arango-candles-wf-')).toBe(true);
  });

  it('keeps the Secret template out of the kustomization, as the other templates', () => {
    expect(listRepoFiles('deploy/keda', () => true).sort()).toEqual(
      ['arango-candles-scaledjob.yaml', 'kafka-user.yaml', 'kustomization.yaml', 'secret.template.yaml', 'trigger-authentication.yaml'].map((f) => `deploy/keda/${f}`),
    );
    expect(readRepoFile('deploy/keda/kustomization.yaml')).not.toContain('secret.template.yaml');
  });
});
