import { existsSync } from 'node:fs';
import path from 'node:path';

/** Walks up from `startDir` to the first directory holding `nx.json`; falls back to `process.cwd()`. */
export function findRepoRoot(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Default cache location for jars and local broker state: `<repoRoot>/.cache/kafka` (git-ignored). */
export function defaultCacheDir(): string {
  return path.join(findRepoRoot(), '.cache', 'kafka');
}
