import { findObject, kustomizationDirs, loadManifestFiles, type DataObject, type Workload } from './deploy-manifests';
import { findKustomize } from './kustomize';
import { createManifestValidator } from './manifest-validator';
import { listRepoFiles, note, readRepoFile, repoPath } from './repo';
import { describeObject, isKubernetesObject, parseYamlDocuments, type KubernetesObject } from './yaml-documents';

// Schema validation of raw files and rendered kustomizations lives in this one file: compiling the
// Job and Deployment schemas takes seconds, so each is compiled once per run.

const files = loadManifestFiles();
const validate = createManifestValidator();
const deployment = findObject<Workload>(files, 'Deployment', 'queue-manager');
const podSpec = deployment.spec.template.spec;
const container = podSpec.containers[0];

describe('every manifest under deploy/', () => {
  it('finds the base, the Job examples, the Secret template and the Strimzi resources', () => {
    const kinds = new Set(files.flatMap((f) => f.objects.map((o) => o.kind)));
    for (const kind of ['Namespace', 'Deployment', 'Service', 'Ingress', 'ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Secret', 'Job', 'KafkaTopic', 'KafkaUser']) {
      expect(kinds).toContain(kind);
    }
  });

  it.each(files.map((f) => [f.path, f] as const))('%s is valid against the Kubernetes 1.37 / Strimzi v1 schemas', (_path, file) => {
    const problems = file.objects.flatMap((object) => validate(object).map((problem) => `${describeObject(object)}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('grants nothing cluster-wide', () => {
    const clusterScoped = files.flatMap((f) => f.objects).filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding');
    expect(clusterScoped).toEqual([]);
  });
});

describe('kustomize output', () => {
  const kustomize = findKustomize();
  const dirs = kustomizationDirs();
  const rendered = new Map<string, KubernetesObject[]>();
  const render = (dir: string): KubernetesObject[] => {
    if (!('render' in kustomize)) throw new Error(kustomize.unavailable);
    if (!rendered.has(dir)) {
      const documents = parseYamlDocuments(kustomize.render(repoPath(dir)), `kustomize build ${dir}`);
      rendered.set(dir, documents.filter(isKubernetesObject));
    }
    return rendered.get(dir) as KubernetesObject[];
  };

  if (!('render' in kustomize)) {
    it.skip(`renders (skipped: ${kustomize.unavailable})`, () => undefined);
    note(`kustomize output not checked: ${kustomize.unavailable}`);
    return;
  }
  note(`rendering with ${kustomize.describe}`);

  it('finds the base, the Job examples, the Strimzi resources and the example overlay', () => {
    expect(dirs).toEqual(expect.arrayContaining(['deploy/base', 'deploy/base/jobs', 'deploy/strimzi', 'deploy/overlays/example']));
  });

  it.each(dirs)('%s renders to objects valid against the schemas', (dir) => {
    const objects = render(dir);
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.flatMap((object) => validate(object).map((problem) => `${describeObject(object)}: ${problem}`))).toEqual([]);
    expect(objects.filter((o) => o.kind.startsWith('Cluster'))).toEqual([]);
  });

  it('puts every base object in the stf namespace and leaves the Secret template and Job examples out', () => {
    const objects = render('deploy/base');
    expect(objects.filter((o) => o.kind !== 'Namespace').map((o) => `${describeObject(o)}:${o.metadata.namespace}`)).toEqual(
      objects.filter((o) => o.kind !== 'Namespace').map((o) => `${describeObject(o)}:stf`),
    );
    expect(objects.map((o) => o.kind)).not.toContain('Secret');
    expect(objects.map((o) => o.kind)).not.toContain('Job');
  });

  it('the example overlay sets the image registry and tag, the ingress host and the replicas', () => {
    const objects = render('deploy/overlays/example');
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as KubernetesObject & Workload;
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('registry.dmz.home/streamforge/queue-manager:v0.1.0');
    expect(deployment.spec.replicas).toBe(1);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ IMAGE_REGISTRY: 'registry.dmz.home', IMAGE_TAG: 'v0.1.0', LAUNCHER: 'kubernetes' });
    // Reachable by the Ingress, so authenticated: Keycloak tokens and the mounted API token file.
    expect(env).toMatchObject({ HOST: '0.0.0.0', OIDC_ISSUER: 'https://keycloak.dmz.home/realms/streamforge', OIDC_AUDIENCE: 'streamforge', API_TOKENS_FILE: '/etc/streamforge/api-tokens/api-tokens.json' });
    const mount = container.volumeMounts?.find((m) => m.mountPath === '/etc/streamforge/api-tokens');
    const volume = deployment.spec.template.spec.volumes?.find((v) => v.name === mount?.name) as { secret?: { secretName: string } } | undefined;
    expect(volume?.secret?.secretName).toBe('streamforge-api-tokens');
    const ingress = objects.find((o) => o.kind === 'Ingress') as unknown as { spec: { ingressClassName: string; rules: Array<{ host: string }> } };
    expect(ingress.spec.rules.map((r) => r.host)).toEqual(['streamforge.dmz.home']);
    expect(ingress.spec.ingressClassName).toBe('nginx');
  });

  it('keeps the Strimzi resources in the Kafka cluster namespace', () => {
    expect(new Set(render('deploy/strimzi').map((o) => o.metadata.namespace))).toEqual(new Set(['kafka']));
  });
});

describe('the validator itself', () => {
  it('rejects an unknown field, a wrong type and an invalid label value with the path', () => {
    const job = structuredClone(findObject<Workload>(files, 'Job', 'job-arango-candles-btcusdt-abc123'));
    (job.spec as unknown as Record<string, unknown>)['backofLimit'] = 2;
    job.spec.template.spec.containers[0].ports = [{ name: 'metrics', containerPort: '8000' as unknown as number }];
    job.metadata.labels = { ...job.metadata.labels, queue_id: 'x'.repeat(64) };
    const problems = validate(job).join('\n');
    expect(problems).toContain('must NOT have additional properties');
    expect(problems).toContain('backofLimit');
    expect(problems).toContain('/spec/template/spec/containers/0/ports/0/containerPort');
    expect(problems).toContain('label queue_id=');
  });

  it('refuses a kind it has no schema for instead of passing it', () => {
    expect(validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toEqual([expect.stringContaining('no vendored schema for v1/Pod')]);
  });
});

describe('queue-manager Deployment', () => {
  it('probes /health/startup, /health/live and /health/ready on the container port 8000', () => {
    const port = container.ports?.find((p) => p.name === 'http');
    expect(port?.containerPort).toBe(8000);
    expect(container.startupProbe?.httpGet).toEqual({ path: '/health/startup', port: 'http' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'http' });
  });

  it('requests CPU and memory and caps memory', () => {
    expect(container.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it('runs non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  it('gives the read-only container a writable /tmp', () => {
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(podSpec.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it('runs one instance at a time (single writer of queue state)', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
  });

  it('reads the shared worker ConfigMap and its own Secret, and mounts the Kafka cluster CA it hands to the Jobs', () => {
    const configMap = findObject(files, 'ConfigMap', 'streamforge-worker-config');
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: 'streamforge-queue-manager' } }]);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env['K8S_WORKER_CONFIGMAP']).toBe(configMap.metadata.name);
    for (const role of ['loader', 'sink', 'dummy-service']) findObject(files, 'Secret', env[`K8S_${role.toUpperCase().replace('-', '_')}_SECRET`] as string);
    const caVolume = podSpec.volumes?.find((v) => v.name === 'kafka-ca');
    expect(caVolume?.secret?.secretName).toBe(env['K8S_KAFKA_CA_SECRET']);
    expect(container.env?.find((e) => e.name === 'K8S_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
  });

  it('is reached through the Service and the Ingress by the named port', () => {
    const service = findObject<{ spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> } }>(files, 'Service', 'queue-manager');
    expect(service.spec.selector).toEqual(deployment.spec.template.metadata?.labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    const ingress = findObject<{ spec: { rules: Array<{ http: { paths: Array<{ backend: { service: { name: string; port: { name: string } } } }> } }> } }>(files, 'Ingress', 'queue-manager');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'queue-manager', port: { name: service.spec.ports[0].name } });
  });
});

describe('RBAC of the Kubernetes launcher', () => {
  const role = findObject<{ rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }>(files, 'Role', 'queue-manager-launcher');

  // The verbs of every Kubernetes API call the launcher makes (`batch.createNamespacedJob` → batch/jobs:create).
  const VERB_OF: Record<string, string> = { create: 'create', list: 'list', read: 'get', delete: 'delete', patch: 'patch', replace: 'update' };
  const callsInCode = (): string[] => {
    const calls = listRepoFiles('libs/launchers/src', (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
      .flatMap((path) => [...readRepoFile(path).matchAll(/\bbatch\.(create|list|read|delete|patch|replace)Namespaced(Job|Pod|PodLog)\b/g)]);
    const resource: Record<string, string> = { Job: 'batch/jobs', Pod: 'core/pods', PodLog: 'core/pods/log' };
    return [...new Set(calls.map((m) => `${resource[m[2]]}:${VERB_OF[m[1]]}`))].sort();
  };

  it('allows exactly the verbs the launcher API calls need, nothing more', () => {
    const grants = role.rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group || 'core'}/${resource}:${verb}`)))).sort();
    // Guard against a scan that finds nothing: the launcher creates Jobs.
    expect(callsInCode()).toContain('batch/jobs:create');
    expect(grants).toEqual(callsInCode());
  });

  it('binds the Role to the ServiceAccount queue-manager runs as', () => {
    const binding = findObject<{ roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string }> }>(files, 'RoleBinding', 'queue-manager-launcher');
    expect(binding.roleRef).toMatchObject({ kind: 'Role', name: role.metadata.name });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec.serviceAccountName }]);
    findObject(files, 'ServiceAccount', podSpec.serviceAccountName as string);
  });
});

describe('the role Secrets template', () => {
  // One Secret per role: its own Kafka user; ArangoDB credentials only for the sink and queue-manager,
  // Binance keys only for the loader.
  const EXPECTED_KEYS: Record<string, string[]> = {
    'queue-manager': ['KAFKA_USER', 'KAFKA_PASSWORD', 'ARANGO_USER', 'ARANGO_PASSWORD'],
    loader: ['KAFKA_USER', 'KAFKA_PASSWORD', 'BINANCE_API_KEY', 'BINANCE_API_SECRET'],
    sink: ['KAFKA_USER', 'KAFKA_PASSWORD', 'ARANGO_USER', 'ARANGO_PASSWORD'],
    'dummy-service': ['KAFKA_USER', 'KAFKA_PASSWORD'],
  };
  const secrets = files.filter((f) => f.path.startsWith('deploy/base/secrets/')).flatMap((f) => f.objects).filter((o) => o.kind === 'Secret' && o.metadata.name !== 'streamforge-api-tokens');

  it('has exactly one Secret per role', () => {
    expect(secrets.map((s) => s.metadata.name).sort()).toEqual(Object.keys(EXPECTED_KEYS).map((role) => `streamforge-${role}`).sort());
  });

  it.each(Object.entries(EXPECTED_KEYS))("streamforge-%s holds only the role's credentials, its Kafka user being the role's KafkaUser", (role, keys) => {
    const secret = findObject<DataObject>(files, 'Secret', `streamforge-${role}`);
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...keys].sort());
    expect(secret.stringData?.['KAFKA_USER']).toBe(`streamforge-${role}`);
    findObject(files, 'KafkaUser', `streamforge-${role}`);
  });

  it('commits no secret: every password and key is a placeholder', () => {
    for (const secret of secrets as unknown as DataObject[]) {
      for (const [key, value] of Object.entries(secret.stringData ?? {})) if (/PASSWORD|_KEY|_SECRET/.test(key)) expect(value).toMatch(/^REPLACE_WITH_/);
      expect(secret.data).toBeUndefined();
    }
  });
});
