import type { TargetState } from '@streamforge/schemas';

/** How a target's `records_written` reads: candles this run loaded, or documents the collection holds. */
export type ProgressKind = 'loaded' | 'stored';

export interface ProgressLineInput {
  target: TargetState;
  kind: ProgressKind;
  /** Candles per second over the last seconds; undefined when not measurable yet. */
  rate: number | undefined;
  /** The store count when the run started (only for `stored` bars), if known. */
  storedBefore?: number;
  barWidth?: number;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * One progress line, every figure true or shown as unknown (`?`): no made-up total, no `NaN`,
 * no infinite ETA; an errored target says why.
 */
export function formatProgressLine(input: ProgressLineInput): string {
  const { target, kind } = input;
  const width = input.barWidth ?? 30;
  const total = target.expected_records ?? undefined;
  const done = target.records_written;
  const fraction = total && total > 0 ? Math.min(done / total, 1) : undefined;
  const filled = fraction === undefined ? 0 : Math.round(fraction * width);
  const bar = fraction === undefined ? '·'.repeat(width) : '█'.repeat(filled) + '░'.repeat(width - filled);
  const figures = `${count(done)}/${total === undefined ? '?' : count(total)} candles ${kind === 'stored' ? 'in the collection' : 'loaded'}`;
  const before = kind === 'stored' && input.storedBefore ? ` (${count(input.storedBefore)} already stored)` : '';
  const rate = input.rate === undefined || !Number.isFinite(input.rate) ? '?/s' : `${count(Math.round(input.rate))}/s`;
  const status = target.status === 'error' ? `error: ${target.error_message ?? target.message ?? 'no reason reported'}` : target.status;
  return ` ${target.target.padEnd(18)} |${bar}| ${figures}${before} | ${rate} | ETA ${eta(target, input.rate)} | ${status}`;
}

function eta(target: TargetState, rate: number | undefined): string {
  if (target.status === 'finished') return '0s';
  if (target.status === 'error' || target.status === 'interrupted') return '-';
  const total = target.expected_records;
  if (total === null || rate === undefined || !Number.isFinite(rate) || rate <= 0) return '?';
  const seconds = Math.max(0, Math.ceil((total - target.records_written) / rate));
  return seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m` : seconds >= 60 ? `${Math.floor(seconds / 60)}m${seconds % 60}s` : `${seconds}s`;
}
