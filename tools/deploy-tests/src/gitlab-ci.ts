import { parse } from 'yaml';
import { readRepoFile } from './repo';

export type Job = Record<string, unknown> & {
  stage?: string; extends?: string | string[]; script?: string[]; before_script?: string[];
  rules?: Array<{ if?: string; when?: string; changes?: string[] | { paths: string[] } }>;
  image?: string | { name: string; entrypoint?: string[] }; variables?: Record<string, string>;
  services?: Array<{ name: string; alias?: string; variables?: Record<string, string> }>;
  cache?: Array<{ key: { files: string[] }; paths: string[] }>;
};

export const ci = parse(readRepoFile('.gitlab-ci.yml')) as Record<string, unknown>;
const RESERVED = new Set(['stages', 'workflow', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);
export const jobNames = Object.keys(ci).filter((key) => !RESERVED.has(key));
export const visibleJobs = jobNames.filter((name) => !name.startsWith('.'));

/** A job with its `extends` chain merged in (GitLab merges hashes deeply, replaces arrays). */
export function resolve(name: string, seen: string[] = []): Job {
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(' -> ')}`);
  const job = ci[name] as Job | undefined;
  if (!job) throw new Error(`${seen[seen.length - 1] ?? '?'} extends ${name}, which does not exist`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  return [...parents.map((parent) => resolve(parent, [...seen, name])), job].reduce<Job>((merged, next) => deepMerge(merged, next) as Job, {});
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof override !== 'object' || override === null || Array.isArray(override)) return override;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
}

export const scripts = (job: Job) => [...(job.before_script ?? []), ...(job.script ?? [])];

/** The --build-arg values an image job gives Kaniko, with the job's variables substituted. */
export function imageBuildArgs(app: string): Record<string, string> {
  const job = resolve(`image:${app}`);
  const executor = scripts(job).find((line) => line.includes('/kaniko/executor')) ?? '';
  const substitute = (value: string) => value.replace(/\$\{?(\w+)\}?/g, (_, name: string) => job.variables?.[name] ?? `$${name}`);
  return Object.fromEntries([...executor.matchAll(/--build-arg "?(\w+)=([^"\s]*)"?/g)].map((m) => [m[1], substitute(m[2])]));
}
