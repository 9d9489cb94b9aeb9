export * from './control-command';
export * from './telemetry-event';
export * from './validation-error';
export * from './message-catalog';
export * from './json-schemas';
export * from './candles-api';
