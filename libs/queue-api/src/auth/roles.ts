/** `viewer` reads (GET, /ws/topic, /candles, the dashboard); `operator` also starts and stops queues. */
export const ROLES = ['viewer', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, once authenticated. */
export interface Principal {
  /** The token's `sub` (OIDC) or the API token's name. */
  subject: string;
  role: Role;
  via: 'oidc' | 'api-token';
}

/** True when `role` may do what `needed` allows. */
export function roleAllows(role: Role, needed: Role): boolean {
  return role === 'operator' || needed === 'viewer';
}
