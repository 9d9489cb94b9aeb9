import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo';

interface GraphFile {
  graph: { nodes: Record<string, { data: { root: string } }>; dependencies: Record<string, Array<{ target: string }>> };
}

let cached: GraphFile['graph'] | undefined;

/** The Nx project graph of this checkout (`nx graph --file`), computed once per test file. */
export function projectGraph(): GraphFile['graph'] {
  if (!cached) {
    const file = join(mkdtempSync(join(tmpdir(), 'nx-graph-')), 'graph.json');
    const result = spawnSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NX_DAEMON: 'false' } });
    if (result.status !== 0) throw new Error(`nx graph failed: ${result.stderr}`);
    cached = (JSON.parse(readFileSync(file, 'utf8')) as GraphFile).graph;
  }
  return cached;
}

/** Roots of the workspace projects `project` depends on, directly or not (npm packages excluded). */
export function dependencyRoots(project: string): string[] {
  const graph = projectGraph();
  const seen = new Set<string>();
  const pending = [project];
  while (pending.length > 0) {
    for (const { target } of graph.dependencies[pending.pop() as string] ?? []) {
      if (target.startsWith('npm:') || seen.has(target)) continue;
      seen.add(target);
      pending.push(target);
    }
  }
  return [...seen].map((name) => graph.nodes[name].data.root).sort();
}
