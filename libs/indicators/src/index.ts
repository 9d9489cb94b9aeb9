export * from './errors';
export type { IndicatorCandle } from './indicator';
export type { IndicatorSetState } from './indicator-set-state';
export { createIndicatorSet, type IndicatorSet, type IndicatorStream, type IndicatorValues } from './indicator-set';
