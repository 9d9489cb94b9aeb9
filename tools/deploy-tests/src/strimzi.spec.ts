import { findObject, loadManifestFiles, type DataObject } from './deploy-manifests';
import { listRepoFiles, readRepoFile } from './repo';

const files = loadManifestFiles();
const strimzi = files.filter((f) => f.path.startsWith('deploy/strimzi/')).flatMap((f) => f.objects);
const configMap = findObject<DataObject>(files, 'ConfigMap', 'streamforge-worker-config');

interface Acl { resource: { type: string; name?: string; patternType?: string }; operations: string[]; type?: string }
const user = findObject<{ spec: { authentication: { type: string }; authorization: { type: string; acls: Acl[] } } }>(files, 'KafkaUser', 'user-streamforge');
const acls = user.spec.authorization.acls;

/** Whether an allow ACL of this resource type grants `operation` on `name`. */
function allows(type: string, name: string, operation: string): boolean {
  return acls.some(
    (acl) =>
      (acl.type ?? 'allow') === 'allow' &&
      acl.resource.type === type &&
      (acl.operations.includes(operation) || acl.operations.includes('All')) &&
      (acl.resource.patternType === 'prefix' ? name.startsWith(acl.resource.name ?? '') : name === acl.resource.name),
  );
}

/**
 * Consumer groups the code joins, read from the source so that a new group cannot ship without its
 * ACL: control listeners `<service>-control-<queue_id>-<random>` (libs/kafka/src/control-listener.ts),
 * topic tails `<groupPrefix>-<random>` and literal or templated `groupId`s.
 */
function groupsUsedByCode(): Map<string, string> {
  const sources = [...listRepoFiles('apps'), ...listRepoFiles('libs'), ...listRepoFiles('tools/debug-producer')].filter(
    (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('/testing/') && !path.includes('/__tests__/') && !path.includes('/bench/'),
  );
  const groups = new Map<string, string>();
  for (const path of sources) {
    const text = readRepoFile(path);
    for (const m of text.matchAll(/\bservice:\s*'([a-z0-9-]+)'/g)) groups.set(`${m[1]}-control-wf-btcusdt-api_candles_1m-20240801-abc123-1a2b3c4d`, path);
    // Workers name their service (and so their control group) through workerRuntimeConfig('<service>', …).
    for (const m of text.matchAll(/\bworkerRuntimeConfig\('([a-z0-9-]+)'/g)) groups.set(`${m[1]}-control-wf-btcusdt-api_candles_1m-20240801-abc123-1a2b3c4d`, path);
    for (const m of text.matchAll(/\bgroupPrefix:\s*`([a-z0-9-]+)\$\{/g)) groups.set(`${m[1]}wf-btcusdt-api_candles_1m-20240801-abc123-1a2b3c4d`, path);
    for (const m of text.matchAll(/\bgroupId:\s*`([a-z0-9-]+)\$\{/g)) groups.set(`${m[1]}wf-btcusdt-api_candles_1m-20240801-abc123`, path);
    for (const m of text.matchAll(/\bgroupId:\s*'([a-z0-9._-]+)'/g)) groups.set(m[1], path);
  }
  return groups;
}

describe('Strimzi resources (deploy/strimzi)', () => {
  const cluster = strimzi[0]?.metadata.labels?.['strimzi.io/cluster'];
  const namespace = strimzi[0]?.metadata.namespace;

  it('all belong to one Kafka cluster, in its namespace, which the apps connect to', () => {
    expect(cluster).toBeTruthy();
    for (const object of strimzi) {
      expect(object.metadata.labels?.['strimzi.io/cluster']).toBe(cluster);
      expect(object.metadata.namespace).toBe(namespace);
    }
    // Strimzi's bootstrap Service for TLS listeners: <cluster>-kafka-bootstrap.<namespace>, port 9093.
    expect(configMap.data?.['KAFKA_BOOTSTRAP_SERVERS']).toBe(`${cluster}-kafka-bootstrap.${namespace}.svc:9093`);
    const deployment = findObject<{ spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } } }>(files, 'Deployment', 'queue-manager');
    const caSecret = deployment.spec.template.spec.containers[0].env.find((e) => e.name === 'K8S_KAFKA_CA_SECRET')?.value;
    expect(caSecret).toBe(`${cluster}-cluster-ca-cert`);
  });

  it('creates queue-control and queue-events, the topics the apps are configured with, with partitions and retention', () => {
    const topics = strimzi.filter((o) => o.kind === 'KafkaTopic') as unknown as Array<{ metadata: { name: string }; spec: { partitions: number; replicas: number; config: Record<string, string | number> } }>;
    expect(topics.map((t) => t.metadata.name).sort()).toEqual([configMap.data?.['QUEUE_CONTROL_TOPIC'], configMap.data?.['QUEUE_EVENTS_TOPIC']].sort());
    for (const topic of topics) {
      expect(topic.spec.partitions).toBeGreaterThanOrEqual(1);
      expect(Number(topic.spec.config['retention.ms'])).toBeGreaterThan(24 * 3600 * 1000);
      expect(Number(topic.spec.config['min.insync.replicas'])).toBeLessThan(topic.spec.replicas);
    }
  });

  it('authenticates user-streamforge with SCRAM-SHA-512 and simple ACLs', () => {
    expect(user.spec.authentication.type).toBe('scram-sha-512');
    expect(user.spec.authorization.type).toBe('simple');
  });

  it('limits topic access to the control topics and the wf- data topics with their dead-letter topics', () => {
    const topicAcls = acls.filter((a) => a.resource.type === 'topic').map((a) => `${a.resource.patternType}:${a.resource.name}`);
    expect(topicAcls.sort()).toEqual(['literal:queue-control', 'literal:queue-events', 'prefix:wf-'].sort());
    const data = 'wf-btcusdt-api_candles_1m-20240801-abc123-data';
    // Delete: queue-manager's retention removes the topics of expired queues.
    for (const topic of [data, `${data}-dlq`]) for (const op of ['Create', 'Delete', 'Describe', 'Read', 'Write']) expect(allows('topic', topic, op)).toBe(true);
    for (const topic of [configMap.data?.['QUEUE_CONTROL_TOPIC'] as string, configMap.data?.['QUEUE_EVENTS_TOPIC'] as string]) {
      for (const op of ['Describe', 'Read', 'Write']) expect(allows('topic', topic, op)).toBe(true);
      expect(allows('topic', topic, 'Create')).toBe(false);
      expect(allows('topic', topic, 'Delete')).toBe(false);
    }
    expect(allows('topic', 'orders', 'Read')).toBe(false);
    expect(acls.filter((a) => a.resource.type === 'cluster' || a.resource.type === 'transactionalId' || a.operations.includes('All'))).toEqual([]);
  });

  it('lets every consumer group the code uses join, commit, be described and be deleted', () => {
    const groups = groupsUsedByCode();
    // Guard against a scan that finds nothing: the skeleton's control listeners and debug-producer.
    expect([...groups.keys()].some((g) => g.startsWith('dummy-service-control-'))).toBe(true);
    expect([...groups.keys()].some((g) => g.startsWith('debug-producer-'))).toBe(true);
    const missing = [...groups].filter(([group]) => !['Read', 'Describe', 'Delete'].every((op) => allows('group', group, op))).map(([group, path]) => `${group} (${path})`);
    expect(missing).toEqual([]);
    expect(allows('group', 'someone-else', 'Read')).toBe(false);
  });
});
