/** One of a queue's loader splits: the `index`-th (1-based) of `of` contiguous sub-ranges of its range. */
export interface LoadSplit {
  index: number;
  of: number;
}

/** The most splits one range may be cut into (each split is a loader Job with its own Binance weight share). */
export const MAX_LOAD_SPLITS = 16;

/** The unsplit load: one loader for the whole range. */
export const WHOLE_LOAD: LoadSplit = { index: 1, of: 1 };

export const LOAD_SPLIT_FORM = `<k>/<n> with 1 ≤ k ≤ n ≤ ${MAX_LOAD_SPLITS}, e.g. 2/3`;

/** `k/n` as LOAD_SPLIT and the end-of-stream split header spell it. */
export function formatLoadSplit(split: LoadSplit): string {
  return `${split.index}/${split.of}`;
}

/** Reads `k/n` (LOAD_SPLIT, the end-of-stream split header); the reason names what was expected. */
export function parseLoadSplit(text: string): { ok: true; value: LoadSplit } | { ok: false; reason: string } {
  const match = /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(text);
  const index = Number(match?.[1]);
  const of = Number(match?.[2]);
  if (!match || index < 1 || of > MAX_LOAD_SPLITS || index > of) return { ok: false, reason: `expected ${LOAD_SPLIT_FORM}` };
  return { ok: true, value: { index, of } };
}
