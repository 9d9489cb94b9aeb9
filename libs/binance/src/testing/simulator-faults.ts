/**
 * Scripted failures for the klines endpoint, keyed by the 1-based number of the klines request
 * (counted from simulator start or the last reset(), every klines request included).
 */

export type Fault =
  /** The Nth klines request answers with that status and a Binance-style JSON error. */
  | { kind: 'status'; status: 500 | 502 | 503 | 504; onRequests: number[] }
  /** The socket is destroyed without any answer (client sees ECONNRESET / socket hang up). */
  | { kind: 'drop'; onRequests: number[] }
  /** One row of an otherwise normal page is broken: 11 fields (default) or a non-numeric open. */
  | { kind: 'malformed'; onRequests: number[]; variant?: 'short-row' | 'bad-number' }
  /** `count` consecutive 429s with Retry-After from `fromRequest` on, even under the limit. */
  | { kind: 'rate-limit-storm'; fromRequest: number; count: number; retryAfterSeconds: number }
  /** The Nth klines request bans the IP for `banSeconds` (418), as if another client behind it misbehaved. */
  | { kind: 'ip-ban'; onRequest: number; banSeconds: number };

export type FaultAction =
  | { kind: 'status'; status: 500 | 502 | 503 | 504 }
  | { kind: 'drop' }
  | { kind: 'malformed'; variant: 'short-row' | 'bad-number' };

/** Retry-After of a rate-limit storm covering klines request `n`, if any. */
export function stormRetryAfter(faults: readonly Fault[], n: number): number | undefined {
  for (const f of faults) {
    if (f.kind === 'rate-limit-storm' && n >= f.fromRequest && n < f.fromRequest + f.count) {
      return f.retryAfterSeconds;
    }
  }
  return undefined;
}

/** Ban length of an ip-ban fault scheduled for klines request `n`, if any. */
export function banSecondsFor(faults: readonly Fault[], n: number): number | undefined {
  for (const f of faults) if (f.kind === 'ip-ban' && f.onRequest === n) return f.banSeconds;
  return undefined;
}

/** The first non-storm fault scheduled for klines request `n`, if any. */
export function faultFor(faults: readonly Fault[], n: number): FaultAction | undefined {
  for (const f of faults) {
    if (f.kind === 'rate-limit-storm' || f.kind === 'ip-ban' || !f.onRequests.includes(n)) continue;
    if (f.kind === 'status') return { kind: 'status', status: f.status };
    if (f.kind === 'drop') return { kind: 'drop' };
    return { kind: 'malformed', variant: f.variant ?? 'short-row' };
  }
  return undefined;
}

/** Binance's JSON error body for an injected 5xx (codes from errors.md). */
export function statusFaultBody(status: 500 | 502 | 503 | 504): { code: number; msg: string } {
  switch (status) {
    case 503:
      return {
        code: -1008,
        msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.',
      };
    case 504:
      return {
        code: -1007,
        msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      };
    case 502:
      return { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' };
    default:
      return { code: -1000, msg: 'An unknown error occurred while processing the request.' };
  }
}
