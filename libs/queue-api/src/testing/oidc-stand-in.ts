import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TokenOptions {
  /** Roles put in `realm_access.roles` (Keycloak's place). */
  roles?: string[];
  sub?: string;
  iss?: string;
  aud?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  notBefore?: number;
  /** Sign with a key the JWKS does not publish. */
  unpublishedKey?: boolean;
}

/**
 * An OpenID Connect issuer for tests: serves discovery and a JWKS over HTTP and signs RS256 tokens
 * like Keycloak's. `rotate()` publishes a new key (with a new kid) beside the old one.
 */
export class OidcStandIn {
  private server?: Server;
  private keys: SigningKey[] = [];
  private stranger?: SigningKey;
  /** How many times the JWKS was fetched. */
  jwksRequests = 0;
  readonly audience = 'streamforge';

  async start(): Promise<this> {
    this.keys.push(await newKey());
    this.stranger = await newKey();
    this.server = createServer((request, response) => {
      const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/realms/streamforge/.well-known/openid-configuration') return json(200, { issuer: this.issuer, jwks_uri: this.jwksUrl });
      if (request.url === '/realms/streamforge/protocol/openid-connect/certs') {
        this.jwksRequests += 1;
        return json(200, { keys: this.keys.map((k) => k.publicJwk) });
      }
      json(404, { error: 'not found' });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get issuer(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/realms/streamforge`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/protocol/openid-connect/certs`;
  }

  /** Publishes a new signing key; tokens are signed with it from now on. */
  async rotate(): Promise<void> {
    this.keys.push(await newKey());
  }

  async sign(options: TokenOptions = {}): Promise<string> {
    const key = options.unpublishedKey ? this.stranger! : this.keys[this.keys.length - 1];
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({ realm_access: { roles: options.roles ?? ['streamforge-viewer'] } })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(options.iss ?? this.issuer)
      .setAudience(options.aud ?? this.audience)
      .setSubject(options.sub ?? 'alice')
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresIn ?? 300));
    if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
    return jwt.sign(key.privateKey);
  }

  async close(): Promise<void> {
    // Verifiers keep their JWKS connections alive: close them, or close() waits for them.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let keyCounter = 0;
async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  keyCounter += 1;
  const kid = `key-${keyCounter}-${Date.now().toString(36)}`;
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}
