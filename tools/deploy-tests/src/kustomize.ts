import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoPath } from './repo';

/** The kustomize used when kubectl (which embeds kustomize) is not installed; built once into a git-ignored cache. */
export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
export const KUSTOMIZE_VERSION = 'v5.7.1';
const cachedBinary = repoPath('.cache', 'kustomize', KUSTOMIZE_VERSION, 'kustomize');

export type KustomizeRenderer = { describe: string; render(dir: string): string } | { unavailable: string };

const works = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 }).status === 0;

/**
 * `kubectl kustomize` when kubectl is installed (what `kubectl apply -k` runs), else a kustomize
 * built with `go install` through the Go module proxy into .cache/kustomize; unavailable (with the
 * reason) only when neither kubectl nor Go is on this machine.
 */
export function findKustomize(): KustomizeRenderer {
  if (works('kubectl', ['version', '--client'])) {
    return { describe: 'kubectl kustomize', render: (dir) => run('kubectl', ['kustomize', dir]) };
  }
  if (!existsSync(cachedBinary)) {
    if (!works('go', ['version'])) return { unavailable: 'neither kubectl nor Go is installed, so kustomize cannot run here' };
    const built = spawnSync('go', ['install', `${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}`], {
      encoding: 'utf8',
      timeout: 540_000,
      env: { ...process.env, GOBIN: repoPath('.cache', 'kustomize', KUSTOMIZE_VERSION) },
    });
    if (built.status !== 0) throw new Error(`go install ${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION} failed: ${built.stderr}`);
  }
  return { describe: `kustomize ${KUSTOMIZE_VERSION} (${cachedBinary})`, render: (dir) => run(cachedBinary, ['build', dir]) };
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
  return result.stdout;
}
