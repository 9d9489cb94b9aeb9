export * from './oidc-stand-in';
export * from './api-token-file';
