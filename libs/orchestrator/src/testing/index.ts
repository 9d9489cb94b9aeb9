export * from './memory-document-store';
