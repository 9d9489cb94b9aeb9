import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { build } from 'esbuild';
import { patchedCodeInBundle } from './patch-in-bundle';
import { note, readRepoFile, repoRoot } from './repo';

/** The app whose image this test builds: the loader is the producer the kafkajs patch speeds up. */
const APP = 'loader-api-candles';
const PATCH = 'patches/kafkajs+2.2.4.patch';

/** Whether a context path is left out by .dockerignore (the patterns this repository uses). */
function dockerignored(patterns: string[], path: string): boolean {
  const segments = path.split('/');
  return patterns.some((pattern) => {
    if (pattern.startsWith('**/')) return segments.includes(pattern.slice(3));
    if (pattern.startsWith('*.')) return path.endsWith(pattern.slice(1));
    return segments[0] === pattern;
  });
}

/**
 * Replays the builder stage of ./Dockerfile in a temporary folder standing for /workspace: its ARGs,
 * COPYs from the build context (minus .dockerignore) and RUNs, as Kaniko would, until the stage moves
 * into the built app (the last step installs production packages, which adds nothing to the bundle).
 */
function replayBuilderStage(workspace: string, args: Record<string, string>): void {
  const dockerfile = DockerfileParser.parse(readRepoFile('Dockerfile'));
  const froms = dockerfile.getFROMs();
  const instructions = dockerfile.getInstructions();
  const builder = instructions.slice(instructions.indexOf(froms[0]) + 1, instructions.indexOf(froms[1]));
  const ignored = readRepoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const env: Record<string, string> = {};
  const expand = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (_, name: string) => env[name] ?? '');
  const toHost = (path: string) => join(workspace, relative('/workspace', path.startsWith('/') ? path : join(cwd, path)));
  let cwd = '/workspace';
  for (const instruction of builder as Instruction[]) {
    const words = (instruction.getArgumentsContent() ?? '').trim();
    switch (instruction.getKeyword()) {
      case 'ARG': {
        const name = words.split('=')[0];
        if (!(name in args)) throw new Error(`the Dockerfile's builder takes ARG ${name}; this test passes ${Object.keys(args).join(', ')}`);
        env[name] = args[name];
        break;
      }
      case 'WORKDIR':
        cwd = expand(words);
        if (cwd.startsWith('/workspace/dist/')) return;
        mkdirSync(toHost(cwd), { recursive: true });
        break;
      case 'COPY': {
        const parts = words.split(/\s+/);
        const target = parts.pop() as string;
        for (const source of parts) {
          const from = join(repoRoot, source);
          // A folder's content goes into the target; a file goes into a target folder (trailing /) under its name.
          const to = statSync(from).isDirectory() ? toHost(target) : target.endsWith('/') ? join(toHost(target), basename(source)) : toHost(target);
          cpSync(from, to, { recursive: true, filter: (path) => path === from || !dockerignored(ignored, relative(repoRoot, path)) });
        }
        break;
      }
      case 'RUN': {
        const result = spawnSync('sh', ['-c', expand(words).replace(/\\\n/g, ' ')], { cwd: toHost(cwd), env: { ...process.env, ...env, NX_DAEMON: 'false' }, encoding: 'utf8', timeout: 900_000 });
        if (result.status !== 0) throw new Error(`RUN ${words} failed (${result.status ?? result.signal}):\n${(result.stdout + result.stderr).slice(-3000)}`);
        break;
      }
      default:
        throw new Error(`the replay does not know ${instruction.getKeyword()} (line ${instruction.getRange().start.line + 1}); teach it before adding one`);
    }
  }
}

describe('the image of an app ships the patched kafkajs', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'image-bundle-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it(`the Dockerfile's own build of ${APP} (npm ci --ignore-scripts, then its steps) bundles every file ${PATCH} changes`, async () => {
    const startedAt = Date.now();
    replayBuilderStage(workspace, { APP });
    note(`replayed the Dockerfile's builder stage for ${APP} in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
    const bundlePath = join(workspace, 'dist', 'apps', APP, 'main.js');
    expect(existsSync(bundlePath)).toBe(true);

    // The control: the same workspace's kafkajs with the patches reversed, bundled by esbuild alone.
    const reverse = spawnSync('npx', ['patch-package', '--reverse'], { cwd: workspace, encoding: 'utf8', timeout: 120_000 });
    expect(reverse.status).toBe(0);
    const stock = await build({ entryPoints: [join(workspace, 'node_modules', 'kafkajs', 'index.js')], bundle: true, platform: 'node', target: 'node20', write: false });
    const patch = readRepoFile(PATCH);
    const stockReport = patchedCodeInBundle(patch, stock.outputFiles[0].text);
    // Every patched file has lines a stock bundle lacks: the check can tell the two apart.
    expect(stockReport.filter((f) => f.distinctive === 0)).toEqual([]);

    const report = patchedCodeInBundle(patch, readFileSync(bundlePath, 'utf8'), stock.outputFiles[0].text);
    expect(report.filter((f) => f.found === 0).map((f) => f.file)).toEqual([]);
  }, 1_200_000);
});

describe('nx.json', () => {
  /** The file patterns a target's inputs come to, with named inputs expanded (Nx's own resolution, minus negations). */
  function filePatterns(inputs: string[], named: Record<string, string[]>, seen = new Set<string>()): string[] {
    return inputs.flatMap((input) => {
      const name = input.replace(/^\^/, '');
      if (named[name] && !seen.has(name)) return filePatterns(named[name], named, new Set([...seen, name]));
      return input.startsWith('!') ? [] : [input];
    });
  }

  it('makes patches/ an input of every build and test, so a patch change rebuilds and retests what bundles kafkajs', () => {
    const nx = JSON.parse(readRepoFile('nx.json')) as { namedInputs: Record<string, string[]>; targetDefaults: Record<string, { inputs: string[] }> };
    for (const target of ['build', 'test']) {
      expect([target, filePatterns(nx.targetDefaults[target].inputs, nx.namedInputs)]).toEqual([target, expect.arrayContaining(['{workspaceRoot}/patches/**/*'])]);
    }
  });
});
