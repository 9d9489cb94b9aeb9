export * from './memory-document-store';
export * from './request-errors';
export * from './flaky-document-store';
