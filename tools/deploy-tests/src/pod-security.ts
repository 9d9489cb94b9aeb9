/**
 * The Pod Security Standards' `restricted` profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * as the admission controller applies it to a pod template: the baseline rules plus the restricted
 * ones. Returns one line per violation naming the field, empty when the pod would be admitted.
 */
type Dict = Record<string, unknown>;

const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const SECCOMP_ALLOWED = new Set(['RuntimeDefault', 'Localhost']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const dict = (value: unknown): Dict => (value && typeof value === 'object' ? (value as Dict) : {});
const list = (value: unknown): Dict[] => (Array.isArray(value) ? value.map(dict) : []);

export function restrictedViolations(podSpec: unknown): string[] {
  const pod = dict(podSpec);
  const podContext = dict(pod['securityContext']);
  const problems: string[] = [];
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field] === true) problems.push(`spec.${field} must not be true`);
  for (const volume of list(pod['volumes'])) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types) if (!ALLOWED_VOLUME_TYPES.has(type)) problems.push(`volume ${String(volume['name'])}: type ${type} is not allowed (hostPath and other node volumes are refused)`);
  }
  for (const sysctl of list(podContext['sysctls'])) if (!SAFE_SYSCTLS.has(String(sysctl['name']))) problems.push(`spec.securityContext.sysctls: ${String(sysctl['name'])} is not a safe sysctl`);
  if (podContext['runAsUser'] === 0) problems.push('spec.securityContext.runAsUser must not be 0');
  const podSeccomp = dict(podContext['seccompProfile'])['type'];
  if (podSeccomp !== undefined && !SECCOMP_ALLOWED.has(String(podSeccomp))) problems.push(`spec.securityContext.seccompProfile.type ${String(podSeccomp)} is not RuntimeDefault or Localhost`);
  if (!SELINUX_TYPES.has(String(dict(podContext['seLinuxOptions'])['type'] ?? ''))) problems.push('spec.securityContext.seLinuxOptions.type is not allowed');
  if (dict(podContext['windowsOptions'])['hostProcess'] === true) problems.push('spec.securityContext.windowsOptions.hostProcess must not be true');

  const containers = ['initContainers', 'containers', 'ephemeralContainers'].flatMap((kind) => list(pod[kind]).map((c) => [`${kind}[${String(c['name'])}]`, c] as const));
  if (containers.length === 0) problems.push('no containers');
  for (const [where, container] of containers) {
    const context = dict(container['securityContext']);
    if (context['privileged'] === true) problems.push(`${where}: privileged must not be true`);
    if (context['allowPrivilegeEscalation'] !== false) problems.push(`${where}: securityContext.allowPrivilegeEscalation must be false`);
    if ((context['runAsNonRoot'] ?? podContext['runAsNonRoot']) !== true) problems.push(`${where}: runAsNonRoot must be true (container or pod securityContext)`);
    if (context['runAsUser'] === 0) problems.push(`${where}: runAsUser must not be 0`);
    const seccomp = dict(context['seccompProfile'])['type'] ?? podSeccomp;
    if (!SECCOMP_ALLOWED.has(String(seccomp))) problems.push(`${where}: seccompProfile.type must be RuntimeDefault or Localhost (container or pod securityContext), is ${String(seccomp)}`);
    const capabilities = dict(context['capabilities']);
    if (!(Array.isArray(capabilities['drop']) && capabilities['drop'].includes('ALL'))) problems.push(`${where}: securityContext.capabilities.drop must contain ALL`);
    for (const added of Array.isArray(capabilities['add']) ? capabilities['add'] : []) if (added !== 'NET_BIND_SERVICE') problems.push(`${where}: capability ${String(added)} may not be added`);
    for (const port of list(container['ports'])) if (port['hostPort'] !== undefined && port['hostPort'] !== 0) problems.push(`${where}: hostPort ${String(port['hostPort'])} is not allowed`);
    if (context['procMount'] !== undefined && context['procMount'] !== 'Default') problems.push(`${where}: procMount must be Default`);
    if (!SELINUX_TYPES.has(String(dict(context['seLinuxOptions'])['type'] ?? ''))) problems.push(`${where}: seLinuxOptions.type is not allowed`);
    if (dict(context['windowsOptions'])['hostProcess'] === true) problems.push(`${where}: windowsOptions.hostProcess must not be true`);
  }
  return problems;
}

/** The pod template of a workload (Deployment, Job, StatefulSet, DaemonSet, CronJob, KEDA ScaledJob) or a Pod's spec; undefined otherwise. */
export function podSpecOf(object: { kind: string } & Dict): unknown {
  if (object.kind === 'Pod') return object['spec'];
  if (object.kind === 'ScaledJob') return dict(dict(dict(object['spec'])['jobTargetRef'])['template'])['spec'];
  if (object.kind === 'CronJob') return dict(dict(dict(dict(object['spec'])['jobTemplate'])['spec'])['template'])['spec'];
  if (['Deployment', 'Job', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(object.kind)) return dict(dict(object['spec'])['template'])['spec'];
  return undefined;
}
