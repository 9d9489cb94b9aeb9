export * from './document-store';
export * from './errors';
export * from './collection-name';
export * from './document-batch';
export { DEFAULT_RANGE_FIELDS } from './range-query';
export * from './sqlite-document-store';
