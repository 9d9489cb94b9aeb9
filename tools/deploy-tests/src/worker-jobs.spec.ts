import { IMAGE_WORKER_SCRIPT, workerNodeArgs } from '@streamforge/launchers';
import { findObject, loadManifestFiles, type DataObject, type Workload } from './deploy-manifests';
import { WORKER_APPS } from './repo';

// The contract of docs/worker-job-shape.md, checked on every example; queue-manager's Kubernetes
// launcher must build the same shape (compared with these files once both are merged).
const files = loadManifestFiles();
const configMap = findObject<DataObject>(files, 'ConfigMap', 'streamforge-worker-config');
/** The role each worker app runs as, its Secret and the launcher setting naming it (secrets/streamforge-role-secrets.template.yaml). */
const ROLE_SECRET: Record<string, { secret: string; setting: string }> = {
  'loader-api-candles': { secret: 'streamforge-loader', setting: 'K8S_LOADER_SECRET' },
  'loader-ws-candles': { secret: 'streamforge-loader', setting: 'K8S_LOADER_SECRET' },
  'arango-candles': { secret: 'streamforge-sink', setting: 'K8S_SINK_SECRET' },
  'dummy-service': { secret: 'streamforge-dummy-service', setting: 'K8S_DUMMY_SERVICE_SECRET' },
};
const deployment = findObject<Workload>(files, 'Deployment', 'queue-manager');
const launcherEnv = Object.fromEntries((deployment.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
const PER_RUN_ENV = ['QUEUE_ID', 'SYMBOL', 'TYPE', 'KAFKA_TOPIC', 'COLLECTION_NAME', 'TIME_RANGE', 'INTERVAL', 'TELEMETRY_PRODUCER_ID'];

describe('worker Job examples (deploy/base/jobs)', () => {
  it('has exactly one example per worker app, named after it', () => {
    const jobFiles = files.filter((f) => f.path.startsWith('deploy/base/jobs/'));
    expect(jobFiles.map((f) => f.path).sort()).toEqual(WORKER_APPS.map((app) => `deploy/base/jobs/${app}.yaml`).sort());
    for (const file of jobFiles) expect(file.objects.map((o) => o.kind)).toEqual(['Job']);
  });

  describe.each(WORKER_APPS.map((app) => [app]))('%s', (target) => {
    const file = files.find((f) => f.path === `deploy/base/jobs/${target}.yaml`);
    const job = file?.objects[0] as unknown as Workload & { metadata: { name: string; namespace: string; labels: Record<string, string> } };
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value as string]));
    const suffix = /-([a-z0-9]{6})$/.exec(job.metadata.name)?.[1];

    it('is named job-<target>-<symbol>-<6 chars> in stf, labelled app/queue_id/target on the Job and its Pods', () => {
      expect(job.metadata.name).toBe(`job-${target}-${env['SYMBOL'].toLowerCase()}-${suffix}`);
      expect(job.metadata.namespace).toBe('stf');
      expect(job.metadata.labels).toEqual({ app: 'streamforge', queue_id: env['QUEUE_ID'], target });
      expect(job.spec.template.metadata?.labels).toEqual(job.metadata.labels);
    });

    it('retries twice, is cleaned up after an hour and never restarts a Pod in place', () => {
      expect(job.spec.backoffLimit).toBe(2);
      expect(job.spec.ttlSecondsAfterFinished).toBe(3600);
      expect(job.spec.activeDeadlineSeconds).toBe(7 * 24 * 3600);
      expect(pod.restartPolicy).toBe('Never');
    });

    it('runs one container named after the target from <registry>/streamforge/<target>:<tag>', () => {
      expect(pod.containers).toHaveLength(1);
      expect(container.name).toBe(target);
      expect(container.image).toMatch(new RegExp(`^[a-z0-9.:-]+/streamforge/${target}:[A-Za-z0-9._-]+$`));
    });

    it("states the image's command as the launcher does: node, the target's node options, the bundle in the image's WORKDIR (dockerfiles.spec); no args", () => {
      expect(container.command).toEqual(['node', ...workerNodeArgs(target), IMAGE_WORKER_SCRIPT]);
      expect(container.args).toBeUndefined();
    });

    it('carries only the per-run values inline, consistent with each other', () => {
      expect((container.env ?? []).map((e) => e.name)).toEqual(PER_RUN_ENV);
      expect(env['QUEUE_ID']).toMatch(/^wf-/);
      expect(env['KAFKA_TOPIC']).toBe(`${env['QUEUE_ID']}-data`);
      expect(env['TELEMETRY_PRODUCER_ID']).toBe(`${target}__${suffix}`);
      const [from] = env['TIME_RANGE'].split(':');
      expect(env['COLLECTION_NAME']).toBe(`${env['SYMBOL'].toLowerCase()}_${env['TYPE']}_${from.replace(/-/g, '_')}`);
      expect(env['TYPE']).toMatch(new RegExp(`_${env['INTERVAL']}$`));
    });

    it("takes shared settings from the ConfigMap and credentials from its role's Secret, never inline", () => {
      const secret = findObject<DataObject>(files, 'Secret', ROLE_SECRET[target].secret);
      expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
      expect(launcherEnv['K8S_WORKER_CONFIGMAP']).toBe(configMap.metadata.name);
      expect(launcherEnv[ROLE_SECRET[target].setting]).toBe(secret.metadata.name);
      const credentialKeys = Object.keys(secret.stringData ?? {});
      expect(Object.keys(env).filter((name) => credentialKeys.includes(name) || /PASSWORD|SECRET|TOKEN/.test(name))).toEqual([]);
    });

    it('mounts the Kafka cluster CA where CA_PATH points, from the Secret queue-manager is configured with', () => {
      const mount = container.volumeMounts?.find((m) => m.name === 'kafka-ca');
      expect(mount).toEqual({ name: 'kafka-ca', mountPath: '/etc/streamforge/kafka-ca', readOnly: true });
      expect(configMap.data?.['CA_PATH']).toBe(`${mount?.mountPath}/ca.crt`);
      expect(pod.volumes).toEqual([{ name: 'kafka-ca', secret: { secretName: launcherEnv['K8S_KAFKA_CA_SECRET'] } }]);
    });

    it('exposes metrics on 8000, with the contract resources and a locked-down security context', () => {
      expect(container.ports).toEqual([{ name: 'metrics', containerPort: 8000 }]);
      expect(container.resources).toEqual({ requests: { cpu: '100m', memory: target === 'dummy-service' ? '128Mi' : '256Mi' }, limits: { memory: '512Mi' } });
      expect(container.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(pod.nodeSelector).toEqual({ 'streamforge-worker': 'true' });
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.automountServiceAccountToken).toBe(false);
    });
  });
});
