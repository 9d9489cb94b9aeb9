export * from './memory-document-store';
export * from './request-errors';
