/** Kubernetes object names (RFC 1123 label): lowercase alphanumerics and '-', at most 63. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Label values: empty, or alphanumerics with '-', '_', '.' inside, at most 63. */
export const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** The first naming rule a Job's name or labels break, or undefined. */
export function kubernetesNameProblem(name: string, labels: Record<string, string>): string | undefined {
  if (!DNS1123_LABEL.test(name)) return `job name "${name}" is not a DNS-1123 label (lowercase a-z0-9 and -, at most 63 characters)`;
  for (const [key, value] of Object.entries(labels)) {
    if (!LABEL_VALUE.test(value)) return `label ${key}="${value}" is not a valid label value (alphanumerics, - _ ., at most 63 characters)`;
  }
  return undefined;
}

/**
 * A valid label value for any string: illegal characters become '_', and a value longer than 63
 * keeps its head and its last 6 characters (the random suffix of our ids), so it stays unique.
 */
export function labelValue(value: string): string {
  let cleaned = value.replace(/[^-A-Za-z0-9_.]/g, '_');
  if (cleaned.length > 63) cleaned = `${cleaned.slice(0, 56)}.${cleaned.slice(-6)}`;
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}
