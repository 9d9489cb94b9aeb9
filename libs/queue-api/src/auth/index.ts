export * from './auth-errors';
export * from './roles';
export * from './api-tokens';
export * from './oidc-verifier';
export * from './authenticator';
export * from './auth-plugin';
