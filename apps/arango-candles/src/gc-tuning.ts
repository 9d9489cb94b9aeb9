import { setFlagsFromString } from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring. The sink keeps each slice's candles until the slice is
 * written, so at a young-generation GC a large share of the recent candles is alive; V8 then
 * sometimes decides to allocate candles straight into the old generation, after which every GC
 * copies far more and the old generation grows. Measured with `npm run bench:sink` and the default
 * indicators: in about one run of three, +25 % CPU and peak RSS ~280 MB instead of ~220 MB; never
 * with this flag. Set here, not on the command line: NODE_OPTIONS (the image's) refuses V8 flags
 * outside Node's allow-list, and the decision is taken at each GC, so setting it at start is enough.
 */
export function tuneGarbageCollector(mode: MemoryMode = 'throughput'): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
  // The sink's live heap is ~25 MB; the rest of its V8 heap is garbage V8 lets pile up between collections for speed.
  // `small` has V8 collect early and keep a tiny young generation: measured on a year, 157 MB instead of 242 MB peak
  // RSS for ~75 % more CPU (README "Performance: memory"). Takes effect at start: V8 reads it as it sizes the heap.
  if (mode === 'small') setFlagsFromString('--optimize-for-size');
}

/** MEMORY_MODE: `throughput` (the default) or `small` (a tight memory limit, at a CPU cost). */
export const MEMORY_MODES = ['throughput', 'small'] as const;
export type MemoryMode = (typeof MEMORY_MODES)[number];
