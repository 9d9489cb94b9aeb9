/**
 * The open times a load covers, half-open [from, to) in ms: a TIME_RANGE read with
 * `parseTimeRange` from @streamforge/schemas (the same parser the queue-manager API uses).
 */
export interface TimeRange {
  from: number;
  to: number;
}
