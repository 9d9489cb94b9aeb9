import { z } from 'zod';
import { positiveInt } from '@streamforge/config';
import type { AuthConfig } from '@streamforge/queue-api';

const commaList = z
  .string()
  .transform((text) => text.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/, error: 'origins like https://streamforge.example.com, separated by commas' })));

/** Who may call queue-manager: OIDC bearer tokens and/or hashed static API tokens (docs/operations.md). */
export const authSettings = {
  OIDC_ISSUER: z.url().optional().describe("OIDC issuer, exactly the tokens' iss (e.g. https://keycloak.example/realms/streamforge)"),
  OIDC_AUDIENCE: z.string().min(1).optional().describe("required in the tokens' aud (the Keycloak client id)"),
  OIDC_JWKS_URL: z.url().optional().describe("default: jwks_uri of the issuer's discovery document"),
  OIDC_ROLES_CLAIM: z.string().min(1).default('realm_access.roles').describe('dotted path of the roles claim'),
  OIDC_VIEWER_ROLE: z.string().min(1).default('streamforge-viewer'),
  OIDC_OPERATOR_ROLE: z.string().min(1).default('streamforge-operator'),
  OIDC_JWKS_COOLDOWN_MS: positiveInt.default(30_000).describe('at most one JWKS refetch this often for an unknown kid'),
  API_TOKENS_FILE: z.string().min(1).optional().describe('hashed API tokens with roles (a mounted Secret): {"tokens":[{"name","role","sha256"}]}'),
  ALLOWED_ORIGINS: commaList.default([]).describe("browser origins besides the API's own allowed to open /ws/topic"),
};

type AuthEnv = z.infer<z.ZodObject<typeof authSettings>>;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Rules across the settings: OIDC needs an audience; without authentication only a loopback address. */
export function refineAuthSettings(config: AuthEnv & { HOST: string }, ctx: z.RefinementCtx): void {
  if (config.OIDC_ISSUER && !config.OIDC_AUDIENCE) ctx.addIssue({ code: 'custom', path: ['OIDC_AUDIENCE'], message: 'required with OIDC_ISSUER' });
  if (!config.OIDC_ISSUER && config.OIDC_AUDIENCE) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'required with OIDC_AUDIENCE' });
  if (!config.OIDC_ISSUER && !config.API_TOKENS_FILE && !LOOPBACK.test(config.HOST)) {
    ctx.addIssue({
      code: 'custom',
      path: ['HOST'],
      message: `listening on ${config.HOST} needs authentication: set OIDC_ISSUER and OIDC_AUDIENCE, or API_TOKENS_FILE (docs/operations.md); only a loopback HOST such as 127.0.0.1 may run without`,
    });
  }
}

/** The authenticator's settings, or undefined when authentication is off (loopback only). */
export function authConfigOf(config: AuthEnv): AuthConfig | undefined {
  if (!config.OIDC_ISSUER && !config.API_TOKENS_FILE) return undefined;
  return {
    allowedOrigins: config.ALLOWED_ORIGINS,
    ...(config.API_TOKENS_FILE ? { apiTokensFile: config.API_TOKENS_FILE } : {}),
    ...(config.OIDC_ISSUER && config.OIDC_AUDIENCE
      ? {
          oidc: {
            issuer: config.OIDC_ISSUER, audience: config.OIDC_AUDIENCE, rolesClaim: config.OIDC_ROLES_CLAIM, viewerRole: config.OIDC_VIEWER_ROLE,
            operatorRole: config.OIDC_OPERATOR_ROLE, jwksCooldownMs: config.OIDC_JWKS_COOLDOWN_MS, ...(config.OIDC_JWKS_URL ? { jwksUrl: config.OIDC_JWKS_URL } : {}),
          },
        }
      : {}),
  };
}
