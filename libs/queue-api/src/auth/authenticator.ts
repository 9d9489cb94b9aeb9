import { loadApiTokens, type ApiTokens } from './api-tokens';
import { AuthenticationError } from './auth-errors';
import { createOidcVerifier, type OidcConfig } from './oidc-verifier';
import type { Principal } from './roles';

export interface AuthConfig {
  oidc?: OidcConfig;
  /** Path of the hashed API token file (api-tokens.ts). */
  apiTokensFile?: string;
  /** Browser origins allowed to open /ws/topic besides the API's own. */
  allowedOrigins: string[];
}

export interface Authenticator {
  authenticate(token: string): Promise<Principal>;
  readonly allowedOrigins: readonly string[];
  /** What is on, for the start log line. */
  readonly methods: string[];
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** API tokens first (a hash lookup), then OIDC for anything shaped like a JWT. */
export function createAuthenticator(config: AuthConfig, deps: { fetch?: typeof fetch } = {}): Authenticator {
  const tokens: ApiTokens | undefined = config.apiTokensFile ? loadApiTokens(config.apiTokensFile) : undefined;
  const oidc = config.oidc ? createOidcVerifier(config.oidc, deps.fetch) : undefined;
  if (!tokens && !oidc) throw new Error('authentication needs OIDC settings or an API tokens file');
  return {
    allowedOrigins: config.allowedOrigins,
    methods: [...(oidc ? [`oidc ${config.oidc?.issuer}`] : []), ...(tokens ? [`${tokens.size} API token(s)`] : [])],
    async authenticate(token) {
      const principal = tokens?.find(token);
      if (principal) return principal;
      if (oidc && JWT_SHAPE.test(token)) return oidc(token);
      throw new AuthenticationError('unknown API token');
    },
  };
}
