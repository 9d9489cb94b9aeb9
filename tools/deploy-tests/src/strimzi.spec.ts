import { findObject, loadManifestFiles, type DataObject } from './deploy-manifests';
import { listRepoFiles, readRepoFile } from './repo';

const files = loadManifestFiles();
const strimzi = files.filter((f) => f.path.startsWith('deploy/strimzi/')).flatMap((f) => f.objects);
const configMap = findObject<DataObject>(files, 'ConfigMap', 'streamforge-worker-config');

interface Acl { resource: { type: string; name?: string; patternType?: string }; operations: string[]; type?: string }
type KafkaUser = { spec: { authentication: { type: string }; authorization: { type: string; acls: Acl[] } } };
export const ROLES = ['queue-manager', 'loader', 'sink', 'dummy-service'] as const;
type Role = (typeof ROLES)[number];
const aclsOf = (role: Role): Acl[] => findObject<KafkaUser>(files, 'KafkaUser', `streamforge-${role}`).spec.authorization.acls;

/** Whether an allow ACL of `role`'s user of this resource type grants `operation` on `name`. */
function allows(role: Role, type: string, name: string, operation: string): boolean {
  return aclsOf(role).some(
    (acl) =>
      (acl.type ?? 'allow') === 'allow' &&
      acl.resource.type === type &&
      (acl.operations.includes(operation) || acl.operations.includes('All')) &&
      (acl.resource.patternType === 'prefix' ? name.startsWith(acl.resource.name ?? '') : name === acl.resource.name),
  );
}

/** Which role's credentials the code under a path runs with (debug-producer: the operator's tool, as queue-manager). */
const ROLE_OF_PATH: Array<[string, Role]> = [
  ['apps/queue-manager/', 'queue-manager'], ['libs/orchestrator/', 'queue-manager'], ['libs/queue-api/', 'queue-manager'], ['tools/debug-producer/', 'queue-manager'],
  ['apps/loader-', 'loader'], ['libs/loader/', 'loader'],
  ['apps/arango-candles/', 'sink'], ['libs/candle-sink/', 'sink'],
  ['apps/dummy-service/', 'dummy-service'],
];
const roleOfPath = (path: string): Role | undefined => ROLE_OF_PATH.find(([prefix]) => path.startsWith(prefix))?.[1];

const QUEUE = 'wf-btcusdt-api_candles_1m-20240801-abc123';
/**
 * Consumer groups the code joins, read from the source so that a new group cannot ship without its
 * ACL: control listeners `<service>-control-<queue_id>-<random>` (libs/kafka/src/control-listener.ts),
 * topic tails `<groupPrefix>-<random>`, literal, templated and default `groupId`s.
 */
function groupsUsedByCode(): Array<{ group: string; path: string }> {
  const sources = [...listRepoFiles('apps'), ...listRepoFiles('libs'), ...listRepoFiles('tools/debug-producer')].filter(
    (path) => path.endsWith('.ts') && !path.endsWith('.spec.ts') && !path.includes('/testing/') && !path.includes('/__tests__/') && !path.includes('/bench/'),
  );
  const groups: Array<{ group: string; path: string }> = [];
  for (const path of sources) {
    const text = readRepoFile(path);
    const add = (group: string) => groups.push({ group, path });
    // A logger's service name is no group.
    for (const m of text.matchAll(/(?<!createLogger\(\{\s*)\bservice:\s*'([a-z0-9-]+)'/g)) add(`${m[1]}-control-${QUEUE}-1a2b3c4d`);
    // Workers name their service (and so their control group) through workerRuntimeConfig('<service>', …).
    for (const m of text.matchAll(/\bworkerRuntimeConfig\('([a-z0-9-]+)'/g)) add(`${m[1]}-control-${QUEUE}-1a2b3c4d`);
    for (const m of text.matchAll(/\bgroupPrefix:\s*`([a-z0-9-]+)\$\{/g)) add(`${m[1]}${QUEUE}-1a2b3c4d`);
    for (const m of text.matchAll(/\bgroupId\s*[:=]\s*`([a-z0-9-]+)\$\{/g)) add(`${m[1]}${QUEUE}`);
    for (const m of text.matchAll(/\bgroupId:\s*'([a-z0-9._-]+)'/g)) add(m[1]);
    for (const m of text.matchAll(/_CONSUMER_GROUP:[^\n]*\.default\('([a-z0-9._-]+)'\)/g)) add(m[1]);
  }
  return groups;
}

// What each role's code does with each topic (and so all its user may do):
// queue-manager sends commands (libs/orchestrator), follows telemetry (telemetry-follower) and creates
// the data topics before launching (queue-service ensureTopics); loaders read commands, write telemetry
// and candles, read their data topic back to resume (libs/loader/src/resume-point.ts); the sink reads
// commands and its data topic, writes telemetry and dead letters, creating its dead-letter topic
// (libs/candle-sink ensureTopics); dummy-service reads commands and answers with telemetry.
const EXPECTED_TOPIC_OPS: Record<Role, Record<'control' | 'events' | 'data' | 'dlq', string[]>> = {
  // Delete: queue retention (libs/orchestrator queue-retention.ts) removes ended queues' data and DLQ topics.
  'queue-manager': { control: ['Describe', 'Write'], events: ['Describe', 'Read'], data: ['Create', 'Delete', 'Describe'], dlq: ['Create', 'Delete', 'Describe'] },
  loader: { control: ['Describe', 'Read'], events: ['Describe', 'Write'], data: ['Describe', 'Read', 'Write'], dlq: ['Describe', 'Read', 'Write'] },
  sink: { control: ['Describe', 'Read'], events: ['Describe', 'Write'], data: ['Describe', 'Read', 'Write'], dlq: ['Describe', 'Read', 'Write'] },
  'dummy-service': { control: ['Describe', 'Read'], events: ['Describe', 'Write'], data: [], dlq: [] },
};
const TOPIC_OPERATIONS = ['Read', 'Write', 'Create', 'Delete', 'Describe', 'Alter', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite', 'ClusterAction'];

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

  it.each(ROLES.map((r) => [r]))('streamforge-%s authenticates with SCRAM-SHA-512 and simple ACLs', (role) => {
    const user = findObject<KafkaUser>(files, 'KafkaUser', `streamforge-${role}`);
    expect(user.spec.authentication.type).toBe('scram-sha-512');
    expect(user.spec.authorization.type).toBe('simple');
  });

  it('has exactly one KafkaUser per role', () => {
    expect(strimzi.filter((o) => o.kind === 'KafkaUser').map((o) => o.metadata.name).sort()).toEqual(ROLES.map((r) => `streamforge-${r}`).sort());
  });

  it.each(ROLES.map((r) => [r]))('%s may do with each topic exactly what its code does', (role) => {
    const data = `${QUEUE}-data`;
    const topics = { control: configMap.data?.['QUEUE_CONTROL_TOPIC'] as string, events: configMap.data?.['QUEUE_EVENTS_TOPIC'] as string, data, dlq: `${data}-dlq` };
    const granted = Object.fromEntries(Object.entries(topics).map(([kind, topic]) => [kind, TOPIC_OPERATIONS.filter((op) => allows(role, 'topic', topic, op)).sort()]));
    expect(granted).toEqual(Object.fromEntries(Object.entries(EXPECTED_TOPIC_OPS[role]).map(([kind, ops]) => [kind, [...ops].sort()])));
    expect(TOPIC_OPERATIONS.filter((op) => allows(role, 'topic', 'orders', op))).toEqual([]);
    expect(aclsOf(role).filter((a) => !['topic', 'group'].includes(a.resource.type) || a.operations.includes('All') || a.type === 'deny')).toEqual([]);
  });

  it('only queue-manager writes queue-control, creates topics or deletes them (retention); nobody reconfigures a topic', () => {
    const data = `${QUEUE}-data`;
    expect(ROLES.filter((r) => allows(r, 'topic', configMap.data?.['QUEUE_CONTROL_TOPIC'] as string, 'Write'))).toEqual(['queue-manager']);
    // queue-manager creates the data and dead-letter topics at start (libs/orchestrator queue-service).
    for (const topic of [data, `${data}-dlq`]) expect(ROLES.filter((r) => allows(r, 'topic', topic, 'Create'))).toEqual(['queue-manager']);
    expect(ROLES.filter((r) => allows(r, 'topic', data, 'Delete'))).toEqual(['queue-manager']);
    for (const op of ['Alter', 'AlterConfigs']) expect(ROLES.filter((r) => allows(r, 'topic', data, op))).toEqual([]);
  });

  const groups = groupsUsedByCode();
  it('knows the role of every piece of code that joins a consumer group', () => {
    // Guard against a scan that finds nothing: the control listeners, the loader's resume reader, debug-producer.
    for (const prefix of ['dummy-service-control-', 'loader-api-candles-control-', 'arango-candles-control-', 'loader-resume-', 'debug-producer-', 'queue-manager']) {
      expect(groups.some(({ group }) => group.startsWith(prefix))).toBe(true);
    }
    expect(groups.filter(({ path }) => !roleOfPath(path)).map(({ group, path }) => `${group} (${path})`)).toEqual([]);
  });

  it('lets each role join, commit, describe and (for throw-away groups) delete exactly its own groups', () => {
    const missing = groups
      .filter(({ group, path }) => !['Read', 'Describe'].every((op) => allows(roleOfPath(path) as Role, 'group', group, op)))
      .map(({ group, path }) => `${group} (${path})`);
    expect(missing).toEqual([]);
    const foreign = groups.flatMap(({ group, path }) => ROLES.filter((r) => r !== roleOfPath(path) && allows(r, 'group', group, 'Read')).map((r) => `${r} may join ${group}`));
    expect(foreign).toEqual([]);
    const throwAway = groups.filter(({ group }) => /-[0-9a-f]{8}$/.test(group) || group.startsWith('loader-resume-'));
    expect(throwAway.filter(({ group, path }) => !allows(roleOfPath(path) as Role, 'group', group, 'Delete')).map(({ group }) => group)).toEqual([]);
    for (const role of ROLES) expect(allows(role, 'group', 'someone-else', 'Read')).toBe(false);
  });
});
