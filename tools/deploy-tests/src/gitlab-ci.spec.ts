import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dependencyRoots } from './nx-graph';
import { DEPLOYABLE_APPS, listRepoFiles, note, presentApps, readRepoFile, repoFileExists, repoPath, repoRoot } from './repo';

type Job = Record<string, unknown> & {
  stage?: string; extends?: string | string[]; script?: string[]; before_script?: string[];
  rules?: Array<{ if?: string; when?: string; changes?: string[] | { paths: string[] } }>;
  image?: string | { name: string; entrypoint?: string[] }; variables?: Record<string, string>;
  services?: Array<{ name: string; alias?: string; variables?: Record<string, string> }>;
  cache?: Array<{ key: { files: string[] }; paths: string[] }>;
};

const ci = parse(readRepoFile('.gitlab-ci.yml')) as Record<string, unknown>;
const RESERVED = new Set(['stages', 'workflow', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);
const jobNames = Object.keys(ci).filter((key) => !RESERVED.has(key));
const visibleJobs = jobNames.filter((name) => !name.startsWith('.'));

/** A job with its `extends` chain merged in (GitLab merges hashes deeply, replaces arrays). */
function resolve(name: string, seen: string[] = []): Job {
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

const scripts = (job: Job) => [...(job.before_script ?? []), ...(job.script ?? [])];
const changesOf = (job: Job) => (job.rules ?? []).flatMap((rule) => (Array.isArray(rule.changes) ? rule.changes : rule.changes?.paths ?? []));
/** Whether a GitLab `changes` glob matches at least one file of the repository. */
function globMatchesSomething(glob: string): boolean {
  const prefix = glob.split(/[*?[{]/)[0];
  if (prefix === glob) return repoFileExists(glob);
  const pattern = new RegExp(`^${glob.replace(/[.+^$()|\\]/g, '\\$&').replace(/\*\*\//g, '(.*/)?').replace(/\*/g, '[^/]*')}$`);
  return listRepoFiles(prefix.replace(/\/$/, '') || '.').some((path) => pattern.test(path));
}

describe('.gitlab-ci.yml', () => {
  it('has the stages lint, test, build and deploy, and every job is in one of them', () => {
    expect(ci['stages']).toEqual(['lint', 'test', 'build', 'deploy']);
    for (const name of visibleJobs) expect([name, resolve(name).stage ?? 'test']).toEqual([name, expect.stringMatching(/^(lint|test|build|deploy)$/)]);
  });

  it('resolves every extends and gives every job a script', () => {
    for (const name of jobNames) expect(() => resolve(name)).not.toThrow();
    for (const name of visibleJobs) expect([name, (resolve(name).script ?? []).length > 0]).toEqual([name, true]);
  });

  it('references only npm scripts and repository files that exist', () => {
    const npmScripts = Object.keys((JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts);
    for (const name of visibleJobs) {
      for (const line of scripts(resolve(name))) {
        for (const m of line.matchAll(/\bnpm run ([a-z0-9:-]+)/g)) expect([name, m[1], npmScripts.includes(m[1])]).toEqual([name, m[1], true]);
        for (const m of line.matchAll(/\b((?:tools|deploy|apps)\/[A-Za-z0-9_./-]+)/g)) {
          if (m[1].includes('$')) continue;
          expect([name, m[1], existsSync(repoPath(m[1]))]).toEqual([name, m[1], true]);
        }
      }
    }
  });

  it('runs lint, test and build through nx affected against the merge base', () => {
    expect(scripts(resolve('lint')).join('\n')).toContain('tools/ci/nx-affected.sh lint');
    expect(scripts(resolve('test')).join('\n')).toContain('tools/ci/nx-affected.sh test build');
    expect(readRepoFile('tools/ci/nx-affected.sh')).toContain('npx nx affected -t "$@" --base="$NX_BASE" --head="$NX_HEAD"');
    expect((ci['variables'] as Record<string, string>)['GIT_DEPTH']).toBe('0');
  });

  it('runs the tests against Kafka 4.1 (KRaft) and ArangoDB 3.12 services, so the ArangoDB contract suite runs', () => {
    const test = resolve('test');
    const kafka = test.services?.find((s) => s.name.startsWith('apache/kafka:'));
    const arango = test.services?.find((s) => s.name.startsWith('arangodb:'));
    expect(kafka?.name).toMatch(/^apache\/kafka:4\.1\.\d+$/);
    expect(kafka?.variables).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${kafka?.alias}:9092` });
    expect(arango?.name).toBe('arangodb:3.12');
    const password = arango?.variables?.['ARANGO_ROOT_PASSWORD'];
    expect(password).toBeTruthy();
    const script = scripts(test).join('\n');
    expect(script).toContain(`KAFKA_BOOTSTRAP_SERVERS=${kafka?.alias}:9092`);
    expect(script).toContain(`ARANGO_URL=http://${arango?.alias}:8529`);
    expect(script).toContain(`ARANGO_PASSWORD=${password}`);
    // tools/deploy-tests must not skip in CI: kubectl renders kustomize output, pip fetches hadolint.
    expect(script).toMatch(/apt-get install[^\n]*python3-pip/);
    expect(script).toContain('curl -fsSLo /usr/local/bin/kubectl');
    // Job variables reach services too: no KAFKA_* job variable may leak into the broker's config.
    expect(Object.keys(test.variables ?? {}).filter((key) => key.startsWith('KAFKA_'))).toEqual([]);
  });

  it('caches npm downloads by package-lock.json and the Kafka jars by the local-kafka pom', () => {
    expect((ci['variables'] as Record<string, string>)['npm_config_cache']).toBe('$CI_PROJECT_DIR/.npm');
    const caches = resolve('test').cache ?? [];
    expect(caches).toEqual(
      expect.arrayContaining([
        { key: { files: ['package-lock.json'] }, paths: ['.npm/'] },
        { key: { files: ['tools/local-kafka/pom.xml'] }, paths: ['.cache/kafka/libs/'] },
      ]),
    );
    // tools/local-kafka keeps its jars in <repo>/.cache/kafka/libs (repo-root.ts, kafka-jars.ts).
    expect(readRepoFile('tools/local-kafka/src/repo-root.ts')).toContain("'.cache', 'kafka'");
    expect(readRepoFile('tools/local-kafka/src/kafka-jars.ts')).toContain("path.join(cacheDir, 'libs',");
  });

  it('deploys the example overlay with kubectl apply -k, by hand, from the default branch only', () => {
    const deploy = resolve('deploy:example');
    expect(deploy.stage).toBe('deploy');
    expect(deploy.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', when: 'manual' }]);
    expect(scripts(deploy)).toContain('kubectl apply -k deploy/overlays/example');
    expect(repoFileExists('deploy/overlays/example/kustomization.yaml')).toBe(true);
  });
});

describe('.gitlab-ci.yml image jobs', () => {
  it('has one Kaniko job per deployable app, building its Dockerfile from the repository root', () => {
    const imageJobs = visibleJobs.filter((name) => resolve(name).stage === 'build');
    expect(imageJobs.sort()).toEqual(DEPLOYABLE_APPS.map((app) => `image:${app}`).sort());
    for (const app of DEPLOYABLE_APPS) {
      const job = resolve(`image:${app}`);
      expect(job.image).toEqual({ name: 'gcr.io/kaniko-project/executor:debug', entrypoint: [''] });
      expect(job.variables?.['APP']).toBe(app);
      const script = scripts(job).join('\n');
      expect(script).toContain('/kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/apps/$APP/Dockerfile"');
      expect(script).toContain('--destination $IMAGE_REPOSITORY/$APP:$CI_COMMIT_SHORT_SHA');
      expect(script).toContain('--destination $IMAGE_REPOSITORY/$APP:v$APP_VERSION');
      expect(repoFileExists(`apps/${app}/Dockerfile`)).toBe(true);
    }
  });

  it('tags each image with the app version from apps/<app>/package.json', () => {
    for (const app of DEPLOYABLE_APPS) {
      const result = spawnSync('sh', ['tools/ci/app-version.sh', app], { cwd: repoRoot, encoding: 'utf8' });
      const expected = (JSON.parse(readRepoFile(`apps/${app}/package.json`)) as { version: string }).version;
      expect([app, result.status, result.stdout.trim()]).toEqual([app, 0, expected]);
    }
    const missing = spawnSync('sh', ['tools/ci/app-version.sh', 'no-such-app'], { cwd: repoRoot, encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('apps/no-such-app/package.json');
  });

  // rules:changes decides at pipeline creation which image jobs exist; it must name exactly the files
  // Nx considers part of the app: its folder, the workspace projects it depends on, and the root
  // files every build reads. A new dependency fails here until the job lists it.
  const present = presentApps();
  it.each(DEPLOYABLE_APPS.map((app) => [app]))('image:%s runs exactly when the app or one of its Nx dependencies changes', (app) => {
    const job = resolve(`image:${app}`);
    const paths = changesOf(job);
    const rootFiles = ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.dockerignore'];
    expect(paths.filter((p) => !p.includes('/'))).toEqual(rootFiles);
    if (!present.includes(app)) {
      note(`image:${app} changes not compared with the Nx graph: apps/${app} is not in this checkout yet`);
      return;
    }
    // dummy-service's image also carries debug-producer (apps/dummy-service/Dockerfile).
    const projects = app === 'dummy-service' ? ['apps/dummy-service', 'tools/debug-producer', ...dependencyRoots('dummy-service'), ...dependencyRoots('debug-producer')] : [`apps/${app}`, ...dependencyRoots(app)];
    const expected = [...new Set(projects)].map((root) => `${root}/**/*`).sort();
    expect(paths.filter((p) => p.includes('/')).sort()).toEqual(expected);
    for (const path of paths) expect([path, globMatchesSomething(path)]).toEqual([path, true]);
  });
});

describe('tools/ci/nx-base.sh', () => {
  const repo = mkdtempSync(join(tmpdir(), 'nx-base-'));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).stdout.trim();
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'one');
  const first = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'two');
  const base = (env: Record<string, string>) => {
    const result = spawnSync('sh', [repoPath('tools/ci/nx-base.sh')], { cwd: repo, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
    expect(result.status).toBe(0);
    return result.stdout.trim();
  };
  const zeros = '0'.repeat(40);

  it('uses the merge request diff base in merge request pipelines', () => {
    expect(base({ CI_MERGE_REQUEST_DIFF_BASE_SHA: first, CI_COMMIT_BEFORE_SHA: zeros })).toBe(first);
  });

  it('uses the previous branch tip in push pipelines', () => {
    expect(base({ CI_COMMIT_BEFORE_SHA: first })).toBe(first);
  });

  it('gives no base (every project) for a new branch, a force push or a local run', () => {
    expect(base({ CI_COMMIT_BEFORE_SHA: zeros })).toBe('');
    expect(base({ CI_COMMIT_BEFORE_SHA: 'deadbeef'.repeat(5) })).toBe('');
    expect(base({})).toBe('');
  });
});
