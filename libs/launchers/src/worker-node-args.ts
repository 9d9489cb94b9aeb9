/**
 * Node options each worker runs with: in its image's CMD (a deploy test holds the Dockerfiles to
 * this), under the local launcher, and in the benchmarks. arango-candles allocates about a
 * kilobyte of short-lived objects per candle; a 32 MiB semi-space (16 MiB by default) halves its
 * young-generation collections, worth ~10 % throughput in `npm run bench:sink`.
 */
const WORKER_NODE_ARGS: Readonly<Record<string, readonly string[]>> = {
  'arango-candles': ['--max-semi-space-size=32'],
};

/** The node options `target` runs with (before the script), often none. */
export function workerNodeArgs(target: string): readonly string[] {
  return WORKER_NODE_ARGS[target] ?? [];
}

/** The worker bundle inside every worker image, relative to its WORKDIR (/app). */
export const IMAGE_WORKER_SCRIPT = 'main.js';

/** What follows the node binary when `target` runs `script` with `args`: node options, script, flags. */
export function workerArgv(target: string, script: string, args: readonly string[]): string[] {
  return [...workerNodeArgs(target), script, ...args];
}
