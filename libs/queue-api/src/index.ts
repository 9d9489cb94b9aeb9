export * from './api-server';
export * from './ws-hub';
export * from './envelope';
export * from './request-validation';
export * from './render-openapi';
