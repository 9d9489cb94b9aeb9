import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { validate as dockerfileUtilsValidate } from 'dockerfile-utils';
import { workerNodeArgs } from '@streamforge/launchers';
import { imageBuildArgs } from './gitlab-ci';
import { findHadolint } from './hadolint';
import { DEPLOYABLE_APPS, note, presentApps, readRepoFile, repoFileExists, repoPath } from './repo';

const dockerfiles = ['Dockerfile', '.devcontainer/Dockerfile'];

describe('Dockerfiles', () => {
  it('are one for every deployable app (ARG APP), with no per-app copy left, and every app is deployable (a new app needs an image decision)', () => {
    expect(presentApps().filter((app) => repoFileExists(`apps/${app}/Dockerfile`))).toEqual([]);
    expect(presentApps().filter((app) => !(DEPLOYABLE_APPS as readonly string[]).includes(app))).toEqual([]);
  });

  describe('hadolint', () => {
    const hadolint = findHadolint();
    if ('unavailable' in hadolint) {
      note(`hadolint not run: ${hadolint.unavailable}`);
      it.skip(`reports nothing (skipped: ${hadolint.unavailable})`, () => undefined);
      return;
    }
    note(`linting with ${hadolint.describe}`);
    it('flags a bad Dockerfile (the check is real)', () => {
      const bad = join(mkdtempSync(join(tmpdir(), 'hadolint-')), 'Dockerfile');
      writeFileSync(bad, 'FROM node:latest\nRUN cd /app && npm install\nCMD node main.js\n');
      const findings = hadolint.lint(bad).join('\n');
      expect(findings).toContain('DL3007');
      expect(findings).toContain('DL3003');
    });

    it.each(dockerfiles)('reports nothing on %s', (path) => {
      expect(hadolint.lint(repoPath(path))).toEqual([]);
    });
  });

  it.each(dockerfiles)('%s has no problem dockerfile-utils (the VS Code Dockerfile validator) reports', (path) => {
    expect(dockerfileUtilsValidate(readRepoFile(path)).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('.dockerignore keeps host builds, caches and git out of the build context', () => {
    const ignored = readRepoFile('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['**/node_modules', 'dist', '.cache', '.git']) expect(ignored).toContain(entry);
  });
});

describe('Dockerfile (every deployable app, ARG APP)', () => {
  const dockerfile = DockerfileParser.parse(readRepoFile('Dockerfile'));
  const froms = dockerfile.getFROMs();
  const instructions = dockerfile.getInstructions();
  const runtimeStart = instructions.indexOf(froms[froms.length - 1]);
  const builder = instructions.slice(0, runtimeStart);
  const runtime = instructions.slice(runtimeStart + 1);
  const args = (i: Instruction) => i.getArgumentsContent() ?? '';
  const of = (stage: Instruction[], keyword: string) => stage.filter((i) => i.getKeyword() === keyword);

  it('builds in a full Node 24 bookworm stage and runs in a slim Node 24 bookworm stage (same glibc for native modules)', () => {
    expect(of(instructions, 'ARG').map(args)).toContain('NODE_MAJOR=24');
    expect(froms.map((f) => `${f.getImageName()}:${f.getImageTag()}`)).toEqual(['node:${NODE_MAJOR}-bookworm', 'node:${NODE_MAJOR}-bookworm-slim']);
    expect(froms[0].getBuildStage()).toBe('builder');
  });

  it('installs with npm ci, applies patches/ with patch-package before anything is built, builds the app, then installs its generated package.json for production', () => {
    const runs = of(builder, 'RUN').map(args);
    const steps = builder.map((i) => `${i.getKeyword()} ${args(i)}`);
    const patchesCopied = steps.findIndex((step) => /^COPY patches\/? patches\/?$/.test(step));
    const install = steps.findIndex((step) => /^RUN .*npm ci --ignore-scripts\b/s.test(step));
    const build = steps.findIndex((step) => step === 'RUN sh tools/ci/build-app.sh "$APP"');
    expect([patchesCopied, install, build].every((index) => index >= 0)).toBe(true);
    expect(patchesCopied).toBeLessThan(install);
    // --ignore-scripts skips the root postinstall, so the patch step must be there, after the install.
    expect(steps[install]).toMatch(/npm ci --ignore-scripts[^&]*&&\s*(\\\s*)?npx patch-package --error-on-fail/s);
    expect(install).toBeLessThan(build);
    expect(of(builder, 'WORKDIR').map(args)).toContain('/workspace/dist/apps/${APP}');
    expect(runs[runs.length - 1]).toMatch(/^npm ci --omit=dev\b/);
  });

  it('ships only the built app: no RUN, no copy from the build context', () => {
    expect(of(runtime, 'RUN')).toEqual([]);
    expect(of(runtime, 'ADD')).toEqual([]);
    const copies = of(runtime, 'COPY') as Copy[];
    expect(copies.map((c) => `--from=${c.getFromFlag()?.getValue()} ${args(c)}`)).toEqual(['--from=builder /workspace/dist/apps/${APP}/ ./']);
    expect(of(runtime, 'WORKDIR').map(args)).toEqual(['/app']);
  });

  it('runs as a numeric non-root user with NODE_ENV=production, exposes 8000 and starts main.js with NODE_ARGS in NODE_OPTIONS', () => {
    const user = of(runtime, 'USER').map(args);
    expect(user).toHaveLength(1);
    // Kubernetes can only enforce runAsNonRoot (the Job contract) when the image user is numeric.
    expect(user[0]).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/);
    const env = of(runtime, 'ENV').map(args).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toContain('NODE_OPTIONS="--enable-source-maps ${NODE_ARGS}"');
    expect(of(runtime, 'ARG').map(args).sort()).toEqual(['APP', 'NODE_ARGS=""']);
    expect(of(runtime, 'EXPOSE').map(args)).toEqual(['8000']);
    const cmd = of(runtime, 'CMD');
    expect(cmd).toHaveLength(1);
    expect(JSON.parse(args(cmd[0]))).toEqual(['node', 'main.js']);
  });

  it.each(DEPLOYABLE_APPS.map((app) => [app]))("the %s image runs node with the app's workerNodeArgs (the NODE_ARGS its CI job passes)", (app) => {
    const nodeArgs = imageBuildArgs(app)['NODE_ARGS'] ?? '';
    const nodeOptions = `--enable-source-maps ${nodeArgs}`.split(/\s+/).filter((option) => option && option !== '--enable-source-maps');
    expect(nodeOptions).toEqual([...workerNodeArgs(app)]);
  });
});
