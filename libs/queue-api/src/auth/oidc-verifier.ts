import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { AuthenticationError, ForbiddenError } from './auth-errors';
import type { Principal } from './roles';

/** How queue-manager trusts an OpenID Connect issuer (Keycloak in the seed's cluster). */
export interface OidcConfig {
  /** Exactly the tokens' `iss`, e.g. https://keycloak.example/realms/streamforge. */
  issuer: string;
  /** Required in the tokens' `aud` (the Keycloak client id). */
  audience: string;
  /** Default: `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** Dotted path of the roles claim (array or space-separated string), e.g. realm_access.roles. */
  rolesClaim: string;
  viewerRole: string;
  operatorRole: string;
  /** At most one JWKS refetch per this many ms when a token names an unknown `kid`. */
  jwksCooldownMs: number;
}

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const CLOCK_TOLERANCE_S = 30;

/** Verifies bearer JWTs: signature against the issuer's JWKS (cached; refetched on an unknown kid), iss, aud, exp, nbf. */
export function createOidcVerifier(config: OidcConfig, fetchImpl: typeof fetch = fetch) {
  let jwks: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    jwks ??= jwksUrlOf(config, fetchImpl).then((url) => createRemoteJWKSet(new URL(url), { cooldownDuration: config.jwksCooldownMs, timeoutDuration: 5_000 }));
    // A failed discovery is retried by the next request, not cached.
    jwks.catch(() => (jwks = undefined));
    return jwks;
  };

  return async function verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keySet(), { issuer: config.issuer, audience: config.audience, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp'] }));
    } catch (error) {
      throw new AuthenticationError(`invalid bearer token: ${reason(error)}`, { cause: error });
    }
    const roles = rolesOf(payload, config.rolesClaim);
    const role = roles.includes(config.operatorRole) ? 'operator' : roles.includes(config.viewerRole) ? 'viewer' : undefined;
    if (!role) throw new ForbiddenError(`the token's ${config.rolesClaim} holds neither ${config.viewerRole} nor ${config.operatorRole}`);
    return { subject: typeof payload.sub === 'string' ? payload.sub : 'unknown', role, via: 'oidc' };
  };
}

async function jwksUrlOf(config: OidcConfig, fetchImpl: typeof fetch): Promise<string> {
  if (config.jwksUrl) return config.jwksUrl;
  const discovery = `${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetchImpl(discovery, { signal: AbortSignal.timeout(5_000) });
  const document = (await response.json().catch(() => undefined)) as { jwks_uri?: unknown } | undefined;
  if (!response.ok || typeof document?.jwks_uri !== 'string') throw new Error(`no jwks_uri in ${discovery} (HTTP ${response.status})`);
  return document.jwks_uri;
}

function rolesOf(payload: JWTPayload, claimPath: string): string[] {
  let value: unknown = payload;
  for (const key of claimPath.split('.')) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value === 'string') return value.split(' ');
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** What was wrong, without echoing the token. */
function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason === 'check_failed' ? 'does not match' : error.reason}`;
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'signed by a key the issuer does not publish';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof joseErrors.JOSEError) return error.code;
  return 'the issuer could not be reached to check it';
}
