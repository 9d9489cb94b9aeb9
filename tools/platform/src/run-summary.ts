import type { QueueState } from '@streamforge/schemas';

export interface RunSummaryInput {
  state: QueueState;
  storedCandles: number;
  elapsedMs: number;
  storeLocation: string;
  apiUrl: string;
  /** `simulator` for a `--sim` run: said on the first line and beside the stored count. */
  dataSource?: string;
}

/** The lines printed when a flow ends: what was stored, how fast, and where to look next. */
export function formatRunSummary(input: RunSummaryInput): string[] {
  const { state } = input;
  const seconds = input.elapsedMs / 1000;
  const gaps = state.targets.flatMap((t) => t.gaps);
  const collection = state.targets.find((t) => t.collection_name)?.collection_name ?? '(none)';
  const errors = state.targets.filter((t) => t.error_message).map((t) => `${t.target}: ${t.error_message}`);
  const errorCount = state.targets.reduce((sum, t) => sum + t.error_count, 0);
  const simulated = input.dataSource ? ` (${input.dataSource}: simulated candles, not market data)` : '';
  return [
    `queue ${state.queue_id}: ${state.status}${simulated}`,
    ...state.targets.flatMap((t) => [
      `  ${t.target.padEnd(18)} ${t.status.padEnd(11)} records_written ${t.records_written}`,
      ...(t.instances ?? []).map((i) => `    \u21b3 ${i.instance.padEnd(14)} ${i.status.padEnd(11)} records_written ${i.records_written}  ${i.job_name}`),
    ]),
    `candles stored:  ${input.storedCandles} in ${collection}${simulated}`,
    `gaps:            ${gaps.length === 0 ? 'none' : gaps.map((g) => `${new Date(g.from).toISOString()} → ${new Date(g.to).toISOString()}`).join(', ')}`,
    ...(errorCount > 0 ? [`bad messages:    ${errorCount} (in the data topic's -dlq)`] : []),
    ...errors.map((e) => `error:           ${e}`),
    `elapsed:         ${seconds.toFixed(1)} s`,
    `throughput:      ${seconds > 0 ? Math.round(input.storedCandles / seconds).toLocaleString('en-US') : 0} candles/s`,
    `data:            ${input.storeLocation}`,
    `API:             ${input.apiUrl}   docs: ${input.apiUrl}/docs   metrics: ${input.apiUrl}/metrics`,
  ];
}
