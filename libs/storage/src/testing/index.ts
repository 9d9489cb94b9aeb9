export * from './document-store.contract';
export * from './arango-stand-in';
