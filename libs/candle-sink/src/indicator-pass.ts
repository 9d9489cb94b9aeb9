import type { IndicatorCandle, IndicatorSet, IndicatorSetState } from '@streamforge/indicators';
import type { DocumentStore, StoredDocument } from '@streamforge/storage';

/** Documents read (and at most written) per store call: one findRange page, one updateFields batch. */
export const INDICATOR_PAGE_SIZE = 5_000;

export interface IndicatorPassProgress {
  /** Documents visited so far, in open_time order. */
  documents: number;
  /** Of those, documents whose indicator fields were (re)written. */
  updated: number;
  /** open_time of the last document visited. */
  lastOpenTime: number;
}

export interface IndicatorPassDeps {
  store: DocumentStore;
  indicators: IndicatorSet;
  /** Runs each store call (e.g. with the sink's retry policy); default: as is. */
  retry?: <T>(call: () => Promise<T>) => Promise<T>;
  /** After each page; the pass waits for it. */
  onPage?(progress: IndicatorPassProgress): Promise<void> | void;
  /** Checked between pages: true ends the pass early (what is written stays valid, the rest is left as it was). */
  stopped?(): boolean;
  /**
   * Continue from this state (the series up to its `lastOpenTime`, unchanged in the store) instead
   * of the series start: only the documents after it are read.
   */
  start?: IndicatorSetState;
  /** Receives the state after every `every`-th document visited (to start a later pass there). */
  checkpoints?: { every: number; take(state: IndicatorSetState): void };
}

export interface IndicatorPassResult extends Omit<IndicatorPassProgress, 'lastOpenTime'> {
  /** False when `stopped` ended it before the last document. */
  complete: boolean;
  /** The state after the last document visited (after the whole stored series when complete). */
  state: IndicatorSetState;
}

/**
 * Computes the indicators over the whole stored series of `collection`, paging it once by
 * `open_time` (O(1) state per indicator, no look-back), and writes each document's fields where
 * they differ from what is stored, with batched field updates that keep the candle's version.
 * Idempotent: a second pass over the same candles writes nothing; a pass after a changed candle
 * rewrites the fields from that candle on (they all depend on it).
 */
export async function computeStoredIndicators(collection: string, deps: IndicatorPassDeps, pageSize = INDICATOR_PAGE_SIZE): Promise<IndicatorPassResult> {
  const { store, indicators } = deps;
  const retry = deps.retry ?? ((call) => call());
  const { fields } = indicators;
  const stream = indicators.resume(deps.start);
  const every = deps.checkpoints?.every ?? 0;
  let documents = 0;
  let updated = 0;
  let from = deps.start?.lastOpenTime == null ? undefined : deps.start.lastOpenTime + 1;
  for (;;) {
    if (deps.stopped?.()) return { documents, updated, complete: false, state: stream.snapshot() };
    const page = await retry(() => store.findRange(collection, { field: 'open_time', from, limit: pageSize }));
    if (page.length === 0) break;
    const updates: StoredDocument[] = [];
    for (const document of page) {
      const values = stream.push(document as unknown as IndicatorCandle, { _key: document._key });
      if (!sameValues(document, values, fields)) updates.push(values);
      if (every > 0 && stream.count % every === 0) deps.checkpoints?.take(stream.snapshot());
    }
    if (updates.length > 0) await retry(() => store.updateFields(collection, updates));
    documents += page.length;
    updated += updates.length;
    // open_time is an integer (ms) and unique per candle (the `_key` holds it): the next page starts after it.
    const lastOpenTime = page[page.length - 1].open_time as number;
    from = lastOpenTime + 1;
    await deps.onPage?.({ documents, updated, lastOpenTime });
    if (page.length < pageSize) break;
  }
  return { documents, updated, complete: true, state: stream.snapshot() };
}

/** True when the document already holds exactly these values (a null stored as null, not missing). */
function sameValues(document: StoredDocument, values: StoredDocument, fields: readonly string[]): boolean {
  for (const field of fields) {
    if (!(field in document) || document[field] !== values[field]) return false;
  }
  return true;
}
