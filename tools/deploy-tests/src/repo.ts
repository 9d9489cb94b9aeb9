import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root (this file is tools/deploy-tests/src/repo.ts). */
export const repoRoot = join(__dirname, '..', '..', '..');

export const repoPath = (...parts: string[]): string => join(repoRoot, ...parts);

export const readRepoFile = (path: string): string => readFileSync(repoPath(path), 'utf8');

export const repoFileExists = (path: string): boolean => existsSync(repoPath(path));

/** Repository-relative paths of the files under `dir` (recursive) whose name passes `accept`. */
export function listRepoFiles(dir: string, accept: (name: string) => boolean = () => true): string[] {
  const root = repoPath(dir);
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      if (name === 'node_modules' || name === 'dist' || name.startsWith('.cache')) continue;
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (accept(name)) found.push(relative(repoRoot, full));
    }
  };
  walk(root);
  return found;
}

/** Apps of this checkout: folders under apps/ with a project.json (the others are still being written). */
export function presentApps(): string[] {
  return readdirSync(repoPath('apps')).filter((name) => existsSync(repoPath('apps', name, 'project.json'))).sort();
}

/** The four deployable apps of StreamForge: each has a Dockerfile and an image. */
export const DEPLOYABLE_APPS = ['arango-candles', 'dummy-service', 'loader-api-candles', 'loader-ws-candles', 'queue-manager'] as const;

/** The worker apps queue-manager launches as Jobs (deploy/base/jobs/<app>.yaml). */
export const WORKER_APPS = ['arango-candles', 'dummy-service', 'loader-api-candles', 'loader-ws-candles'] as const;

/** Writes a line a reader of the test output sees (a skipped check says why). */
export function note(line: string): void {
  process.stderr.write(`[deploy-tests] ${line}\n`);
}
