import type { StoredCandle } from '@streamforge/schemas';
import type { ApiClient } from './api-client';

export interface LoadedCandles {
  candles: StoredCandle[];
  pages: number;
  /** True when maxCandles was reached before the last page. */
  truncated: boolean;
}

export interface LoadOptions {
  /** Only candles opening at or after this (ms); default: from the oldest. */
  from?: number;
  pageSize?: number;
  /** The chart stays responsive up to a few hundred thousand bars; stop well before that. */
  maxCandles?: number;
  onPage?(loaded: number): void;
  /** Checked between pages so a superseded load stops early. */
  cancelled?(): boolean;
}

/** Reads every page of `GET /candles` for a collection (from `options.from` on), following `next_from`. */
export async function loadAllCandles(client: Pick<ApiClient, 'candlePage'>, collection: string, options: LoadOptions = {}): Promise<LoadedCandles> {
  const pageSize = options.pageSize ?? 5_000;
  const maxCandles = options.maxCandles ?? 200_000;
  const candles: StoredCandle[] = [];
  let from = options.from;
  let pages = 0;
  for (;;) {
    const page = await client.candlePage({ collection, from, limit: Math.min(pageSize, maxCandles - candles.length) });
    pages += 1;
    candles.push(...page.candles);
    options.onPage?.(candles.length);
    if (page.next_from === null) return { candles, pages, truncated: false };
    if (candles.length >= maxCandles) return { candles, pages, truncated: true };
    if (options.cancelled?.()) return { candles, pages, truncated: true };
    from = page.next_from;
  }
}
